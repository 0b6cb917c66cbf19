"""API of 打非治违 (/api/v1/illegal-operations/), the discretion benchmark (/api/v1/discretion-rules/) and the
提请关闭 proposals (/api/v1/closure-proposals/). Writes go through the services; steps share the page tables.
"""

from __future__ import annotations

from typing import Any

from django.db import transaction
from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import extend_schema, extend_schema_view
from rest_framework import mixins, serializers
from rest_framework.decorators import action
from rest_framework.parsers import FormParser, MultiPartParser
from rest_framework.request import Request
from rest_framework.response import Response

from zhiben.core.api import (
    CodeRelatedField,
    ScopedRegionField,
    ScopedViewSet,
    ServiceWriteMixin,
    error_responses,
)
from zhiben.core.bounds import BoundedModelSerializer, BoundedSerializer
from zhiben.core.loop.api import install_steps
from zhiben.registry.models import Department, Industry, Region

from . import operations, services
from .api import DocumentSerializer
from .choices import Circumstance, MeasureKind, OperationKind
from .filtersets import DiscretionRuleFilterSet, OperationFilterSet, ProposalFilterSet
from .models import ClosureProposal, DiscretionRule, IllegalOperation, IllegalOperationEvidence
from .steps import OPERATION_FLOW, PROPOSAL_FLOW

# --- 打非治违 -----------------------------------------------------------------------------------------------


class EvidenceSerializer(BoundedModelSerializer):
    class Meta:
        model = IllegalOperationEvidence
        fields = ["id", "content_type", "size", "sha256", "note", "captured_at", "created_at"]


class OperationSerializer(BoundedModelSerializer):
    region = serializers.SlugRelatedField(slug_field="code", read_only=True)
    industry = serializers.SlugRelatedField(slug_field="code", read_only=True)
    department = serializers.SlugRelatedField(slug_field="code", read_only=True)
    contact_phone = serializers.CharField(source="masked_contact_phone", read_only=True)

    class Meta:
        model = IllegalOperation
        fields = [
            "id",
            "code",
            "subject_name",
            "uscc",
            "contact_name",
            "contact_phone",
            "kind",
            "region",
            "industry",
            "address",
            "latitude",
            "longitude",
            "description",
            "discovered_on",
            "department",
            "status",
            "enterprise",
            "converted_at",
            "version",
        ]


class OperationWriteSerializer(BoundedSerializer):
    subject_name = serializers.CharField(label=_("当事人/经营者"), max_length=100)
    uscc = serializers.CharField(label=_("统一社会信用代码"), max_length=18, required=False, allow_blank=True)
    contact_name = serializers.CharField(label=_("联系人"), max_length=50, required=False, allow_blank=True)
    contact_phone = serializers.CharField(
        label=_("联系电话"), max_length=30, required=False, allow_blank=True
    )
    kind = serializers.ChoiceField(label=_("违法类型"), choices=OperationKind.choices)
    region = ScopedRegionField(
        label=_("所在区划（代码）"), queryset=Region.objects.all(), scoped_model=IllegalOperation
    )
    industry = CodeRelatedField(
        label=_("行业领域"), queryset=Industry.objects.all(), required=False, allow_null=True
    )
    address = serializers.CharField(label=_("地点"), max_length=200)
    latitude = serializers.DecimalField(
        label=_("纬度"), max_digits=9, decimal_places=6, required=False, allow_null=True
    )
    longitude = serializers.DecimalField(
        label=_("经度"), max_digits=9, decimal_places=6, required=False, allow_null=True
    )
    description = serializers.CharField(label=_("违法事实"))
    discovered_on = serializers.DateField(label=_("发现日期"))
    department = CodeRelatedField(
        label=_("查处部门"), queryset=Department.objects.all(), required=False, allow_null=True
    )


_UPLOAD: list[type[serializers.Serializer]] = []


def inline_upload_serializer() -> type[serializers.Serializer]:
    """The upload body (one class, so the schema names it once)."""
    if not _UPLOAD:
        _UPLOAD.append(
            type(
                "EvidenceUploadSerializer",
                (BoundedSerializer,),
                {
                    "upload": serializers.FileField(label=_("文件")),
                    "note": serializers.CharField(
                        label=_("说明"), max_length=200, required=False, allow_blank=True
                    ),
                    "captured_at": serializers.DateTimeField(
                        label=_("拍摄时间"), required=False, allow_null=True
                    ),
                },
            )
        )
    return _UPLOAD[0]


@extend_schema_view(
    list=extend_schema(
        summary="打非治违记录列表",
        responses={200: OperationSerializer(many=True), **error_responses(400, 401, 403)},
    ),
    retrieve=extend_schema(
        summary="打非治违记录详情", responses={200: OperationSerializer, **error_responses(401, 403, 404)}
    ),
    create=extend_schema(
        summary="登记打非治违线索",
        description="乡镇（街道）只能登记本辖区内的记录；无统一社会信用代码的当事人可不填 uscc。",
        request=OperationWriteSerializer,
        responses={201: OperationSerializer, **error_responses(400, 401, 403)},
    ),
    partial_update=extend_schema(
        summary="修改打非治违记录",
        request=OperationWriteSerializer,
        responses={200: OperationSerializer, **error_responses(400, 401, 403, 404, 409)},
    ),
)
class IllegalOperationViewSet(
    ServiceWriteMixin, mixins.ListModelMixin, mixins.RetrieveModelMixin, ScopedViewSet
):
    """打非治违 (a township sees its territory; a department its industries and the records it handles)."""

    queryset = IllegalOperation.objects.select_related("region", "industry", "department")
    serializer_class = OperationSerializer
    write_serializer_class = OperationWriteSerializer
    filterset_class = OperationFilterSet
    http_method_names = ["get", "post", "patch", "head", "options"]

    def get_queryset(self) -> Any:
        return super().get_queryset().order_by("-discovered_on", "-id")

    def create_object(self, data: dict[str, Any]) -> IllegalOperation:
        return operations.record_operation(actor=self.request.user, **data)

    def update_object(self, obj: IllegalOperation, data: dict[str, Any]) -> IllegalOperation:
        return operations.update_operation(obj, actor=self.request.user, **data)

    @extend_schema(
        methods=["GET"],
        summary="证据列表",
        responses={200: EvidenceSerializer(many=True), **error_responses(401, 403, 404)},
    )
    @extend_schema(
        methods=["POST"],
        summary="上传证据",
        description="JPEG、PNG 照片或 PDF，按文件内容识别类型，不超过 10 MB。",
        request={
            "multipart/form-data": inline_upload_serializer(),
        },
        responses={201: EvidenceSerializer, **error_responses(400, 401, 403, 404)},
    )
    @action(detail=True, methods=["get", "post"], parser_classes=[MultiPartParser, FormParser])
    def evidence(self, request: Request, pk: str | None = None, **kwargs: Any) -> Response:
        op = self.get_object()
        if request.method == "GET":
            rows = IllegalOperationEvidence.objects.restrict(request.user).filter(operation=op).order_by("pk")
            return Response(EvidenceSerializer(rows, many=True).data)
        incoming = inline_upload_serializer()(data=request.data)
        incoming.is_valid(raise_exception=True)
        d = incoming.validated_data
        with transaction.atomic():
            evidence = operations.add_evidence(
                op,
                actor=request.user,
                upload=d["upload"],
                note=d.get("note", ""),
                captured_at=d.get("captured_at"),
            )
        return Response(EvidenceSerializer(evidence).data, status=201)


install_steps(IllegalOperationViewSet, OPERATION_FLOW, prefix="Operation", output=OperationSerializer)


# --- the discretion benchmark --------------------------------------------------------------------------------


class DiscretionRuleSerializer(BoundedModelSerializer):
    range_display = serializers.CharField(read_only=True)

    class Meta:
        model = DiscretionRule
        fields = [
            "id",
            "code",
            "violation",
            "legal_basis",
            "penalty_basis",
            "circumstance",
            "criteria",
            "min_amount",
            "max_amount",
            "range_display",
            "measures",
            "person_min_amount",
            "person_max_amount",
            "source",
            "verified",
            "active",
            "version",
        ]


class DiscretionRuleWriteSerializer(BoundedSerializer):
    violation = serializers.CharField(label=_("违法行为"), max_length=300)
    legal_basis = serializers.CharField(label=_("违法依据"), max_length=300, allow_blank=True)
    penalty_basis = serializers.CharField(label=_("处罚依据"), max_length=300)
    circumstance = serializers.ChoiceField(label=_("违法情节"), choices=Circumstance.choices)
    criteria = serializers.CharField(label=_("情节认定标准"), max_length=500, allow_blank=True)
    min_amount = serializers.DecimalField(
        label=_("罚款下限（元）"), max_digits=12, decimal_places=2, allow_null=True
    )
    max_amount = serializers.DecimalField(
        label=_("罚款上限（元）"), max_digits=12, decimal_places=2, allow_null=True
    )
    measures = serializers.ListField(
        label=_("建议措施"), child=serializers.ChoiceField(choices=MeasureKind.choices)
    )
    person_min_amount = serializers.DecimalField(
        label=_("对个人罚款下限（元）"), max_digits=12, decimal_places=2, allow_null=True
    )
    person_max_amount = serializers.DecimalField(
        label=_("对个人罚款上限（元）"), max_digits=12, decimal_places=2, allow_null=True
    )
    source = serializers.CharField(label=_("来源"), max_length=200, allow_blank=True)
    verified = serializers.BooleanField(label=_("已核实"))
    active = serializers.BooleanField(label=_("启用"))


@extend_schema_view(
    list=extend_schema(
        summary="行政裁量基准列表",
        responses={200: DiscretionRuleSerializer(many=True), **error_responses(400, 401, 403)},
    ),
    retrieve=extend_schema(
        summary="行政裁量基准详情",
        responses={200: DiscretionRuleSerializer, **error_responses(401, 403, 404)},
    ),
    partial_update=extend_schema(
        summary="修改行政裁量基准（区安委办）",
        request=DiscretionRuleWriteSerializer,
        responses={200: DiscretionRuleSerializer, **error_responses(400, 401, 403, 404, 409)},
    ),
)
class DiscretionRuleViewSet(
    ServiceWriteMixin, mixins.ListModelMixin, mixins.RetrieveModelMixin, ScopedViewSet
):
    """行政裁量基准 (reference data: readable by every role that may read enforcement data)."""

    queryset = DiscretionRule.objects.all()
    serializer_class = DiscretionRuleSerializer
    write_serializer_class = DiscretionRuleWriteSerializer
    filterset_class = DiscretionRuleFilterSet
    http_method_names = ["get", "patch", "head", "options"]

    def get_queryset(self) -> Any:
        return super().get_queryset().order_by("code")

    def update_object(self, obj: DiscretionRule, data: dict[str, Any]) -> DiscretionRule:
        return services.update_discretion_rule(obj, actor=self.request.user, **data)


# --- 提请关闭 -----------------------------------------------------------------------------------------------


class ProposalSerializer(BoundedModelSerializer):
    enterprise_name = serializers.CharField(source="enterprise.name", read_only=True)
    department = serializers.SlugRelatedField(slug_field="code", read_only=True)
    document = DocumentSerializer(read_only=True)

    class Meta:
        model = ClosureProposal
        fields = [
            "id",
            "enterprise",
            "enterprise_name",
            "department",
            "triggered_on",
            "rule",
            "case_ids",
            "status",
            "decided_at",
            "note",
            "document",
        ]


@extend_schema_view(
    list=extend_schema(
        summary="提请关闭建议列表",
        responses={200: ProposalSerializer(many=True), **error_responses(400, 401, 403)},
    ),
    retrieve=extend_schema(
        summary="提请关闭建议详情", responses={200: ProposalSerializer, **error_responses(401, 403, 404)}
    ),
)
class ClosureProposalViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, ScopedViewSet):
    """提请关闭 (安全生产法 Art 113): the office submits or dismisses; a second decision is a 409."""

    queryset = ClosureProposal.objects.select_related("enterprise", "department", "document")
    serializer_class = ProposalSerializer
    filterset_class = ProposalFilterSet

    def get_queryset(self) -> Any:
        return super().get_queryset().order_by("-triggered_on", "-id")


install_steps(ClosureProposalViewSet, PROPOSAL_FLOW, prefix="Proposal", output=ProposalSerializer)


def register(router: Any) -> None:
    """Register the 打非治违, discretion and Art 113 proposal viewsets on the /api/v1/ router."""
    router.register("illegal-operations", IllegalOperationViewSet, basename="illegal-operation")
    router.register("discretion-rules", DiscretionRuleViewSet, basename="discretion-rule")
    router.register("closure-proposals", ClosureProposalViewSet, basename="closure-proposal")
