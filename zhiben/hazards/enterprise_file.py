"""The hazards section of a unit's file (一企一档): its open hazards first, then the latest closed ones."""

from __future__ import annotations

from typing import Any

from django.db.models import Case, IntegerField, Q, Value, When
from django.urls import reverse
from django.utils import timezone

from zhiben.core.scoping import can
from zhiben.registry.enterprise_file import FileEvent, FileRow, FileSection, register_section
from zhiben.registry.models import Enterprise

from .choices import OPEN_STATUSES, Level, Status
from .models import Hazard

SHOWN = 8
TONES = {Status.REPORTED: "warning", Status.CLOSED: "success", Status.REJECTED: "secondary"}


def hazards_section(enterprise: Enterprise, user: Any) -> FileSection | None:
    if not can(user, "view", Hazard):
        return None
    hazards = Hazard.objects.restrict(user).filter(enterprise=enterprise)
    today = timezone.localdate()
    open_ = hazards.filter(status__in=OPEN_STATUSES)
    figures = [
        ("在办", open_.count(), "primary"),
        ("其中重大", open_.filter(level=Level.MAJOR).count(), "danger"),
        ("逾期", open_.filter(deadline__lt=today).count(), "danger"),
        ("待判定", hazards.filter(status=Status.REPORTED).count(), "warning"),
        ("已销号", hazards.filter(status=Status.CLOSED).count(), "success"),
    ]
    in_hand = Q(status__in=OPEN_STATUSES) | Q(status=Status.REPORTED)
    ordered = hazards.annotate(
        in_hand=Case(When(in_hand, then=Value(0)), default=Value(1), output_field=IntegerField())
    ).order_by("in_hand", "-discovered_on", "-pk")
    rows = [
        FileRow(
            text=f"{h.title}（{h.get_level_display()}）",
            url=h.get_absolute_url(),
            status=h.get_status_display(),
            tone=TONES.get(h.status, "danger" if _overdue(h, today) else "primary"),
            on=h.discovered_on,
            detail=f"整改期限 {h.deadline:%Y-%m-%d}" if h.deadline and h.status in OPEN_STATUSES else "",
        )
        for h in ordered[:SHOWN]
    ]
    events = [
        FileEvent(
            on=h.discovered_on, text=f"发现{h.get_level_display()}隐患：{h.title}", url=h.get_absolute_url()
        )
        for h in hazards.order_by("-discovered_on", "-pk")[:SHOWN]
    ]
    events += [
        FileEvent(on=h.closed_on, text=f"隐患销号：{h.title}", url=h.get_absolute_url())
        for h in hazards.filter(status=Status.CLOSED, closed_on__isnull=False).order_by("-closed_on", "-pk")[
            :SHOWN
        ]
    ]
    return FileSection(
        title="隐患排查治理",
        icon="bi-exclamation-triangle",
        figures=figures,
        rows=rows,
        total=hazards.count(),
        more_url=f"{reverse('hazards:hazard_list')}?enterprise={enterprise.pk}",
        empty="暂无隐患记录",
        events=events,
    )


def _overdue(hazard: Hazard, today: Any) -> bool:
    return hazard.status in OPEN_STATUSES and hazard.deadline is not None and hazard.deadline < today


def register() -> None:
    register_section("hazards", hazards_section, order=10)
