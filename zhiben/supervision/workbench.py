"""The 督办交办 card on the 待办 workbench (core/workbench.py).

A unit (department staff, township officials) has its rows to 签收 and, once accepted, to 办理/反馈 (overdue
first); the issuer side (the office, a leader: `review`) has the results waiting for 审核 and watches the
overdue rows. Each figure links to the list's tab that lists exactly those items (views.TABS)."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.db.models import Count, Q
from django.urls import reverse
from django.utils.translation import gettext as _

from zhiben.core import workbench as wb
from zhiben.core.formats import local_time
from zhiben.core.scoping import can

from .choices import OPEN_ASSIGNEE_STATUSES, AssigneeStatus
from .models import Assignee


def cards(user: Any, today: dt.date) -> list[wb.Card]:
    if not can(user, "view", Assignee):
        return []
    qs = Assignee.objects.restrict(user, "view")
    base = reverse("supervision:item_list")
    handles = can(user, "handle", Assignee)
    reviews = can(user, "review", Assignee)
    overdue = Q(status__in=OPEN_ASSIGNEE_STATUSES, deadline__lt=today)
    issued = Q(status=AssigneeStatus.ISSUED)
    working = Q(status=AssigneeStatus.WORKING)
    reported = Q(status=AssigneeStatus.REPORTED)
    # Distinct items: each figure opens the list's tab, which lists items (an item with two rows waiting
    # for the office's review is one line there).
    counts = qs.aggregate(
        overdue=Count("item", distinct=True, filter=overdue),
        issued=Count("item", distinct=True, filter=issued),
        working=Count("item", distinct=True, filter=working),
        reported=Count("item", distinct=True, filter=reported),
        unit_due=Count("item", distinct=True, filter=issued | working),
    )
    items: list[wb.Item] = []
    due = 0
    if handles:
        items += [
            wb.Item(_("待签收"), counts["issued"], wb.link(base, tab="issued"), wb.SOON, key="issued"),
            wb.Item(
                _("办理中待反馈"), counts["working"], wb.link(base, tab="working"), wb.WAITING, key="working"
            ),
        ]
        due += counts["unit_due"]
    if reviews:
        items.append(
            wb.Item(_("待审核"), counts["reported"], wb.link(base, tab="reported"), wb.SOON, key="reported")
        )
        due += counts["reported"]
    if handles or reviews:
        items.append(
            wb.Item(
                _("逾期"),
                counts["overdue"],
                wb.link(base, tab="overdue"),
                wb.OVERDUE,
                "" if handles else _("关注"),
                key="overdue",
            )
        )

    def rows() -> list[wb.Row]:
        if handles:
            chosen = qs.filter(issued | working)
        elif reviews:
            chosen = qs.filter(reported | overdue)
        else:
            return []
        picked = chosen.select_related("item", "department", "township").order_by("deadline", "pk")
        return [_row(a, today) for a in picked[: wb.MAX_ROWS]]

    if not items:
        return []
    return [
        wb.Card(
            key="supervision",
            label=_("督办交办"),
            icon="flag",
            items=items,
            due=due,
            more_url=base,
            more_label=_("督办交办"),
            build_rows=rows,
        )
    ]


def _row(a: Assignee, today: dt.date) -> wb.Row:
    days = (a.deadline - today).days
    if a.is_overdue(today):
        badge, tone = _("逾期 %(d)s 天") % {"d": -days}, wb.OVERDUE
    elif a.status in (AssigneeStatus.ISSUED, AssigneeStatus.REPORTED):
        badge, tone = a.get_status_display(), wb.SOON
    else:
        badge, tone = _("剩 %(d)s 天") % {"d": days}, wb.SOON if days <= 7 else wb.WAITING
    return wb.Row(
        title=a.item.subject,
        subtitle=_("%(n)s · %(u)s · 办理时限 %(on)s")
        % {"n": a.item.number, "u": a.unit_name, "on": local_time(a.deadline)},
        url=a.item.get_absolute_url(),
        badge=badge,
        tone=tone,
    )


def register() -> None:
    wb.register("supervision", cards, order=55)
