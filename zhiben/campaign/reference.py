"""The plan shipped as data (data/plan.json): goals, the seed's 22 measures, their tasks and the reminder and
escalation rules. The data migration (0002) loads it; `load_campaign_plan` (settings.ZHIBEN_REFERENCE_LOADERS)
runs after the registry's reference data, so the measures and tasks get their departments and townships once
those exist (a fresh database migrates before the registry is loaded).

Both are idempotent: missing rows are created (by code / number), rows the office has edited are kept; only
links still empty are filled in. Each row carries its source (the seed's section); what the platform
interpreted — lead and co-operating units the seed does not name, the breakdown into yearly tasks and their
dates — is `verified=False` (待核实)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from django.db import transaction

PLAN_FILE = Path(__file__).parent / "data" / "plan.json"


def plan_data() -> dict[str, Any]:
    return json.loads(PLAN_FILE.read_text(encoding="utf-8"))


def load_plan(apps: Any = None) -> dict[str, int]:
    """Create what is missing; `apps` is the migration's app registry (None: the live models)."""
    if apps is None:
        # The live registry only when no migration passes its historical one.
        from django.apps import apps as live

        apps = live
    Goal = apps.get_model("campaign", "Goal")
    Measure = apps.get_model("campaign", "Measure")
    Task = apps.get_model("campaign", "Task")
    TaskRule = apps.get_model("campaign", "TaskRule")
    Department = apps.get_model("registry", "Department")
    Region = apps.get_model("registry", "Region")
    data = plan_data()
    departments = {d.code: d for d in Department._base_manager.all()}
    townships = {r.name: r for r in Region._base_manager.filter(level=4)}
    created = {"goals": 0, "measures": 0, "tasks": 0, "rules": 0, "linked": 0}

    def units(codes: list[str]) -> list[Any]:
        return [departments[c] for c in codes if c in departments]

    goals = set(Goal._base_manager.values_list("code", flat=True))
    for g in data["goals"]:
        if g["code"] not in goals:
            Goal._base_manager.create(**g)
            created["goals"] += 1
    measures = {m.number: m for m in Measure._base_manager.all()}
    for m in data["measures"]:
        measure = measures.get(m["number"])
        if measure is None:
            fields = {
                k: m[k] for k in ("number", "title", "section", "text", "other_units", "source", "verified")
            }
            measure = measures[m["number"]] = Measure._base_manager.create(**fields)
            created["measures"] += 1
        if not measure.lead_departments.exists() and units(m["lead"]):
            measure.lead_departments.set(units(m["lead"]))
            created["linked"] += 1
        if not measure.co_departments.exists() and units(m["co"]):
            measure.co_departments.set(units(m["co"]))
    tasks = {t.code: t for t in Task._base_manager.all()}
    for order, t in enumerate(data["tasks"]):
        lead = departments.get(t["lead"]) if t["lead"] else None
        township = townships.get(t["township"]) if t.get("township") else None
        task = tasks.get(t["code"])
        if task is None:
            task = Task._base_manager.create(
                code=t["code"],
                measure=measures[t["measure"]],
                title=t["title"],
                year=t["year"],
                due_on=t["due_on"],
                lead_department=lead,
                township=township,
                other_units=t.get("other_units", ""),
                deliverable=t["deliverable"],
                evidence_required=t["evidence"],
                source=t["source"],
                verified=t["verified"],
                sort_order=order,
            )
            created["tasks"] += 1
        elif (lead and task.lead_department_id is None) or (township and task.township_id is None):
            task.lead_department_id = task.lead_department_id or (lead.pk if lead else None)
            task.township_id = task.township_id or (township.pk if township else None)
            task.save(update_fields=["lead_department", "township"])
            created["linked"] += 1
        if not task.co_departments.exists() and units(t["co"]):
            task.co_departments.set(units(t["co"]))
        wanted = {*task.co_departments.values_list("pk", flat=True)}
        if task.lead_department_id:
            wanted.add(task.lead_department_id)
        if set(task.departments.values_list("pk", flat=True)) != wanted:
            task.departments.set(wanted)
    rules = set(TaskRule._base_manager.values_list("kind", "days"))
    for r in data["rules"]:
        if (r["kind"], r["days"]) not in rules:
            TaskRule._base_manager.create(**r)
            created["rules"] += 1
    return created


@transaction.atomic
def load_campaign_plan(actor: Any = None) -> dict[str, int]:
    """The reference loader (after the registry's): create what is missing and link the units; audited."""
    # Imported here: the data migration imports this module, and must not load the app's events at import time.
    from zhiben.core import audit

    from .events import PLAN_LOADED  # (same reason)

    result = load_plan()
    if any(result.values()):
        audit.record(None, PLAN_LOADED, actor=actor, object_type="campaign", data=result)
    return {f"campaign_{k}": v for k, v in result.items()}
