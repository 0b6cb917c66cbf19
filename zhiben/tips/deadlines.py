"""The deadlines of a tip's handling as data (`TipDeadlineRule`, shipped by migration 0002, 待核实 until the office
confirms them): 受理, 核查 (60 日 from acceptance), one 延期 (≤ 30 日), 反馈 (10 日 after 办结), the reminder lead
and the rungs of the overdue ladder, plus the window of duplicate detection.

Calendar days unless a rule says working days (research/domain.md §6: the 2012 rules count 日). A deleted rule
falls back to the shipped numbers below.
"""

from __future__ import annotations

import datetime as dt
import logging
from dataclasses import dataclass

from django.db import transaction
from django.utils import timezone

from zhiben.core import calendar

from .choices import TipStatus
from .models import Tip, TipDeadlineRule

log = logging.getLogger(__name__)

ACCEPT = "accept"  # 受理: from the day a tip is received
VERIFY = "verify"  # 核查: from the day it is accepted
EXTEND = "extend"  # 延期: the most one extension may add
FEEDBACK = "feedback"  # 反馈: from the day the check is concluded
REMIND = "remind"  # 到期提醒: this many days before a deadline
OVERDUE_NOTICE = "overdue_notice"  # ladder rung 1 (逾期提醒): days past the deadline
OVERDUE_LETTER = "overdue_letter"  # ladder rung 2 (函告): days past the deadline
DUPLICATE_WINDOW = "duplicate_window"  # 疑似重复: same unit and category within this many days
REWARD_DECISION = "reward_decision"  # 奖励决定: working days from the case's closing
REWARD_CLAIM = "reward_claim"  # 领奖: from the day the reporter is told

# (days, working days) when the office has deleted a rule: the numbers of migration 0002.
FALLBACK: dict[str, tuple[int, bool]] = {
    ACCEPT: (5, True),
    VERIFY: (60, False),
    EXTEND: (30, False),
    FEEDBACK: (10, False),
    REMIND: (3, False),
    OVERDUE_NOTICE: (1, False),
    OVERDUE_LETTER: (5, False),
    DUPLICATE_WINDOW: (30, False),
    REWARD_DECISION: (15, True),
    REWARD_CLAIM: (60, False),
}


@dataclass(frozen=True)
class Rule:
    stage: str
    days: int
    working_days: bool
    verified: bool
    source: str = ""


def rule(stage: str) -> Rule:
    """The rule of `stage` (reference data, district-wide)."""
    row = TipDeadlineRule.objects.unrestricted("reference data").filter(stage=stage).first()
    if row is not None:
        return Rule(stage, row.days, row.working_days, row.verified, row.source)
    days, working = FALLBACK[stage]
    return Rule(stage, days, working, False)


def add(start: dt.date, days: int, working_days: bool) -> dt.date:
    return calendar.add_workdays(start, days) if working_days else start + dt.timedelta(days=days)


def deadline_for(stage: str, start: dt.date) -> dt.date:
    """The deadline of `stage` counted from `start` (may raise calendar.CalendarUnavailable for working days)."""
    r = rule(stage)
    return add(start, r.days, r.working_days)


def accept_deadline_for(received_on: dt.date) -> dt.date | None:
    """受理期限 of a tip received on `received_on`; None while the working-day calendar lacks the year (the daily
    job sets it later)."""
    try:
        return deadline_for(ACCEPT, received_on)
    except calendar.CalendarUnavailable:
        return None


def verify_deadline_for(accepted_on: dt.date) -> dt.date:
    """核查期限: 60 日 from acceptance (rule "verify")."""
    return deadline_for(VERIFY, accepted_on)


def feedback_deadline_for(concluded_on: dt.date) -> dt.date:
    """反馈期限: 10 日 after 办结 (rule "feedback")."""
    return deadline_for(FEEDBACK, concluded_on)


def max_extension_days() -> int:
    return rule(EXTEND).days


def duplicate_window_days() -> int:
    return rule(DUPLICATE_WINDOW).days


def received_on(tip: Tip) -> dt.date:
    return timezone.localdate(tip.received_at)


# --- the deadline a tip is waiting on ---------------------------------------------------------------------------

# Which deadline each open status runs against, and its name on screen.
RUNNING = {
    TipStatus.RECEIVED: ("accept_deadline", "受理"),
    TipStatus.ACCEPTED: ("verify_deadline", "核查"),  # the 60 days run from acceptance, transfer included
    TipStatus.VERIFYING: ("verify_deadline", "核查"),
    TipStatus.CONCLUDED: ("feedback_deadline", "反馈"),
}


def current_deadline(tip: Tip) -> dt.date | None:
    """The deadline the tip's present status runs against, or None (closed, or not yet set)."""
    running = RUNNING.get(tip.status)  # type: ignore[call-overload]
    return getattr(tip, running[0]) if running else None


def is_overdue(tip: Tip, today: dt.date | None = None) -> bool:
    deadline = current_deadline(tip)
    return deadline is not None and deadline < (today or timezone.localdate())


def days_overdue(tip: Tip, today: dt.date | None = None) -> int:
    deadline = current_deadline(tip)
    if deadline is None:
        return 0
    return max(0, ((today or timezone.localdate()) - deadline).days)


def assign_accept_deadlines() -> int:
    """Give each tip waiting for 受理 without a 受理期限 its deadline (idempotent); returns how many."""
    done = 0
    pending = (
        Tip.objects.unrestricted("job: the whole district")
        .filter(status=TipStatus.RECEIVED, accept_deadline__isnull=True)
        .values_list("pk", "received_at")
    )
    for pk, received_at in list(pending):
        deadline = accept_deadline_for(timezone.localdate(received_at))
        if deadline is None:
            continue
        with transaction.atomic():
            # A computed date, not an edit anyone could be racing against: no version bump.
            done += (
                Tip.objects.unrestricted("job")
                .filter(pk=pk, accept_deadline__isnull=True)
                .update(accept_deadline=deadline)
            )
    if done:
        log.info("受理期限 set on %s tips", done)
    return done
