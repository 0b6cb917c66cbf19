"""The reminder and escalation rules (data/rules.json, 待核实) and the 督促函 template, loaded by
`load_supervision_rules` (settings.ZHIBEN_REFERENCE_LOADERS). Idempotent: missing rules are created (by kind,
days and measure), rules the office has edited are kept."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from django.db import transaction

from zhiben.core import audit
from zhiben.core.documents import load_document_templates

from . import events
from .models import SupervisionRule

RULES_FILE = Path(__file__).parent / "data" / "rules.json"


@transaction.atomic
def load_supervision_rules(actor: Any = None) -> dict[str, int]:
    created = 0
    existing = {
        (r.kind, r.days, r.escalation)
        for r in SupervisionRule.objects.unrestricted("reference data").only("kind", "days", "escalation")
    }
    for row in json.loads(RULES_FILE.read_text(encoding="utf-8"))["rules"]:
        key = (row["kind"], row["days"], row["escalation"])
        if key in existing:
            continue
        SupervisionRule.objects.create(
            kind=row["kind"],
            days=row["days"],
            escalation=row["escalation"],
            interval_days=row["interval_days"],
            source=row["source"],
            verified=False,
        )
        created += 1
    if created:
        audit.record(
            None, events.RULES_LOADED, actor=actor, object_type="supervision", data={"rules": created}
        )
    result = {"supervision_rules": created}
    result.update(load_document_templates(actor=actor))
    return result
