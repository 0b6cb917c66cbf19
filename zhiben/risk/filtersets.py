"""Filters of the risk point, 重大风险清单 and 动工卡 lists (pages and API)."""

from __future__ import annotations

from typing import Any

import django_filters
from django import forms
from django.db.models import Q, QuerySet
from django.utils.translation import gettext_lazy as _

from zhiben.core.filtersets import BaseFilterSet
from zhiben.registry.models import Department
from zhiben.registry.scoping import industry_ids_of_department

from .choices import Level, PermitStatus, PointKind, PointStatus, WorkKind
from .models import RiskPoint, WorkPermit


class PointFilterSet(BaseFilterSet):
    q = django_filters.CharFilter(label=_("名称"), method="search")
    enterprise = django_filters.NumberFilter(
        label=_("单位"), field_name="enterprise_id", widget=forms.HiddenInput
    )
    level = django_filters.ChoiceFilter(label=_("风险等级"), choices=Level.choices)
    status = django_filters.ChoiceFilter(label=_("状态"), choices=PointStatus.choices)
    kind = django_filters.ChoiceFilter(label=_("类型"), choices=PointKind.choices)
    department = django_filters.ModelChoiceFilter(
        label=_("监管部门"), queryset=Department.objects.all(), method="by_department"
    )

    class Meta:
        model = RiskPoint
        fields: list[str] = []

    def search(self, qs: QuerySet[Any], name: str, value: str) -> QuerySet[Any]:
        return qs.filter(Q(name__icontains=value) | Q(enterprise__name__icontains=value))

    def by_department(self, qs: QuerySet[Any], name: str, value: Department | None) -> QuerySet[Any]:
        if value is None:
            return qs
        return qs.filter(enterprise__industries__in=sorted(industry_ids_of_department(value.pk))).distinct()


class PermitFilterSet(BaseFilterSet):
    status = django_filters.ChoiceFilter(label=_("状态"), choices=PermitStatus.choices)
    kind = django_filters.ChoiceFilter(label=_("作业类型"), choices=WorkKind.choices)
    mine = django_filters.BooleanFilter(label=_("我申请的"), method="by_applicant", widget=forms.HiddenInput)

    class Meta:
        model = WorkPermit
        fields: list[str] = []

    def by_applicant(self, qs: QuerySet[Any], name: str, value: bool | None) -> QuerySet[Any]:
        user = getattr(self.request, "user", None)
        if not value or user is None:
            return qs
        return qs.filter(applicant_id=user.pk)
