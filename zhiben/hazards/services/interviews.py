"""约谈通知: the office sets the date, time and place of a 约谈 the ladder found due, and issues the notice.

The escalation job only finds a 约谈 due (an `Escalation` row without a document) and tells the office; the
notice is issued here, with a real date, time and place, never "另行通知". Until it is issued the ladder
waits (escalation.next_due_rule).
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from zhiben.core import audit
from zhiben.core.calendar import add_workdays, workdays_between
from zhiben.core.documents import chinese_date, issue_document
from zhiben.core.errors import NotPermitted
from zhiben.core.scoping import can

from ..choices import EscalationKind
from ..escalation import REPLY_WORKDAYS, Recipients, _notify, _previous_steps, hazard_context
from ..events import HAZARD_INTERVIEW_SCHEDULED
from ..models import Escalation, Hazard

WEEKDAYS = "一二三四五六日"


def interview_time_text(at: dt.datetime) -> str:
    """2025年4月15日（星期二）上午9:30, in Beijing time."""
    local = timezone.localtime(at)
    noon = _("上午") if local.hour < 12 else _("下午")
    hour = local.hour if local.hour <= 12 else local.hour - 12
    return f"{chinese_date(local.date())}（星期{WEEKDAYS[local.weekday()]}）{noon}{hour}:{local.minute:02d}"


@transaction.atomic
def schedule_interview(
    escalation: Escalation, *, actor: Any, interview_at: dt.datetime | None, place: str
) -> Escalation:
    """发出约谈通知: the committee office sets the 约谈's date, time and place and issues its notice."""
    if actor is not None and not can(actor, "supervise", Hazard):
        raise NotPermitted(_("只有区安委办可以发出约谈通知。"))
    step = (
        Escalation.objects.unrestricted("re-read under lock; the office acts district-wide")
        .select_for_update(of=("self",))
        .select_related("rule", "hazard__enterprise", "hazard__department", "hazard__region__parent")
        .get(pk=escalation.pk)
    )
    if step.kind != EscalationKind.INTERVIEW:
        raise ValidationError(_("该督办措施不是约谈，无需确定约谈时间。"))
    if step.document_id is not None:
        raise ValidationError(_("约谈通知已经发出，不能重复发出。"))
    errors: dict[str, str] = {}
    place = (place or "").strip()
    if interview_at is None:
        errors["interview_at"] = _("请确定约谈的日期和时间：未确定约谈时间，不能发出约谈通知。")
    elif interview_at <= timezone.now():
        errors["interview_at"] = _("约谈时间应晚于现在。")
    if not place:
        errors["interview_place"] = _("请填写约谈地点。")
    if errors:
        raise ValidationError(errors)
    assert interview_at is not None
    hazard = step.hazard
    today = timezone.localdate()
    if not hazard.is_overdue(today) or hazard.deadline != step.deadline:
        raise ValidationError(_("该隐患已销号或整改期限已调整，不再需要约谈。"))
    previous = sorted(
        hazard.escalations.filter(deadline=step.deadline).exclude(pk=step.pk).select_related("document"),
        key=lambda e: e.applied_on,
    )
    when = interview_time_text(interview_at)
    context = {
        **hazard_context(hazard),
        "kind": step.get_kind_display(),
        "overdue_workdays": workdays_between(step.deadline, today),
        "reply_deadline": chinese_date(add_workdays(today, REPLY_WORKDAYS)),
        "previous_steps": _previous_steps(previous),
        "interview_time": when,
        "interview_place": place,
    }
    step.document = issue_document(
        step.rule.template_code, context=context, actor=actor, obj=hazard, year=today.year, on=today
    )
    step.interview_at = interview_at
    step.interview_place = place
    step.applied_on = today  # the 约谈 takes effect with its notice; the next rung waits from here
    step.save(update_fields=["document", "interview_at", "interview_place", "applied_on"])
    audit.record(
        hazard,
        HAZARD_INTERVIEW_SCHEDULED,
        actor=actor,
        data={
            "escalation": step.pk,
            "interview_at": interview_at.isoformat(),
            "interview_place": place,
            "document": step.document.number,
        },
    )
    _notify(hazard, step, Recipients())
    return step
