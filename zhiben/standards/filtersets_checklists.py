"""FilterSet of checklists (检查表), shared by the checklist pages and the API."""

from __future__ import annotations

from typing import Any

import django_filters
from django.db.models import Q, QuerySet
from django.utils.translation import gettext_lazy as _

from zhiben.core.filtersets import BaseFilterSet
from zhiben.registry.models import Department, Industry

from .checklists import owners_of
from .models import Checklist

OWNERS = [("mine", _("本部门/本单位")), ("template", _("通用模板")), ("department", _("各部门"))]


class ChecklistFilterSet(BaseFilterSet):
    search_fields = ("name", "description")

    owner = django_filters.ChoiceFilter(label=_("归属"), choices=OWNERS, method="filter_owner")
    department = django_filters.CharFilter(label=_("所属部门"), method="filter_department")
    industry = django_filters.CharFilter(label=_("适用行业"), method="filter_industry")
    active = django_filters.BooleanFilter(label=_("启用"))

    class Meta:
        model = Checklist
        fields = ["q", "owner", "department", "industry", "active"]

    def filter_owner(self, queryset: QuerySet[Any], name: str, value: str) -> QuerySet[Any]:
        if value == "template":
            return queryset.filter(department__isnull=True, enterprise__isnull=True)
        if value == "department":
            return queryset.filter(department__isnull=False)
        user = getattr(self.request, "user", None)
        departments, enterprises, office = owners_of(user)
        q = Q(department__in=departments) | Q(enterprise__in=enterprises)
        if office:
            q |= Q(department__isnull=True, enterprise__isnull=True)
        return queryset.filter(q)

    def filter_department(self, queryset: QuerySet[Any], name: str, value: str) -> QuerySet[Any]:
        dept = Department.objects.filter(code=value).first() or (
            Department.objects.filter(pk=value).first() if value.isdigit() else None
        )
        return queryset.none() if dept is None else queryset.filter(department=dept)

    def filter_industry(self, queryset: QuerySet[Any], name: str, value: str) -> QuerySet[Any]:
        industry = Industry.objects.filter(code=value).first() or (
            Industry.objects.filter(pk=value).first() if value.isdigit() else None
        )
        return queryset.none() if industry is None else queryset.filter(industry=industry)
