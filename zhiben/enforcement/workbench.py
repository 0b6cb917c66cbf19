"""The enforcement card on the 待办 workbench (core/workbench.py).

A department (`change` on cases, enforcement/steps.py) carries each of its open cases to the next step:
调查取证 → 告知 → 作出决定 (the 决定书 to sign) → 执行 → 结案; it and a township deal with the 打非治违 records
just found (责令停止). The office decides the 提请关闭 proposals (安全生产法 第一百一十三条). Each figure links to
the list filtered to exactly its records.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.db.models import Count, Q
from django.urls import reverse
from django.utils.translation import gettext as _

from zhiben.core import workbench as wb
from zhiben.core.scoping import can

from .choices import CaseStatus, OperationStatus, ProposalStatus
from .models import Case, ClosureProposal, IllegalOperation

# (status, what waits, tone): the step each open case waits for.
CASE_FIGURES = (
    (CaseStatus.FILED, "待调查取证", wb.WAITING),
    (CaseStatus.INVESTIGATING, "待告知", wb.WAITING),
    (CaseStatus.NOTIFIED, "待作出决定（决定书待签）", wb.SOON),
    (CaseStatus.DECIDED, "待执行", wb.WAITING),
    (CaseStatus.EXECUTING, "待结案", wb.WAITING),
)


def cards(user: Any, today: dt.date) -> list[wb.Card]:
    items: list[wb.Item] = []
    if can(user, "change", Case):
        counts = Case.objects.restrict(user, "view").aggregate(
            **{status.value: Count("pk", filter=Q(status=status)) for status, _l, _t in CASE_FIGURES}
        )
        base = reverse("enforcement:case_list")
        items += [
            wb.Item(
                _(label),
                counts[status.value] or 0,
                wb.link(base, status=status.value),
                tone,
                key=status.value,
            )
            for status, label, tone in CASE_FIGURES
        ]
    if can(user, "change", IllegalOperation):
        n = IllegalOperation.objects.restrict(user, "view").filter(status=OperationStatus.FOUND).count()
        url = wb.link(reverse("enforcement:operation_list"), status="found")
        items.append(wb.Item(_("打非治违待责令停止"), n, url, wb.SOON, key="operations"))
    if can(user, "decide", ClosureProposal):
        n = ClosureProposal.objects.restrict(user, "view").filter(status=ProposalStatus.OPEN).count()
        url = wb.link(reverse("enforcement:proposal_list"), status="open")
        items.append(wb.Item(_("提请关闭待处理"), n, url, wb.SOON, key="proposals"))
    if not items:
        return []
    return [
        wb.Card(
            key="enforcement",
            label=_("执法处罚"),
            icon="hammer",
            items=items,
            due=sum(i.count for i in items),  # one status per record: the figures never overlap
            more_url=reverse("enforcement:case_list") if can(user, "view", Case) else "",
            more_label=_("案件台账"),
        )
    ]


def register() -> None:
    wb.register("enforcement", cards, order=30)
