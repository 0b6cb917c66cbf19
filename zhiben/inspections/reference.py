"""Reference data of inspections, loaded idempotently by `load_reference`: the self-inspection rules of
inspections/data/duty_rules.json and the default yearly inspection caps of inspections/data/inspection_caps.json.

Duty rules: a second run changes nothing, and rules the committee office has edited are kept as they are.

Caps: Hunan's own list was not found, so the 山西 2025 published example is loaded unverified (shown 待核实)
for the committee office to replace with the local list; a row for any unit is the fallback. A second run changes
nothing, and rows the office has edited (or deleted and replaced) are kept as they are.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from django.db import transaction

from zhiben.core import audit
from zhiben.registry.models import Industry

from .events import CAP_CHANGED, DUTY_RULE_CHANGED
from .models import DutyRule, InspectionCap

CAPS_FILE = Path(__file__).resolve().parent / "data" / "inspection_caps.json"
DUTY_RULES_FILE = Path(__file__).resolve().parent / "data" / "duty_rules.json"


@transaction.atomic
def load_inspection_caps(actor: Any = None) -> dict[str, int]:
    """Create the caps of the data file that have no row yet for their (industry, risk class, grade)."""
    data = json.loads(CAPS_FILE.read_text(encoding="utf-8"))
    industries = dict(Industry.objects.values_list("code", "pk"))
    have: set[tuple[int | None, str, str]] = set(
        InspectionCap.objects.values_list("industry_id", "risk_class", "standardisation_grade")
    )
    created = 0
    for row in data["caps"]:
        code = row["industry"]
        if code is not None and code not in industries:
            continue  # an industry this district's catalogue does not have
        key: tuple[int | None, str, str] = (
            industries[code] if code else None,
            row["risk_class"],
            row["standardisation_grade"],
        )
        if key in have:
            continue
        InspectionCap.objects.create(
            industry_id=key[0],
            risk_class=key[1],
            standardisation_grade=key[2],
            max_per_year=row["max_per_year"],
            source=row["source"],
            verified=False,
        )
        have.add(key)
        created += 1
    if created:
        audit.record(
            None,
            CAP_CHANGED,
            actor=actor,
            object_type="inspections.inspectioncap",
            data={"loaded": created, "source": CAPS_FILE.name},
        )
    return {"inspection_caps": created}


@transaction.atomic
def load_duty_rules(actor: Any = None) -> dict[str, int]:
    """Create the missing rules (by code): 主要负责人每季度带队检查, and monthly in high-risk industries."""
    rows = json.loads(DUTY_RULES_FILE.read_text(encoding="utf-8"))["rules"]
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
