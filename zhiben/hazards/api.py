"""Hazard API under /api/v1/hazards/: the register, and each step of the loop as a POST action.

    POST /api/v1/hazards/                    登记 (register)
    POST /api/v1/hazards/{id}/confirm/       判定交办 … /close/ 销号, /reopen/, /transfer/ …
    GET  /api/v1/hazards/{id}/history/       流转记录;  /ledger/ 台账;  /escalations/ 督办

The step endpoints come from the steps declared in steps.py (core.loop.api), like the page buttons; their input
serializers are derived from the page forms, so both validate alike. Each step carries the version the client
read (`version` in the body or If-Match); a stale one — someone acted first — is a 409.
"""

from __future__ import annotations

from typing import Any

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import extend_schema, extend_schema_view, inline_serializer
from rest_framework import mixins, serializers
from rest_framework.decorators import action
from rest_framework.request import Request
from rest_framework.response import Response

from zhiben.core.api import CodeRelatedField, ScopedViewSet, error_responses, etag
from zhiben.core.bounds import BoundedModelSerializer, BoundedSerializer
from zhiben.core.loop.api import install_steps
from zhiben.registry.models import Enterprise, Industry
from zhiben.standards.models import Clause

from . import services
from .choices import Level, Source
from .filtersets import HazardFilterSet
from .models import Escalation, Hazard, HazardProgress, HazardTransition
from .steps import FLOW


class HazardSerializer(BoundedModelSerializer):
    enterprise_name = serializers.CharField(source="enterprise.name", read_only=True)
    region = serializers.SlugRelatedField(slug_field="code", read_only=True)
    industry = serializers.SlugRelatedField(slug_field="code", read_only=True)
    department = serializers.SlugRelatedField(slug_field="code", read_only=True)
    clause_citation = serializers.SerializerMethodField()
    overdue = serializers.SerializerMethodField()

    class Meta:
        model = Hazard
        fields = [
            "id",
            "code",
            "enterprise",
            "enterprise_name",
            "region",
            "industry",
            "department",
            "level",
            "clause",
            "clause_citation",
            "source",
            "title",
            "description",
            "location",
            "discovered_on",
            "finder",
            "is_stock",
            "status",
            "judge_deadline",
            "deadline",
            "overdue",
            "supervision_level",
            "escalation",
            "plan_goal",
            "plan_measures",
            "plan_responsible",
            "plan_funds",
            "plan_deadline",
            "plan_contingency",
            "interim_measures",
            "stop_production",
            "reported_to_workers_on",
            "accepted_on",
            "acceptor",
            "closed_on",
            "closed_on_time",
            "reopen_count",
            "version",
        ]

    def get_clause_citation(self, obj: Hazard) -> str:
        return obj.clause.citation if obj.clause_id else ""

    def get_overdue(self, obj: Hazard) -> bool:
        return obj.is_overdue(timezone.localdate())


class HazardRegisterSerializer(BoundedSerializer):
    enterprise = serializers.PrimaryKeyRelatedField(
        label=_("生产经营单位"), queryset=Enterprise.objects.unrestricted("validate_enterprise checks scope")
    )
    level = serializers.ChoiceField(label=_("隐患等级"), choices=Level.choices)
    clause = serializers.PrimaryKeyRelatedField(
        label=_("判定依据条款"), queryset=Clause.objects.all(), required=False, allow_null=True
    )
    source = serializers.ChoiceField(label=_("隐患来源"), choices=Source.choices, required=False)
    title = serializers.CharField(label=_("隐患名称"), max_length=200)
    description = serializers.CharField(label=_("隐患描述"), required=False, allow_blank=True)
    location = serializers.CharField(label=_("隐患部位"), max_length=200, required=False, allow_blank=True)
    discovered_on = serializers.DateField(label=_("发现日期"))
    finder = serializers.CharField(label=_("发现人"), max_length=100, required=False, allow_blank=True)
    industry = CodeRelatedField(label=_("行业领域"), queryset=Industry.objects.all(), required=False)

    def validate_enterprise(self, value: Enterprise) -> Enterprise:
        user = self.context["request"].user
        if not Enterprise.objects.restrict(user, "view").filter(pk=value.pk).exists():
            # Same answer as a missing id: no hint that the unit exists (R08).
            raise serializers.ValidationError(_("生产经营单位不存在或不在您的职责范围内。"))
        return value


class TransitionSerializer(BoundedModelSerializer):
    actor = serializers.CharField(source="actor.username", read_only=True, default="")
    action_label = serializers.CharField(read_only=True)

    class Meta:
        model = HazardTransition
        fields = ["action", "action_label", "from_status", "to_status", "actor", "note", "at"]


class ProgressSerializer(BoundedModelSerializer):
    class Meta:
        model = HazardProgress
        fields = ["id", "entry_on", "content", "percent", "funds_spent", "created_at"]


class EscalationSerializer(BoundedModelSerializer):
    document_number = serializers.CharField(source="document.number", read_only=True, default="")
    stage = serializers.CharField(source="rule.stage", read_only=True)

    class Meta:
        model = Escalation
        fields = ["id", "stage", "kind", "deadline", "overdue_workdays", "applied_on", "document_number"]


@extend_schema_view(
    list=extend_schema(
        summary="隐患列表", responses={200: HazardSerializer(many=True), **error_responses(400, 401, 403)}
    ),
    retrieve=extend_schema(
        summary="隐患详情", responses={200: HazardSerializer, **error_responses(401, 403, 404)}
    ),
    create=extend_schema(
        summary="登记隐患",
        description="重大事故隐患须引用判定标准条款（clause）。单位登记的一般隐患即时判定并计算整改期限。",
        request=HazardRegisterSerializer,
        responses={201: HazardSerializer, **error_responses(400, 401, 403)},
    ),
)
class HazardViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, ScopedViewSet):
    """事故隐患 (scoped like the pages: a department sees its industries and what is assigned to it)."""

    queryset = Hazard.objects.select_related(
        "enterprise", "region", "industry", "department", "clause__version"
    )
    serializer_class = HazardSerializer
    filterset_class = HazardFilterSet

    def get_queryset(self) -> Any:
        return super().get_queryset().order_by("-discovered_on", "-id")

    def create(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        incoming = HazardRegisterSerializer(data=request.data, context=self.get_serializer_context())
        incoming.is_valid(raise_exception=True)
        with transaction.atomic():
            hazard = services.register_hazard(actor=request.user, **incoming.validated_data)
        hazard = Hazard.objects.unrestricted("re-read after the write").get(pk=hazard.pk)
        return Response(HazardSerializer(hazard).data, status=201, headers={"ETag": etag(hazard)})

    @extend_schema(summary="流转记录", responses={200: TransitionSerializer(many=True)})
    @action(detail=True, methods=["get"])
    def history(self, request: Request, pk: str | None = None, **kwargs: Any) -> Response:
        hazard = self.get_object()
        rows = hazard.transitions.select_related("actor").order_by("at", "id")
        return Response(TransitionSerializer(rows, many=True).data)

    @extend_schema(summary="整改台账", responses={200: ProgressSerializer(many=True)})
    @action(detail=True, methods=["get"])
    def ledger(self, request: Request, pk: str | None = None, **kwargs: Any) -> Response:
        hazard = self.get_object()
        return Response(ProgressSerializer(hazard.progress.order_by("entry_on", "id"), many=True).data)

    @extend_schema(summary="逾期督办记录", responses={200: EscalationSerializer(many=True)})
    @action(detail=True, methods=["get"])
    def escalations(self, request: Request, pk: str | None = None, **kwargs: Any) -> Response:
        hazard = self.get_object()
        return Response(EscalationSerializer(hazard.escalations.select_related("document"), many=True).data)

    @extend_schema(
        summary="可执行的操作",
        responses={
            200: inline_serializer(
                "HazardSteps", {"steps": serializers.ListField(child=serializers.CharField())}
            )
        },
    )
    @action(detail=True, methods=["get"])
    def steps(self, request: Request, pk: str | None = None, **kwargs: Any) -> Response:
        hazard = self.get_object()
        return Response({"steps": [s.name for s in FLOW.available(request.user, hazard)]})


install_steps(HazardViewSet, FLOW, prefix="Hazard", output=HazardSerializer)


def register(router: Any) -> None:
    router.register("hazards", HazardViewSet, basename="hazard")
