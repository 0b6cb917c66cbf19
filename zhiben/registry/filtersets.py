"""FilterSets of the registry, shared by the UI lists and the API."""

from __future__ import annotations

import django_filters
from django.utils.translation import gettext_lazy as _

from zhiben.core.filtersets import BaseFilterSet

from .choices import EnterpriseKind, EnterpriseStatus, PersonRole, RegionLevel, StandardisationGrade
from .filters import RegionFilter, UnitIndustryFilter
from .models import Enterprise, Industry, Person, Region


class EnterpriseFilterSet(BaseFilterSet):
    search_fields = ("name", "uscc", "address", "principal_name")

    region = RegionFilter(label=_("行政区划代码"))
    industry = UnitIndustryFilter(label=_("行业领域"), field_name="pk")
    kind = django_filters.ChoiceFilter(label=_("类型"), choices=EnterpriseKind.choices)
    status = django_filters.ChoiceFilter(label=_("状态"), choices=EnterpriseStatus.choices)
    standardisation_grade = django_filters.ChoiceFilter(
        label=_("标准化等级"), choices=StandardisationGrade.choices
    )
    is_high_risk = django_filters.BooleanFilter(label=_("高危企业"))
    is_above_scale = django_filters.BooleanFilter(label=_("规上企业"))
    has_major_hazard_source = django_filters.BooleanFilter(label=_("重大危险源"))

    class Meta:
        model = Enterprise
        fields = [
            "q",
            "region",
            "industry",
            "kind",
            "status",
            "standardisation_grade",
            "is_high_risk",
            "is_above_scale",
            "has_major_hazard_source",
        ]


class PersonFilterSet(BaseFilterSet):
    search_fields = ("name", "title")

    # A number, not a choice of enterprises: "no such choice" would reveal that an id exists (R08).
    enterprise = django_filters.NumberFilter(label=_("所属单位"), field_name="enterprise_id")
    role = django_filters.ChoiceFilter(label=_("身份"), choices=PersonRole.choices)

    class Meta:
        model = Person
        fields = ["q", "enterprise", "role"]


class RegionFilterSet(BaseFilterSet):
    search_fields = ("name", "code")

    level = django_filters.TypedChoiceFilter(label=_("级别"), choices=RegionLevel.choices, coerce=int)
    parent = django_filters.CharFilter(label=_("上级区划代码"), field_name="parent__code")

    class Meta:
        model = Region
        fields = ["q", "level", "parent"]


class IndustryFilterSet(BaseFilterSet):
    search_fields = ("name", "code")

    parent = django_filters.CharFilter(label=_("上级行业代码"), field_name="parent__code")

    class Meta:
        model = Industry
        fields = ["q", "parent"]
