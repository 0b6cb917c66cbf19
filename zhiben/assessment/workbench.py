"""The assessment's card on the 待办 workbench (core/workbench.py): the office's 申诉 awaiting a decision and
computed results waiting to be published; a unit's 约谈 commitments open and due within 30 days (or overdue).
Each figure links to the list that shows exactly those records."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.db.models import Count
from django.urls import reverse
from django.utils.translation import gettext as _

from zhiben.core import workbench as wb
from zhiben.core.formats import local_time
from zhiben.core.scoping import can

from .choices import AppealStatus, AssessmentStatus, CommitmentStatus, InterviewStatus
from .models import Appeal, Assessment, Commitment, Interview

SOON_DAYS = 30


def due_commitments(qs: Any, today: dt.date) -> Any:
    """Open commitments of a held 约谈 due within SOON_DAYS days or overdue."""
    return qs.filter(
        status=CommitmentStatus.OPEN,
        interview__status__in=[InterviewStatus.HELD, InterviewStatus.FOLLOWING],
        due_on__lte=today + dt.timedelta(days=SOON_DAYS),
    )


def cards(user: Any, today: dt.date) -> list[wb.Card]:
    items: list[wb.Item] = []
    due = 0
    rows: list[wb.Row] = []
    if can(user, "decide", Appeal):
        n = Appeal.objects.restrict(user, "view").filter(status=AppealStatus.SUBMITTED).count()
        items.append(
            wb.Item(
                _("申诉待决定"),
                n,
                wb.link(reverse("assessment:appeal_list"), status="submitted"),
                wb.SOON,
                key="appeals",
            )
        )
        due += n
    if can(user, "publish", Assessment):
        drafts = list(
            Assessment.objects.restrict(user, "view")
            .filter(status=AssessmentStatus.DRAFT)
            .order_by("year", "quarter", "kind")
        )
        if drafts:
            first = drafts[0]
            items.append(
                wb.Item(_("考核结果待发布"), len(drafts), first.get_absolute_url(), wb.SOON, key="drafts")
            )
            due += len(drafts)
    if can(user, "add", Appeal) and can(
        user, "view", Commitment
    ):  # the assessed units (townships, departments)
        qs = due_commitments(Commitment.objects.restrict(user, "view"), today)
        counts = (
            Interview.objects.restrict(user, "view")
            .filter(commitments__in=qs)
            .aggregate(all=Count("pk", distinct=True))
        )
        late = qs.filter(due_on__lt=today).exists() if counts["all"] else False
        if counts["all"]:
            items.append(
                wb.Item(
                    _("约谈承诺将到期或逾期"),
                    counts["all"],
                    wb.link(reverse("assessment:interview_list"), due=1),
                    wb.OVERDUE if late else wb.SOON,
                    key="commitments",
                )
            )
            due += counts["all"]
            for c in qs.select_related("interview").order_by("due_on", "pk")[: wb.MAX_ROWS]:
                late = c.due_on < today
                rows.append(
                    wb.Row(
                        title=c.text,
                        subtitle=_("%(i)s · 完成时限 %(d)s") % {"i": c.interview, "d": local_time(c.due_on)},
                        url=c.interview.get_absolute_url(),
                        badge=_("逾期") if late else _("将到期"),
                        tone=wb.OVERDUE if late else wb.SOON,
                    )
                )
    if not items:
        return []
    return [
        wb.Card(
            key="assessment",
            label=_("季度考核"),
            icon="award",
            items=items,
            due=due,
            more_url=reverse("assessment:ranking"),
            more_label=_("季度考核排名"),
            build_rows=lambda: rows,
        )
    ]


def register() -> None:
    wb.register("assessment", cards, order=60)
