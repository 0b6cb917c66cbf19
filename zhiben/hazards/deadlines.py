"""The loop's two deadlines, in working days from the editable `DeadlinePolicy` rows (待核实): the 判定 deadline
of a report waiting for its department, and the default 整改 deadline set at 判定.

A report's 判定 deadline is fixed when it is registered (`judge_deadline_for`); reports registered before the
rule existed, or while the calendar lacked the year, get theirs from the daily jobs (`assign_judge_deadlines`),
counted from the day they were registered.
"""

from __future__ import annotations

import datetime as dt
import logging

from django.db import transaction
from django.utils import timezone

from zhiben.core import calendar

from . import tally
from .choices import Level, Stage, Status
from .models import DeadlinePolicy, Hazard

log = logging.getLogger(__name__)

# When the office has deleted a policy row: the numbers shipped in data/rules.json.
FALLBACK_WORKDAYS = {
    (Stage.RECTIFY, Level.GENERAL): 10,
    (Stage.RECTIFY, Level.MAJOR): 60,
    (Stage.JUDGE, Level.GENERAL): 5,
    (Stage.JUDGE, Level.MAJOR): 5,
}


def policy_workdays(stage: str, level: str) -> int:
    # Deadline policies are district-wide reference data.
    policy = DeadlinePolicy.objects.unrestricted("reference data").filter(stage=stage, level=level).first()
    return policy.workdays if policy else FALLBACK_WORKDAYS[(Stage(stage), Level(level))]


def default_deadline(level: str, start: dt.date) -> dt.date:
    """The default 整改 deadline of a hazard confirmed on `start`."""
    return calendar.add_workdays(start, policy_workdays(Stage.RECTIFY, level))


def judge_deadline_for(level: str, registered_on: dt.date) -> dt.date | None:
    """The day a report registered on `registered_on` must be judged by; None while the calendar lacks the
    year (the daily job sets it once the office has entered the year)."""
    try:
        return calendar.add_workdays(registered_on, policy_workdays(Stage.JUDGE, level))
    except calendar.CalendarUnavailable:
        return None


def registered_on(hazard: Hazard) -> dt.date:
    """The day the report reached the department (registration)."""
    moment = hazard.reported_to_department_at or hazard.created_at
    return timezone.localdate(moment) if moment is not None else timezone.localdate()


def assign_judge_deadlines() -> int:
    """Give every report waiting for 判定 without a 判定 deadline its deadline (idempotent); returns how many."""
    done = 0
    pending = (
        Hazard.objects.unrestricted("job: the whole district")
        .filter(status=Status.REPORTED, judge_deadline__isnull=True)
        .values_list("pk", flat=True)
    )
    for pk in list(pending):
        with transaction.atomic():
            hazard = (
                Hazard.objects.unrestricted("job: re-read under lock")
                .select_for_update()
                .filter(pk=pk, status=Status.REPORTED, judge_deadline__isnull=True)
                .first()
            )
            if hazard is None:
                continue
            deadline = judge_deadline_for(hazard.level, registered_on(hazard))
            if deadline is None:
                continue
            before = tally.key_of(hazard)
            hazard.judge_deadline = deadline
            # No version bump: a computed date, not an edit anyone could be racing against.
            Hazard.objects.unrestricted("job").filter(pk=pk).update(judge_deadline=deadline)
            tally.apply(before, tally.key_of(hazard))
            done += 1
    if done:
        log.info("判定期限 set on %s waiting reports", done)
    return done
