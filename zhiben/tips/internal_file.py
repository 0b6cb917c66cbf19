"""The internal-reporting section of a unit's file (一企一档): the unit sees its own workers' reports (newest
first, never the reporter's name); a government reader in scope sees the counts. Registered from apps.ready()."""

from __future__ import annotations

from typing import Any

from django.urls import reverse

from zhiben.core.scoping import can
from zhiben.registry.enterprise_file import FileEvent, FileRow, FileSection, register_section
from zhiben.registry.models import Enterprise

from . import steps_internal  # noqa: F401  (the internal reports' flow and its audit events)
from .choices import InternalStatus
from .models import InternalReport

SHOWN = 6
TONES = {
    InternalStatus.RECEIVED: "warning",
    InternalStatus.FOUNDED: "danger",
    InternalStatus.UNFOUNDED: "secondary",
}


def internal_section(enterprise: Enterprise, user: Any) -> FileSection | None:
    if not can(user, "view", InternalReport):
        return None
    reports = InternalReport.objects.restrict(user).filter(enterprise=enterprise)
    figures = [
        ("内部举报", reports.count(), "primary"),
        ("核实属实", reports.filter(status=InternalStatus.FOUNDED).count(), "danger"),
        ("已奖励", reports.filter(rewarded_on__isnull=False).count(), "success"),
    ]
    latest = list(reports.order_by("-reported_on", "-pk")[:SHOWN])
    rows = [
        FileRow(
            text=(r.location or "内部举报") + " · " + " ".join(r.content.split())[:30],
            url=r.get_absolute_url(),
            status=r.get_status_display(),
            tone=TONES.get(r.status, "secondary"),
            on=r.reported_on,
            detail=f"奖励 {r.reward_amount} 元" if r.rewarded_on else "",
        )
        for r in latest
    ]
    events = [FileEvent(on=r.reported_on, text="职工内部举报", url=r.get_absolute_url()) for r in latest]
    events += [
        FileEvent(on=r.rewarded_on, text=f"内部举报奖励 {r.reward_amount} 元", url=r.get_absolute_url())
        for r in latest
        if r.rewarded_on is not None
    ]
    return FileSection(
        title="内部举报",
        icon="bi-chat-left-text",
        figures=figures,
        rows=rows,
        total=figures[0][1],
        more_url=reverse("tips:internal_list"),
        empty="暂无内部举报",
        events=events,
    )


def register() -> None:
    register_section("internal_reports", internal_section, order=60)
