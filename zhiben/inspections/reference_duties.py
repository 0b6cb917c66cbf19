"""Loads the self-inspection rules shipped in inspections/data/duty_rules.json idempotently: a second run
changes nothing, and rules the committee office has edited are kept as they are."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from django.db import transaction

from zhiben.core import audit

from .events import DUTY_RULE_CHANGED
from .models import DutyRule

DATA_FILE = Path(__file__).resolve().parent / "data" / "duty_rules.json"


@transaction.atomic
def load_duty_rules(actor: Any = None) -> dict[str, int]:
    """Create the missing rules (by code): 主要负责人每季度带队检查, and monthly in high-risk industries."""
    rows = json.loads(DATA_FILE.read_text(encoding="utf-8"))["rules"]
    # Rules are district-wide reference data.
    have = set(DutyRule.objects.unrestricted("reference data").values_list("code", flat=True))
    created = []
    for row in rows:
        if row["code"] in have:
            continue
        DutyRule.objects.create(**row)
        created.append(row["code"])
    if created:
        audit.record(
            None,
            DUTY_RULE_CHANGED,
            actor=actor,
            object_type="inspections.dutyrule",
            data={"loaded": created},
        )
    return {"duty_rules": len(created)}
