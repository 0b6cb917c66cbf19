"""The inspections sections of a unit's file (一企一档): the visits of the departments, and the unit's own
self-inspections (自查)."""

from __future__ import annotations

from typing import Any

from django.urls import reverse
from django.utils import timezone

from zhiben.core.scoping import can
from zhiben.registry.enterprise_file import FileEvent, FileRow, FileSection, register_section
from zhiben.registry.models import Enterprise

from .choices import InspectionStatus
from .models import Inspection, SelfCheck

SHOWN = 6
TONES = {
    InspectionStatus.PLANNED: "info",
    InspectionStatus.IN_PROGRESS: "primary",
    InspectionStatus.COMPLETED: "success",
    InspectionStatus.CANCELLED: "secondary",
}


def inspections_section(enterprise: Enterprise, user: Any) -> FileSection | None:
    if not can(user, "view", Inspection):
        return None
    visits = Inspection.objects.restrict(user).filter(enterprise=enterprise).select_related("department")
    done = visits.filter(status=InspectionStatus.COMPLETED)
    year = timezone.localdate().year
    figures = [
        ("本年检查", done.filter(planned_on__year=year).count(), "primary"),
        ("待检查", visits.filter(status=InspectionStatus.PLANNED).count(), "info"),
        ("累计完成", done.count(), "success"),
    ]
    latest = list(visits.order_by("-planned_on", "-pk")[:SHOWN])
    rows = [
        FileRow(
            text=f"{v.department.name} · {v.subject or v.get_mode_display()}",
            url=v.get_absolute_url(),
            status=v.get_status_display(),
            tone=TONES.get(v.status, "secondary"),
            on=v.planned_on,
            detail=v.code,
        )
        for v in latest
    ]
    events = [
        FileEvent(
            on=timezone.localtime(v.finished_at).date(),
            text=f"{v.department.name}完成现场检查",
            url=v.get_absolute_url(),
        )
        for v in done.filter(finished_at__isnull=False).order_by("-finished_at")[:SHOWN]
    ]
    return FileSection(
        title="监督检查",
        icon="bi-clipboard-check",
        figures=figures,
        rows=rows,
        total=visits.count(),
        more_url=f"{reverse('inspections:inspection_list')}?enterprise={enterprise.pk}",
        empty="暂无检查记录",
        events=events,
    )


def self_checks_section(enterprise: Enterprise, user: Any) -> FileSection | None:
    if not can(user, "view", SelfCheck):
        return None
    checks = SelfCheck.objects.restrict(user).filter(enterprise=enterprise)
    year = timezone.localdate().year
    latest = list(checks.order_by("-checked_on", "-pk")[:SHOWN])
    rows = [
        FileRow(
            text=f"{c.led_by_name}带队自查" + (f"（{c.led_by_title}）" if c.led_by_title else ""),
            url=c.get_absolute_url(),
            status="已记录",
            tone="success",
            on=c.checked_on,
        )
        for c in latest
    ]
    return FileSection(
        title="企业自查",
        icon="bi-list-check",
        figures=[("本年自查", checks.filter(checked_on__year=year).count(), "primary")],
        rows=rows,
        total=checks.count(),
        more_url=f"{reverse('inspections:selfcheck_list')}?enterprise={enterprise.pk}",
        empty="暂无自查记录",
        events=[
            FileEvent(on=c.checked_on, text=f"企业自查（{c.led_by_name}带队）", url=c.get_absolute_url())
            for c in latest
        ],
    )


def register() -> None:
    register_section("inspections", inspections_section, order=20)
    register_section("self_checks", self_checks_section, order=30)
