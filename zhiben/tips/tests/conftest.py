"""The channel's shipped rules in every test that builds the world: a browser test's live server flushes the
database, and with it the rows the data migrations shipped."""

from __future__ import annotations

from typing import Any

import pytest

from zhiben.tips.reference import load_tip_rules


@pytest.fixture(autouse=True)
def _tip_rules(request: Any) -> None:
    if "world" in request.fixturenames:
        request.getfixturevalue("world")
        load_tip_rules()
