"""Registry API: /api/v1/enterprises/ (read and write), persons, and the reference lists (read-only)."""

from __future__ import annotations

from typing import Any

from django.core.validators import RegexValidator
from django.db.models import Prefetch
from django.utils.translation import gettext_lazy as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema, extend_schema_view
from rest_framework import mixins, serializers

from zhiben.core.api import (
    CodeRelatedField,
    ScopedRegionField,
    ScopedViewSet,
    ServiceWriteMixin,
    error_responses,
)
from zhiben.core.bounds import BoundedModelSerializer
from zhiben.core.codes import USCC_INPUT_MAX_LENGTH, validate_uscc
from zhiben.core.crypto import mask_phone
from zhiben.core.scoping import grants_for

from . import services
from .filtersets import EnterpriseFilterSet, IndustryFilterSet, PersonFilterSet, RegionFilterSet
from .models import Department, Enterprise, Industry, Person, Region, Responsibility

# --- 生产经营单位 -----------------------------------------------------------------------------------------


class EnterpriseSerializer(BoundedModelSerializer):
    """What the API shows of an enterprise; phones are masked (R16)."""

    region = serializers.SlugRelatedField(slug_field="code", read_only=True)
    region_name = serializers.CharField(source="region.name", read_only=True)
    primary_industry = serializers.SlugRelatedField(slug_field="code", read_only=True)
    industries = serializers.SlugRelatedField(slug_field="code", many=True, read_only=True)
    principal_phone = serializers.CharField(source="masked_principal_phone", read_only=True)
    controller_phone = serializers.CharField(source="masked_controller_phone", read_only=True)

    class Meta:
        model = Enterprise
        fields = ["id", *services.ENTERPRISE_FIELDS, "region_name", "industries", "version"]

    def to_representation(self, instance: Enterprise) -> dict[str, Any]:
        e = instance
        row = {f: getattr(e, f) for f in ENTERPRISE_VALUE_FIELDS}
        row.update(
            region__code=e.region.code,
            region__name=e.region.name,
            primary_industry__code=e.primary_industry.code,
        )
        return enterprise_row(row, [i.code for i in e.industries.all()])


# The list endpoint reads rows with .values() instead of model instances: instantiating three models per row
# and walking DRF's per-field machinery was most of a 50-row page's time. Both paths go through
# enterprise_row(), and test_api.py checks every listed item against its detail (serializer) response.
ENTERPRISE_VALUE_FIELDS = (
    "id",
    *(f for f in services.ENTERPRISE_FIELDS if f not in ("region", "primary_industry")),
    "version",
)
ENTERPRISE_VALUES = (*ENTERPRISE_VALUE_FIELDS, "region__code", "region__name", "primary_industry__code")


def enterprise_row(r: dict[str, Any], industries: list[str]) -> dict[str, Any]:
    """One enterprise as the API shows it (phones masked, R16)."""
    return {
        "id": r["id"],
        "uscc": r["uscc"],
        "name": r["name"],
        "kind": r["kind"],
        "region": r["region__code"],
        "region_name": r["region__name"],
        "primary_industry": r["primary_industry__code"],
        "industries": industries,
        "address": r["address"],
        "longitude": None if r["longitude"] is None else str(r["longitude"]),
        "latitude": None if r["latitude"] is None else str(r["latitude"]),
        "is_above_scale": r["is_above_scale"],
        "is_high_risk": r["is_high_risk"],
        "has_major_hazard_source": r["has_major_hazard_source"],
        "standardisation_grade": r["standardisation_grade"],
        "employees": r["employees"],
        "principal_name": r["principal_name"],
        "principal_phone": mask_phone(r["principal_phone"]),
        "controller_name": r["controller_name"],
        "controller_phone": mask_phone(r["controller_phone"]),
        "status": r["status"],
        "version": r["version"],
    }


_phone = RegexValidator(r"^[0-9+\-() ]{0,20}$", _("请输入有效的电话号码（数字、+、-、括号）。"))


class EnterpriseWriteSerializer(BoundedModelSerializer):
    """What a client may send to create or edit an enterprise; codes stand for regions and industries."""

    uscc = serializers.CharField(
        label=_("统一社会信用代码"),
        max_length=USCC_INPUT_MAX_LENGTH,
        required=False,
        allow_blank=True,
        allow_null=True,
    )
    region = ScopedRegionField(label=_("所在区划"), scoped_model=Enterprise, queryset=Region.objects.all())
    primary_industry = CodeRelatedField(label=_("主行业"), queryset=Industry.objects.all(), required=False)
    industries = CodeRelatedField(
        label=_("行业领域"), queryset=Industry.objects.all(), many=True, required=False
    )
    longitude = serializers.DecimalField(
        label=_("经度"),
        max_digits=9,
        decimal_places=6,
        min_value=-180,
        max_value=180,
        required=False,
        allow_null=True,
    )
    latitude = serializers.DecimalField(
        label=_("纬度"),
        max_digits=9,
        decimal_places=6,
        min_value=-90,
        max_value=90,
        required=False,
        allow_null=True,
    )
    principal_phone = serializers.CharField(
        label=_("主要负责人电话"), max_length=20, required=False, allow_blank=True, validators=[_phone]
    )
    controller_phone = serializers.CharField(
        label=_("实际控制人电话"), max_length=20, required=False, allow_blank=True, validators=[_phone]
    )
    version = serializers.IntegerField(
        label=_("版本"),
        min_value=1,
        required=False,
        write_only=True,
        help_text=_("修改时必填：读取到的版本号（也可用 If-Match 请求头）；过期则返回 409"),
    )

    class Meta:
        model = Enterprise
        fields = [*services.ENTERPRISE_FIELDS, "industries", "version"]

    def validate_uscc(self, value: str | None) -> str | None:
        if not value:
            return None
        try:
            return validate_uscc(value)
        except Exception as exc:  # Django ValidationError: keep its Chinese messages
            raise serializers.ValidationError(getattr(exc, "messages", [str(exc)]))

    def validate(self, attrs: dict[str, Any]) -> dict[str, Any]:
        if self.instance is None and not (attrs.get("primary_industry") or attrs.get("industries")):
            raise serializers.ValidationError({"primary_industry": [_("请选择主行业或行业领域。")]})
        # R09: an enterprise's own account edits its details, not where it is or whether it operates.
        protected = [f for f in ("region", "status") if f in attrs]
        if self.instance is not None and protected and _only_own_enterprise(self.context["request"].user):
            raise serializers.ValidationError(
                {f: [_("企业账号不能修改此项，请联系属地乡镇（街道）或行业主管部门。")] for f in protected}
            )
        attrs.pop("version", None)
        return attrs


def _only_own_enterprise(user: Any) -> bool:
    """True when every grant letting the user edit enterprises is limited to its own enterprise."""
    editing = [g for g in grants_for(user) if g.allows("change", Enterprise)]
    return bool(editing) and all(g.enterprise_ids is not None for g in editing)


_WRITE_ERRORS = error_responses(400, 401, 403, 404, 409)


@extend_schema_view(
    list=extend_schema(
        summary="生产经营单位列表",
        responses={200: EnterpriseSerializer(many=True), **error_responses(400, 401, 403)},
    ),
    retrieve=extend_schema(
        summary="生产经营单位详情", responses={200: EnterpriseSerializer, **error_responses(401, 403, 404)}
    ),
    create=extend_schema(
        summary="新建生产经营单位",
        description="所在区划须在您的管辖范围内（否则 region 字段报错 400）。",
        request=EnterpriseWriteSerializer,
        responses={201: EnterpriseSerializer, **error_responses(400, 401, 403)},
    ),
    partial_update=extend_schema(
        summary="修改生产经营单位",
        description="须带读取时的版本号（请求体 version 或 If-Match 请求头）；他人已修改则返回 409。",
        request=EnterpriseWriteSerializer,
        parameters=[
            OpenApiParameter(
                "If-Match",
                OpenApiTypes.STR,
                OpenApiParameter.HEADER,
                required=False,
                description='版本号，如 "3"',
            )
        ],
        responses={200: EnterpriseSerializer, **_WRITE_ERRORS},
    ),
)
class EnterpriseViewSet(ServiceWriteMixin, mixins.ListModelMixin, mixins.RetrieveModelMixin, ScopedViewSet):
    """生产经营单位 (scoped: townships see their territory, departments their industries, enterprises themselves)."""

    queryset = Enterprise.objects.select_related("region", "primary_industry").prefetch_related(
        Prefetch("industries", queryset=Industry.objects.only("id", "code"))
    )
    serializer_class = EnterpriseSerializer
    write_serializer_class = EnterpriseWriteSerializer
    filterset_class = EnterpriseFilterSet

    def get_queryset(self) -> Any:
        return super().get_queryset().order_by("pk")

    def list(self, request: Any, *args: Any, **kwargs: Any) -> Any:
        # Count and slice on ids alone (a values() query with joins would carry them into the COUNT).
        ids = list(
            self.paginate_queryset(self.filter_queryset(self.get_queryset()).values_list("pk", flat=True))
        )
        # unrestricted(): the ids were just read through restrict(); this only fetches their columns.
        rows = {
            r["id"]: r
            for r in Enterprise.objects.unrestricted("ids read through restrict()")
            .filter(pk__in=ids)
            .values(*ENTERPRISE_VALUES)
        }
        page = [rows[pk] for pk in ids]
        codes: dict[int, list[str]] = {pk: [] for pk in ids}
        links = Enterprise.industries.through.objects.filter(enterprise_id__in=ids)
        ordered = links.order_by("industry__sort_order", "industry__code")
        for enterprise_id, code in ordered.values_list("enterprise_id", "industry__code"):
            codes[enterprise_id].append(code)
        return self.get_paginated_response([enterprise_row(row, codes[row["id"]]) for row in page])

    def retrieve(self, request: Any, *args: Any, **kwargs: Any) -> Any:
        response = super().retrieve(request, *args, **kwargs)
        response["ETag"] = f'"{response.data["version"]}"'
        return response

    def create_object(self, data: dict[str, Any]) -> Enterprise:
        return services.create_enterprise(actor=self.request.user, **data)

    def update_object(self, obj: Enterprise, data: dict[str, Any]) -> Enterprise:
        return services.update_enterprise(obj, actor=self.request.user, **data)


# --- 人员 -------------------------------------------------------------------------------------------------


class PersonSerializer(BoundedModelSerializer):
    """A person of an enterprise; the phone is masked and the ID number never leaves the server (R16)."""

    enterprise_name = serializers.CharField(source="enterprise.name", read_only=True)
    phone = serializers.CharField(source="masked_phone", read_only=True)

    class Meta:
        model = Person
        fields = ["id", "enterprise", "enterprise_name", "name", "role", "title", "phone"]


@extend_schema_view(
    list=extend_schema(
        summary="人员列表", responses={200: PersonSerializer(many=True), **error_responses(400, 401, 403)}
    ),
    retrieve=extend_schema(
        summary="人员详情", responses={200: PersonSerializer, **error_responses(401, 403, 404)}
    ),
)
class PersonViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, ScopedViewSet):
    """人员 of the enterprises in the user's scope."""

    queryset = Person.objects.select_related("enterprise").order_by("pk")
    serializer_class = PersonSerializer
    filterset_class = PersonFilterSet


# --- 基础数据（只读）---------------------------------------------------------------------------------------


class RegionSerializer(BoundedModelSerializer):
    parent = serializers.SlugRelatedField(slug_field="code", read_only=True)

    class Meta:
        model = Region
        fields = ["id", "code", "legal_code", "name", "level", "parent", "verified"]


class IndustrySerializer(BoundedModelSerializer):
    parent = serializers.SlugRelatedField(slug_field="code", read_only=True)

    class Meta:
        model = Industry
        fields = ["id", "code", "name", "parent", "gbt4754", "high_risk"]


class DepartmentSerializer(BoundedModelSerializer):
    class Meta:
        model = Department
        fields = ["id", "code", "name", "short_name", "full_name", "document_code", "kind"]


class ResponsibilitySerializer(BoundedModelSerializer):
    industry = serializers.SlugRelatedField(slug_field="code", read_only=True)
    industry_name = serializers.CharField(source="industry.name", read_only=True)
    lead = serializers.SlugRelatedField(slug_field="code", read_only=True)
    co_departments = serializers.SlugRelatedField(slug_field="code", many=True, read_only=True)

    class Meta:
        model = Responsibility
        fields = ["id", "industry", "industry_name", "lead", "co_departments", "basis", "verified"]


def _read_only_schema(noun: str, serializer: type[serializers.Serializer]) -> Any:
    return extend_schema_view(
        list=extend_schema(
            summary=f"{noun}列表", responses={200: serializer(many=True), **error_responses(400, 401, 403)}
        ),
        retrieve=extend_schema(
            summary=f"{noun}详情", responses={200: serializer, **error_responses(401, 403, 404)}
        ),
    )


class ReferenceViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, ScopedViewSet):
    """Reference data: read-only, visible in full to whoever may view the model."""


@_read_only_schema("行政区划", RegionSerializer)
class RegionViewSet(ReferenceViewSet):
    """行政区划 (GB/T 2260 and 统计用区划代码)."""

    queryset = Region.objects.select_related("parent").order_by("code")
    serializer_class = RegionSerializer
    filterset_class = RegionFilterSet


@_read_only_schema("行业领域", IndustrySerializer)
class IndustryViewSet(ReferenceViewSet):
    """行业领域."""

    queryset = Industry.objects.select_related("parent").order_by("sort_order", "code")
    serializer_class = IndustrySerializer
    filterset_class = IndustryFilterSet


@_read_only_schema("监管部门", DepartmentSerializer)
class DepartmentViewSet(ReferenceViewSet):
    """监管部门."""

    queryset = Department.objects.order_by("sort_order", "code")
    serializer_class = DepartmentSerializer


@_read_only_schema("三管三必须职责", ResponsibilitySerializer)
class ResponsibilityViewSet(ReferenceViewSet):
    """三管三必须: lead and co-responsible departments per industry."""

    queryset = (
        Responsibility.objects.select_related("industry", "lead")
        .prefetch_related("co_departments")
        .order_by("industry__sort_order", "industry__code")
    )
    serializer_class = ResponsibilitySerializer


def register(router: Any) -> None:
    router.register("enterprises", EnterpriseViewSet, basename="enterprise")
    router.register("persons", PersonViewSet, basename="person")
    router.register("regions", RegionViewSet, basename="region")
    router.register("industries", IndustryViewSet, basename="industry")
    router.register("departments", DepartmentViewSet, basename="department")
    router.register("responsibilities", ResponsibilityViewSet, basename="responsibility")
