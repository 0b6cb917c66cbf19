"""Reminders before a tip's deadlines and the overdue ladder (逾期督办), "like hazards" but simpler.

* 到期提醒: a tip whose running deadline (受理, 核查, 反馈 — `deadlines.RUNNING`) falls within the reminder lead
  (rule "remind", 3 日) is reminded once per deadline to whoever must act: the custodian for 受理/转办/反馈,
  the department and the township for 核查.
* 逾期督办: once overdue, one rung per run, each when its own threshold (days past the deadline) is met and not
  on the day of the previous rung: 逾期提醒 (rule "overdue_notice": the department and township, or the
  custodian) → 函告 (rule "overdue_letter": recorded on the tip as its `escalation` and reported to the office).
  An approved extension moves the deadline and starts a new cycle (the rows are keyed on the deadline).

Both are idempotent: each act leaves a history row (TipTransition, action remind/escalate) whose note begins with
a fixed key of (rung or stage, deadline); a second run finds it and sends nothing. The notices carry the tip's
code, category and working copy only. Runs are wrapped in `outbox.collect_digests`.
"""

from __future__ import annotations

import datetime as dt
import logging
from dataclasses import dataclass
from typing import Any

from django.db import transaction
from django.urls import NoReverseMatch, reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from zhiben.accounts.lookups import users_of_office, users_of_township, users_with_role
from zhiben.accounts.roles import Role
from zhiben.core import audit
from zhiben.core.outbox import DigestKind, collect_digests, notify_users

from . import deadlines
from .choices import OPEN_TIP_STATUSES, TipStatus
from .models import Tip, TipTransition

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class Rung:
    code: str  # the TipDeadlineRule stage holding its threshold; also the value of Tip.escalation
    label: str
    to_office: bool


# The ladder, lightest first; thresholds are TipDeadlineRule rows (data, 待核实).
LADDER = (
    Rung(deadlines.OVERDUE_NOTICE, "逾期提醒", False),
    Rung(deadlines.OVERDUE_LETTER, "函告", True),
)
ESCALATION_LABELS = {r.code: r.label for r in LADDER}


def _list_url(query: str) -> str:
    try:
        return reverse("tips:manage") + query
    except NoReverseMatch:
        return ""


def _digests() -> dict[str, DigestKind]:
    return {
        "tip_deadline": DigestKind(subject=_("举报办理即将到期：%(n)s 件"), url=_list_url("")),
        "tip_escalated": DigestKind(subject=_("举报办理逾期督办：%(n)s 件"), url=_list_url("?tab=overdue")),
    }


def _date(day: dt.date) -> str:
    return f"{day.year}年{day.month}月{day.day}日"


def _stage_label(tip: Tip) -> str:
    running = deadlines.RUNNING.get(tip.status)  # type: ignore[call-overload]
    return running[1] if running else ""


def _who_acts(tip: Tip) -> list[Any]:
    """Whoever must act on the running deadline: the department and township while it is checked, else the
    custodian."""
    if tip.status == TipStatus.VERIFYING:
        users: list[Any] = []
        if tip.department_id:
            users += users_with_role(Role.DEPARTMENT, department_id=tip.department_id)
        if tip.township_id:
            users += users_of_township(tip.township.code)  # type: ignore[union-attr]
        return users
    return users_with_role(Role.TIP_CUSTODIAN)


def _open_with_deadline() -> Any:
    return (
        Tip.objects.unrestricted("job: the whole district")
        .filter(status__in=OPEN_TIP_STATUSES)
        .select_related("department", "township")
        .order_by("pk")
    )


def _mark(tip: Tip, action: str, note: str, event: str, data: dict[str, Any]) -> None:
    """The job's act on a tip: a history row and an audit row, without a version bump (a reminder is no edit
    anyone could be racing against)."""
    TipTransition.objects.create(
        tip=tip, action=action, from_status=tip.status, to_status=tip.status, actor=None, note=note
    )
    audit.record(tip, event, actor=None, data=data)


# --- reminders ---------------------------------------------------------------------------------------------


def reminder_key(tip: Tip, deadline: dt.date) -> str:
    return _("%(s)s期限%(d)s即将到期") % {"s": _stage_label(tip), "d": _date(deadline)}


def send_tip_reminders(today: dt.date | None = None) -> dict[str, int]:
    """Remind the tips whose running deadline is within the lead (today included); returns counts."""
    today = today or timezone.localdate()
    counts = {"checked": 0, "reminded": 0, "failed": 0}
    deadlines.assign_accept_deadlines()
    lead = deadlines.rule(deadlines.REMIND).days
    with collect_digests(_digests()):
        for tip in _open_with_deadline():
            deadline = deadlines.current_deadline(tip)
            if deadline is None or not today <= deadline <= today + dt.timedelta(days=lead):
                continue
            counts["checked"] += 1
            try:
                if remind_tip(tip, deadline, today):
                    counts["reminded"] += 1
            except Exception:
                counts["failed"] += 1
                log.exception("reminder for tip %s failed", tip.pk)
    return counts


def remind_tip(tip: Tip, deadline: dt.date, today: dt.date) -> bool:
    key = reminder_key(tip, deadline)
    with transaction.atomic():
        if TipTransition.objects.filter(tip=tip, action="remind", note__startswith=key).exists():
            return False
        left = (deadline - today).days
        _mark(
            tip,
            "remind",
            key,
            "TIP_DEADLINE_REMINDED",
            {"stage_label": _stage_label(tip), "deadline": deadline.isoformat()},
        )
        notify_users(
            _who_acts(tip),
            subject=_("举报%(s)s即将到期：%(c)s") % {"s": _stage_label(tip), "c": tip.code},
            body=_("举报 %(c)s（%(k)s）的%(s)s期限为%(d)s（%(l)s），请抓紧办理。")
            % {
                "c": tip.code,
                "k": tip.get_category_display(),
                "s": _stage_label(tip),
                "d": _date(deadline),
                "l": _("今日到期") if left == 0 else _("还剩 %(n)s 日") % {"n": left},
            },
            url=tip.get_absolute_url(),
            topic="tip_deadline",
            obj=tip,
            line=_("%(c)s（%(k)s），%(s)s期限%(d)s")
            % {"c": tip.code, "k": tip.get_category_display(), "s": _stage_label(tip), "d": _date(deadline)},
        )
    return True


# --- the overdue ladder ------------------------------------------------------------------------------------


def escalation_key(rung: Rung, tip: Tip, deadline: dt.date) -> str:
    return _("%(r)s：%(s)s期限%(d)s已过") % {"r": rung.label, "s": _stage_label(tip), "d": _date(deadline)}


def apply_tip_escalations(today: dt.date | None = None) -> dict[str, int]:
    """Apply the next rung each overdue tip has reached (one per tip and run); returns counts."""
    today = today or timezone.localdate()
    counts = {"checked": 0, "escalated": 0, "failed": 0}
    thresholds = {r.code: deadlines.rule(r.code).days for r in LADDER}
    with collect_digests(_digests()):
        for tip in _open_with_deadline():
            deadline = deadlines.current_deadline(tip)
            if deadline is None or deadline >= today:
                continue
            counts["checked"] += 1
            try:
                if escalate_tip(tip, deadline, today, thresholds):
                    counts["escalated"] += 1
            except Exception:
                counts["failed"] += 1
                log.exception("escalation of tip %s failed", tip.pk)
    return counts


def escalate_tip(tip: Tip, deadline: dt.date, today: dt.date, thresholds: dict[str, int]) -> bool:
    overdue = (today - deadline).days
    with transaction.atomic():
        done = []
        for rung in LADDER:
            row = (
                TipTransition.objects.filter(
                    tip=tip, action="escalate", note__startswith=escalation_key(rung, tip, deadline)
                )
                .order_by("-at")
                .first()
            )
            if row is None:
                break
            done.append(row)
        if len(done) == len(LADDER):
            return False
        rung = LADDER[len(done)]
        if overdue < thresholds[rung.code]:
            return False
        if done and timezone.localdate(done[-1].at) >= today:
            return False  # one rung a day, never two at once
        stage = _stage_label(tip)
        note = escalation_key(rung, tip, deadline) + _("（逾期 %(n)s 日）") % {"n": overdue}
        _mark(
            tip,
            "escalate",
            note,
            "TIP_ESCALATED",
            {
                "kind": rung.code,
                "stage_label": stage,
                "deadline": deadline.isoformat(),
                "overdue_days": overdue,
            },
        )
        Tip.objects.unrestricted("job: the tip's 当前督办措施").filter(pk=tip.pk).update(escalation=rung.code)
        tip.escalation = rung.code
        subject = _("举报%(s)s逾期%(r)s：%(c)s") % {"s": stage, "r": rung.label, "c": tip.code}
        body = _("举报 %(c)s（%(k)s）的%(s)s期限%(d)s已过，逾期 %(n)s 日，请立即办理并说明原因。") % {
            "c": tip.code,
            "k": tip.get_category_display(),
            "s": stage,
            "d": _date(deadline),
            "n": overdue,
        }
        users = _who_acts(tip)
        if rung.to_office:
            users += users_of_office()
        notify_users(
            users,
            subject=subject,
            body=body,
            url=tip.get_absolute_url(),
            topic="tip_escalated",
            obj=tip,
            line=_("%(c)s（%(k)s）%(s)s逾期 %(n)s 日：%(r)s")
            % {"c": tip.code, "k": tip.get_category_display(), "s": stage, "n": overdue, "r": rung.label},
        )
    return True
