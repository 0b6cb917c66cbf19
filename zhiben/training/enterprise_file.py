"""The 培训演练 section of a unit's file (一企一档): its people with their certificate status (the registry's
people, plus holders of certificates not on it), its theme training, drills and emergency plans, and its worker
roster's counts with the workers short of pre-job or annual hours."""

from __future__ import annotations

from typing import Any

from django.urls import reverse
from django.utils import timezone

from zhiben.core.scoping import can
from zhiben.registry.enterprise_file import FileEvent, FileRow, FileSection, register_section
from zhiben.registry.models import Enterprise, Person

from . import duties
from .choices import CERT_STATUS_COLORS, CERT_STATUS_LABELS, DrillStatus, WorkerStatus, WorkerTrainingKind
from .models import Attendance, Certificate, Drill, EmergencyPlan, Worker

SHOWN = 8
KEY_ROLES = ("principal", "safety_manager", "special_operator")


def people_rows(enterprise: Enterprise, user: Any) -> list[FileRow]:
    """主要负责人、安全管理人员、特种作业人员 with the state of their certificates (无证 when none is on file)."""
    today = timezone.localdate()
    certs = list(
        Certificate.objects.restrict(user, "view").filter(enterprise=enterprise).select_related("kind")
    )
    by_name: dict[str, list[Certificate]] = {}
    for c in certs:
        by_name.setdefault(c.holder_name, []).append(c)
    rows: list[FileRow] = []
    people = (
        Person.objects.restrict(user, "view")
        .filter(enterprise=enterprise, role__in=KEY_ROLES)
        .order_by("role", "name")
        if can(user, "view", Person)
        else Person.objects.none()
    )
    named = set()
    listed = [(p.name, p.get_role_display()) for p in people]
    if enterprise.principal_name and not any(p.role == "principal" for p in people):
        listed.insert(0, (enterprise.principal_name, "主要负责人"))  # the registry's own entry for the unit
    for name, role in listed:
        named.add(name)
        held = by_name.get(name, [])
        if held:
            worst = min(held, key=lambda c: c.valid_to)
            state = worst.state(today)
            rows.append(
                FileRow(
                    text=f"{name}（{role}）",
                    url=worst.get_absolute_url(),
                    status=str(CERT_STATUS_LABELS[state]),
                    tone=CERT_STATUS_COLORS[state],
                    on=worst.valid_to,
                    detail=f"{worst.kind.name} {worst.number}，有效期至 {worst.valid_to:%Y-%m-%d}",
                )
            )
        else:
            rows.append(FileRow(text=f"{name}（{role}）", status="无证", tone="danger"))
    for c in certs:
        if c.holder_name not in named:
            state = c.state(today)
            rows.append(
                FileRow(
                    text=f"{c.holder_name}（{c.kind.name}）",
                    url=c.get_absolute_url(),
                    status=str(CERT_STATUS_LABELS[state]),
                    tone=CERT_STATUS_COLORS[state],
                    on=c.valid_to,
                    detail=f"{c.number}，有效期至 {c.valid_to:%Y-%m-%d}",
                )
            )
    return rows


def worker_figures(enterprise: Enterprise, user: Any) -> list[tuple[str, int, str]]:
    """从业人员名册: workers on the roster (dispatched and flexible among them) and those short of hours."""
    if not can(user, "view", Worker):
        return []
    roster = Worker.objects.restrict(user, "view").filter(enterprise=enterprise, status=WorkerStatus.ON)
    on = roster.count()
    if not on:
        return []
    today = timezone.localdate()
    short = duties.worker_shortfalls(roster, today.year, today)
    outsourced = roster.filter(employment__in=duties.OUTSOURCED).count()
    return [
        ("在岗从业人员", on, "primary"),
        ("其中派遣/灵活用工/承包商", outsourced, "secondary"),
        ("岗前培训未达学时", sum(1 for s in short if s.kind == WorkerTrainingKind.PRE_JOB), "danger"),
        ("本年再培训未达学时", sum(1 for s in short if s.kind == WorkerTrainingKind.ANNUAL), "warning"),
    ]


def section(enterprise: Enterprise, user: Any) -> FileSection | None:
    if not can(user, "view", Certificate) and not can(user, "view", Drill):
        return None
    today = timezone.localdate()
    people = people_rows(enterprise, user)
    drills = Drill.objects.restrict(user, "view").filter(enterprise=enterprise)
    plans = EmergencyPlan.objects.restrict(user, "view").filter(enterprise=enterprise)
    attended = Attendance.objects.restrict(user, "view").filter(enterprise=enterprise)
    rows = people[:SHOWN]
    drill_rows = [
        FileRow(
            text=f"演练：{d.scenario}",
            url=d.get_absolute_url(),
            status=d.get_status_display(),
            tone="success" if d.status == DrillStatus.DONE else "secondary",
            on=d.held_on or d.planned_on,
            detail=d.get_kind_display(),
        )
        for d in drills.order_by("-planned_on", "-pk")[:4]
    ]
    rows += drill_rows
    events = [FileEvent(on=r.on, text=r.text, url=r.url) for r in drill_rows if r.on]
    events += [
        FileEvent(
            on=a.session.held_on,
            text=f"培训：{a.name}参加“{a.session.title}”",
            url=a.session.get_absolute_url(),
        )
        for a in attended.select_related("session").order_by("-session__held_on")[:SHOWN]
    ]
    roster = worker_figures(enterprise, user)
    if not people and not drill_rows and not plans.exists() and not events and not roster:
        return None
    lacking = sum(1 for r in people if r.tone == "danger")
    return FileSection(
        title="培训演练与持证上岗",
        icon="bi-mortarboard",
        figures=[
            ("关键岗位人员", len(people), "primary"),
            ("无证或已过期", lacking, "danger"),
            ("今年演练", drills.filter(status=DrillStatus.DONE, held_on__year=today.year).count(), "success"),
            ("应急预案", plans.count(), "secondary"),
            *roster,
        ],
        rows=rows,
        total=len(people) + drills.count(),
        more_url=reverse("training:certificate_list") + f"?enterprise={enterprise.pk}",
        empty="暂无培训、证书或演练记录",
        events=events,
    )


def register() -> None:
    register_section("training", section, order=50)
