"""The channel's shipped rules as reference data, loaded idempotently (`zhiben load_reference`, and the tests
after a flush): the handling deadlines (migration 0002) and the reward rules (migration 0003). The rows are those
the migrations ship — one list each, read from the migration modules — and rows the office has edited are kept."""

from __future__ import annotations

from importlib import import_module
from typing import Any

from django.db import transaction

from .models import RewardRule, TipDeadlineRule


@transaction.atomic
def load_tip_rules(actor: Any = None) -> dict[str, int]:
    """Create the missing deadline and reward rules (all 待核实)."""
    created = {"deadline_rules": 0, "reward_rules": 0}
    deadlines = import_module("zhiben.tips.migrations.0002_deadline_rules").RULES  # the migration's own list
    have = set(TipDeadlineRule.objects.unrestricted("reference data").values_list("stage", flat=True))
    for stage, name, days, working_days, source in deadlines:
        if stage not in have:
            TipDeadlineRule.objects.create(
                stage=stage, name=name, days=days, working_days=working_days, source=source, verified=False
            )
            created["deadline_rules"] += 1
    rewards = import_module("zhiben.tips.migrations.0003_reward_rules").RULES
    codes = set(RewardRule.objects.unrestricted("reference data").values_list("code", flat=True))
    for row in rewards:
        if row["code"] not in codes:
            RewardRule.objects.create(verified=False, active=True, **row)
            created["reward_rules"] += 1
    return created
