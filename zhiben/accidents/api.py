"""Accident API under /api/v1/accidents/:

    GET  /api/v1/accidents/                 事故登记 (the list's filters)
    POST /api/v1/accidents/                 登记事故 (grade computed)
    GET  /api/v1/accidents/{id}/            one accident with its 续报, findings and 整改措施
    POST /api/v1/accidents/{id}/<step>/     supplement (续报), flag, investigate, extend, submit-report,
                                            add-finding, add-rectification, follow-up, close
    GET  /api/v1/accidents/{id}/history/    办理记录;  /steps/ 可执行的操作

The step endpoints come from steps.py (core.loop.api.install_steps) with serializers derived from the step
forms; each carries the version the client read (`version` or If-Match), a stale one is a 409."""

from __future__ import annotations

from typing import Any

from django.db import transaction
from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import extend_schema, extend_schema_view, inline_serializer
from rest_framework import mixins, serializers
from rest_framework.decorators import action
from rest_framework.request import Request
from rest_framework.response import Response

from zhiben.core.api import CodeRelatedField, ScopedViewSet, error_responses, etag
from zhiben.core.bounds import BoundedModelSerializer, BoundedSerializer
from zhiben.core.loop.api import install_steps
from zhiben.registry.models import Enterprise, Industry, Region

from . import reference, services
from .filtersets import AccidentFilterSet
from .models import Accident, AccidentTransition, AccidentUpdate
from .steps import FLOW


class AccidentUpdateSerializer(BoundedModelSerializer):
    class Meta:
        model = AccidentUpdate
        fields = [
            "id",
            "reported_at",
            "deaths",
            "serious_injuries",
            "missing",
            "direct_loss",
            "grade_before",
            "grade_after",
            "late",
            "note",
        ]


class AccidentSerializer(BoundedModelSerializer):
    region = serializers.SlugRelatedField(slug_field="code", read_only=True)
    industry = serializers.SlugRelatedField(slug_field="code", read_only=True)
    department = serializers.SlugRelatedField(slug_field="code", read_only=True)
    type_name = serializers.CharField(read_only=True)
    updates = AccidentUpdateSerializer(many=True, read_only=True)

    class Meta:
        model = Accident
        fields = [
            "id",
            "code",
            "occurred_at",
            "reported_at",
            "place",
            "region",
            "enterprise",
            "unit_name",
            "industry",
            "department",
            "accident_type",
            "type_name",
            "deaths",
            "serious_injuries",
            "missing",
            "direct_loss",
            "grade",
            "grade_scheme",
            "reported_late",
            "supplement_until",
            "concealment",
            "status",
            "lead_unit",
            "investigation_due",
            "report_submitted_on",
            "approval_number",
            "closed_on",
            "summary",
            "updates",
            "version",
        ]


class AccidentCreateSerializer(BoundedSerializer):
    occurred_at = serializers.DateTimeField(label=_("发生时间"))
    reported_at = serializers.DateTimeField(label=_("报告时间"))
    place = serializers.CharField(label=_("事故地点"), max_length=200)
    region = CodeRelatedField(label=_("区划代码"), queryset=Region.objects.all())
    industry = CodeRelatedField(label=_("行业领域代码"), queryset=Industry.objects.all())
    enterprise = serializers.PrimaryKeyRelatedField(
        label=_("事故单位（已登记）"),
        queryset=Enterprise.objects.unrestricted("the service checks scope"),
        required=False,
        allow_null=True,
    )
    unit_name = serializers.CharField(
        label=_("事故单位名称"), max_length=100, required=False, allow_blank=True
    )
    accident_type = serializers.ChoiceField(label=_("事故类别"), choices=reference.type_choices())
    deaths = serializers.IntegerField(label=_("死亡人数"), min_value=0, default=0)
    serious_injuries = serializers.IntegerField(label=_("重伤人数"), min_value=0, default=0)
    missing = serializers.IntegerField(label=_("失踪人数"), min_value=0, default=0)
    direct_loss = serializers.DecimalField(
        label=_("直接经济损失（元）"), max_digits=14, decimal_places=2, min_value=0, default=0
    )
    summary = serializers.CharField(label=_("事故简要经过"), max_length=5000)
    reporter = serializers.CharField(label=_("报告人"), max_length=100)


class AccidentTransitionSerializer(BoundedModelSerializer):
    class Meta:
        model = AccidentTransition
        fields = ["action", "from_status", "to_status", "note", "at"]


@extend_schema_view(
    list=extend_schema(
        summary="事故登记", responses={200: AccidentSerializer(many=True), **error_responses(400, 401, 403)}
    ),
    retrieve=extend_schema(
        summary="事故详情", responses={200: AccidentSerializer, **error_responses(401, 403, 404)}
    ),
    create=extend_schema(
        summary="登记事故",
        description="事故等级按国务院令第493号第三条由死亡、重伤人数和直接经济损失计算，不可指定。",
        request=AccidentCreateSerializer,
        responses={201: AccidentSerializer, **error_responses(400, 401, 403)},
    ),
)
class AccidentViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, ScopedViewSet):
    """生产安全事故 (scoped like the pages)."""

    queryset = Accident.objects.select_related("region", "industry", "department").prefetch_related("updates")
    serializer_class = AccidentSerializer
    filterset_class = AccidentFilterSet

    def get_queryset(self) -> Any:
        return super().get_queryset().order_by("-occurred_at", "-id")

    def create(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        incoming = AccidentCreateSerializer(data=request.data, context=self.get_serializer_context())
        incoming.is_valid(raise_exception=True)
        with transaction.atomic():
            accident = services.register_accident(actor=request.user, **incoming.validated_data)
        accident = Accident.objects.unrestricted("re-read, just registered").get(pk=accident.pk)
        return Response(AccidentSerializer(accident).data, status=201, headers={"ETag": etag(accident)})

    @extend_schema(summary="办理记录", responses={200: AccidentTransitionSerializer(many=True)})
    @action(detail=True, methods=["get"])
    def history(self, request: Request, pk: str | None = None, **kwargs: Any) -> Response:
        accident = self.get_object()
        return Response(AccidentTransitionSerializer(accident.history.order_by("at", "id"), many=True).data)

    @extend_schema(
        summary="可执行的操作",
        responses={
            200: inline_serializer(
                "AccidentSteps", {"steps": serializers.ListField(child=serializers.CharField())}
            )
        },
    )
    @action(detail=True, methods=["get"])
    def steps(self, request: Request, pk: str | None = None, **kwargs: Any) -> Response:
        accident = self.get_object()
        return Response({"steps": [s.name for s in FLOW.available(request.user, accident)]})


install_steps(AccidentViewSet, FLOW, prefix="Accident", output=AccidentSerializer)


def register(router: Any) -> None:
    router.register("accidents", AccidentViewSet, basename="accident")
