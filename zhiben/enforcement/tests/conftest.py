"""Fixtures of the enforcement tests: clocks inside the packaged holiday data and the shipped benchmark."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
import time_machine

from zhiben.enforcement.models import DiscretionRule
from zhiben.enforcement.reference import load_discretion_rules


@pytest.fixture
def clock() -> Any:
    """A movable clock at a Monday in 2025 (working-day data exists for 2025–2026)."""
    with time_machine.travel(
        dt.datetime(2025, 3, 3, 9, 0, tzinfo=dt.timezone(dt.timedelta(hours=8))), tick=False
    ) as t:
        yield t


@pytest.fixture
def late_clock() -> Any:
    """Late 2026, so that a year and a half of decisions can be back-dated before "today"."""
    with time_machine.travel(
        dt.datetime(2026, 6, 30, 9, 0, tzinfo=dt.timezone(dt.timedelta(hours=8))), tick=False
    ) as t:
        yield t


@pytest.fixture
def rules(world: Any) -> dict[str, DiscretionRule]:
    """The shipped 行政裁量基准 and the enforcement document templates."""
    load_discretion_rules()
    return {r.code: r for r in DiscretionRule.objects.all()}
