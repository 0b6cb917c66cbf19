"""Filters of the 源头管控 lists (pages and API): status, state tabs the 待办 cards link to (到期/逾期), free text."""

from __future__ import annotations

import datetime as dt
from typing import Any

import django_filters
from django.db.models import Q, QuerySet
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from zhiben.core.filtersets import BaseFilterSet
from zhiben.registry.choices import StandardisationGrade

from .choices import (
    AWAITING_DEPARTMENT,
    CertificateStatus,
    PhaseOutKind,
    PhaseOutStatus,
    ProjectKind,
    ProjectStatus,
)
from .models import ConstructionProject, FeeAccount, PhaseOutItem, SourceProject, StandardisationCertificate
from .services import add_month

EXPIRY_WINDOW = 60  # days: a certificate expiring within this many days is 将到期
REVIEW_WINDOW = 30  # days: a 复评 due within this many days


def expiring_q(today: dt.date) -> Q:
    return Q(
        status=CertificateStatus.VALID,
        valid_to__gte=today,
        valid_to__lte=today + dt.timedelta(days=EXPIRY_WINDOW),
    )


def review_q(today: dt.date) -> Q:
    return Q(
        status=CertificateStatus.VALID,
        next_review__isnull=False,
        next_review__lte=today + dt.timedelta(days=REVIEW_WINDOW),
    )


def expiring(qs: QuerySet[Any], today: dt.date) -> QuerySet[Any]:
    return qs.filter(expiring_q(today))


def review_due(qs: QuerySet[Any], today: dt.date) -> QuerySet[Any]:
    return qs.filter(review_q(today))


class CertificateFilterSet(BaseFilterSet):
    search_fields = ("number", "issuer", "enterprise__name")
    state = django_filters.ChoiceFilter(
        label=_("提醒"), choices=(("expiring", _("将到期")), ("review", _("复评将到期"))), method="by_state"
    )
    grade = django_filters.ChoiceFilter(label=_("等级"), choices=StandardisationGrade.choices)
    status = django_filters.ChoiceFilter(label=_("状态"), choices=CertificateStatus.choices)
    is_benchmark = django_filters.BooleanFilter(label=_("标杆企业"))

    class Meta:
        model = StandardisationCertificate
        fields = ["state", "grade", "status", "is_benchmark"]

    def by_state(self, qs: QuerySet[Any], name: str, value: str) -> QuerySet[Any]:
        today = timezone.localdate()
        if value == "expiring":
            return expiring(qs, today)
        if value == "review":
            return review_due(qs, today)
        return qs


class FeeAccountFilterSet(BaseFilterSet):
    search_fields = ("enterprise__name",)
    year = django_filters.NumberFilter(label=_("年度"))

    class Meta:
        model = FeeAccount
        fields = ["year"]


def overdue_ids(qs: QuerySet[Any], today: dt.date) -> list[int]:
    """The projects 开工 more than a month ago whose 建设单位 has not reached 50 % of the provision (no 50 % day
    recorded): one query, the month checked exactly in Python."""
    candidates = qs.filter(
        start_date__isnull=False, start_date__lt=today - dt.timedelta(days=27), fee_paid_on__isnull=True
    )
    starts = candidates.select_related(None).values_list("pk", "start_date")
    return [pk for pk, start in starts if add_month(start) < today]


def unpaid_overdue(qs: QuerySet[Any], today: dt.date) -> QuerySet[Any]:
    return qs.filter(pk__in=overdue_ids(qs, today))


class ConstructionFilterSet(BaseFilterSet):
    search_fields = ("name", "builder__name", "contractor__name", "location")
    state = django_filters.ChoiceFilter(
        label=_("安全费用支付"), choices=(("overdue", _("开工满一个月未付足50%")),), method="by_state"
    )

    class Meta:
        model = ConstructionProject
        fields = ["state"]

    def by_state(self, qs: QuerySet[Any], name: str, value: str) -> QuerySet[Any]:
        return unpaid_overdue(qs, timezone.localdate()) if value == "overdue" else qs


class ProjectFilterSet(BaseFilterSet):
    search_fields = ("name", "enterprise__name", "description")
    state = django_filters.ChoiceFilter(
        label=_("办理"),
        choices=(("department", _("待部门审查")), ("unit", _("待建设单位办理"))),
        method="by_state",
    )
    status = django_filters.ChoiceFilter(label=_("状态"), choices=ProjectStatus.choices)
    kind = django_filters.ChoiceFilter(label=_("项目类型"), choices=ProjectKind.choices)

    class Meta:
        model = SourceProject
        fields = ["state", "status", "kind"]

    def by_state(self, qs: QuerySet[Any], name: str, value: str) -> QuerySet[Any]:
        if value == "department":
            return qs.filter(status__in=AWAITING_DEPARTMENT | {ProjectStatus.DIAGNOSIS})
        if value == "unit":
            return qs.filter(status__in=(ProjectStatus.PRE_ASSESSMENT, ProjectStatus.TRIAL_RUN))
        return qs


class PhaseOutFilterSet(BaseFilterSet):
    search_fields = ("name", "identifier", "owner", "enterprise__name")
    state = django_filters.ChoiceFilter(
        label=_("时限"), choices=(("overdue", _("逾期未淘汰")),), method="by_state"
    )
    kind = django_filters.ChoiceFilter(label=_("类别"), choices=PhaseOutKind.choices)
    status = django_filters.ChoiceFilter(label=_("状态"), choices=PhaseOutStatus.choices)

    class Meta:
        model = PhaseOutItem
        fields = ["state", "kind", "status"]

    def by_state(self, qs: QuerySet[Any], name: str, value: str) -> QuerySet[Any]:
        if value == "overdue":
            return qs.filter(status=PhaseOutStatus.REGISTERED, due_on__lt=timezone.localdate())
        return qs
