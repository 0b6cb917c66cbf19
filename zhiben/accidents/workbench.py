"""The accident card on the 待办 workbench (core/workbench.py): accidents still inside their 补报 window for
whoever may 续报 them (watched: a change of casualties must be reported), and investigations past their report
deadline for the office (its own act). Each figure links to the register filtered to exactly those records."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from zhiben.core import workbench as wb
from zhiben.core.scoping import can

from .models import Accident, Rectification


def cards(user: Any, today: dt.date) -> list[wb.Card]:
    if not can(user, "view", Accident):
        return []
    items: list[wb.Item] = []
    due = 0
    base = reverse("accidents:accident_list")
    scoped = Accident.objects.restrict(user, "view")
    if can(user, "report", Accident):
        n = scoped.awaiting_supplement(timezone.now()).count()
        items.append(
            wb.Item(_("补报期内待续报"), n, wb.link(base, supplement="open"), wb.WAITING, key="supplement")
        )
    if can(user, "investigate", Accident):
        n = scoped.investigation_overdue(today).count()
        items.append(wb.Item(_("调查超期"), n, wb.link(base, overdue="true"), wb.OVERDUE, key="overdue"))
        due += n
    if can(user, "follow", Accident):
        n = (
            Rectification.objects.restrict(user, "view")
            .filter(status="open", due_on__lt=today)
            .values("accident_id")
            .distinct()
            .count()
        )
        items.append(
            wb.Item(
                _("事故整改措施逾期"),
                n,
                wb.link(base, rectification="overdue"),
                wb.OVERDUE,
                key="rectification",
            )
        )
        due += n
    if not items:
        return []
    return [
        wb.Card(
            key="accidents",
            label=_("生产安全事故"),
            icon="exclamation-octagon",
            items=items,
            due=due,
            more_url=base,
            more_label=_("事故登记"),
        )
    ]


def register() -> None:
    wb.register("accidents", cards, order=60)
