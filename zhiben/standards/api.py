"""Standards API: /api/v1/standards/, /api/v1/standard-versions/ (read; POST for the office), /api/v1/clauses/.

A new version is added through services.create_version, like the "新增版本" page; clauses are read-only here.
"""

from __future__ import annotations

from typing import Any

from django.db.models import Count
from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import extend_schema, extend_schema_view
from rest_framework import mixins, serializers
from rest_framework.routers import DefaultRouter

from zhiben.core.api import CodeRelatedField, ScopedViewSet, ServiceWriteMixin, error_responses
from zhiben.core.bounds import BoundedModelSerializer, BoundedSerializer

from . import services
from .api_checklists import register as register_checklists
from .filtersets import ClauseFilterSet, StandardFilterSet, StandardVersionFilterSet
from .models import Clause, Confidence, Standard, StandardVersion
from .views import with_current_version


class StandardSerializer(BoundedModelSerializer):
    """A sector standard with its current version (null when none is current)."""

    industries = serializers.SlugRelatedField(slug_field="code", many=True, read_only=True)
    current_version = serializers.IntegerField(source="current_id", read_only=True, allow_null=True)
    current_label = serializers.CharField(read_only=True, allow_null=True)
    current_doc_number = serializers.CharField(read_only=True, allow_null=True)
    clause_count = serializers.IntegerField(read_only=True, help_text=_("现行版本的条款数"))

    class Meta:
        model = Standard
        fields = [
            "id",
            "code",
            "sector",
            "name",
            "industries",
            "text_found",
            "sort_order",
            "current_version",
            "current_label",
            "current_doc_number",
            "clause_count",
        ]


class StandardVersionSerializer(BoundedModelSerializer):
    """One issued text of a standard; `version` is the row version (ETag), not the label."""

    standard = serializers.SlugRelatedField(slug_field="code", read_only=True)
    standard_name = serializers.CharField(source="standard.name", read_only=True)
    clause_count = serializers.IntegerField(read_only=True)

    class Meta:
        model = StandardVersion
        fields = [
            "id",
            "standard",
            "standard_name",
            "label",
            "title",
            "doc_number",
            "issued_on",
            "effective_from",
            "effective_to",
            "is_current",
            "source",
            "confidence",
            "notes",
            "clause_count",
            "version",
        ]


class StandardVersionWriteSerializer(BoundedSerializer):
    """What the office sends to add a version (新增版本)."""

    standard = CodeRelatedField(
        label=_("判定标准"), queryset=Standard.objects.all(), help_text=_("标准代码，如 fire")
    )
    label = serializers.CharField(label=_("版本"), max_length=40)
    title = serializers.CharField(label=_("文件标题"), max_length=200)
    doc_number = serializers.CharField(
        label=_("文号"), max_length=100, required=False, allow_blank=True, default=""
    )
    issued_on = serializers.DateField(label=_("发布日期"), required=False, allow_null=True, default=None)
    effective_from = serializers.DateField(label=_("施行日期"), required=False, allow_null=True, default=None)
    effective_to = serializers.DateField(label=_("废止日期"), required=False, allow_null=True, default=None)
    source = serializers.CharField(
        label=_("来源"), max_length=300, required=False, allow_blank=True, default=""
    )
    confidence = serializers.ChoiceField(
        label=_("核实状态"), choices=Confidence.choices, required=False, default=Confidence.UNVERIFIED
    )
    notes = serializers.CharField(label=_("说明"), required=False, allow_blank=True, default="")
    make_current = serializers.BooleanField(
        label=_("设为现行版本"), required=False, default=True, help_text=_("原现行版本保留并标记为非现行")
    )
    copy_clauses_from = serializers.PrimaryKeyRelatedField(
        label=_("复制条款自"),
        queryset=StandardVersion.objects.all(),
        required=False,
        allow_null=True,
        default=None,
        help_text=_("本标准另一版本的编号；其条款复制到新版本"),
    )


class ClauseSerializer(BoundedModelSerializer):
    """One judgement item; `version` is the id of its standard version."""

    version = serializers.PrimaryKeyRelatedField(read_only=True)
    standard = serializers.CharField(source="version.standard.code", read_only=True)
    sector = serializers.CharField(source="version.standard.sector", read_only=True)
    version_label = serializers.CharField(source="version.label", read_only=True)
    is_current = serializers.BooleanField(source="version.is_current", read_only=True)
    citation = serializers.CharField(read_only=True)

    class Meta:
        model = Clause
        fields = [
            "id",
            "standard",
            "sector",
            "version",
            "version_label",
            "is_current",
            "code",
            "article",
            "text",
            "sort_order",
            "citation",
        ]


def _read_only_schema(noun: str, serializer: type[serializers.Serializer], **extra: Any) -> Any:
    return extend_schema_view(
        list=extend_schema(
            summary=f"{noun}列表", responses={200: serializer(many=True), **error_responses(400, 401, 403)}
        ),
        retrieve=extend_schema(
            summary=f"{noun}详情", responses={200: serializer, **error_responses(401, 403, 404)}
        ),
        **extra,
    )


class ReadOnlyViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, ScopedViewSet):
    """The library is reference data: read in full by whoever may view it."""


@_read_only_schema("判定标准", StandardSerializer)
class StandardViewSet(ReadOnlyViewSet):
    """重大事故隐患判定标准 (filters: sector, text_found, q)."""

    queryset = with_current_version(Standard.objects.prefetch_related("industries")).order_by(
        "sort_order", "code"
    )
    serializer_class = StandardSerializer
    filterset_class = StandardFilterSet


@_read_only_schema(
    "判定标准版本",
    StandardVersionSerializer,
    create=extend_schema(
        summary="新增判定标准版本",
        description=(
            "区安委办新增标准版本：旧版本及其条款保留。make_current 为真时原现行版本标记为非现行，"
            "未填废止日期的以新版本施行日期为废止日期。copy_clauses_from 复制本标准另一版本的条款。"
        ),
        request=StandardVersionWriteSerializer,
        responses={201: StandardVersionSerializer, **error_responses(400, 401, 403)},
    ),
)
class StandardVersionViewSet(ServiceWriteMixin, ReadOnlyViewSet):
    """判定标准版本 (filters: standard (code or id), sector, current, confidence, q)."""

    # POST adds a version; there is no PATCH here (ServiceWriteMixin would offer one): edits are made on the page.
    http_method_names = ["get", "post", "head", "options"]

    queryset = (
        StandardVersion.objects.select_related("standard")
        .annotate(clause_count=Count("clauses"))
        .order_by("standard__sort_order", "standard__code", "-is_current", "-effective_from", "pk")
    )
    serializer_class = StandardVersionSerializer
    write_serializer_class = StandardVersionWriteSerializer
    filterset_class = StandardVersionFilterSet

    def create_object(self, data: dict[str, Any]) -> StandardVersion:
        standard = data.pop("standard")
        return services.create_version(standard, actor=self.request.user, **data)


@_read_only_schema("判定条款", ClauseSerializer)
class ClauseViewSet(ReadOnlyViewSet):
    """判定条款 (filters: standard (code or id), version, sector, current, q)."""

    queryset = Clause.objects.select_related("version__standard").order_by(
        "version__standard__sort_order", "version__standard__code", "version_id", "sort_order", "code"
    )
    serializer_class = ClauseSerializer
    filterset_class = ClauseFilterSet


def register(router: DefaultRouter) -> None:
    router.register("standards", StandardViewSet, basename="standard")
    router.register("standard-versions", StandardVersionViewSet, basename="standardversion")
    router.register("clauses", ClauseViewSet, basename="clause")

    register_checklists(router)
