"""Loads the default yearly inspection caps shipped in inspections/data/inspection_caps.json, idempotently.

Hunan's own list was not found, so the 山西 2025 published example is loaded unverified (shown 待核实) for the
committee office to replace with the local list; a row for any unit is the fallback. A second run changes
nothing, and rows the office has edited (or deleted and replaced) are kept as they are.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from django.db import transaction

from zhiben.core import audit
from zhiben.registry.models import Industry

from .events import CAP_CHANGED
from .models import InspectionCap

DATA_FILE = Path(__file__).resolve().parent / "data" / "inspection_caps.json"


@transaction.atomic
def load_inspection_caps(actor: Any = None) -> dict[str, int]:
    """Create the caps of the data file that have no row yet for their (industry, risk class, grade)."""
    data = json.loads(DATA_FILE.read_text(encoding="utf-8"))
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
            data={"loaded": created, "source": DATA_FILE.name},
        )
    return {"inspection_caps": created}
