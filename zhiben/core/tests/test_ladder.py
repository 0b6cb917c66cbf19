"""core.ladder.next_rung: one rung per run, each after its threshold and its interval."""

import datetime as dt
from dataclasses import dataclass

from zhiben.core.ladder import next_rung


@dataclass
class Rule:
    pk: int
    days: int
    interval_days: int


@dataclass
class Rung:
    rule_id: int
    applied_on: dt.date


RULES = [Rule(1, 1, 0), Rule(2, 5, 3), Rule(3, 10, 5)]
DAY = dt.date(2026, 5, 20)


def pick(done: list[Rung], overdue: int, today: dt.date = DAY) -> Rule | None:
    return next_rung(
        RULES,
        done,
        overdue=overdue,
        today=today,
        threshold=lambda r: r.days,
        interval=lambda r: r.interval_days,
    )


def test_lightest_rung_first_once_its_threshold_is_met() -> None:
    assert pick([], overdue=0) is None
    assert pick([], overdue=30) == RULES[0]  # long overdue: still the first rung only


def test_next_rung_waits_for_its_interval_and_threshold() -> None:
    done = [Rung(1, DAY - dt.timedelta(days=2))]
    assert pick(done, overdue=30) is None  # 2 days since the last rung, interval 3
    assert pick(done, overdue=30, today=DAY + dt.timedelta(days=1)) == RULES[1]
    assert pick(done, overdue=4, today=DAY + dt.timedelta(days=1)) is None  # threshold 5 not met


def test_top_of_the_ladder_and_hold() -> None:
    old = DAY - dt.timedelta(days=30)
    assert pick([Rung(1, old), Rung(2, old), Rung(3, old)], overdue=60) is None
    held = next_rung(
        RULES,
        [Rung(1, old)],
        overdue=60,
        today=DAY,
        threshold=lambda r: r.days,
        interval=lambda r: r.interval_days,
        hold=lambda last: True,
    )
    assert held is None
