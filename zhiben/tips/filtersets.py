"""Filters of the handlers' tip list, shared by the page (with its Excel export) and the API."""

from __future__ import annotations

import datetime as dt
from typing import Any

import django_filters
from django.db.models import Count, Q, QuerySet
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from zhiben.core.filtersets import BaseFilterSet
from zhiben.core.scoping import can
from zhiben.registry.models import Department, Region

from .choices import Category, TipStatus
from .models import Tip

S = TipStatus

# The tabs of the list: (code, label, filter).
TABS: tuple[tuple[str, Any], ...] = (
    ("received", _("待受理")),
    ("accepted", _("待转办")),
    ("verifying", _("核查中")),
    ("concluded", _("待反馈")),
    ("closed", _("已办结")),
    ("all", _("全部")),
    ("overdue", _("已超期")),
)


def overdue_q(today: Any = None) -> Q:
    """Tips past the deadline their status runs against (受理, 核查, 反馈)."""
    today = today or timezone.localdate()
    return (
        Q(status=S.RECEIVED, accept_deadline__lt=today)
        | Q(status__in=(S.ACCEPTED, S.VERIFYING), verify_deadline__lt=today)
        | Q(status=S.CONCLUDED, feedback_deadline__lt=today)
    )


def due_soon_q(days: int = 7, today: Any = None) -> Q:
    """Tips being checked whose 核查期限 is within `days` (近期到期)."""
    today = today or timezone.localdate()
    return Q(
        status=S.VERIFYING,
        verify_deadline__gte=today,
        verify_deadline__lte=today + dt.timedelta(days=days),
    )


def tab_q(tab: str) -> Q:
    """The filter of one tab (已办结 holds the closed, rejected and merged ones)."""
    if tab in ("received", "accepted", "verifying", "concluded"):
        return Q(status=tab)
    if tab == "closed":
        return Q(status__in=(S.CLOSED, S.REJECTED, S.MERGED))
    if tab == "overdue":
        return overdue_q()
    return Q()


def by_tab(queryset: QuerySet[Any], tab: str) -> QuerySet[Any]:
    return queryset.filter(tab_q(tab))


class TipFilterSet(BaseFilterSet):
    """The screen's filters; the working copy only is searched (never the original)."""

    search_fields = ("code", "unit_name", "working_text")

    tab = django_filters.ChoiceFilter(label=_("分类"), choices=TABS, method="filter_tab")
    status = django_filters.ChoiceFilter(label=_("办理状态"), choices=TipStatus.choices)
    category = django_filters.ChoiceFilter(label=_("举报类别"), choices=Category.choices)
    township = django_filters.CharFilter(label=_("属地乡镇（街道）"), method="filter_township")
    department = django_filters.CharFilter(label=_("承办部门"), method="filter_department")
    received_after = django_filters.DateFilter(
        label=_("收到日期起"), field_name="received_at", lookup_expr="date__gte"
    )
    received_before = django_filters.DateFilter(
        label=_("收到日期止"), field_name="received_at", lookup_expr="date__lte"
    )
    enterprise = django_filters.NumberFilter(label=_("单位"), field_name="enterprise_id")

    class Meta:
        model = Tip
        fields = [
            "q",
            "tab",
            "status",
            "category",
            "township",
            "department",
            "received_after",
            "received_before",
            "enterprise",
        ]

    def filter_tab(self, queryset: QuerySet[Any], name: str, value: str) -> QuerySet[Any]:
        return by_tab(queryset, value)

    def filter_township(self, queryset: QuerySet[Any], name: str, value: str) -> QuerySet[Any]:
        town = Region.objects.filter(code=value).first()
        return queryset.none() if town is None else queryset.filter(township=town)

    def filter_department(self, queryset: QuerySet[Any], name: str, value: str) -> QuerySet[Any]:
        dept = Department.objects.filter(code=value).first()
        return queryset.none() if dept is None else queryset.filter(department=dept)


def acts_on_tips(user: Any) -> bool:
    """Those who act on tips: the custodian (受理), the department and township (核查), the office (延期)."""
    return any(can(user, action, Tip) for action in ("intake", "verify", "supervise"))


def tip_todo(user: Any) -> dict[str, int] | None:
    """The workbench's 举报待办 card: counts of the user's visible tips by stage (one query), or None."""
    if not acts_on_tips(user):
        return None

    return Tip.objects.restrict(user, "view").aggregate(
        received=Count("pk", filter=Q(status=S.RECEIVED)),
        accepted=Count("pk", filter=Q(status=S.ACCEPTED)),
        verifying=Count("pk", filter=Q(status=S.VERIFYING)),
        due_soon=Count("pk", filter=due_soon_q()),
        verify_overdue=Count("pk", filter=Q(status=S.VERIFYING, verify_deadline__lt=timezone.localdate())),
        concluded=Count("pk", filter=Q(status=S.CONCLUDED)),
        overdue=Count("pk", filter=overdue_q()),
    )
