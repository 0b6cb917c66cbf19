"""Working-day arithmetic: 'N working days from D' is the N-th working day after D, D not counted."""

from __future__ import annotations

import datetime as dt

import pytest

from zhiben.core.calendar import CalendarUnavailable, add_workdays, is_workday, workdays_between
from zhiben.core.models import CalendarYear, WorkdayOverride

D = dt.date

pytestmark = pytest.mark.django_db

# (start, n, expected) from the State Council arrangements 2024–2026 (国办发明电), cross-checked with chinesecalendar.
ADD_CASES = [
    (D(2024, 3, 12), 0, D(2024, 3, 12)),
    (D(2024, 3, 12), 1, D(2024, 3, 13)),  # Tue → Wed
    (D(2024, 3, 15), 1, D(2024, 3, 18)),  # Fri → Mon
    (D(2024, 9, 27), 1, D(2024, 9, 29)),  # Sunday 9-29 is a 调休 working day
    (D(2024, 9, 30), 1, D(2024, 10, 8)),  # National Day 10-1…10-7
    (D(2024, 9, 30), 5, D(2024, 10, 12)),  # Saturday 10-12 is a 调休 working day
    (D(2025, 12, 31), 1, D(2026, 1, 4)),  # New Year 1-1…1-3, Sunday 1-4 works
    (
        D(2024, 2, 9),
        1,
        D(2024, 2, 18),
    ),  # Spring Festival 2-10…2-17 (2-9 除夕 still a working day), Sunday 2-18 works
    (D(2024, 3, 12), 20, D(2024, 4, 10)),  # Qingming 4-4…4-6, Sunday 4-7 works
]


@pytest.mark.parametrize(("start", "n", "expected"), ADD_CASES)
def test_it_counts_working_days(start, n, expected):
    assert add_workdays(start, n) == expected


@pytest.mark.parametrize(
    ("day", "expected"),
    [
        (D(2024, 10, 1), False),
        (D(2024, 10, 12), True),
        (D(2026, 2, 14), True),
        (D(2026, 5, 9), True),
        (D(2026, 3, 14), False),
        (D(2026, 3, 16), True),
    ],
)
def test_it_knows_holidays_and_adjusted_working_days(day, expected):
    assert is_workday(day) is expected


def test_it_counts_working_days_between_dates():
    assert workdays_between(D(2024, 9, 30), D(2024, 10, 8)) == 1
    assert workdays_between(D(2024, 10, 8), D(2024, 9, 30)) == -1
    assert workdays_between(D(2024, 3, 12), D(2024, 3, 12)) == 0


def test_it_refuses_a_year_nobody_entered():
    with pytest.raises(CalendarUnavailable) as exc:
        add_workdays(D(2026, 12, 30), 5)
    assert "2027" in exc.value.message


def test_it_uses_a_published_year_and_overrides():
    CalendarYear.objects.create(year=2027, source="测试：国办发明电〔2026〕假定")
    WorkdayOverride.objects.create(date=D(2027, 1, 1), is_workday=False, name="元旦")
    WorkdayOverride.objects.create(date=D(2027, 1, 2), is_workday=True, name="调休上班")
    assert add_workdays(D(2026, 12, 31), 1) == D(2027, 1, 2)  # Friday 1-1 off, Saturday 1-2 works
    assert add_workdays(D(2027, 1, 2), 1) == D(2027, 1, 4)


def test_it_lets_an_override_beat_the_package():
    WorkdayOverride.objects.create(date=D(2024, 3, 13), is_workday=False, name="防汛停工（测试）")
    assert add_workdays(D(2024, 3, 12), 1) == D(2024, 3, 14)


def test_it_rejects_negative_counts():
    with pytest.raises(ValueError):
        add_workdays(D(2024, 3, 12), -1)
