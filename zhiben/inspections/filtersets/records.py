"""FilterSets of inspection records and the 执法检查人员名录库, shared by the pages and the API."""

from __future__ import annotations

from typing import Any

import django_filters
from django.db.models import Q, QuerySet
from django.utils.translation import gettext_lazy as _

from zhiben.core.filtersets import BaseFilterSet
from zhiben.registry.models import Department

from ..choices import InspectionStatus, InspectorKind, Mode, Origin
from ..models import Inspection, Inspector


def _department(value: str) -> Department | None:
    return Department.objects.filter(code=value).first() or (
        Department.objects.filter(pk=value).first() if value.isdigit() else None
    )


class InspectionFilterSet(BaseFilterSet):
    search_fields = ("code", "enterprise__name", "subject", "location")

    status = django_filters.ChoiceFilter(label=_("状态"), choices=InspectionStatus.choices)
    mode = django_filters.ChoiceFilter(label=_("检查方式"), choices=Mode.choices)
    origin = django_filters.ChoiceFilter(label=_("检查来源"), choices=Origin.choices)
    department = django_filters.CharFilter(label=_("参检部门"), method="filter_department")
    planned_after = django_filters.DateFilter(
        label=_("计划日期起"), field_name="planned_on", lookup_expr="gte"
    )
    planned_before = django_filters.DateFilter(
        label=_("计划日期止"), field_name="planned_on", lookup_expr="lte"
    )
    enterprise = django_filters.NumberFilter(label=_("单位"), field_name="enterprise_id")

    class Meta:
        model = Inspection
        fields = [
            "q",
            "status",
            "mode",
            "origin",
            "department",
            "planned_after",
            "planned_before",
            "enterprise",
        ]

    def filter_department(self, queryset: QuerySet[Any], name: str, value: str) -> QuerySet[Any]:
        """Any taking-part department (the lead or a joint one)."""
        dept = _department(value)
        if dept is None:
            return queryset.none()
        return queryset.filter(pk__in=Inspection.objects.filter(departments__department=dept).values("pk"))


class InspectorFilterSet(BaseFilterSet):
    search_fields = ("name", "certificate_no", "specialty")

    kind = django_filters.ChoiceFilter(label=_("人员类别"), choices=InspectorKind.choices)
    department = django_filters.CharFilter(label=_("所属部门"), method="filter_department")
    active = django_filters.BooleanFilter(label=_("在库"))
    certified_on = django_filters.DateFilter(label=_("持有效执法证日期"), method="filter_certified")

    class Meta:
        model = Inspector
        fields = ["q", "kind", "department", "active", "certified_on"]

    def filter_department(self, queryset: QuerySet[Any], name: str, value: str) -> QuerySet[Any]:
        dept = _department(value)
        return queryset.none() if dept is None else queryset.filter(department=dept)

    def filter_certified(self, queryset: QuerySet[Any], name: str, value: Any) -> QuerySet[Any]:
        """Legal inspecting subjects on that day (Inspector.is_certified as a query)."""
        if value is None:
            return queryset
        return (
            queryset.filter(active=True, kind=InspectorKind.OFFICER)
            .exclude(certificate_no="")
            .filter(Q(certificate_valid_until__isnull=True) | Q(certificate_valid_until__gte=value))
        )
