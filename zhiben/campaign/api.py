"""Campaign API under /api/v1/campaign/: the plan (goals, measures), the tasks with their steps, the registers.

    GET  /api/v1/campaign/goals/                 攻坚目标 (总体目标, 阶段目标 by year, the indicator each names)
    GET  /api/v1/campaign/measures/              the 22 measures with their lead and co-operating units
    GET  /api/v1/campaign/tasks/?year=&department=&status=   tasks in the reader's scope
    POST /api/v1/campaign/tasks/{id}/report/     报告进展 … /report-final/ 报告完成, /accept/ 通过, /return/ 退回
    GET  /api/v1/campaign/tasks/{id}/history/    办理记录;  /reports/ 进展报告
    GET  /api/v1/campaign/registers/?kind=&township=   攻坚登记

The step endpoints come from steps.py (core.loop.api.install_steps) with serializers from the page forms; each
carries the version read (`version` or If-Match): a stale one is a 409."""

from __future__ import annotations

from typing import Any

from django.utils import timezone
from drf_spectacular.utils import extend_schema
from rest_framework import mixins, serializers
from rest_framework.decorators import action
from rest_framework.request import Request
from rest_framework.response import Response

from zhiben.core.api import ScopedViewSet, error_responses
from zhiben.core.bounds import BoundedModelSerializer
from zhiben.core.loop.api import install_steps
from zhiben.core.loop.steps import action_label

from .choices import OPEN_TASK_STATUSES, TaskStatus
from .models import Goal, Measure, RegisterEntry, Task, TaskReport, TaskTransition
from .steps import FLOW


class CampaignGoalSerializer(BoundedModelSerializer):
    class Meta:
        model = Goal
        fields = [
            "id",
            "code",
            "kind",
            "year",
            "title",
            "text",
            "indicator",
            "target_value",
            "unit",
            "direction",
            "due_on",
            "measures",
            "source",
            "verified",
        ]


class CampaignMeasureSerializer(BoundedModelSerializer):
    lead_departments = serializers.SlugRelatedField(slug_field="code", many=True, read_only=True)
    co_departments = serializers.SlugRelatedField(slug_field="code", many=True, read_only=True)

    class Meta:
        model = Measure
        fields = [
            "id",
            "number",
            "title",
            "section",
            "text",
            "lead_departments",
            "co_departments",
            "other_units",
            "source",
            "verified",
        ]


class CampaignTaskSerializer(BoundedModelSerializer):
    measure = serializers.IntegerField(source="measure.number", read_only=True)
    lead_department = serializers.SlugRelatedField(slug_field="code", read_only=True)
    township = serializers.SlugRelatedField(slug_field="code", read_only=True)
    co_departments = serializers.SlugRelatedField(slug_field="code", many=True, read_only=True)
    overdue = serializers.SerializerMethodField()

    class Meta:
        model = Task
        fields = [
            "id",
            "code",
            "measure",
            "title",
            "year",
            "due_on",
            "lead_department",
            "township",
            "co_departments",
            "other_units",
            "deliverable",
            "evidence_required",
            "status",
            "percent",
            "completed_on",
            "overdue",
            "source",
            "verified",
            "version",
        ]

    def get_overdue(self, obj: Task) -> bool:
        return obj.is_overdue()


class CampaignReportSerializer(BoundedModelSerializer):
    attachments = serializers.SerializerMethodField()

    class Meta:
        model = TaskReport
        fields = [
            "id",
            "kind",
            "content",
            "percent",
            "links",
            "reported_on",
            "outcome",
            "review_note",
            "attachments",
        ]

    def get_attachments(self, obj: TaskReport) -> list[str]:
        return [a.name for a in obj.attachments.all()]


class CampaignTransitionSerializer(BoundedModelSerializer):
    label = serializers.SerializerMethodField()

    class Meta:
        model = TaskTransition
        fields = ["id", "action", "label", "from_status", "to_status", "note", "at"]

    def get_label(self, obj: TaskTransition) -> str:
        return action_label(obj)


class CampaignRegisterEntrySerializer(BoundedModelSerializer):
    township = serializers.SlugRelatedField(slug_field="code", read_only=True)
    department = serializers.SlugRelatedField(slug_field="code", read_only=True)

    class Meta:
        model = RegisterEntry
        fields = ["id", "kind", "name", "township", "department", "quantity", "status", "on", "evidence_note"]


class GoalViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, ScopedViewSet):
    """攻坚目标 (the plan: every government role reads it whole)."""

    queryset = Goal.objects.all()
    serializer_class = CampaignGoalSerializer

    def get_queryset(self) -> Any:
        return super().get_queryset().order_by("year", "sort_order", "code")


class MeasureViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, ScopedViewSet):
    """攻坚措施 (三、主要任务 1–22)."""

    queryset = Measure.objects.prefetch_related("lead_departments", "co_departments")
    serializer_class = CampaignMeasureSerializer

    def get_queryset(self) -> Any:
        return super().get_queryset().order_by("number")


class TaskViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, ScopedViewSet):
    """攻坚任务 in the reader's scope (its lead and co-operating units, the township of a township's task)."""

    queryset = Task.objects.select_related("measure", "lead_department", "township").prefetch_related(
        "co_departments"
    )
    serializer_class = CampaignTaskSerializer

    def get_queryset(self) -> Any:
        qs = super().get_queryset().order_by("measure__number", "year", "sort_order", "pk")
        params = self.request.query_params
        year = params.get("year", "")
        if year.isdigit():
            qs = qs.filter(year=int(year))
        if params.get("department"):
            qs = qs.filter(lead_department__code=params["department"])
        if params.get("measure", "").isdigit():
            qs = qs.filter(measure__number=int(params["measure"]))
        state = params.get("status", "")
        if state == "overdue":
            qs = qs.filter(status__in=OPEN_TASK_STATUSES, due_on__lt=timezone.localdate())
        elif state in TaskStatus.values:
            qs = qs.filter(status=state)
        return qs

    @extend_schema(
        summary="办理记录",
        responses={200: CampaignTransitionSerializer(many=True), **error_responses(401, 403, 404)},
    )
    @action(detail=True, methods=["get"], pagination_class=None)
    def history(self, request: Request, pk: str | None = None, **kwargs: Any) -> Response:
        task = self.get_object()
        rows = task.history.order_by("at", "pk")
        return Response(CampaignTransitionSerializer(rows, many=True).data)

    @extend_schema(
        summary="进展报告",
        responses={200: CampaignReportSerializer(many=True), **error_responses(401, 403, 404)},
    )
    @action(detail=True, methods=["get"], pagination_class=None)
    def reports(self, request: Request, pk: str | None = None, **kwargs: Any) -> Response:
        task = self.get_object()
        rows = task.reports.prefetch_related("attachments").order_by("-reported_on", "-pk")
        return Response(CampaignReportSerializer(rows, many=True).data)


install_steps(TaskViewSet, FLOW, prefix="CampaignTask", output=CampaignTaskSerializer)


class RegisterEntryViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, ScopedViewSet):
    """攻坚登记 (基层应急站、两站两员、执法装备、工程治理、宣传活动、示范创建、能力建设 …)."""

    queryset = RegisterEntry.objects.select_related("township", "department")
    serializer_class = CampaignRegisterEntrySerializer

    def get_queryset(self) -> Any:
        qs = super().get_queryset().order_by("-on", "-pk")
        params = self.request.query_params
        if params.get("kind"):
            qs = qs.filter(kind=params["kind"])
        if params.get("township"):
            qs = qs.filter(township__code=params["township"])
        return qs


def register(router: Any) -> None:
    router.register("campaign/goals", GoalViewSet, basename="campaign-goal")
    router.register("campaign/measures", MeasureViewSet, basename="campaign-measure")
    router.register("campaign/tasks", TaskViewSet, basename="campaign-task")
    router.register("campaign/registers", RegisterEntryViewSet, basename="campaign-register")
