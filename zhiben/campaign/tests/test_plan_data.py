"""The shipped plan (campaign/data/plan.json) against the indicator registry."""

from __future__ import annotations

import json
from pathlib import Path

from zhiben.indicators import registry

PLAN = Path(__file__).parents[1] / "data" / "plan.json"


def test_goals_name_indicators_the_registry_declares() -> None:
    """A goal's indicator id is the registry's, so the campaign page can read its value; only the figures whose
    source is still to come (三同时 projects) are left out."""
    plan = json.loads(PLAN.read_text(encoding="utf-8"))
    declared = {i.id for i in registry.all()}
    pending = ("projects.",)
    unknown = {
        g["indicator"]
        for g in plan["goals"]
        if g.get("indicator") and not g["indicator"].startswith(pending) and g["indicator"] not in declared
    }
    assert unknown == set()
