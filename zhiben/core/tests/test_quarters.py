"""core.calendar quarters: "2025Q1" names the period of statistics and bulletins."""

from __future__ import annotations

import datetime as dt

import pytest

from zhiben.core.calendar import (
    parse_quarter,
    quarter_end,
    quarter_label,
    quarter_of,
    quarter_start,
    quarters_between,
    shift_quarter,
)


def test_it_names_the_quarter_of_a_day_and_its_first_and_last_days() -> None:
    assert quarter_of(dt.date(2025, 3, 31)) == "2025Q1"
    assert quarter_of(dt.date(2025, 10, 1)) == "2025Q4"
    assert quarter_start("2025Q2") == dt.date(2025, 4, 1)
    assert quarter_end("2024Q4") == dt.date(2024, 12, 31)
    assert quarter_label("2025Q3") == "2025年三季度"


def test_it_moves_across_years_and_lists_a_span() -> None:
    assert shift_quarter("2025Q1", -1) == "2024Q4"
    assert shift_quarter("2024Q4", 5) == "2026Q1"
    assert quarters_between("2024Q3", "2025Q2") == ["2024Q3", "2024Q4", "2025Q1", "2025Q2"]
    assert quarters_between("2025Q2", "2024Q1") == ["2025Q2"]


@pytest.mark.parametrize("text", ["2025Q5", "2025-Q1", "", "25Q1"])
def test_it_refuses_what_is_not_a_quarter(text: str) -> None:
    with pytest.raises(ValueError):
        parse_quarter(text)
