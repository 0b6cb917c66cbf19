"""Filters of the 督办交办 list (page and API): the tab (待签收/办理中/待审核/逾期/已办结, read from the reader's
own assignee rows), level, issuer, unit, free text."""

from __future__ import annotations

from typing import Any

import django_filters
from django.db.models import QuerySet
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from zhiben.core.filtersets import BaseFilterSet
from zhiben.registry.models import Department, Region

from .choices import OPEN_ASSIGNEE_STATUSES, AssigneeStatus, IssuerKind, Level
from .forms import departments, townships
from .models import Assignee, SupervisionItem

TAB_CHOICES = (
    ("issued", _("待签收")),
    ("working", _("办理中")),
    ("reported", _("待审核")),
    ("overdue", _("逾期")),
    ("done", _("已办结")),
)


def tab_filter(qs: QuerySet[Any], tab: str, user: Any) -> QuerySet[Any]:
    """Items by the state of the reader's own (visible) assignee rows: a department's 待签收 is its own row."""
    rows = Assignee.objects.restrict(user, "view")
    if tab in (AssigneeStatus.ISSUED, AssigneeStatus.WORKING, AssigneeStatus.REPORTED):
        return qs.filter(pk__in=rows.filter(status=tab).values("item"))
    if tab == "overdue":
        return qs.filter(
            pk__in=rows.filter(status__in=OPEN_ASSIGNEE_STATUSES, deadline__lt=timezone.localdate()).values(
                "item"
            )
        )
    if tab == "done":
        return qs.filter(pk__in=rows.values("item")).exclude(
            pk__in=rows.filter(status__in=OPEN_ASSIGNEE_STATUSES).values("item")
        )
    return qs


def _rows() -> QuerySet[Any]:
    return Assignee.objects.unrestricted("a subquery inside the reader's restricted items")


class ItemFilterSet(BaseFilterSet):
    search_fields = ("number", "subject", "requirement")
    tab = django_filters.ChoiceFilter(label=_("办理状态"), choices=TAB_CHOICES, method="by_tab")
    level = django_filters.ChoiceFilter(label=_("督办级别"), choices=Level.choices)
    issuer_kind = django_filters.ChoiceFilter(label=_("交办方"), choices=IssuerKind.choices)
    department = django_filters.ModelChoiceFilter(
        label=_("承办部门"), queryset=Department.objects.none(), method="by_department"
    )
    township = django_filters.ModelChoiceFilter(
        label=_("承办乡镇（街道）"), queryset=Region.objects.none(), method="by_township"
    )
    year = django_filters.NumberFilter(label=_("年度"), field_name="issued_on__year")

    class Meta:
        model = SupervisionItem
        fields = ["tab", "level", "issuer_kind", "department", "township", "year"]

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.filters["department"].queryset = departments()
        self.filters["township"].queryset = townships()

    def by_tab(self, qs: QuerySet[Any], name: str, value: str) -> QuerySet[Any]:
        user = getattr(self.request, "user", None)
        return tab_filter(qs, value, user) if value else qs

    def by_department(self, qs: QuerySet[Any], name: str, value: Any) -> QuerySet[Any]:
        return qs.filter(pk__in=_rows().filter(department=value).values("item")) if value else qs

    def by_township(self, qs: QuerySet[Any], name: str, value: Any) -> QuerySet[Any]:
        return qs.filter(pk__in=_rows().filter(township=value).values("item")) if value else qs
