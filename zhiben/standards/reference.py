"""Loads the shipped judgement standards (standards/data/*.json) idempotently; one audit row per run.

Rows are matched by natural keys: a standard by `code`, a version by `(standard, label)`, a clause by
`(version, code)`. What is missing is created and what changed in the files is updated, with three
exceptions that protect the office's work and the hazards' citations:

* a version or clause the office has changed through the services (it has a STANDARD_VERSION_UPDATED /
  STANDARD_VERSION_CREATED or CLAUSE_CHANGED audit row) is not overwritten by the shipped text;
* a clause a hazard cites keeps its code, article and text (services.CITED_FIELDS);
* nothing is ever deleted: clauses the office added to a shipped version stay, and so do cited ones.
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Iterable
from pathlib import Path
from typing import Any

from django.db import models, transaction
from django.utils import timezone

from zhiben.core import audit
from zhiben.core.models import AuditEntry
from zhiben.registry.models import Industry

from . import events
from .models import Clause, Confidence, Standard, StandardVersion
from .services import CITED_FIELDS

DATA_DIR = Path(__file__).resolve().parent / "data"

STANDARD_FIELDS = ("sector", "name", "sort_order")
VERSION_FIELDS = (
    "title",
    "doc_number",
    "issued_on",
    "effective_from",
    "effective_to",
    "is_current",
    "source",
    "confidence",
    "notes",
)
CLAUSE_FIELDS = ("article", "text", "sort_order")


class StandardsDataError(ValueError):
    """A shipped data file is malformed (a programming error: the files are checked by the tests)."""


def read_data(directory: Path = DATA_DIR) -> list[dict[str, Any]]:
    """Every standard of the data files, checked and in display order."""
    rows = []
    for path in sorted(directory.glob("*.json")):
        row = json.loads(path.read_text(encoding="utf-8"))
        _check(row, path.name)
        rows.append(row)
    return sorted(rows, key=lambda r: (r.get("sort_order", 0), r["code"]))


def _check(row: dict[str, Any], name: str) -> None:
    if f"{row.get('code')}.json" != name:
        raise StandardsDataError(f"{name}: code {row.get('code')!r} does not match the file name")
    versions = row.get("versions") or []
    if not versions:
        raise StandardsDataError(f"{name}: a standard needs at least one version")
    labels = [v["label"] for v in versions]
    if len(labels) != len(set(labels)):
        raise StandardsDataError(f"{name}: duplicate version labels")
    if sum(1 for v in versions if v.get("is_current")) > 1:
        raise StandardsDataError(f"{name}: more than one current version")
    for v in versions:
        if v.get("confidence", "U") not in Confidence.values:
            raise StandardsDataError(f"{name} {v['label']}: confidence must be one of V/M/U")
        codes = [c["code"] for c in v.get("clauses") or []]
        if len(codes) != len(set(codes)):
            raise StandardsDataError(f"{name} {v['label']}: duplicate clause codes")


def _date(value: Any) -> dt.date | None:
    return dt.date.fromisoformat(value) if value else None


def _version_values(v: dict[str, Any]) -> dict[str, Any]:
    return {
        "title": v["title"],
        "doc_number": v.get("doc_number") or "",
        "issued_on": _date(v.get("issued_on")),
        "effective_from": _date(v.get("effective_from")),
        "effective_to": _date(v.get("effective_to")),
        "is_current": bool(v.get("is_current", True)),
        "source": v.get("source") or "",
        "confidence": v.get("confidence") or Confidence.UNVERIFIED,
        "notes": v.get("notes") or "",
    }


def _clause_values(c: dict[str, Any], position: int) -> dict[str, Any]:
    return {
        "article": c.get("article") or "",
        "text": c["text"],
        "sort_order": c.get("sort_order", position * 10),
    }


def _touched_by_office(model: type[models.Model], event_codes: Iterable[str]) -> set[int]:
    """Ids of rows the office changed through the services (their audit rows say so)."""
    ids = AuditEntry.objects.filter(object_type=model._meta.label_lower, event__in=list(event_codes))
    return {int(pk) for pk in ids.values_list("object_id", flat=True).distinct() if str(pk).isdigit()}


def _update(model: type[models.Model], obj: Any, changes: dict[str, Any]) -> None:
    # The loader is the shipped text arriving, not an edit by someone: no compare-and-swap against a form,
    # but the row version still moves so that an edit form opened before the load answers 409.
    from django.db.models import F

    model._default_manager.filter(pk=obj.pk).update(
        **changes, version=F("version") + 1, updated_at=timezone.now()
    )
    for k, v in changes.items():
        setattr(obj, k, v)


@transaction.atomic
def load_standards(actor: Any = None) -> dict[str, Any]:
    """Create or update the shipped standards, versions and clauses; returns what it did."""
    result: dict[str, Any] = {
        "standards_created": 0,
        "standards_updated": 0,
        "versions_created": 0,
        "versions_updated": 0,
        "versions_kept": 0,
        "clauses_created": 0,
        "clauses_updated": 0,
        "clauses_kept": 0,
        "missing_industries": [],
    }
    data = read_data()
    industries = dict(Industry.objects.values_list("code", "pk"))
    standards = {s.code: s for s in Standard.objects.all()}
    versions = {(v.standard_id, v.label): v for v in StandardVersion.objects.all()}
    clauses = {(c.version_id, c.code): c for c in Clause.objects.all()}
    office_versions = _touched_by_office(
        StandardVersion, [events.STANDARD_VERSION_CREATED, events.STANDARD_VERSION_UPDATED]
    )
    office_clauses = _touched_by_office(Clause, [events.CLAUSE_CHANGED])
    # The reverse relation of Hazard.clause: standards sits below hazards and does not import it.
    cited = set(Clause.objects.filter(hazards__isnull=False).values_list("pk", flat=True).distinct())
    new_clauses: list[Clause] = []
    for row in data:
        standard = _sync_standard(row, standards, result)
        _sync_industries(standard, row.get("industries") or [], industries, result)
        for v in row["versions"]:
            version = _sync_version(standard, v, versions, office_versions, result)
            for position, c in enumerate(v.get("clauses") or [], start=1):
                values = _clause_values(c, position)
                clause = clauses.get((version.pk, c["code"]))
                if clause is None:
                    new_clauses.append(Clause(version=version, code=c["code"], **values))
                    continue
                changes = {k: val for k, val in values.items() if getattr(clause, k) != val}
                if clause.pk in office_clauses:
                    changes = {}
                elif clause.pk in cited:
                    changes = {k: val for k, val in changes.items() if k not in CITED_FIELDS}
                if changes:
                    Clause.objects.filter(pk=clause.pk).update(**changes, updated_at=timezone.now())
                    result["clauses_updated"] += 1
                elif any(getattr(clause, k) != val for k, val in values.items()):
                    result["clauses_kept"] += 1
    Clause.objects.bulk_create(new_clauses, batch_size=500)
    result["clauses_created"] = len(new_clauses)
    result["missing_industries"] = sorted(set(result["missing_industries"]))
    changed = any(v for k, v in result.items() if k.endswith(("_created", "_updated")))
    if changed:  # like load_reference: a run that changes nothing leaves no row
        audit.record(None, events.STANDARDS_LOADED, actor=actor, object_type="standards", data=result)
    return result


def _sync_standard(row: dict[str, Any], standards: dict[str, Standard], result: dict[str, Any]) -> Standard:
    values = {f: row[f] for f in STANDARD_FIELDS if f in row}
    standard = standards.get(row["code"])
    if standard is None:
        standard = Standard.objects.create(
            code=row["code"], text_found=bool(row.get("text_found", True)), **values
        )
        standards[standard.code] = standard
        result["standards_created"] += 1
        return standard
    changes = {k: v for k, v in values.items() if getattr(standard, k) != v}
    # A standard shipped without text keeps the text the office has since entered (text_found only rises).
    if row.get("text_found", True) and not standard.text_found:
        changes["text_found"] = True
    if changes:
        _update(Standard, standard, changes)
        result["standards_updated"] += 1
    return standard


def _sync_industries(
    standard: Standard, codes: list[str], industries: dict[str, int], result: dict[str, Any]
) -> None:
    wanted = {industries[c] for c in codes if c in industries}
    result["missing_industries"] += [c for c in codes if c not in industries]
    current = set(standard.industries.values_list("pk", flat=True))
    if wanted != current:
        standard.industries.set(sorted(wanted))


def _sync_version(
    standard: Standard,
    v: dict[str, Any],
    versions: dict[tuple[int, str], StandardVersion],
    office_versions: set[int],
    result: dict[str, Any],
) -> StandardVersion:
    values = _version_values(v)
    version = versions.get((standard.pk, v["label"]))
    if version is None:
        version = StandardVersion.objects.create(standard=standard, label=v["label"], **values)
        versions[(standard.pk, version.label)] = version
        result["versions_created"] += 1
        if version.is_current:
            _retire_others(version, versions)
        return version
    changes = {k: val for k, val in values.items() if getattr(version, k) != val}
    if not changes:
        return version
    if version.pk in office_versions:
        result["versions_kept"] += 1
        return version
    _update(StandardVersion, version, changes)
    result["versions_updated"] += 1
    if changes.get("is_current"):
        _retire_others(version, versions)
    return version


def _retire_others(current: StandardVersion, versions: dict[tuple[int, str], StandardVersion]) -> None:
    """A newly shipped current version supersedes whatever was current, as create_version does."""
    on = current.effective_from or current.issued_on or timezone.localdate()
    for other in versions.values():
        if other.standard_id != current.standard_id or other.pk == current.pk or not other.is_current:
            continue
        changes: dict[str, Any] = {"is_current": False}
        if other.effective_to is None:
            changes["effective_to"] = on
        _update(StandardVersion, other, changes)
