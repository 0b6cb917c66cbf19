"""FilterSets of self-inspection duties and checks, shared by the pages, the API and the Excel exports."""

from __future__ import annotations

import datetime as dt
from typing import Any

import django_filters
from django.db.models import QuerySet
from django.utils.translation import gettext_lazy as _

from zhiben.core.filtersets import BaseFilterSet
from zhiben.registry.filters import RegionFilter, UnitIndustryFilter
from zhiben.registry.models import Enterprise

from ..choices import Frequency, OccurrenceStatus
from ..models import DutyOccurrence, SelfCheck
from ..services.duties import high_risk_q


def _month(value: str) -> tuple[dt.date, dt.date] | None:
    """ "2025-02" → (first day, last day) of that month, or None."""
    try:
        first = dt.datetime.strptime(value.strip()[:7], "%Y-%m").date()
    except ValueError:
        return None
    following = dt.date(first.year + first.month // 12, first.month % 12 + 1, 1)
    return first, following - dt.timedelta(1)


class _UnitFilters(BaseFilterSet):
    """Filters on the unit a record belongs to: township (region), industry, high-risk."""

    region = RegionFilter(label=_("乡镇（街道）"), field_name="enterprise__region")
    industry = UnitIndustryFilter(label=_("行业领域"), field_name="enterprise")
    high_risk = django_filters.BooleanFilter(label=_("高危"), method="filter_high_risk")
    enterprise = django_filters.NumberFilter(label=_("单位"), field_name="enterprise_id")

    def filter_high_risk(self, queryset: QuerySet[Any], name: str, value: bool | None) -> QuerySet[Any]:
        if value is None:
            return queryset
        high = Enterprise.objects.filter(high_risk_q()).values("pk")
        return queryset.filter(enterprise__in=high) if value else queryset.exclude(enterprise__in=high)


class DutyOccurrenceFilterSet(_UnitFilters):
    search_fields = ("enterprise__name", "enterprise__uscc", "enterprise__principal_name")

    status = django_filters.ChoiceFilter(label=_("状态"), choices=OccurrenceStatus.choices)
    frequency = django_filters.ChoiceFilter(
        label=_("频次"), field_name="rule__frequency", choices=Frequency.choices
    )
    due_month = django_filters.CharFilter(label=_("截止月份"), method="filter_due_month")
    year = django_filters.NumberFilter(label=_("年度"), method="filter_year")

    class Meta:
        model = DutyOccurrence
        fields = [
            "q",
            "status",
            "due_month",
            "year",
            "frequency",
            "region",
            "industry",
            "high_risk",
            "enterprise",
        ]

    def filter_due_month(self, queryset: QuerySet[Any], name: str, value: str) -> QuerySet[Any]:
        bounds = _month(value)
        return queryset.none() if bounds is None else queryset.filter(period_end__range=bounds)

    def filter_year(self, queryset: QuerySet[Any], name: str, value: Any) -> QuerySet[Any]:
        if value is None:
            return queryset
        year = int(value)
        if not 2000 <= year <= 2100:
            return queryset.none()
        return queryset.filter(period_start__range=(dt.date(year, 1, 1), dt.date(year, 12, 31)))


class SelfCheckFilterSet(_UnitFilters):
    search_fields = ("enterprise__name", "led_by_name", "participants", "summary")

    checked_after = django_filters.DateFilter(
        label=_("检查日期起"), field_name="checked_on", lookup_expr="gte"
    )
    checked_before = django_filters.DateFilter(
        label=_("检查日期止"), field_name="checked_on", lookup_expr="lte"
    )

    class Meta:
        model = SelfCheck
        fields = ["q", "checked_after", "checked_before", "region", "industry", "high_risk", "enterprise"]
