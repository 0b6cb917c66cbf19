"""The enforcement section of a unit's file (一企一档): its cases, newest first, with the penalties decided."""

from __future__ import annotations

from typing import Any

from django.urls import reverse

from zhiben.core.scoping import can
from zhiben.registry.enterprise_file import FileEvent, FileRow, FileSection, register_section
from zhiben.registry.models import Enterprise

from .choices import CaseStatus
from .models import Case

SHOWN = 6
TONES = {CaseStatus.CLOSED: "success", CaseStatus.WITHDRAWN: "secondary", CaseStatus.DECIDED: "danger"}


def cases_section(enterprise: Enterprise, user: Any) -> FileSection | None:
    if not can(user, "view", Case):
        return None
    cases = Case.objects.restrict(user).filter(enterprise=enterprise).select_related("department")
    figures = [
        ("在办案件", cases.exclude(status__in=[CaseStatus.CLOSED, CaseStatus.WITHDRAWN]).count(), "primary"),
        ("已作出决定", cases.filter(decided_on__isnull=False).count(), "danger"),
    ]
    latest = list(cases.order_by("-filed_on", "-pk")[:SHOWN])
    rows = [
        FileRow(
            text=f"{c.department.name} · {c.violation[:40]}",
            url=c.get_absolute_url(),
            status=c.get_status_display(),
            tone=TONES.get(c.status, "warning"),
            on=c.filed_on,
            detail=c.code,
        )
        for c in latest
    ]
    events = [
        FileEvent(on=c.filed_on, text=f"{c.department.name}立案", url=c.get_absolute_url()) for c in latest
    ]
    events += [
        FileEvent(on=c.decided_on, text=f"{c.department.name}作出处理决定", url=c.get_absolute_url())
        for c in latest
        if c.decided_on is not None
    ]
    return FileSection(
        title="行政执法",
        icon="bi-hammer",
        figures=figures,
        rows=rows,
        total=cases.count(),
        more_url=f"{reverse('enforcement:case_list')}?enterprise={enterprise.pk}",
        empty="暂无执法案件",
        events=events,
    )


def register() -> None:
    register_section("cases", cases_section, order=40)
