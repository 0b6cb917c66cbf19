"""Loads the shipped reference data (registry/data/*.json) idempotently: a second run changes nothing."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from django.conf import settings
from django.db import transaction
from django.utils.module_loading import import_string

from zhiben.core import audit

from . import events
from .models import Department, Industry, Region
from .services import set_responsibility

DATA_DIR = Path(__file__).resolve().parent / "data"


def _read(name: str) -> list[dict[str, Any]]:
    return json.loads((DATA_DIR / name).read_text(encoding="utf-8"))


@transaction.atomic
def load_reference_data(*, actor: Any = None) -> dict[str, int]:
    """Create what is missing from the data files; existing rows (possibly edited by the office) are kept."""
    created = {"regions": 0, "industries": 0, "departments": 0, "responsibilities": 0}
    by_code: dict[str, Region] = {r.code: r for r in Region.objects.all()}
    for row in _read("regions.json"):
        if row["code"] in by_code:
            continue
        region = Region.objects.create(
            code=row["code"],
            legal_code=row.get("legal_code", ""),
            name=row["name"],
            level=row["level"],
            parent=by_code.get(row.get("parent") or ""),
            source=row.get("source", ""),
            verified=row.get("verified", False),
        )
        by_code[region.code] = region
        created["regions"] += 1
    industries: dict[str, Industry] = {i.code: i for i in Industry.objects.all()}
    for row in _read("industries.json"):
        if row["code"] in industries:
            continue
        industries[row["code"]] = Industry.objects.create(
            code=row["code"],
            name=row["name"],
            parent=industries.get(row.get("parent") or ""),
            gbt4754=row.get("gbt4754", ""),
            high_risk=row.get("high_risk", False),
            sort_order=row.get("sort_order", 0),
        )
        created["industries"] += 1
    departments: dict[str, Department] = {d.code: d for d in Department.objects.all()}
    for row in _read("departments.json"):
        if row["code"] in departments:
            continue
        departments[row["code"]] = Department.objects.create(**row)
        created["departments"] += 1
    for row in _read("responsibilities.json"):
        industry = industries[row["industry"]]
        if hasattr(industry, "responsibility"):
            continue
        set_responsibility(
            industry,
            actor=actor,
            lead=departments[row["lead"]],
            co_departments=[departments[c] for c in row["co_departments"]],
            basis=row["basis"],
        )
        created["responsibilities"] += 1
    if any(created.values()):
        audit.record(None, events.REFERENCE_LOADED, actor=actor, object_type="registry", data=created)
    # Later apps' reference data (judgement standards, hazard rules, document templates), in order; each
    # loader is idempotent and audits its own run.
    for path in settings.ZHIBEN_REFERENCE_LOADERS:
        import_string(path)(actor=actor)
    return created
