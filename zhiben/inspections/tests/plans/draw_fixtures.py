"""Fixtures of the plan and draw tests: 应急管理局's patch of the district, big enough to draw from.

`district` adds to the test world (through the registry services) twelve 工贸 units of 应急管理局 spread over
the four townships, and gives 应急管理局 six certified officers (the `inspectors` roster's two plus four more:
one of whose certificates has expired, so the pool has five). Everything else comes from the `world` fixture.

    from .draw_fixtures import district_fixture  # noqa: F401  (registers `district`; uses `world`, `inspectors`)
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

import pytest

from zhiben.core.codes import make_uscc
from zhiben.inspections.choices import InspectorKind
from zhiben.inspections.models import Inspector
from zhiben.registry.choices import StandardisationGrade
from zhiben.registry.models import Enterprise
from zhiben.registry.services import create_enterprise

CERTIFICATE_VALID_UNTIL = dt.date(2027, 12, 31)
TOWNSHIPS = ("营田镇", "河市镇", "天问街道", "凤凰乡")
GRADES = (
    StandardisationGrade.NONE,
    StandardisationGrade.GRADE_3,
    StandardisationGrade.GRADE_2,
    StandardisationGrade.SMALL,
)


@dataclass
class District:
    world: Any
    units: list[Enterprise]  # the twelve extra 工贸 units
    officers: list[Inspector]  # 应急管理局's certified officers (yingji, yingji_2, and four more)
    expired: Inspector

    @property
    def emergency(self) -> Any:
        return self.world.departments["emergency"]


@pytest.fixture(name="district")
def district_fixture(world: Any, inspectors: dict[str, Inspector]) -> District:
    machine = world.industries["INDTRADE-MACHINE"]
    light = world.industries["INDTRADE-LIGHT"]
    units = []
    for i in range(12):
        town = world.regions[TOWNSHIPS[i % 4]]
        village = town.children.order_by("code").first() or town
        industry = machine if i % 2 else light
        units.append(
            create_enterprise(
                actor=None,
                uscc=make_uscc("9", "1", "430671", f"MA4LD{i:03d}"),
                name=f"屈原{town.name}第{i + 1}机械厂",
                region=village,
                primary_industry=industry,
                industries=[industry],
                is_high_risk=i % 5 == 0,
                standardisation_grade=GRADES[i % 4],
                address=f"{town.name}{village.name}",
            )
        )
    dept = world.departments["emergency"]
    extra = [
        Inspector.objects.create(
            name=f"应急执法员{'丙丁戊己'[i]}",
            department=dept,
            kind=InspectorKind.OFFICER,
            certificate_no=f"4306710101{i + 3:d}",
            certificate_valid_until=CERTIFICATE_VALID_UNTIL,
        )
        for i in range(4)
    ]
    expired = extra[-1]
    Inspector.objects.filter(pk=expired.pk).update(certificate_valid_until=dt.date(2024, 12, 31))
    expired.refresh_from_db()
    officers = [inspectors["yingji"], inspectors["yingji_2"], *extra[:-1]]
    return District(world=world, units=units, officers=officers, expired=expired)
