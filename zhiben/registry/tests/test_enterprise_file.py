"""一企一档: the enterprise page carries each module's records about the unit, scoped to the reader, with a
timeline and the unit's place in its township."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

import pytest

from zhiben.core.testing import login
from zhiben.core.tests.crawl_world import _hazards
from zhiben.registry import enterprise_file
from zhiben.registry.models import Enterprise

pytestmark = pytest.mark.django_db


def section(html: str, title: str) -> str:
    for part in html.split('data-testid="file-section"')[1:]:
        if title in part.split("</span>")[0]:
            return part.split('data-testid="file-section"')[0]
    raise AssertionError(f"no section {title}")


def test_the_unit_file_shows_its_hazards_and_timeline_to_the_supervising_department(
    client: Any, world: Any
) -> None:
    _hazards(world)
    unit = world.enterprises["qiye2"]
    login(client, world.yingji)
    html = client.get(unit.get_absolute_url()).content.decode()
    hazards = section(html, "隐患排查治理")
    assert "主要负责人未经考核合格（重大）" in hazards and "灭火器压力不足（一般）" in hazards
    assert "在办 <strong" in hazards and "全部 2 条" in hazards
    assert hazards.index("主要负责人未经考核合格") < hazards.index("灭火器压力不足")  # open ones first
    timeline = html.split('data-testid="timeline"')[1]
    assert "隐患销号：灭火器压力不足" in timeline and "发现重大隐患：主要负责人未经考核合格" in timeline


def test_a_reader_without_the_module_sees_no_section(client: Any, world: Any) -> None:
    _hazards(world)
    sections = enterprise_file.sections_for(world.enterprises["qiye2"], world.xitong)
    assert [s.title for s in sections] == []


def test_the_unit_is_placed_in_its_townships_frame() -> None:
    assert enterprise_file._scale(Decimal("113.0"), Decimal("112.0"), Decimal("114.0"), 320) == 160.0
    assert enterprise_file._scale(Decimal("112.0"), Decimal("112.0"), Decimal("114.0"), 320) == 16.0
    assert enterprise_file._scale(Decimal("112.0"), None, None, 320) == 160.0


def test_the_map_needs_coordinates(world: Any) -> None:
    unit = world.enterprises["qiye2"]
    Enterprise.objects.unrestricted("test setup").filter(pk=unit.pk).update(longitude=None, latitude=None)
    unit.refresh_from_db()
    assert enterprise_file.location_map(unit) is None
    Enterprise.objects.unrestricted("test setup").filter(pk=unit.pk).update(
        longitude=Decimal("112.95"), latitude=Decimal("28.87")
    )
    unit.refresh_from_db()
    placed = enterprise_file.location_map(unit)
    assert (
        placed is not None
        and placed.township
        and 0 < placed.x < placed.width
        and 0 < placed.y < placed.height
    )
