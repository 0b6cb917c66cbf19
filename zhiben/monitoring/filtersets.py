"""Filters of the alarm board and the device list (page and API)."""

from __future__ import annotations

from typing import Any

import django_filters
from django.db.models import QuerySet
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from zhiben.core.filtersets import BaseFilterSet
from zhiben.registry.choices import RegionLevel
from zhiben.registry.models import Region

from .choices import AlarmKind, AlarmStatus, DeviceStatus, Level, TaskStatus
from .models import Alarm, CheckTask, Device

TABS = (
    ("open", _("未消警")),
    ("raised", _("待确认")),
    ("overdue", _("确认超时")),
    ("working", _("处置中")),
    ("cleared", _("已消警")),
)


def townships() -> QuerySet[Any]:
    return Region.objects.filter(level=RegionLevel.TOWNSHIP).order_by("code")


class AlarmFilterSet(BaseFilterSet):
    search_fields = ("number", "enterprise__name", "device__name", "device__location")
    tab = django_filters.ChoiceFilter(label=_("范围"), choices=TABS, method="by_tab")
    status = django_filters.ChoiceFilter(label=_("状态"), choices=AlarmStatus.choices)
    level = django_filters.ChoiceFilter(label=_("报警等级"), choices=Level.choices)
    kind = django_filters.ChoiceFilter(label=_("报警类别"), choices=AlarmKind.choices)
    township = django_filters.ModelChoiceFilter(
        label=_("乡镇（街道）"), queryset=Region.objects.none(), method="by_township"
    )
    enterprise = django_filters.NumberFilter(label=_("生产经营单位编号"), field_name="enterprise_id")

    class Meta:
        model = Alarm
        fields = ["tab", "status", "level", "kind", "township", "enterprise"]

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.filters["township"].queryset = townships()

    def by_tab(self, qs: QuerySet[Any], name: str, value: str) -> QuerySet[Any]:
        if value == "open":
            return qs.exclude(status=AlarmStatus.CLEARED)
        if value == "raised":
            return qs.filter(status=AlarmStatus.RAISED)
        if value == "working":
            return qs.filter(status__in=[AlarmStatus.ACKNOWLEDGED, AlarmStatus.HANDLING])
        if value == "overdue":
            return qs.filter(status=AlarmStatus.RAISED, ack_due__lt=timezone.now())
        if value == "cleared":
            return qs.filter(status=AlarmStatus.CLEARED)
        return qs

    def by_township(self, qs: QuerySet[Any], name: str, value: Any) -> QuerySet[Any]:
        return qs.filter(enterprise__region__code__startswith=value.scope_prefix) if value else qs


class DeviceFilterSet(BaseFilterSet):
    search_fields = ("code", "name", "location", "enterprise__name")
    status = django_filters.ChoiceFilter(label=_("状态"), choices=DeviceStatus.choices)
    enterprise = django_filters.NumberFilter(label=_("生产经营单位编号"), field_name="enterprise_id")

    class Meta:
        model = Device
        fields = ["status", "enterprise"]


class TaskFilterSet(BaseFilterSet):
    search_fields = ("alarm__number", "enterprise__name")
    status = django_filters.ChoiceFilter(label=_("状态"), choices=TaskStatus.choices)

    class Meta:
        model = CheckTask
        fields = ["status"]
