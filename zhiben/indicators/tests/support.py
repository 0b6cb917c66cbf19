"""Records written by hand for the indicator tests: each story states exactly the rows behind a number."""

from __future__ import annotations

import datetime as dt
import itertools
from typing import Any

from zhiben.hazards.choices import Level, Source, Status
from zhiben.hazards.models import Hazard
from zhiben.standards.models import Clause

_codes = itertools.count(1)


def hazard(
    world: Any,
    slot: str,
    *,
    status: str = Status.RECTIFYING,
    level: str = Level.GENERAL,
    discovered_on: dt.date = dt.date(2026, 4, 10),
    deadline: dt.date | None = dt.date(2026, 12, 31),
    closed_on_time: bool | None = None,
    department: str = "emergency",
) -> Hazard:
    """A hazard of `slot`'s unit as the services would leave it (stock when discovered before 2024)."""
    enterprise = world.enterprises[slot]
    clause = Clause.objects.order_by("pk").first() if level == Level.MAJOR else None
    return Hazard.objects.create(
        code=f"YH-T-{next(_codes):05d}",
        enterprise=enterprise,
        region=enterprise.region,
        industry=enterprise.primary_industry,
        department=world.departments[department],
        level=level,
        clause=clause,
        source=Source.SELF_CHECK,
        title="手工登记的隐患",
        discovered_on=discovered_on,
        is_stock=discovered_on <= dt.date(2023, 12, 31),
        status=status,
        deadline=deadline,
        closed_on=deadline if status == Status.CLOSED else None,
        closed_on_time=closed_on_time if status == Status.CLOSED else None,
    )
