"""The 监测预警 section of a unit's file (一企一档): its devices with their state, open alarms and the recent
alarms with how they were cleared; links to the live panel."""

from __future__ import annotations

from typing import Any

from django.urls import reverse

from zhiben.core.scoping import can
from zhiben.registry.enterprise_file import FileEvent, FileRow, FileSection, register_section
from zhiben.registry.models import Enterprise

from .choices import AlarmStatus, DeviceStatus
from .models import Alarm, Device

SHOWN = 8


def section(enterprise: Enterprise, user: Any) -> FileSection | None:
    if not can(user, "view", Device):
        return None
    devices = Device.objects.restrict(user, "view").filter(enterprise=enterprise)
    n_devices = devices.count()
    if not n_devices:
        return None
    alarms = Alarm.objects.restrict(user, "view").filter(enterprise=enterprise).select_related("device")
    rows = [
        FileRow(
            text=f"{a.get_level_display()}{a.get_kind_display()}：{a.device}",
            url=a.get_absolute_url(),
            status=a.get_status_display() + (f"（{a.get_clear_reason_display()}）" if a.clear_reason else ""),
            tone="success" if a.status == AlarmStatus.CLEARED else "danger",
            on=a.started_at.date(),
            detail=a.number,
        )
        for a in alarms.order_by("-started_at", "-pk")[:SHOWN]
    ]
    return FileSection(
        title="监测预警",
        icon="bi-broadcast",
        figures=[
            ("监测设备", n_devices, "primary"),
            ("在线", devices.filter(status=DeviceStatus.ONLINE).count(), "success"),
            ("未消警报警", alarms.exclude(status=AlarmStatus.CLEARED).count(), "danger"),
        ],
        rows=rows,
        total=alarms.count(),
        more_url=reverse("monitoring:panel", args=[enterprise.pk]),
        empty="暂无报警",
        events=[FileEvent(on=r.on, text=r.text, url=r.url) for r in rows if r.on],
    )


def register() -> None:
    register_section("monitoring", section, order=58)
