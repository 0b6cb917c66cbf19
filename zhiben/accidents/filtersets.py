"""The accident register's filters, shared by the list page, its Excel export, the API and the workbench links."""

from __future__ import annotations

from typing import Any

import django_filters
from django.db.models import QuerySet
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from zhiben.core.filtersets import BaseFilterSet
from zhiben.registry.filters import IndustryFilter, RegionFilter

from .choices import CONCEALED_KINDS, Concealment, Grade, Status
from .models import Accident, Rectification


class AccidentFilterSet(BaseFilterSet):
    search_fields = ("code", "unit_name", "place", "summary")

    grade = django_filters.ChoiceFilter(label=_("事故等级"), choices=Grade.choices)
    status = django_filters.ChoiceFilter(label=_("状态"), choices=Status.choices)
    region = RegionFilter(label=_("乡镇（街道）"), by_id=False)
    industry = IndustryFilter(label=_("行业领域"), by_id=False)
    occurred_after = django_filters.DateFilter(
        label=_("发生日期起"), field_name="occurred_on", lookup_expr="gte"
    )
    occurred_before = django_filters.DateFilter(
        label=_("发生日期止"), field_name="occurred_on", lookup_expr="lte"
    )
    concealment = django_filters.ChoiceFilter(
        label=_("瞒报谎报迟报"),
        choices=[*[c for c in Concealment.choices if c[0]], ("any", _("瞒报或谎报"))],
        method="filter_concealment",
    )
    reported_late = django_filters.BooleanFilter(label=_("超时报告"))
    deaths = django_filters.BooleanFilter(label=_("有死亡"), method="filter_deaths")
    supplement = django_filters.ChoiceFilter(
        label=_("补报期"), choices=[("open", _("补报期内"))], method="filter_supplement"
    )
    overdue = django_filters.BooleanFilter(label=_("调查超期"), method="filter_overdue")
    rectification = django_filters.ChoiceFilter(
        label=_("整改措施"), choices=[("overdue", _("逾期未整改"))], method="filter_rectification"
    )
    enterprise = django_filters.NumberFilter(label=_("单位"), field_name="enterprise_id")

    class Meta:
        model = Accident
        fields = [
            "q",
            "grade",
            "status",
            "region",
            "industry",
            "occurred_after",
            "occurred_before",
            "concealment",
            "reported_late",
            "deaths",
            "supplement",
            "overdue",
            "rectification",
            "enterprise",
        ]

    def filter_concealment(self, queryset: QuerySet[Any], name: str, value: str) -> QuerySet[Any]:
        if value == "any":
            return queryset.filter(concealment__in=CONCEALED_KINDS)
        return queryset.filter(concealment=value) if value else queryset

    def filter_deaths(self, queryset: QuerySet[Any], name: str, value: bool | None) -> QuerySet[Any]:
        if value is None:
            return queryset
        return queryset.filter(deaths__gt=0) if value else queryset.filter(deaths=0)

    def filter_supplement(self, queryset: QuerySet[Any], name: str, value: str) -> QuerySet[Any]:
        return queryset.awaiting_supplement(timezone.now()) if value == "open" else queryset  # type: ignore[attr-defined]

    def filter_overdue(self, queryset: QuerySet[Any], name: str, value: bool | None) -> QuerySet[Any]:
        if value is None:
            return queryset
        late = queryset.investigation_overdue(timezone.localdate())  # type: ignore[attr-defined]
        return late if value else queryset.exclude(pk__in=late.values("pk"))

    def filter_rectification(self, queryset: QuerySet[Any], name: str, value: str) -> QuerySet[Any]:
        if value != "overdue":
            return queryset
        late = Rectification.objects.unrestricted("a subquery of accidents already restricted").filter(
            status="open", due_on__lt=timezone.localdate()
        )
        return queryset.filter(pk__in=late.values("accident_id"))
