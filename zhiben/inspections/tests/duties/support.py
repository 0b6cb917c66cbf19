"""Fixtures of the self-inspection duty tests: a world registered at the start of 2025, a movable clock, the
year's duties, and a unit's own checklist (two hazchem clauses and a custom item).

Import them into a test module: `from .support import *  # noqa: F403`.
"""

from __future__ import annotations

import datetime as dt
import io
from typing import Any

import pytest
import time_machine

from zhiben.conftest import World, build_world
from zhiben.registry.models import Enterprise

CST = dt.timezone(dt.timedelta(hours=8))

__all__ = ["at", "duties_2025", "duty_clock", "jpeg", "unit_checklist", "world"]


def at(year: int, month: int, day: int, hour: int = 9, minute: int = 0) -> dt.datetime:
    return dt.datetime(year, month, day, hour, minute, tzinfo=CST)


@pytest.fixture
def duty_clock() -> Any:
    """The clock stands at Thursday 2025-01-02, 09:00 in Asia/Shanghai; tests move it through the year."""
    with time_machine.travel(at(2025, 1, 2), tick=False) as traveller:
        yield traveller


@pytest.fixture
def world(db: Any, duty_clock: Any) -> World:
    """The usual test world, registered on the platform on 2025-01-02 (so it owes every 2025 period): the
    session's world was committed at today's date, so its units' registration moves back for this test."""
    built = build_world()
    units = Enterprise.objects.filter(pk__in=[e.pk for e in built.enterprises.values()])
    units.update(created_at=at(2025, 1, 2))
    for unit in built.enterprises.values():
        unit.created_at = at(2025, 1, 2)
    return built


@pytest.fixture
def duties_2025(world: World) -> dict[str, int]:
    from zhiben.inspections.services.duties import generate_occurrences

    return generate_occurrences(actor=world.anweiban, year=2025)


@pytest.fixture
def unit_checklist(world: World) -> Any:
    """qiye2's own self-inspection checklist: two 危险化学品 judgement clauses and one custom item."""
    from zhiben.standards.checklists import create_checklist
    from zhiben.standards.models import Clause

    clauses = list(
        Clause.objects.filter(version__standard__code="hazchem", version__is_current=True).order_by(
            "sort_order", "pk"
        )[:2]
    )
    assert len(clauses) == 2
    return create_checklist(
        actor=world.qiye2,
        name="主要负责人带队自查表",
        clauses=clauses,
        custom_items=["安全管理台账是否完整"],
    )


def jpeg(
    *,
    taken: str | None = None,
    gps: tuple[tuple[float, float, float], str, tuple[float, float, float], str] | None = None,
    size: tuple[int, int] = (8, 8),
) -> bytes:
    """A real JPEG made by Pillow, optionally with EXIF DateTimeOriginal and GPS position."""
    from PIL import Image

    img = Image.new("RGB", size, (200, 80, 40))
    exif = Image.Exif()
    if taken:
        exif.get_ifd(0x8769)[0x9003] = taken
    if gps:
        lat, lat_ref, lon, lon_ref = gps
        exif.get_ifd(0x8825).update({1: lat_ref, 2: lat, 3: lon_ref, 4: lon})
    out = io.BytesIO()
    img.save(out, "JPEG", exif=exif.tobytes())
    return out.getvalue()
