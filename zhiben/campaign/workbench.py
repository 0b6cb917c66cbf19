"""The campaign card on the 待办 workbench (core/workbench.py).

The lead unit of a task (its lead department, or the township of a township's task: `steps.leads`) reports on
it: its overdue and returned tasks wait for it, and its open tasks nearest their due date are listed under the
card. The office (`approve`) accepts or returns the reports waiting for review and watches the overdue tasks.
The figures link to the plan page's filters (`campaign.views.filter_tasks`: status, 我牵头的), which list
exactly the counted tasks.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.db.models import Count, Q
from django.urls import reverse
from django.utils.translation import gettext as _

from zhiben.accounts.roles import Role
from zhiben.core import workbench as wb
from zhiben.core.formats import local_time
from zhiben.core.scoping import can, grants_for

from .choices import OPEN_TASK_STATUSES, TaskStatus
from .deadlines import reminder_horizon
from .models import Task


def led_by(user: Any) -> Q | None:
    """The tasks the user's unit leads (the plan page's 我牵头的), or None when it leads none."""
    grants = grants_for(user)
    departments = [g.extra.get("department_id") for g in grants if g.extra.get("department_id")]
    prefixes = [g.region_prefix for g in grants if g.role == Role.TOWNSHIP and g.region_prefix]
    if not departments and not prefixes:
        return None
    mine = Q(lead_department_id__in=departments)
    for p in prefixes:
        mine |= Q(township__code__startswith=p)
    return mine


def cards(user: Any, today: dt.date) -> list[wb.Card]:
    if not can(user, "view", Task):
        return []
    qs = Task.objects.restrict(user, "view")
    base = reverse("campaign:plan")
    overdue = Q(status__in=OPEN_TASK_STATUSES, due_on__lt=today)
    review = Q(status__in=(TaskStatus.REVIEWING, TaskStatus.FINAL_REVIEW))
    mine = led_by(user) if can(user, "report", Task) else None
    aggregates: dict[str, Any] = {"overdue": Count("pk", filter=overdue)}
    if mine is not None:
        soon = Q(status__in=OPEN_TASK_STATUSES, due_on__gte=today, due_on__lte=reminder_horizon(today))
        aggregates |= {
            "mine_soon": Count("pk", filter=mine & soon),
            "mine_overdue": Count("pk", filter=mine & overdue),
            "mine_returned": Count("pk", filter=mine & Q(status=TaskStatus.RETURNED)),
            "mine_due": Count("pk", filter=mine & (overdue | Q(status=TaskStatus.RETURNED))),
        }
    approves = can(user, "approve", Task)
    if approves:
        aggregates["review"] = Count("pk", filter=review)
    counts = qs.aggregate(**aggregates)
    items: list[wb.Item] = []
    due = 0
    if mine is not None:
        items += [
            wb.Item(
                _("牵头任务逾期"),
                counts["mine_overdue"],
                wb.link(base, status="overdue", mine=1),
                wb.OVERDUE,
                key="mine_overdue",
            ),
            wb.Item(
                _("牵头任务临期"),
                counts["mine_soon"],
                wb.link(base, status="due", mine=1),
                wb.SOON,
                _("提醒期内到期"),
                key="mine_soon",
            ),
            wb.Item(
                _("牵头任务被退回"),
                counts["mine_returned"],
                wb.link(base, status="returned", mine=1),
                wb.SOON,
                key="mine_returned",
            ),
        ]
        due += counts["mine_due"]
    if approves:
        items.append(
            wb.Item(
                _("进展报告待审核"), counts["review"], wb.link(base, status="review"), wb.SOON, key="review"
            )
        )
        due += counts["review"]
    if mine is None:  # the office and leaders watch every overdue task of their scope
        items.append(
            wb.Item(
                _("逾期任务"),
                counts["overdue"],
                wb.link(base, status="overdue"),
                wb.OVERDUE,
                _("关注"),
                key="overdue",
            )
        )

    def rows() -> list[wb.Row]:
        if mine is not None:
            chosen = qs.filter(mine, status__in=OPEN_TASK_STATUSES)
        elif approves:
            chosen = qs.filter(review)
        else:
            return []
        picked = chosen.select_related("lead_department", "township", "measure").order_by("due_on", "pk")
        return [_row(t, today) for t in picked[: wb.MAX_ROWS]]

    return [
        wb.Card(
            key="campaign",
            label=_("治本攻坚任务"),
            icon="bullseye",
            items=items,
            due=due,
            more_url=wb.link(base, mine=1) if mine is not None else base,
            more_label=_("我牵头的任务") if mine is not None else _("三年行动"),
            build_rows=rows,
        )
    ]


def _row(t: Task, today: dt.date) -> wb.Row:
    late = t.is_overdue(today)
    days = (t.due_on - today).days
    if t.status == TaskStatus.RETURNED:
        badge, tone = _("已退回"), wb.SOON
    elif late:
        badge, tone = _("逾期 %(d)s 天") % {"d": -days}, wb.OVERDUE
    elif t.status in (TaskStatus.REVIEWING, TaskStatus.FINAL_REVIEW):
        badge, tone = t.get_status_display(), wb.WAITING
    else:
        badge, tone = _("剩 %(d)s 天") % {"d": days}, wb.SOON if days <= 30 else wb.WAITING
    return wb.Row(
        title=t.title,
        subtitle=_("措施%(n)s · %(lead)s · 完成时限 %(on)s")
        % {"n": t.measure.number, "lead": t.lead_name, "on": local_time(t.due_on)},
        url=t.get_absolute_url(),
        badge=badge,
        tone=tone,
    )


def register() -> None:
    wb.register("campaign", cards, order=50)
