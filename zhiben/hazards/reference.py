"""Loads the hazard rules shipped in hazards/data/rules.json idempotently: 判定 and 整改 deadlines by level and
the 逾期督办 ladders (逾期未判定, 逾期未整改), plus the official-document templates the ladder issues. A second run changes nothing, and
rows the committee office has edited are kept as they are.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from django.db import transaction

from zhiben.core import audit
from zhiben.core.documents import load_document_templates

from .choices import Stage
from .events import HAZARD_RULES_CHANGED
from .models import DeadlinePolicy, EscalationRule

DATA_FILE = Path(__file__).resolve().parent / "data" / "rules.json"
# Why each rung waits after the previous one (shown with the rule; the numbers are the office's, 待核实).
INTERVAL_NOTES = (
    "屈安发〔2024〕1号三（三）5只列“函告、通报、约谈、曝光”等措施，未规定间隔；每项措施须在上一项实施后"
    "给单位留出书面回复（5个工作日）和整改的时间，间隔天数为区安委办拟定，待核实。"
)


@transaction.atomic
def load_hazard_rules(actor: Any = None) -> dict[str, int]:
    """Create the missing deadline policies and escalation rules (unverified: no national rule exists)."""
    data = json.loads(DATA_FILE.read_text(encoding="utf-8"))
    source = data["source"]
    created = {"deadline_policies": 0, "escalation_rules": 0}
    have_policies = set(DeadlinePolicy.objects.values_list("stage", "level"))
    for row in data["deadline_policies"]:
        stage = row.get("stage", Stage.RECTIFY)
        if (stage, row["level"]) in have_policies:
            continue
        DeadlinePolicy.objects.create(
            stage=stage,
            level=row["level"],
            workdays=row["workdays"],
            reminder_workdays=row["reminder_workdays"],
            source=row.get("source", source),
            verified=False,
        )
        created["deadline_policies"] += 1
    have_rules = set(EscalationRule.objects.values_list("stage", "level", "kind"))
    for row in data["escalation_rules"]:
        stage = row.get("stage", Stage.RECTIFY)
        if (stage, row["level"], row["kind"]) in have_rules:
            continue
        EscalationRule.objects.create(
            stage=stage,
            level=row["level"],
            kind=row["kind"],
            overdue_workdays=row["overdue_workdays"],
            interval_workdays=row.get("interval_workdays", 0),
            notes=data["judge_notes"] if stage == Stage.JUDGE else INTERVAL_NOTES,
            template_code=row["template_code"],
            active=True,
            source=source,
            verified=False,
        )
        created["escalation_rules"] += 1
    if any(created.values()):
        audit.record(
            None,
            HAZARD_RULES_CHANGED,
            actor=actor,
            object_type="hazards.escalationrule",
            data={"loaded": created},
        )
    created.update(load_document_templates(actor=actor))
    return created
