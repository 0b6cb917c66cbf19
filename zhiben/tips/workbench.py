"""The tips card on the 待办 workbench (core/workbench.py), from the counts of `filtersets.tip_todo`.

The custodian (`intake`) accepts, transfers and answers the reporter (待受理, 待转办, 待反馈); the department and
township a tip was transferred to (`verify`) check it (核查中); the office (`supervise`) watches those past their
deadline. Each figure is a tab of 举报办理 (`tips:manage?tab=…`), which lists exactly its records.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.urls import reverse
from django.utils.translation import gettext as _

from zhiben.core import workbench as wb
from zhiben.core.scoping import can

from .filtersets import tip_todo
from .models import Tip


def cards(user: Any, today: dt.date) -> list[wb.Card]:
    counts = tip_todo(user)
    if counts is None:
        return []
    base = reverse("tips:manage")

    def item(tab: str, label: str, tone: str, hint: str = "") -> wb.Item:
        return wb.Item(_(label), counts[tab] or 0, wb.link(base, tab=tab), tone, hint, key=tab)

    acts: list[wb.Item] = []
    if can(user, "intake", Tip):
        acts += [
            item("received", "待受理", wb.SOON),
            item("accepted", "待转办", wb.SOON),
            item("concluded", "待反馈", wb.WAITING),
        ]
    if can(user, "verify", Tip):
        acts.append(item("verifying", "核查中", wb.WAITING))
    late = item("overdue", "已超期", wb.OVERDUE, "" if acts else _("关注"))
    return [
        wb.Card(
            key="tips",
            label=_("举报核查"),
            icon="megaphone",
            items=[late, *acts],
            due=sum(i.count for i in acts),  # one status per tip; 已超期 is a part of them
            more_url=base,
            more_label=_("举报办理"),
        )
    ]


def register() -> None:
    wb.register("tips", cards, order=40)
