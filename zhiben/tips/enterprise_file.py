"""The tips section of a unit's file (一企一档): only for government readers who may view tips (never the unit
itself), counts and links, working copy only (the list shows codes and categories, never content)."""

from __future__ import annotations

from typing import Any

from django.urls import reverse
from django.utils import timezone

from zhiben.core.scoping import can, grants_for
from zhiben.registry.enterprise_file import FileEvent, FileRow, FileSection, register_section
from zhiben.registry.models import Enterprise

from .choices import OPEN_TIP_STATUSES, Outcome, TipStatus
from .models import Tip

SHOWN = 6


def _government(user: Any) -> bool:
    grants = grants_for(user)
    return bool(grants) and not any(g.enterprise_ids is not None for g in grants)


def tips_section(enterprise: Enterprise, user: Any) -> FileSection | None:
    if not can(user, "view", Tip) or not _government(user):
        return None
    tips = Tip.objects.restrict(user).filter(enterprise=enterprise)
    total = tips.count()
    if total == 0:
        return None
    figures = [
        ("在办", tips.filter(status__in=OPEN_TIP_STATUSES).count(), "primary"),
        ("属实", tips.filter(outcome__in=(Outcome.FOUNDED, Outcome.PARTLY)).count(), "danger"),
        ("已办结", tips.filter(status=TipStatus.CLOSED).count(), "success"),
    ]
    latest = list(tips.order_by("-received_at", "-pk")[:SHOWN])
    rows = [
        FileRow(
            text=f"{t.code}（{t.get_category_display()}）",
            url=t.get_absolute_url(),
            status=t.get_status_display(),
            tone="primary" if t.status in OPEN_TIP_STATUSES else "secondary",
            on=timezone.localdate(t.received_at),
            detail=t.get_outcome_display() if t.outcome else "",
        )
        for t in latest
    ]
    events = [
        FileEvent(
            on=timezone.localdate(t.received_at),
            text=f"收到举报 {t.code}（{t.get_category_display()}）",
            url=t.get_absolute_url(),
        )
        for t in latest
    ]
    return FileSection(
        title="举报核查",
        icon="bi-megaphone",
        figures=figures,
        rows=rows,
        total=total,
        more_url=f"{reverse('tips:manage')}?tab=all&enterprise={enterprise.pk}",
        empty="暂无举报",
        events=events,
    )


def register() -> None:
    """Called from the app's ready(): the handling loop's modules (its services bind the steps, its events, its
    periodic jobs) and the 一企一档 section."""
    from . import history, tasks  # noqa: F401
    from .services import handling  # noqa: F401

    register_section("tips", tips_section, order=60)
