"""Fixtures of the standards tests: the world with the shipped library loaded, and a hazard citing a clause."""

from __future__ import annotations

import datetime as dt
import itertools
from typing import Any

import pytest

from zhiben.standards.models import Clause, Standard, StandardVersion
from zhiben.standards.reference import load_standards

_codes = itertools.count(1)


@pytest.fixture
def library(world: Any) -> Any:
    """The test world with the shipped judgement standards (a second load if the world already has them)."""
    load_standards()
    return world


def current_version(code: str) -> StandardVersion:
    return StandardVersion.objects.get(standard__code=code, is_current=True)


def clause(standard_code: str, clause_code: str, label: str | None = None) -> Clause:
    version = (
        StandardVersion.objects.get(standard__code=standard_code, label=label)
        if label
        else current_version(standard_code)
    )
    return version.clauses.get(code=clause_code)


def standard(code: str) -> Standard:
    return Standard.objects.get(code=code)


def cite(world: Any, cited: Clause, slot: str = "qiye3") -> Any:
    """A 重大 hazard of one of the world's enterprises citing `cited` (made directly: the hazard services are
    another app's, and this only needs the citation to exist)."""
    from zhiben.hazards.choices import Level, Source
    from zhiben.hazards.models import Hazard

    enterprise = world.enterprises[slot]
    return Hazard.objects.create(
        code=f"YH-TEST-{next(_codes):05d}",
        enterprise=enterprise,
        region=enterprise.region,
        industry=enterprise.primary_industry,
        department=world.departments["housing"],
        level=Level.MAJOR,
        clause=cited,
        source=Source.INSPECTION,
        title="深基坑未进行第三方监测",
        discovered_on=dt.date(2025, 6, 3),
    )
