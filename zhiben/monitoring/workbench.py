"""The 监测预警 card on the 待办 workbench (core/workbench.py): alarms waiting for 确认 (超时 first) and alarms
being handled, for whoever may handle them (the enterprise, its department, the office); on-site check tasks
for the township and the department. Each figure links to the list filtered to exactly those records."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.db.models import Count, Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from zhiben.core import workbench as wb
from zhiben.core.formats import local_time
from zhiben.core.scoping import can

from .choices import AlarmStatus, TaskStatus
from .models import Alarm, CheckTask


def cards(user: Any, today: dt.date) -> list[wb.Card]:
    handles = can(user, "handle", Alarm)
    checks = can(user, "change", CheckTask)
    if not handles and not checks:
        return []
    now = timezone.now()
    alarms = Alarm.objects.restrict(user, "view")
    base = reverse("monitoring:alarm_list")
    items: list[wb.Item] = []
    due = 0
    if handles:
        c = alarms.aggregate(
            raised=Count("pk", filter=Q(status=AlarmStatus.RAISED)),
            overdue=Count("pk", filter=Q(status=AlarmStatus.RAISED, ack_due__lt=now)),
            working=Count("pk", filter=Q(status__in=[AlarmStatus.ACKNOWLEDGED, AlarmStatus.HANDLING])),
        )
        items += [
            wb.Item(_("确认超时"), c["overdue"], wb.link(base, tab="overdue"), wb.OVERDUE, key="overdue"),
            wb.Item(_("待确认"), c["raised"], wb.link(base, tab="raised"), wb.SOON, key="raised"),
            wb.Item(_("处置中待消警"), c["working"], wb.link(base, tab="working"), wb.WAITING, key="working"),
        ]
        due += c["raised"]
    tasks = CheckTask.objects.restrict(user, "view").filter(status=TaskStatus.OPEN)
    if checks:
        n = tasks.count()
        items.append(
            wb.Item(
                _("现场核查"),
                n,
                wb.link(reverse("monitoring:task_list"), status=TaskStatus.OPEN),
                wb.SOON,
                key="tasks",
            )
        )
        due += n

    def rows() -> list[wb.Row]:
        out: list[wb.Row] = []
        if handles:
            for a in (
                alarms.filter(status=AlarmStatus.RAISED)
                .select_related("device", "enterprise")
                .order_by("ack_due")[: wb.MAX_ROWS]
            ):
                late = a.ack_due < now
                out.append(
                    wb.Row(
                        title=f"{a.get_level_display()}{a.get_kind_display()}：{a.enterprise.name}",
                        subtitle=f"{a.number} · {a.device} · 确认时限 {local_time(a.ack_due)}",
                        url=a.get_absolute_url(),
                        badge=_("确认超时") if late else _("待确认"),
                        tone=wb.OVERDUE if late else wb.SOON,
                    )
                )
        if checks:
            for t in tasks.select_related("alarm", "enterprise").order_by("due_at")[: wb.MAX_ROWS]:
                out.append(
                    wb.Row(
                        title=_("现场核查：%(e)s") % {"e": t.enterprise.name},
                        subtitle=f"{t.alarm.number} · 核查时限 {local_time(t.due_at)}",
                        url=t.get_absolute_url(),
                        badge=_("待核查"),
                        tone=wb.OVERDUE if t.due_at < now else wb.SOON,
                    )
                )
        return out[: wb.MAX_ROWS]

    return [
        wb.Card(
            key="monitoring",
            label=_("监测报警"),
            icon="broadcast",
            items=items,
            due=due,
            more_url=base,
            more_label=_("报警处置"),
            build_rows=rows,
        )
    ]


def register() -> None:
    wb.register("monitoring", cards, order=45)
