"""The hazards' card on the 待办 workbench (core/workbench.py): one aggregate over the user's hazards.

Who acts (accounts/roles.py, hazards/steps.py): the supervising department judges (判定交办) and closes (销号);
the unit submits its plan, rectifies and accepts; the office supervises the overdue ones; a township watches
its territory and is told of what is late. Every figure links to the 隐患台账 with the filters that list
exactly the records it counted (hazards/filtersets.py).
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.db.models import Count, Q
from django.db.models.functions import Coalesce
from django.urls import reverse
from django.utils.translation import gettext as _

from zhiben.accounts.roles import Role
from zhiben.core import workbench as wb
from zhiben.core.formats import local_time
from zhiben.core.scoping import can

from .choices import OPEN_STATUSES, Level, Status
from .models import Hazard


def _figures(today: dt.date) -> dict[str, tuple[Q, dict[str, Any]]]:
    """Each figure: its filter over the hazards, and the 隐患台账 query that lists the same records."""
    waiting = Q(status=Status.REPORTED)
    late_judge = waiting & Q(judge_deadline__lt=today)
    overdue = Q(status__in=OPEN_STATUSES, deadline__lt=today)
    not_overdue = ~Q(status__in=OPEN_STATUSES, deadline__lt=today)
    return {
        "judge_overdue": (late_judge, {"judge_overdue": "true"}),
        "waiting": (waiting & ~Q(judge_deadline__lt=today), {"status": "reported", "judge_overdue": "false"}),
        "overdue": (overdue, {"overdue": "true"}),
        "to_close": (
            Q(status=Status.SELF_ACCEPTED) & not_overdue,
            {"status": "accepted", "overdue": "false"},
        ),
        "to_close_general": (
            Q(status=Status.SELF_ACCEPTED, level=Level.GENERAL) & not_overdue,
            {"status": "accepted", "level": "general", "overdue": "false"},
        ),
        "to_plan": (Q(status=Status.CONFIRMED) & not_overdue, {"status": "confirmed", "overdue": "false"}),
        "rectifying": (
            Q(status=Status.RECTIFYING) & not_overdue,
            {"status": "rectifying", "overdue": "false"},
        ),
        "to_accept": (
            Q(status=Status.ACCEPTANCE_REQUESTED) & not_overdue,
            {"status": "acceptance", "overdue": "false"},
        ),
    }


LABELS = {
    "judge_overdue": ("判定超期", wb.OVERDUE),
    "waiting": ("待判定", wb.WAITING),
    "overdue": ("逾期未整改", wb.OVERDUE),
    "to_close": ("待销号", wb.SOON),
    "to_close_general": ("一般隐患待销号", wb.SOON),
    "to_plan": ("待提交整改方案", wb.SOON),
    "rectifying": ("整改中", wb.WAITING),
    "to_accept": ("待企业验收", wb.SOON),
}


def plan_for(user: Any) -> tuple[list[str], list[str]]:
    """(figures the user acts on, figures the user watches) by role."""
    roles = wb.roles_of(user)
    if Role.ENTERPRISE in roles:
        return ["overdue", "to_plan", "rectifying", "to_accept", "to_close_general"], []
    if can(user, "review", Hazard):  # the supervising department
        return ["judge_overdue", "waiting", "overdue", "to_close"], []
    if can(user, "supervise", Hazard):  # the office: 督办 of what is late
        return ["judge_overdue", "overdue"], []
    if Role.TOWNSHIP in roles:  # 属地: told of what is late, watches what waits for the department
        return ["judge_overdue", "overdue"], ["waiting"]
    return [], ["judge_overdue", "overdue"]  # leaders read


def cards(user: Any, today: dt.date) -> list[wb.Card]:
    if not can(user, "view", Hazard):
        return []
    acts, watches = plan_for(user)
    figures = _figures(today)
    qs = Hazard.objects.restrict(user, "view")
    due_q = wb.any_of(figures[key][0] for key in acts)
    aggregates = {key: Count("pk", filter=figures[key][0]) for key in acts + watches}
    if due_q is not None:
        aggregates["_due"] = Count("pk", filter=due_q)
    counts = qs.aggregate(**aggregates) if aggregates else {}
    base = reverse("hazards:hazard_list")
    items = [
        wb.Item(
            _(LABELS[key][0]),
            counts.get(key) or 0,
            wb.link(base, **figures[key][1]),
            LABELS[key][1],
            hint=_("关注") if key in watches else "",
            key=key,
        )
        for key in acts + watches
    ]

    def rows() -> list[wb.Row]:
        if due_q is None:
            return []
        urgent = (
            qs.filter(due_q)
            .select_related("enterprise")
            .annotate(until=Coalesce("deadline", "judge_deadline"))
            .order_by("until", "pk")
            .only("code", "title", "status", "level", "deadline", "judge_deadline", "enterprise__name")
        )
        return [_row(h, today) for h in urgent[: wb.MAX_ROWS]]

    return [
        wb.Card(
            key="hazards",
            label=_("隐患排查治理"),
            icon="exclamation-triangle",
            items=items,
            due=counts.get("_due") or 0,
            more_url=base,
            more_label=_("隐患台账"),
            build_rows=rows,
        )
    ]


def _row(h: Hazard, today: dt.date) -> wb.Row:
    until = h.deadline if h.status in OPEN_STATUSES else h.judge_deadline
    late = until is not None and until < today
    what = _("整改期限") if h.status in OPEN_STATUSES else _("判定期限")
    subtitle = h.enterprise.name + (f" · {what} {local_time(until)}" if until else "")
    return wb.Row(
        title=f"{'【重大】' if h.level == Level.MAJOR else ''}{h.title}",
        subtitle=subtitle,
        url=h.get_absolute_url(),
        badge=_("已逾期") if late else h.get_status_display(),
        tone=wb.OVERDUE if late else wb.WAITING,
    )


def register() -> None:
    wb.register("hazards", cards, order=10)
