"""The reference data of 培训演练 (`data/reference.json`): the year's themes, the training duties, the
certificate types, the drill duties and the plan review period — each with its source, unverified rows 待核实.
Loaded by `load_reference` (idempotent: rows already present, perhaps edited by the office, are kept)."""

from __future__ import annotations

import json
from functools import lru_cache
from pathlib import Path
from typing import Any

from zhiben.core import audit

from . import events
from .models import CertificateType, DrillRule, TrainingRule, TrainingTheme

DATA_FILE = Path(__file__).resolve().parent / "data" / "reference.json"
REASON = "reference data"


@lru_cache(maxsize=1)
def data() -> dict[str, Any]:
    return json.loads(DATA_FILE.read_text(encoding="utf-8"))  # type: ignore[no-any-return]


def plan_review_years() -> int:
    return int(data()["plan_review_years"]["value"])


def load_training_reference(actor: Any = None) -> dict[str, int]:
    d = data()
    created = {"themes": 0, "rules": 0, "certificate_types": 0, "drill_rules": 0}
    have = set(TrainingTheme.objects.unrestricted(REASON).values_list("year", flat=True))
    for row in d["themes"]:
        if row["year"] not in have:
            TrainingTheme.objects.create(**row)
            created["themes"] += 1
    for key, model in (
        ("rules", TrainingRule),
        ("certificate_types", CertificateType),
        ("drill_rules", DrillRule),
    ):
        have_codes = set(model.objects.unrestricted(REASON).values_list("code", flat=True))  # type: ignore[attr-defined]
        for i, row in enumerate(d[key]):
            if row["code"] not in have_codes:
                values = dict(row)
                if "sort_order" in {f.name for f in model._meta.get_fields()}:
                    values.setdefault("sort_order", i)
                model.objects.create(**values)  # type: ignore[attr-defined]
                created[key] += 1
    if any(created.values()):
        audit.record(None, events.REFERENCE_LOADED, actor=actor, object_type="training", data=created)
    return created
