"""FilterSets of the registry, shared by the UI lists and the API."""

from __future__ import annotations

from typing import Any

import django_filters
from django.db.models import QuerySet
from django.utils.translation import gettext_lazy as _

from zhiben.core.filtersets import BaseFilterSet

from .choices import EnterpriseKind, EnterpriseStatus, PersonRole, RegionLevel, StandardisationGrade
from .models import Enterprise, Industry, Person, Region
from .scoping import with_descendants


class EnterpriseFilterSet(BaseFilterSet):
    search_fields = ("name", "uscc", "address", "principal_name")

    region = django_filters.CharFilter(label=_("行政区划代码"), method="filter_region")
    industry = django_filters.CharFilter(label=_("行业领域"), method="filter_industry")
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

    def filter_region(self, queryset: QuerySet[Any], name: str, value: str) -> QuerySet[Any]:
        """A region code (or the id of a region): the region and everything below it."""
        region = Region.objects.filter(code=value).first() or (
            Region.objects.filter(pk=value).first() if value.isdigit() and len(value) < 6 else None
        )
        if region is None:
            return queryset.none()
        return queryset.filter(
            region__in=Region.objects.filter(code__startswith=region.scope_prefix).values("pk")
        )

    def filter_industry(self, queryset: QuerySet[Any], name: str, value: str) -> QuerySet[Any]:
        """An industry code or id, with its sub-industries."""
        industry = Industry.objects.filter(code=value).first() or (
            Industry.objects.filter(pk=value).first() if value.isdigit() else None
        )
        if industry is None:
            return queryset.none()
        ids = with_descendants({industry.pk})
        sub = Enterprise.industries.through.objects.filter(industry_id__in=ids).values("enterprise_id")
        return queryset.filter(pk__in=sub)


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
