"""Enforcement API under /api/v1/: cases, their steps, and (api_operations.py) 打非治违, the discretion
benchmark and the 提请关闭 proposals.

    POST /api/v1/cases/                      立案
    POST /api/v1/cases/{id}/investigate/     调查取证 … /add-measure/, /notify/, /decide/, /execute/, /close/,
                                             /withdraw/, /remove-measure/, /typical/
    GET  /api/v1/cases/{id}/history/         办理记录;  /documents/ 执法文书;  /steps/ 可执行的操作

The step endpoints come from the steps declared in steps.py (core.loop.api), like the page buttons, with input
serializers derived from the page forms. Each carries the version the client read (`version` or If-Match); a
stale one — someone acted first — is a 409.
"""

from __future__ import annotations

from typing import Any

from django.db import transaction
from django.db.models import Prefetch
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import extend_schema, extend_schema_view, inline_serializer
from rest_framework import mixins, serializers
from rest_framework.decorators import action
from rest_framework.request import Request
from rest_framework.response import Response

from zhiben.core.api import CodeRelatedField, ScopedViewSet, error_responses, etag
from zhiben.core.bounds import BoundedModelSerializer, BoundedSerializer
from zhiben.core.documents import download_url
from zhiben.core.loop.api import install_steps
from zhiben.core.models import OfficialDocument
from zhiben.hazards.models import Hazard
from zhiben.inspections.models import Finding
from zhiben.registry.models import Department, Enterprise

from . import services
from .documents import documents_of, measure_text
from .filtersets import CaseFilterSet
from .models import Case, CaseMeasure, CaseTransition, DiscretionRule, IllegalOperation
from .steps import CASE_FLOW


class DocumentSerializer(BoundedModelSerializer):
    docx = serializers.SerializerMethodField()
    pdf = serializers.SerializerMethodField()

    class Meta:
        model = OfficialDocument
        fields = ["id", "number", "title", "issued_at", "docx", "pdf"]

    def get_docx(self, obj: OfficialDocument) -> str:
        return download_url(obj, "docx")

    def get_pdf(self, obj: OfficialDocument) -> str:
        return download_url(obj, "pdf")


# --- cases ---------------------------------------------------------------------------------------------------


class MeasureSerializer(BoundedModelSerializer):
    text = serializers.SerializerMethodField()
    document_number = serializers.CharField(source="document.number", read_only=True, default="")
    daily_total = serializers.DecimalField(max_digits=16, decimal_places=2, read_only=True, allow_null=True)

    class Meta:
        model = CaseMeasure
        fields = [
            "id",
            "kind",
            "text",
            "amount",
            "daily_amount",
            "daily_total",
            "start_on",
            "end_on",
            "details",
            "decided_on",
            "executed_on",
            "outside_range_reason",
            "document_number",
        ]

    def get_text(self, obj: CaseMeasure) -> str:
        return measure_text(obj)


class CaseSerializer(BoundedModelSerializer):
    department = serializers.SlugRelatedField(slug_field="code", read_only=True)
    region = serializers.SlugRelatedField(slug_field="code", read_only=True)
    industry = serializers.SlugRelatedField(slug_field="code", read_only=True)
    discretion_rule = serializers.SlugRelatedField(slug_field="code", read_only=True)
    decision_number = serializers.CharField(source="decision_document.number", read_only=True, default="")
    measures = MeasureSerializer(many=True, read_only=True)

    class Meta:
        model = Case
        fields = [
            "id",
            "code",
            "enterprise",
            "operation",
            "subject_name",
            "region",
            "industry",
            "department",
            "inspection",
            "finding",
            "hazard",
            "involves_major_hazard",
            "violation",
            "discretion_rule",
            "status",
            "filed_on",
            "notified_on",
            "statement",
            "decided_on",
            "decision_number",
            "closed_on",
            "is_typical",
            "typical_summary",
            "measures",
            "version",
        ]


class CaseFileSerializer(BoundedSerializer):
    """立案: the subject is a unit (`enterprise`) or comes from `finding`, `hazard` or `operation`."""

    department = CodeRelatedField(
        label=_("办案部门"),
        queryset=Department.objects.all(),
        required=False,
        help_text=_("默认为您所在的部门"),
    )
    violation = serializers.CharField(label=_("违法事实"))
    filed_on = serializers.DateField(label=_("立案日期"), required=False)
    enterprise = serializers.PrimaryKeyRelatedField(
        label=_("当事单位"),
        queryset=Enterprise.objects.unrestricted("validate() checks scope"),
        required=False,
        allow_null=True,
    )
    finding = serializers.PrimaryKeyRelatedField(
        label=_("来源问题（检查发现）"),
        queryset=Finding.objects.unrestricted("validate() checks scope"),
        required=False,
        allow_null=True,
    )
    hazard = serializers.PrimaryKeyRelatedField(
        label=_("涉及隐患"),
        queryset=Hazard.objects.unrestricted("validate() checks scope"),
        required=False,
        allow_null=True,
    )
    operation = serializers.PrimaryKeyRelatedField(
        label=_("打非治违记录"),
        queryset=IllegalOperation.objects.unrestricted("validate() checks scope"),
        required=False,
        allow_null=True,
    )
    discretion_rule = CodeRelatedField(
        label=_("适用裁量基准（编号）"),
        queryset=DiscretionRule.objects.filter(active=True),
        required=False,
        allow_null=True,
    )
    involves_major_hazard = serializers.BooleanField(
        label=_("涉及重大事故隐患"), required=False, default=False
    )

    def validate(self, attrs: dict[str, Any]) -> dict[str, Any]:
        user = self.context["request"].user
        errors: dict[str, Any] = {}
        for name in ("enterprise", "finding", "hazard", "operation"):
            obj = attrs.get(name)
            if (
                obj is not None
                and not type(obj)._default_manager.restrict(user, "view").filter(pk=obj.pk).exists()
            ):
                # Same answer as a missing id: no hint that the record exists (R08).
                errors[name] = [_("对象不存在或不在您的职责范围内。")]
        if errors:
            raise serializers.ValidationError(errors)
        return attrs


class CaseTransitionSerializer(BoundedModelSerializer):
    actor = serializers.CharField(source="actor.username", read_only=True, default="")

    class Meta:
        model = CaseTransition
        fields = ["action", "from_status", "to_status", "actor", "note", "at"]


@extend_schema_view(
    list=extend_schema(
        summary="执法案件列表", responses={200: CaseSerializer(many=True), **error_responses(400, 401, 403)}
    ),
    retrieve=extend_schema(
        summary="执法案件详情", responses={200: CaseSerializer, **error_responses(401, 403, 404)}
    ),
    create=extend_schema(
        summary="立案",
        description="当事单位（enterprise）或来源（finding 检查发现、hazard 隐患、operation 打非治违记录）至少其一。",
        request=CaseFileSerializer,
        responses={201: CaseSerializer, **error_responses(400, 401, 403)},
    ),
)
class CaseViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, ScopedViewSet):
    """执法案件 (scoped like the pages: a department sees its industries and its own cases)."""

    queryset = Case.objects.select_related(
        "department", "region", "industry", "discretion_rule", "decision_document"
    ).prefetch_related(
        Prefetch("measures", queryset=CaseMeasure.objects.select_related("document").order_by("pk"))
    )
    serializer_class = CaseSerializer
    filterset_class = CaseFilterSet

    def get_queryset(self) -> Any:
        return super().get_queryset().order_by("-filed_on", "-id")

    def create(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        incoming = CaseFileSerializer(data=request.data, context=self.get_serializer_context())
        incoming.is_valid(raise_exception=True)
        data = dict(incoming.validated_data)
        department = data.pop("department", None)
        if department is None:
            mine = services.departments_of(request.user)
            department = Department.objects.filter(pk=mine[0]).first() if mine else None
        if department is None:
            raise serializers.ValidationError({"department": [_("请指定办案部门。")]})
        data.setdefault("filed_on", timezone.localdate())
        with transaction.atomic():
            case = services.file_case(actor=request.user, department=department, **data)
        case = self.get_queryset().model._default_manager.unrestricted("re-read, just filed").get(pk=case.pk)
        return Response(CaseSerializer(case).data, status=201, headers={"ETag": etag(case)})

    @extend_schema(summary="办理记录", responses={200: CaseTransitionSerializer(many=True)})
    @action(detail=True, methods=["get"])
    def history(self, request: Request, pk: str | None = None, **kwargs: Any) -> Response:
        case = self.get_object()
        rows = case.history.select_related("actor").order_by("at", "id")
        return Response(CaseTransitionSerializer(rows, many=True).data)

    @extend_schema(summary="执法文书", responses={200: DocumentSerializer(many=True)})
    @action(detail=True, methods=["get"])
    def documents(self, request: Request, pk: str | None = None, **kwargs: Any) -> Response:
        case = self.get_object()
        return Response(DocumentSerializer(documents_of(case), many=True).data)

    @extend_schema(
        summary="可执行的操作",
        responses={
            200: inline_serializer(
                "CaseSteps", {"steps": serializers.ListField(child=serializers.CharField())}
            )
        },
    )
    @action(detail=True, methods=["get"])
    def steps(self, request: Request, pk: str | None = None, **kwargs: Any) -> Response:
        case = self.get_object()
        return Response({"steps": [s.name for s in CASE_FLOW.available(request.user, case)]})


install_steps(CaseViewSet, CASE_FLOW, prefix="Case", output=CaseSerializer)


def register(router: Any) -> None:
    """Register the case viewsets on the /api/v1/ router (打非治违 and the Art 113 proposals: api_operations)."""
    router.register("cases", CaseViewSet, basename="case")
