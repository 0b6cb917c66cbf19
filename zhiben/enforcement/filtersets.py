"""FilterSets of enforcement, shared by the pages, the API and the Excel exports."""

from __future__ import annotations

from typing import Any

import django_filters
from django.db.models import QuerySet
from django.utils.translation import gettext_lazy as _

from zhiben.core.filtersets import BaseFilterSet
from zhiben.registry.filters import IndustryFilter, RegionFilter
from zhiben.registry.models import Department

from .choices import CaseStatus, Circumstance, MeasureKind, OperationKind, OperationStatus, ProposalStatus
from .models import Case, ClosureProposal, DiscretionRule, IllegalOperation


def _department(queryset: QuerySet[Any], path: str, value: str) -> QuerySet[Any]:
    dept = Department.objects.filter(code=value).first() or (
        Department.objects.filter(pk=value).first() if value.isdigit() else None
    )
    return queryset.none() if dept is None else queryset.filter(**{path: dept})


class CaseFilterSet(BaseFilterSet):
    search_fields = ("code", "subject_name", "violation")

    status = django_filters.ChoiceFilter(label=_("状态"), choices=CaseStatus.choices)
    department = django_filters.CharFilter(label=_("办案部门"), method="filter_department")
    measure = django_filters.ChoiceFilter(
        label=_("措施"), choices=MeasureKind.choices, method="filter_measure"
    )
    region = RegionFilter(label=_("行政区划"), by_id=False)
    industry = IndustryFilter(label=_("行业领域"), by_id=False)
    filed_after = django_filters.DateFilter(label=_("立案日期起"), field_name="filed_on", lookup_expr="gte")
    filed_before = django_filters.DateFilter(label=_("立案日期止"), field_name="filed_on", lookup_expr="lte")
    decided_after = django_filters.DateFilter(
        label=_("决定日期起"), field_name="decided_on", lookup_expr="gte"
    )
    decided_before = django_filters.DateFilter(
        label=_("决定日期止"), field_name="decided_on", lookup_expr="lte"
    )
    is_typical = django_filters.BooleanFilter(label=_("典型案例"))
    involves_major_hazard = django_filters.BooleanFilter(label=_("涉及重大事故隐患"))
    enterprise = django_filters.NumberFilter(label=_("单位"), field_name="enterprise_id")
    operation = django_filters.NumberFilter(label=_("打非治违记录"), field_name="operation_id")

    class Meta:
        model = Case
        fields = [
            "q",
            "status",
            "department",
            "measure",
            "region",
            "industry",
            "filed_after",
            "filed_before",
            "decided_after",
            "decided_before",
            "is_typical",
            "involves_major_hazard",
            "enterprise",
            "operation",
        ]

    def filter_department(self, queryset: QuerySet[Any], name: str, value: str) -> QuerySet[Any]:
        return _department(queryset, "department", value)

    def filter_measure(self, queryset: QuerySet[Any], name: str, value: str) -> QuerySet[Any]:
        # A case "has" a measure when it was decided (or, for an order or a transfer, recorded).
        return queryset.filter(
            pk__in=Case.objects.filter(measures__kind=value, measures__decided_on__isnull=False).values("pk")
        )


class DiscretionRuleFilterSet(BaseFilterSet):
    search_fields = ("code", "violation", "legal_basis", "penalty_basis", "criteria")

    circumstance = django_filters.ChoiceFilter(label=_("违法情节"), choices=Circumstance.choices)
    verified = django_filters.BooleanFilter(label=_("已核实"))
    active = django_filters.BooleanFilter(label=_("启用"))

    class Meta:
        model = DiscretionRule
        fields = ["q", "circumstance", "verified", "active"]


class OperationFilterSet(BaseFilterSet):
    search_fields = ("code", "subject_name", "uscc", "address", "description")

    status = django_filters.ChoiceFilter(label=_("状态"), choices=OperationStatus.choices)
    kind = django_filters.ChoiceFilter(label=_("违法类型"), choices=OperationKind.choices)
    region = RegionFilter(label=_("行政区划"), by_id=False)
    department = django_filters.CharFilter(label=_("查处部门"), method="filter_department")
    discovered_after = django_filters.DateFilter(
        label=_("发现日期起"), field_name="discovered_on", lookup_expr="gte"
    )
    discovered_before = django_filters.DateFilter(
        label=_("发现日期止"), field_name="discovered_on", lookup_expr="lte"
    )
    unregistered = django_filters.BooleanFilter(label=_("无统一社会信用代码"), method="filter_unregistered")

    class Meta:
        model = IllegalOperation
        fields = [
            "q",
            "status",
            "kind",
            "region",
            "department",
            "discovered_after",
            "discovered_before",
            "unregistered",
        ]

    def filter_department(self, queryset: QuerySet[Any], name: str, value: str) -> QuerySet[Any]:
        return _department(queryset, "department", value)

    def filter_unregistered(self, queryset: QuerySet[Any], name: str, value: bool | None) -> QuerySet[Any]:
        if value is None:
            return queryset
        return queryset.filter(uscc="") if value else queryset.exclude(uscc="")


class ProposalFilterSet(BaseFilterSet):
    search_fields = ("enterprise__name", "enterprise__uscc", "rule", "note")

    status = django_filters.ChoiceFilter(label=_("状态"), choices=ProposalStatus.choices)
    triggered_after = django_filters.DateFilter(
        label=_("触发日期起"), field_name="triggered_on", lookup_expr="gte"
    )

    class Meta:
        model = ClosureProposal
        fields = ["q", "status", "triggered_after"]
