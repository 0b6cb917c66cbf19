"""The one rung an escalation ladder may climb in a run (逾期督办: 督促函 → 通报 → 约谈 …).

Hazards (`hazards/escalation.py`), campaign tasks (`campaign/deadlines.py`) and supervision items
(`supervision/deadlines.py`) keep their rules as data and their applied rungs as rows keyed on the deadline
they were applied for; the choice of the next rung is the same for all of them and lives here: the lightest
rule not yet applied in this cycle, when its own threshold (days overdue) is met AND its interval has passed
since the previous rung. A record long overdue therefore climbs one rung per run, on distinct days, never
several at once; rungs missed while the job did not run follow one per run, each after its interval.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Sequence
from typing import Any, TypeVar

R = TypeVar("R")


def calendar_days(start: dt.date, end: dt.date) -> int:
    return (end - start).days


def next_rung(
    rules: Sequence[R],
    done: Sequence[Any],
    *,
    overdue: int,
    today: dt.date,
    threshold: Callable[[R], int],
    interval: Callable[[R], int],
    elapsed: Callable[[dt.date, dt.date], int] = calendar_days,
    hold: Callable[[Any], bool] | None = None,
) -> R | None:
    """`rules` lightest first; `done` the rungs applied in this cycle, oldest first (each with `rule_id` and
    `applied_on`). `hold(last)` keeps the ladder where it is (a 约谈 waiting for its notice)."""
    applied = {getattr(e, "rule_id", None) for e in done}
    rule = next((r for r in rules if getattr(r, "pk", None) not in applied), None)
    if rule is None or overdue < threshold(rule):
        return None
    if done:
        last = done[-1]
        if hold is not None and hold(last):
            return None
        if elapsed(last.applied_on, today) < interval(rule):
            return None
    return rule
