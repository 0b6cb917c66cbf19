"""Loads the discretion benchmark (行政裁量基准) shipped in enforcement/data/discretion.json, idempotently, plus
the enforcement document templates. Rows the committee office has edited are kept as they are; a second run
changes nothing. The bands are local practice and ship unverified (待核实) — see the file's comment.
"""

from __future__ import annotations

import json
from decimal import Decimal
from pathlib import Path
from typing import Any

from django.db import transaction

from zhiben.core import audit
from zhiben.core.documents import load_document_templates

from .choices import Circumstance, MeasureKind
from .events import DISCRETION_RULES_LOADED
from .models import DiscretionRule

DATA_FILE = Path(__file__).resolve().parent / "data" / "discretion.json"


def _amount(value: Any) -> Decimal | None:
    return None if value in (None, "") else Decimal(str(value))


def discretion_rows() -> list[dict[str, Any]]:
    """The shipped rows, checked: known circumstances and measures, ranges that are ranges."""
    rows = json.loads(DATA_FILE.read_text(encoding="utf-8"))["rules"]
    for row in rows:
        if row["circumstance"] not in Circumstance.values:
            raise ValueError(f"{row['code']}: unknown circumstance {row['circumstance']!r}")
        unknown = set(row["measures"]) - set(MeasureKind.values)
        if unknown:
            raise ValueError(f"{row['code']}: unknown measures {sorted(unknown)}")
        for low, high in (("min_amount", "max_amount"), ("person_min_amount", "person_max_amount")):
            lo, hi = _amount(row.get(low)), _amount(row.get(high))
            if lo is not None and hi is not None and lo > hi:
                raise ValueError(f"{row['code']}: {low} > {high}")
    return rows


@transaction.atomic
def load_discretion_rules(actor: Any = None) -> dict[str, int]:
    """Create the benchmark rows that are missing (by code) and the enforcement document templates."""
    existing = set(DiscretionRule.objects.values_list("code", flat=True))
    created = 0
    for row in discretion_rows():
        if row["code"] in existing:
            continue
        DiscretionRule.objects.create(
            code=row["code"],
            violation=row["violation"],
            legal_basis=row.get("legal_basis", ""),
            penalty_basis=row["penalty_basis"],
            circumstance=row["circumstance"],
            criteria=row.get("criteria", ""),
            min_amount=_amount(row.get("min_amount")),
            max_amount=_amount(row.get("max_amount")),
            measures=list(row["measures"]),
            person_min_amount=_amount(row.get("person_min_amount")),
            person_max_amount=_amount(row.get("person_max_amount")),
            source=row.get("source", ""),
            verified=bool(row.get("verified", False)),
        )
        created += 1
    if created:
        audit.record(
            None,
            DISCRETION_RULES_LOADED,
            actor=actor,
            object_type="enforcement.discretionrule",
            data={"created": created},
        )
    result = {"discretion_rules": created}
    result.update(load_document_templates(actor=actor))
    return result
