"""The accident section of a unit's file (一企一档): its accidents, newest first, with grade and casualties."""

from __future__ import annotations

from typing import Any

from django.db.models import Sum
from django.urls import reverse

from zhiben.core.formats import local_time
from zhiben.core.scoping import can
from zhiben.registry.enterprise_file import FileEvent, FileRow, FileSection, register_section
from zhiben.registry.models import Enterprise

from .choices import GRADE_COLORS, Grade
from .models import Accident

SHOWN = 6


def accidents_section(enterprise: Enterprise, user: Any) -> FileSection | None:
    if not can(user, "view", Accident):
        return None
    qs = Accident.objects.restrict(user).filter(enterprise=enterprise)
    figures = [
        ("事故起数", qs.count(), "danger"),
        ("死亡人数", qs.aggregate(n=Sum("deaths"))["n"] or 0, "danger"),
    ]
    latest = list(qs.order_by("-occurred_at", "-pk")[:SHOWN])
    rows = [
        FileRow(
            text=f"{a.type_name} · {a.casualties}",
            url=a.get_absolute_url(),
            status=Grade(a.grade).label,
            tone=GRADE_COLORS.get(a.grade, "warning"),
            on=a.occurred_on,
            detail=local_time(a.occurred_at),
        )
        for a in latest
    ]
    events = [
        FileEvent(
            on=a.occurred_on,
            text=f"发生{a.type_name}事故（{Grade(a.grade).label}）",
            url=a.get_absolute_url(),
        )
        for a in latest
    ]
    return FileSection(
        title="生产安全事故",
        icon="bi-exclamation-octagon",
        figures=figures,
        rows=rows,
        total=qs.count(),
        more_url=f"{reverse('accidents:accident_list')}?enterprise={enterprise.pk}",
        empty="暂无生产安全事故",
        events=events,
    )


def register() -> None:
    register_section("accidents", accidents_section, order=45)
