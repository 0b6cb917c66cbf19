"""A unit with a 重大 risk point weighs more in a weighted 双随机 draw (inspections.draw_pools weight bonuses)."""

from __future__ import annotations

from typing import Any

from zhiben.inspections import draw_pools

from .choices import Level
from .models import RiskPoint

MAJOR_RISK_WEIGHT = 2


def major_risk_bonus(units: Any) -> dict[int, int]:
    ids = (
        RiskPoint.objects.unrestricted("draw pools: the pool's units")
        .filter(level=Level.MAJOR, enterprise__in=units)
        .values_list("enterprise_id", flat=True)
        .distinct()
    )
    return dict.fromkeys(ids, MAJOR_RISK_WEIGHT)


def register() -> None:
    draw_pools.register_weight_bonus("risk.major", major_risk_bonus)
