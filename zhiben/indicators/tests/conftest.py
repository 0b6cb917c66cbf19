"""An indicator whose module is not built, for the tests of 未接入: declared for one test and removed after.

Every module of the seed gets connected in time, so no real placeholder can stand for "not built" for long."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from zhiben.indicators import registry

UNBUILT = "campaign.unbuilt_for_tests"


@pytest.fixture
def unbuilt_indicator() -> Iterator[str]:
    registry.placeholder(
        UNBUILT,
        "测试用未建模块指标",
        "仅供测试：来源模块尚未建设时，指标显示“未接入”，从不显示为 0。",
        source="tests",
    )
    try:
        yield UNBUILT
    finally:
        registry._REGISTRY.pop(UNBUILT, None)
