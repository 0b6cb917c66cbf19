"""The 风险分级与一会三卡 section of a unit's file (一企一档): risk points by colour, the latest patrols, and
一会三卡 coverage (posts with both cards, 班前会 days in the last 30 days)."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.db.models import Count, Q
from django.urls import reverse
from django.utils import timezone

from zhiben.core.formats import local_time
from zhiben.core.scoping import can
from zhiben.registry.enterprise_file import FileEvent, FileRow, FileSection, register_section
from zhiben.registry.models import Enterprise

from .choices import COLOUR_BY_LEVEL, LEVEL_ORDER, Level
from .coverage import coverage_of
from .models import Patrol, RiskPoint

TONES = {Level.MAJOR: "danger", Level.LARGE: "warning", Level.GENERAL: "warning", Level.LOW: "primary"}


def section(enterprise: Enterprise, user: Any) -> FileSection | None:
    if not can(user, "view", RiskPoint):
        return None
    points = RiskPoint.objects.restrict(user, "view").filter(enterprise=enterprise)
    counts = points.aggregate(
        total=Count("pk"), **{str(lv): Count("pk", filter=Q(level=lv)) for lv in LEVEL_ORDER}
    )
    today = timezone.localdate()
    cov = coverage_of([enterprise.pk], today - dt.timedelta(days=29), today)[enterprise.pk]
    if not counts["total"] and not cov.posts:
        return None
    patrols = (
        Patrol.objects.restrict(user, "view")
        .filter(point__enterprise=enterprise)
        .select_related("point", "hazard")
    )
    rows = [
        FileRow(
            text=f"巡查：{p.point.name}",
            url=p.get_absolute_url(),
            status="符合" if p.conforming else "不符合",
            tone="success" if p.conforming else "danger",
            on=timezone.localtime(p.checked_at).date(),
            detail=f"{local_time(p.checked_at)}" + (f" · 隐患 {p.hazard.code}" if p.hazard_id else ""),
        )
        for p in patrols.order_by("-checked_at", "-pk")[:6]
    ]
    figures = [(f"{COLOUR_BY_LEVEL[lv]}色（{lv.label}）", counts[str(lv)], TONES[lv]) for lv in LEVEL_ORDER]
    figures += [
        ("岗位卡片覆盖", cov.carded, "secondary"),
        ("近30日班前会天数", cov.meeting_days, "secondary"),
    ]
    return FileSection(
        title=f"风险分级与一会三卡（岗位卡片 {cov.carded}/{cov.posts}，班前会 {cov.meeting_days}/{cov.workdays} 个工作日）",
        icon="bi-diagram-3",
        figures=figures,
        rows=rows,
        total=counts["total"],
        more_url=reverse("risk:point_list") + f"?enterprise={enterprise.pk}",
        empty="暂无巡查记录",
        events=[FileEvent(on=r.on, text=r.text, url=r.url) for r in rows if r.on and r.tone == "danger"],
    )


def register() -> None:
    register_section("risk", section, order=45)
