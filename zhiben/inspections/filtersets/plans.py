"""FilterSets of plans, caps, cap exceptions and draws, shared by the pages and the API."""

from __future__ import annotations

import django_filters
from django.utils.translation import gettext_lazy as _

from zhiben.core.filtersets import BaseFilterSet
from zhiben.registry.choices import StandardisationGrade

from ..choices import DrawStatus, ExceptionStatus, PlanStatus, RiskClass
from ..models import CapException, Draw, InspectionCap, InspectionPlan


class PlanFilterSet(BaseFilterSet):
    search_fields = ("title", "department__name", "department__short_name")

    year = django_filters.NumberFilter(label=_("年度"))
    status = django_filters.ChoiceFilter(label=_("状态"), choices=PlanStatus.choices)
    is_public = django_filters.BooleanFilter(label=_("已公开"))

    class Meta:
        model = InspectionPlan
        fields = ["q", "year", "status", "is_public"]


class CapFilterSet(BaseFilterSet):
    search_fields = ("industry__name", "source")

    risk_class = django_filters.ChoiceFilter(
        label=_("风险类别"), choices=[c for c in RiskClass.choices if c[0]]
    )
    standardisation_grade = django_filters.ChoiceFilter(
        label=_("标准化等级"), choices=StandardisationGrade.choices
    )
    verified = django_filters.BooleanFilter(label=_("已核实"))

    class Meta:
        model = InspectionCap
        fields = ["q", "risk_class", "standardisation_grade", "verified"]


class CapExceptionFilterSet(BaseFilterSet):
    search_fields = ("enterprise__name", "reason", "department__name")

    status = django_filters.ChoiceFilter(label=_("状态"), choices=ExceptionStatus.choices)
    year = django_filters.NumberFilter(label=_("年度"))

    class Meta:
        model = CapException
        fields = ["q", "status", "year"]


class DrawFilterSet(BaseFilterSet):
    search_fields = ("code", "title", "subject")

    status = django_filters.ChoiceFilter(label=_("状态"), choices=DrawStatus.choices)
    plan = django_filters.NumberFilter(label=_("年度计划"), field_name="plan_id")

    class Meta:
        model = Draw
        fields = ["q", "status", "plan"]
