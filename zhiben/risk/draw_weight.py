"""A unit with a 重大 risk point is supervised more often: it weighs more in a weighted 双随机 draw
(inspections.draw_pools weight bonuses) and counts as 高危 for its yearly inspection cap (inspections caps)."""

from __future__ import annotations

from typing import Any

from zhiben.inspections import draw_pools
from zhiben.inspections.services import caps

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


def with_major_risk(unit_ids: list[int]) -> set[int]:
    return set(
        RiskPoint.objects.unrestricted("inspection caps: the units asked about")
        .filter(level=Level.MAJOR, enterprise_id__in=unit_ids)
        .values_list("enterprise_id", flat=True)
    )


def register() -> None:
    draw_pools.register_weight_bonus("risk.major", major_risk_bonus)
    caps.register_high_risk_mark("risk.major", with_major_risk)
