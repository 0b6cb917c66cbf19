"""FilterSets of the hazard register, shared by the pages, the API and the exports."""

from __future__ import annotations

from typing import Any

import django_filters
from django.db.models import QuerySet
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from zhiben.core.filtersets import BaseFilterSet
from zhiben.registry.filters import IndustryFilter, RegionFilter
from zhiben.registry.models import Department

from .choices import OPEN_STATUSES, EscalationKind, Level, Source, Status, SupervisionLevel
from .models import Escalation, Hazard


class HazardFilterSet(BaseFilterSet):
    search_fields = ("code", "title", "enterprise__name", "location")

    level = django_filters.ChoiceFilter(label=_("等级"), choices=Level.choices)
    status = django_filters.ChoiceFilter(label=_("状态"), choices=Status.choices)
    source = django_filters.ChoiceFilter(label=_("来源"), choices=Source.choices)
    region = RegionFilter(label=_("行政区划"))
    industry = IndustryFilter(label=_("行业领域"))
    department = django_filters.CharFilter(label=_("监管部门"), method="filter_department")
    is_stock = django_filters.BooleanFilter(label=_("存量隐患"))
    overdue = django_filters.BooleanFilter(label=_("已逾期"), method="filter_overdue")
    open = django_filters.BooleanFilter(label=_("未销号"), method="filter_open")
    judge_overdue = django_filters.BooleanFilter(label=_("判定超期"), method="filter_judge_overdue")
    supervision_level = django_filters.ChoiceFilter(
        label=_("督办级别"), choices=[c for c in SupervisionLevel.choices if c[0]]
    )
    escalation = django_filters.ChoiceFilter(label=_("督办措施"), choices=EscalationKind.choices)
    discovered_after = django_filters.DateFilter(
        label=_("发现日期起"), field_name="discovered_on", lookup_expr="gte"
    )
    discovered_before = django_filters.DateFilter(
        label=_("发现日期止"), field_name="discovered_on", lookup_expr="lte"
    )
    enterprise = django_filters.NumberFilter(label=_("单位"), field_name="enterprise_id")

    class Meta:
        model = Hazard
        fields = [
            "q",
            "level",
            "status",
            "source",
            "region",
            "industry",
            "department",
            "is_stock",
            "overdue",
            "open",
            "judge_overdue",
            "supervision_level",
            "escalation",
            "discovered_after",
            "discovered_before",
            "enterprise",
        ]

    def filter_department(self, queryset: QuerySet[Any], name: str, value: str) -> QuerySet[Any]:
        dept = Department.objects.filter(code=value).first() or (
            Department.objects.filter(pk=value).first() if value.isdigit() else None
        )
        return queryset.none() if dept is None else queryset.filter(department=dept)

    def filter_overdue(self, queryset: QuerySet[Any], name: str, value: bool | None) -> QuerySet[Any]:
        if value is None:
            return queryset
        today = timezone.localdate()
        overdue = queryset.filter(status__in=OPEN_STATUSES, deadline__lt=today)
        return overdue if value else queryset.exclude(pk__in=overdue.values("pk"))

    def filter_judge_overdue(self, queryset: QuerySet[Any], name: str, value: bool | None) -> QuerySet[Any]:
        if value is None:
            return queryset
        late = queryset.filter(status=Status.REPORTED, judge_deadline__lt=timezone.localdate())
        return late if value else queryset.exclude(pk__in=late.values("pk"))

    def filter_open(self, queryset: QuerySet[Any], name: str, value: bool | None) -> QuerySet[Any]:
        if value is None:
            return queryset
        return (
            queryset.filter(status__in=OPEN_STATUSES) if value else queryset.exclude(status__in=OPEN_STATUSES)
        )


class EscalationFilterSet(BaseFilterSet):
    search_fields = ("hazard__code", "hazard__title", "hazard__enterprise__name", "document__number")

    kind = django_filters.ChoiceFilter(label=_("督办措施"), choices=EscalationKind.choices)
    level = django_filters.ChoiceFilter(label=_("等级"), field_name="hazard__level", choices=Level.choices)
    applied_after = django_filters.DateFilter(
        label=_("督办日期起"), field_name="applied_on", lookup_expr="gte"
    )

    class Meta:
        model = Escalation
        fields = ["q", "kind", "level", "applied_after"]
