"""The duty and task lists shipped as data (data/duties.json), loaded by `load_duty_lists` (a reference loader
in settings.ZHIBEN_REFERENCE_LOADERS, after the registry's, so townships and member units exist).

A row of the file is one item for one owner kind: a post of the district, every township (one item each), or
a member unit (`department`: its registry code, `*` for every member unit). Each item's code is the row's
position and its owner (QY-012-430671100), so the loader is idempotent: missing items are created, items the
office has edited are kept."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path
from typing import Any

from django.db import transaction

from zhiben.core import audit
from zhiben.registry.models import Department, Region
from zhiben.registry.reference import _read

from .choices import OwnerKind
from .events import LISTS_LOADED
from .models import DutyItem

DATA_FILE = Path(__file__).parent / "data" / "duties.json"


def duty_rows() -> list[dict[str, Any]]:
    return json.loads(DATA_FILE.read_text(encoding="utf-8"))["items"]  # type: ignore[no-any-return]


def load_items() -> int:

    existing = set(DutyItem.objects.unrestricted("reference loader").values_list("code", flat=True))

    # The district's own townships (the registry's shipped ones), never those a demo city adds later.
    shipped = [r["code"] for r in _read("regions.json") if r["level"] == 4]
    townships = list(Region.objects.filter(level=4, code__in=shipped).order_by("code"))
    departments = list(Department.objects.order_by("sort_order", "code"))
    created = 0
    for index, row in enumerate(duty_rows(), start=1):
        base = f"QY-{index:03d}"
        owners: list[tuple[str, Any, Any]]
        if row["owner"] == OwnerKind.TOWNSHIP:
            owners = [(f"{base}-{t.code}", t, None) for t in townships]
        elif row["owner"] == OwnerKind.DEPARTMENT:
            chosen = [d for d in departments if row["department"] in ("*", d.code)]
            owners = [(f"{base}-{d.code}", None, d) for d in chosen]
        else:
            owners = [(base, None, None)]
        for code, township, department in owners:
            if code in existing:
                continue
            DutyItem.objects.create(
                code=code,
                owner_kind=row["owner"],
                township=township,
                department=department,
                post=row["post"],
                kind=row["kind"],
                year=row.get("year"),
                text=row["text"],
                evidence_required=row.get("evidence", ""),
                due_on=dt.date.fromisoformat(row["due_on"]) if row.get("due_on") else None,
                source=row["source"],
                verified=row.get("verified", False),
                sort_order=index,
            )
            created += 1
    return created


@transaction.atomic
def load_duty_lists(actor: Any = None) -> dict[str, int]:
    """The reference loader: create the missing items; audited when any were."""

    created = load_items()
    if created:
        audit.record(None, LISTS_LOADED, actor=actor, object_type="oversight", data={"items": created})
    return {"oversight_items": created}
