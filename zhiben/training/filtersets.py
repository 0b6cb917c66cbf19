"""Filters of the 培训演练 lists (pages and API)."""

from __future__ import annotations

import datetime as dt
from typing import Any

import django_filters
from django.db.models import QuerySet
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from zhiben.core.filtersets import BaseFilterSet
from zhiben.registry.models import Region

from .choices import (
    DrillKind,
    DrillStatus,
    Employment,
    PlanLevel,
    PublicityKind,
    SessionKind,
    SessionStatus,
    SupplyCategory,
    TeamLevel,
    WorkerStatus,
)
from .duties import worker_shortfalls
from .forms import townships
from .models import (
    Certificate,
    CertificateType,
    Drill,
    EmergencyPlan,
    EmergencySupply,
    PublicityActivity,
    RescueTeam,
    TrainingSession,
    TrainingTheme,
    Worker,
)

CERT_STATES = (("expired", _("已过期")), ("expiring", _("90天内到期")), ("valid", _("有效")))
PLAN_STATES = (("review", _("60天内待评估")), ("unfiled", _("未备案")))


def _township(qs: QuerySet[Any], path: str, value: Region | None) -> QuerySet[Any]:
    return qs.filter(**{f"{path}__code__startswith": value.scope_prefix}) if value else qs


class SessionFilterSet(BaseFilterSet):
    search_fields = ("title", "content", "body_name")
    kind = django_filters.ChoiceFilter(label=_("培训类别"), choices=SessionKind.choices)
    status = django_filters.ChoiceFilter(label=_("状态"), choices=SessionStatus.choices)
    theme = django_filters.ModelChoiceFilter(label=_("年度主题"), queryset=TrainingTheme.objects.none())
    year = django_filters.NumberFilter(label=_("年度"), field_name="held_on__year")

    class Meta:
        model = TrainingSession
        fields = ["kind", "status", "theme", "year"]

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.filters["theme"].queryset = TrainingTheme.objects.unrestricted("reference data")


class CertificateFilterSet(BaseFilterSet):
    search_fields = ("holder_name", "number", "enterprise__name")
    state = django_filters.ChoiceFilter(label=_("状态"), choices=CERT_STATES, method="by_state")
    kind = django_filters.ModelChoiceFilter(label=_("证书类型"), queryset=CertificateType.objects.none())
    enterprise = django_filters.NumberFilter(label=_("单位"), field_name="enterprise_id")
    expiring_within = django_filters.NumberFilter(
        label=_("天内到期"), method="by_days", min_value=0, max_value=3650
    )

    class Meta:
        model = Certificate
        fields = ["state", "kind", "enterprise", "expiring_within"]

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.filters["kind"].queryset = CertificateType.objects.unrestricted("reference data")

    def by_state(self, qs: QuerySet[Any], name: str, value: str) -> QuerySet[Any]:
        today = timezone.localdate()
        if value == "expired":
            return qs.filter(valid_to__lt=today)
        if value == "expiring":
            return qs.filter(valid_to__gte=today, valid_to__lte=today + dt.timedelta(days=90))
        if value == "valid":
            return qs.filter(valid_to__gte=today)
        return qs

    def by_days(self, qs: QuerySet[Any], name: str, value: Any) -> QuerySet[Any]:
        if value is None:
            return qs
        today = timezone.localdate()
        return qs.filter(valid_to__gte=today, valid_to__lte=today + dt.timedelta(days=int(value)))


class DrillFilterSet(BaseFilterSet):
    search_fields = ("scenario", "enterprise__name")
    kind = django_filters.ChoiceFilter(label=_("演练类型"), choices=DrillKind.choices)
    status = django_filters.ChoiceFilter(label=_("状态"), choices=DrillStatus.choices)
    year = django_filters.NumberFilter(label=_("年度"), field_name="planned_on__year")
    enterprise = django_filters.NumberFilter(label=_("单位"), field_name="enterprise_id")

    class Meta:
        model = Drill
        fields = ["kind", "status", "year", "enterprise"]


class PlanFilterSet(BaseFilterSet):
    search_fields = ("name", "enterprise__name", "filing_number")
    state = django_filters.ChoiceFilter(label=_("状态"), choices=PLAN_STATES, method="by_state")
    level = django_filters.ChoiceFilter(label=_("预案类别"), choices=PlanLevel.choices)

    class Meta:
        model = EmergencyPlan
        fields = ["state", "level"]

    def by_state(self, qs: QuerySet[Any], name: str, value: str) -> QuerySet[Any]:
        if value == "review":
            return qs.filter(review_due__lte=timezone.localdate() + dt.timedelta(days=60))
        if value == "unfiled":
            return qs.filter(filed_on__isnull=True)
        return qs


class TeamFilterSet(BaseFilterSet):
    search_fields = ("name", "speciality", "equipment")
    level = django_filters.ChoiceFilter(label=_("队伍类别"), choices=TeamLevel.choices)
    township = django_filters.ModelChoiceFilter(
        label=_("乡镇（街道）"), queryset=Region.objects.none(), method="by_township"
    )

    class Meta:
        model = RescueTeam
        fields = ["level", "township"]

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.filters["township"].queryset = townships()

    def by_township(self, qs: QuerySet[Any], name: str, value: Any) -> QuerySet[Any]:
        return _township(qs, "township", value)


class SupplyFilterSet(BaseFilterSet):
    search_fields = ("name", "location")
    category = django_filters.ChoiceFilter(label=_("物资类别"), choices=SupplyCategory.choices)
    township = django_filters.ModelChoiceFilter(
        label=_("乡镇（街道）"), queryset=Region.objects.none(), method="by_township"
    )

    class Meta:
        model = EmergencySupply
        fields = ["category", "township"]

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.filters["township"].queryset = townships()

    def by_township(self, qs: QuerySet[Any], name: str, value: Any) -> QuerySet[Any]:
        return _township(qs, "township", value)


class PublicityFilterSet(BaseFilterSet):
    search_fields = ("title", "description")
    kind = django_filters.ChoiceFilter(label=_("活动类型"), choices=PublicityKind.choices)
    year = django_filters.NumberFilter(label=_("年度"), field_name="held_on__year")

    class Meta:
        model = PublicityActivity
        fields = ["kind", "year"]


OVERDUE = (
    ("pre_job", _("岗前培训未达学时")),
    ("annual", _("本年再培训未达学时")),
    ("any", _("培训未达学时")),
)


class WorkerFilterSet(BaseFilterSet):
    """从业人员名册: by 用工形式, status, unit, and the workers short of their training hours (`overdue`)."""

    search_fields = ("name", "post", "employer", "enterprise__name")
    employment = django_filters.ChoiceFilter(label=_("用工形式"), choices=Employment.choices)
    status = django_filters.ChoiceFilter(label=_("状态"), choices=WorkerStatus.choices)
    overdue = django_filters.ChoiceFilter(label=_("培训学时"), choices=OVERDUE, method="by_overdue")
    enterprise = django_filters.NumberFilter(label=_("单位"), field_name="enterprise_id")

    class Meta:
        model = Worker
        fields = ["employment", "status", "overdue", "enterprise"]

    def by_overdue(self, qs: QuerySet[Any], name: str, value: str) -> QuerySet[Any]:

        today = timezone.localdate()
        short = worker_shortfalls(qs, today.year, today)
        ids = {s.worker.pk for s in short if value == "any" or s.kind == value}
        return qs.filter(pk__in=ids)
