"""督促函: the numbered 公文 (GB/T 9704) of an assignee row, issued by hand from the item page or by the
escalation ladder (deadlines.py), through core.documents.issue_document. A letter is filed on the assignee
row, so only whoever may read that row (its unit, the office, the leaders) may download it."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from zhiben.core import audit
from zhiben.core.documents import chinese_date, issue_document, register_document_access
from zhiben.core.models.documents import OfficialDocument

from . import events
from .choices import AssigneeStatus
from .models import Assignee

LETTER = "supervision_letter"
REPLY_DAYS = 5  # calendar days the unit has to report in writing after a letter (待核实)


def _can_view_assignee(user: Any, object_id: str) -> bool:
    return object_id.isdigit() and Assignee.objects.restrict(user, "view").filter(pk=int(object_id)).exists()


register_document_access("supervision.assignee", _can_view_assignee)


def _progress(assignee: Assignee) -> str:
    if assignee.status == AssigneeStatus.ISSUED:
        return _("尚未签收")
    if assignee.status == AssigneeStatus.REPORTED:
        return _("已反馈办理结果，正在审核")
    return _("尚未反馈办理结果")


def letter_context(assignee: Assignee, *, on: dt.date, note: str = "") -> dict[str, Any]:
    item = assignee.item
    overdue = max((on - assignee.deadline).days, 0)
    return {
        "unit": assignee.unit_name,
        "item": {
            "number": item.number,
            "subject": item.subject,
            "requirement": item.requirement,
            "issued_on": chinese_date(item.issued_on),
            "deadline": chinese_date(assignee.deadline),
        },
        "overdue_days": overdue,
        "progress": _progress(assignee),
        "reply_deadline": chinese_date(on + dt.timedelta(days=REPLY_DAYS)),
        "note": note.strip(),
    }


@transaction.atomic
def issue_letter(
    assignee: Assignee, *, actor: Any, note: str = "", on: dt.date | None = None
) -> OfficialDocument:
    """督促函 to one unit about its part of an item (the caller checks who may issue it)."""
    on = on or timezone.localdate()
    document = issue_document(
        LETTER,
        context=letter_context(assignee, on=on, note=note),
        actor=actor,
        obj=assignee,
        on=on,
        required={"unit": _("承办单位")},
        defer_files=True,  # the Word/PDF are written by a job after commit (or on first download)
    )
    audit.record(
        assignee,
        events.LETTER_ISSUED,
        actor=actor,
        data={"number": document.number, "item": assignee.item.number, "unit": assignee.unit_name},
    )
    return document


def letters_of(assignee_ids: list[int]) -> dict[int, list[OfficialDocument]]:
    """The letters of some assignee rows, by row (the caller has already scoped the rows)."""
    found: dict[int, list[OfficialDocument]] = {}
    rows = OfficialDocument.objects.filter(
        object_type="supervision.assignee", object_id__in=[str(i) for i in assignee_ids]
    ).order_by("issued_at", "pk")
    for doc in rows:
        found.setdefault(int(doc.object_id), []).append(doc)
    return found
