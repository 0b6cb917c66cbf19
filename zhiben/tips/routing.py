"""Where a tip goes (转办): the supervising department by the responsibility matrix (三管三必须) and the township
of the place. Below the steps (the transfer page's preselection) and the services."""

from __future__ import annotations

from typing import Any

from zhiben.core.errors import DomainError
from zhiben.hazards.services.common import supervising_department
from zhiben.registry.choices import RegionLevel
from zhiben.registry.models import Department, Industry, Region

from .models import Tip


def supervising_department_for(tip: Tip) -> Department | None:
    """三管三必须: the lead department of the tip's industry (or the unit's primary industry), else None."""
    industry: Industry | None = tip.industry
    if industry is None and tip.enterprise_id is not None:
        industry = tip.enterprise.primary_industry  # type: ignore[union-attr]
    if industry is None:
        return None
    try:
        return supervising_department(industry)
    except DomainError:
        return None


def township_of(region: Region | None) -> Region | None:
    node = region
    while node is not None:
        if node.level == RegionLevel.TOWNSHIP:
            return node
        node = node.parent
    return None


def township_for(tip: Tip) -> Region | None:
    """The township of the place reported (its township ancestor), else of the unit's region."""
    town = township_of(tip.place)
    if town is None and tip.enterprise_id is not None:
        town = township_of(tip.enterprise.region)  # type: ignore[union-attr]
    return town


def transfer_initial(tip: Tip) -> dict[str, Any]:
    """The transfer page's preselection: the supervising department and the township of the place."""
    department = supervising_department_for(tip)
    town = township_for(tip)
    return {
        "department": department.code if department is not None else None,
        "township": town.code if town is not None else None,
    }
