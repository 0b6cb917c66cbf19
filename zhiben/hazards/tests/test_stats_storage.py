"""How a statistics snapshot stores the measures (stats.Measures.dump / load, Counts.vector): every number comes
back, through JSON, exactly as it was."""

from __future__ import annotations

import json
from collections import Counter

import pytest

from zhiben.hazards.stats import AGE_LABELS, Counts, Measures

STATES = [  # (status, is_stock, level, on_time, age, overdue_age, n)
    ("reported", False, "general", None, None, 1, 3),
    ("confirmed", True, "major", None, 0, None, 2),
    ("rectifying", False, "major", None, 4, 2, 5),
    ("closed", True, "general", True, None, None, 7),
    ("closed", False, "major", False, None, None, 1),
    ("rejected", False, "general", None, None, None, 4),
]


def _counts(states: list[tuple[object, ...]]) -> Counts:
    c = Counts()
    for status, is_stock, level, on_time, age, od, n in states:
        c.add(status=status, is_stock=is_stock, level=level, on_time=on_time, age=age, overdue_age=od, n=n)
    return c


def test_counts_come_back_from_their_vector_number_for_number() -> None:
    c = _counts(STATES)
    assert c.major_overdue == 5 and c.overdue_age[2] == 5 and c.closed_on_time == 7  # every kind of field set
    vector = json.loads(json.dumps(c.vector()))
    assert Counts.of_vector(vector) == c
    with pytest.raises(ValueError, match="numbers"):
        Counts.of_vector(vector[:-1])
    assert len(vector) == 13 + 2 * len(AGE_LABELS)


def test_measures_come_back_from_their_dump_and_empty_rows_can_be_dropped() -> None:
    m = Measures()
    m.totals = _counts(STATES)
    m.by["area"] = {"430671100": _counts(STATES[:3]), "430671101": _counts(STATES[3:])}
    m.by["industry"] = {12: _counts(STATES[1:2])}
    m.by["department"] = {None: _counts(STATES[5:]), 3: _counts(STATES[:5])}
    m.by["level"] = {"major": _counts(STATES[1:3])}
    m.heat = {("430671100", 12): _counts(STATES[2:3])}
    m.statuses = Counter({"closed": 8, "reported": 3})
    back = Measures.load(json.loads(json.dumps(m.dump())))
    assert back == Measures(totals=m.totals, by=m.by, heat=m.heat, statuses=m.statuses)
    # A change since the snapshot that takes the last hazards out of a row leaves it empty: it is dropped.
    back.by["industry"][12].merge(Counts.of_vector([-v for v in back.by["industry"][12].vector()]))
    back.drop_empty()
    assert 12 not in back.by["industry"] and back.by["area"] == m.by["area"]
