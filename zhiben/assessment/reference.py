"""The shipped schemes and 约谈 rules (`data/schemes.json`) loaded into the database: by migration 0002 and by
`load_reference` (idempotent: a scheme year × kind that exists, a rule code that exists, is kept as it is —
the office's edits win)."""

from __future__ import annotations

import json
from decimal import Decimal
from pathlib import Path
from typing import Any

DATA_FILE = Path(__file__).resolve().parent / "data" / "schemes.json"


def shipped() -> dict[str, Any]:
    return json.loads(DATA_FILE.read_text(encoding="utf-8"))


def load_into(scheme_model: Any, rule_model: Any) -> dict[str, int]:
    """Create the missing schemes (each in force as version 1) and 约谈 rules; returns what was added."""
    data = shipped()
    schemes = rules = 0
    for row in data["schemes"]:
        if scheme_model.objects.filter(year=row["year"], kind=row["kind"]).exists():
            continue
        scheme_model.objects.create(
            year=row["year"],
            kind=row["kind"],
            number=1,
            status="active",
            name=row["name"],
            rules=row["rules"],
            tie_breaks=row["tie_breaks"],
            floor=Decimal(str(row.get("floor", 0))),
            appeal_days=row.get("appeal_days", 5),
            source=row.get("source", ""),
            verified=row.get("verified", False),
            note=row.get("note", ""),
        )
        schemes += 1
    for row in data["interview_rules"]:
        if rule_model.objects.filter(code=row["code"]).exists():
            continue
        rule_model.objects.create(
            code=row["code"],
            kind=row["kind"],
            name=row["name"],
            applies_to=row["applies_to"],
            n=row.get("n", 1),
            indicator=row.get("indicator", ""),
            reason=row["reason"],
            source=row.get("source", ""),
            verified=row.get("verified", False),
        )
        rules += 1
    return {"assessment_schemes": schemes, "interview_rules": rules}


def load_assessment_schemes(actor: Any = None) -> dict[str, int]:
    # Imported here: migration 0002 imports this module (for load_into) and must not load today's models.
    from zhiben.core.documents import load_document_templates

    from .models import InterviewRule, Scheme  # (same reason)

    added = load_into(Scheme, InterviewRule)
    added.update(load_document_templates(actor=actor))
    return added
