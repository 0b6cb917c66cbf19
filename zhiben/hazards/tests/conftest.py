"""Fixtures of the hazard tests: a 工贸 clause to cite, and a clock inside the packaged holiday data."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
import time_machine

from zhiben.registry.tests.test_browser import browser_page  # noqa: F401 - the Chromium page fixture
from zhiben.standards.models import Clause, Standard, StandardVersion


@pytest.fixture
def clause(world: Any) -> Clause:
    """工贸 第七条（五）: the kind of clause qiye1 (machinery) would cite."""
    existing = (
        Clause.objects.filter(
            version__standard__code="indtrade", version__is_current=True, code__startswith="第七条"
        )
        .order_by("sort_order")
        .first()
    )
    if existing is not None:
        return existing
    standard, _ = Standard.objects.get_or_create(
        code="gongmao", defaults={"sector": "工贸", "name": "工贸企业重大事故隐患判定标准"}
    )
    version, _ = StandardVersion.objects.get_or_create(
        standard=standard,
        label="2023版",
        defaults={"title": "工贸企业重大事故隐患判定标准", "doc_number": "应急管理部令第10号"},
    )
    return Clause.objects.create(
        version=version,
        code="第七条（五）",
        article="第七条 机械企业",
        text="燃气燃烧器未设置压力报警与紧急切断装置",
    )


@pytest.fixture
def clock() -> Any:
    """A movable clock at a Monday in 2025 (working-day data exists for 2025–2026)."""
    with time_machine.travel(
        dt.datetime(2025, 3, 3, 9, 0, tzinfo=dt.timezone(dt.timedelta(hours=8))), tick=False
    ) as t:
        yield t
