"""The indicator API: `GET /api/v1/indicators/` (the registry), `…/{id}/` (one declaration),
`…/{id}/values/?scope=township|department|district&period=2026Q2` (values per scope the reader may see, each
with links to its records) and `…/{id}/records/?scope=…&key=…&period=…&part=numerator|denominator` (exactly
the records counted, paginated). 未接入 indicators answer `"available": false` with null numbers, never 0.

Access (access.py): the office and leaders every scope, a township its own, a department its own; anyone
else 403. A scope the reader may not see is 404, as an object out of scope is.
"""

from __future__ import annotations

from typing import Any

from django.http import Http404
from django.utils.translation import gettext as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import permissions, serializers, viewsets
from rest_framework.decorators import action
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.routers import BaseRouter

from zhiben.core.bounds import BoundedSerializer
from zhiben.core.calendar import QUARTER_RE
from zhiben.core.pagination import Pagination

from . import registry, tables
from .access import reach_of
from .registry import DEPARTMENT, DISTRICT, INDUSTRY, SCOPE_KINDS, TOWNSHIP, Indicator, Scope


class IndicatorAccess(permissions.BasePermission):
    message = "指标仅向区安委办、区领导、监管部门和乡镇（街道）开放。"

    def has_permission(self, request: Request, view: Any) -> bool:
        user = request.user
        return bool(user and user.is_authenticated and reach_of(user).any)


# ---------------------------------------------------------------------------------------------- output


class IndicatorSerializer(BoundedSerializer):
    id = serializers.CharField(help_text="指标编号，如 hazards.on_time_rectification")
    name = serializers.CharField(help_text="指标名称")
    definition = serializers.CharField(help_text="口径（分子、分母）")
    numerator_label = serializers.CharField(help_text="分子是什么")
    denominator_label = serializers.CharField(help_text="分母是什么（计数类指标为空）")
    unit = serializers.CharField(help_text="单位：% / 个 / 家 / 项 / 元")
    kind = serializers.ChoiceField(choices=["ratio", "count", "sum"], help_text="比率、计数或合计")
    target = serializers.DecimalField(
        max_digits=18, decimal_places=2, allow_null=True, coerce_to_string=False
    )
    direction = serializers.ChoiceField(choices=["higher", "lower"], help_text="越高越好或越低越好")
    scopes = serializers.ListField(
        child=serializers.CharField(),
        help_text="可切分的范围：district 全区、township 乡镇（街道）、department 部门、industry 行业领域",
    )
    source = serializers.CharField(help_text="数据来源模块")
    available = serializers.BooleanField(help_text="来源模块是否已接入；未接入的指标没有数值")
    group = serializers.CharField()
    seed_ref = serializers.CharField(help_text="方案依据")
    note = serializers.CharField(allow_blank=True)
    verified = serializers.BooleanField(help_text="口径中的事实（行业范围等）是否已核实；否：待核实")


def indicator_data(ind: Indicator) -> dict[str, Any]:
    return {
        "id": ind.id,
        "name": ind.name,
        "definition": ind.definition,
        "numerator_label": ind.numerator_label,
        "denominator_label": ind.denominator_label,
        "unit": ind.unit,
        "kind": ind.kind,
        "target": ind.target,
        "direction": ind.direction,
        "scopes": [k for k in SCOPE_KINDS if k in ind.scopes],
        "source": ind.source,
        "available": ind.available,
        "group": ind.group,
        "seed_ref": ind.seed_ref,
        "note": ind.note,
        "verified": ind.verified,
    }


class RecordLinksSerializer(BoundedSerializer):
    numerator = serializers.CharField(allow_null=True)
    denominator = serializers.CharField(allow_null=True)


class ValueSerializer(BoundedSerializer):
    scope = serializers.ChoiceField(choices=list(SCOPE_KINDS))
    key = serializers.CharField(
        allow_blank=True, help_text="乡镇（街道）的区划代码、部门或行业的编号；全区为空"
    )
    name = serializers.CharField(help_text="范围名称")
    period = serializers.CharField()
    available = serializers.BooleanField()
    numerator = serializers.DecimalField(
        max_digits=18, decimal_places=2, allow_null=True, coerce_to_string=False
    )
    denominator = serializers.DecimalField(
        max_digits=18, decimal_places=2, allow_null=True, coerce_to_string=False
    )
    value = serializers.DecimalField(max_digits=18, decimal_places=2, allow_null=True, coerce_to_string=False)
    frozen = serializers.BooleanField(help_text="取自季度末快照")
    records = RecordLinksSerializer(help_text="构成分子、分母的记录清单（未接入为 null）")


class ValuesSerializer(BoundedSerializer):
    indicator = serializers.CharField()
    period = serializers.CharField()
    scope = serializers.ChoiceField(choices=list(SCOPE_KINDS))
    available = serializers.BooleanField()
    results = ValueSerializer(many=True)


class RecordSerializer(BoundedSerializer):
    id = serializers.IntegerField()
    type = serializers.CharField(help_text="记录类型，如 隐患、生产经营单位")
    name = serializers.CharField()
    url = serializers.CharField(allow_blank=True, help_text="记录页面")


class RecordPageSerializer(BoundedSerializer):
    count = serializers.IntegerField()
    next = serializers.CharField(allow_null=True)
    previous = serializers.CharField(allow_null=True)
    results = RecordSerializer(many=True)


# ----------------------------------------------------------------------------------------------- input


def _period_field() -> serializers.CharField:
    return serializers.CharField(required=False, max_length=6, help_text="季度，如 2026Q2；默认本季度")


class ValuesQuery(BoundedSerializer):
    scope = serializers.ChoiceField(
        choices=[DISTRICT, TOWNSHIP, DEPARTMENT, INDUSTRY], required=False, default=TOWNSHIP
    )
    period = _period_field()

    def validate_period(self, value: str) -> str:
        if not QUARTER_RE.match(value):
            raise serializers.ValidationError(_("季度格式应为 2026Q2。"))
        return value


class RecordsQuery(ValuesQuery):
    scope = serializers.ChoiceField(
        choices=[DISTRICT, TOWNSHIP, DEPARTMENT, INDUSTRY], required=False, default=DISTRICT
    )
    key = serializers.CharField(required=False, allow_blank=True, max_length=20, default="")
    part = serializers.ChoiceField(choices=list(tables.PARTS), required=False, default=tables.NUMERATOR)


def value_data(ind: Indicator, row: tables.Row) -> dict[str, Any]:
    v = row.value
    links = None
    if v.available:
        links = {
            "numerator": tables.records_api_url(ind, row.scope, v.period, tables.NUMERATOR),
            "denominator": tables.records_api_url(ind, row.scope, v.period, tables.DENOMINATOR)
            if v.denominator is not None
            else None,
        }
    return {
        "scope": row.scope.kind,
        "key": row.scope.key,
        "name": row.label,
        "period": v.period,
        "available": v.available,
        "numerator": v.numerator,
        "denominator": v.denominator,
        "value": v.value,
        "frozen": v.frozen,
        "records": links,
    }


# ------------------------------------------------------------------------------------------------- view


class IndicatorViewSet(viewsets.ViewSet):
    """指标库：指标定义、按乡镇（街道）/部门的指标值、构成每个数字的记录。"""

    permission_classes = [permissions.IsAuthenticated, IndicatorAccess]
    lookup_value_regex = r"[^/]+"  # ids hold a dot; an id that names nothing is a JSON 404
    lookup_field = "id"
    pagination_class = Pagination

    def _indicator(self, pk: str) -> Indicator:
        try:
            return registry.get(pk)
        except KeyError:
            raise Http404 from None

    @extend_schema(responses=IndicatorSerializer(many=True), summary="指标清单")
    def list(self, request: Request, format: str | None = None) -> Response:
        paginator = Pagination()
        page = paginator.paginate_queryset([indicator_data(i) for i in registry.all()], request, view=self)
        return paginator.get_paginated_response(IndicatorSerializer(page, many=True).data)

    @extend_schema(
        responses=IndicatorSerializer,
        summary="指标定义",
        parameters=[OpenApiParameter("id", OpenApiTypes.STR, OpenApiParameter.PATH)],
    )
    def retrieve(self, request: Request, id: str, format: str | None = None) -> Response:
        return Response(IndicatorSerializer(indicator_data(self._indicator(id))).data)

    @extend_schema(
        summary="指标值（按范围）",
        parameters=[OpenApiParameter("id", OpenApiTypes.STR, OpenApiParameter.PATH), ValuesQuery],
        responses={200: ValuesSerializer, 400: OpenApiTypes.OBJECT},
    )
    @action(detail=True, methods=["get"], url_path="values")
    def values(self, request: Request, id: str, format: str | None = None) -> Response:
        ind = self._indicator(id)
        query = ValuesQuery(data=request.query_params)
        query.is_valid(raise_exception=True)
        kind = query.validated_data["scope"]
        period = tables.default_period(query.validated_data.get("period"))
        rows = tables.table(ind, kind, reach_of(request.user), period)
        body = {
            "indicator": ind.id,
            "period": period,
            "scope": kind,
            "available": ind.available,
            "results": [value_data(ind, r) for r in rows],
        }
        return Response(ValuesSerializer(body).data)

    @extend_schema(
        summary="构成指标值的记录",
        parameters=[
            OpenApiParameter("id", OpenApiTypes.STR, OpenApiParameter.PATH),
            RecordsQuery,
            OpenApiParameter("page", OpenApiTypes.INT, description="页码，从 1 开始"),
            OpenApiParameter("page_size", OpenApiTypes.INT, description="每页条数，最多 500"),
        ],
        responses={200: RecordPageSerializer, 400: OpenApiTypes.OBJECT},
    )
    @action(detail=True, methods=["get"], url_path="records")
    def records(self, request: Request, id: str, format: str | None = None) -> Response:
        ind = self._indicator(id)
        query = RecordsQuery(data=request.query_params)
        query.is_valid(raise_exception=True)
        data = query.validated_data
        scope = _scope(data["scope"], data["key"])
        if scope is None or not ind.supports(scope) or not reach_of(request.user).allows(scope):
            raise Http404
        period = tables.default_period(data.get("period"))
        if not ind.available:
            return Response({"count": 0, "next": None, "previous": None, "results": []})
        parts = ind.parts(scope, period)
        qs = parts.numerator if data["part"] == tables.NUMERATOR else parts.denominator
        if qs is None:
            raise Http404
        paginator = Pagination()
        page = paginator.paginate_queryset(tables.record_rows(qs), request, view=self)
        kind = str(qs.model._meta.verbose_name)
        rows = [
            {"id": o.pk, "type": kind, "name": tables.record_name(o), "url": tables.record_url(o)}
            for o in page or []
        ]
        return paginator.get_paginated_response(RecordSerializer(rows, many=True).data)


def _scope(kind: str, key: str) -> Scope | None:
    if kind == DISTRICT:
        return Scope.district() if not key else None
    if not key or (kind != TOWNSHIP and not key.isdigit()):
        return None
    return Scope(kind, key)


def register(router: BaseRouter) -> None:
    router.register("indicators", IndicatorViewSet, basename="indicator")
