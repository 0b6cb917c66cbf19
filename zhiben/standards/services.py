"""Standards services: every write to the judgement-standard library goes through here, audited.

A clause's identity is `(version, code)`. The text a 重大 hazard cited stays as it was when the hazard was
judged: once a clause is cited, its code, article and text are frozen and a changed standard text becomes a
new `StandardVersion` (create_version), never an edit in place.

Concurrency: the clauses of a version are one document, so every clause write compare-and-swaps the row
version of its `StandardVersion` (`StandardVersion.version`; `Clause.version` is the foreign key to it).
A stale edit, of the version's fields or of any of its clauses, is a Conflict (HTTP 409).
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from zhiben.core import audit
from zhiben.core.errors import Conflict, DomainError
from zhiben.core.workflow import compare_and_swap

from . import events
from .models import Clause, Confidence, Standard, StandardVersion


class StandardsError(DomainError):
    """A rule of the judgement-standard library refused the change."""


VERSION_FIELDS = (
    "label",
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
CLAUSE_FIELDS = ("code", "article", "text", "sort_order")
# What a citation of a clause shows (Clause.citation): frozen once a hazard cites the clause.
CITED_FIELDS = ("code", "article", "text")


def _audit_value(value: Any) -> Any:
    if isinstance(value, dt.date):
        return value.isoformat()
    return getattr(value, "pk", value)


def _clean_text(value: Any) -> str:
    return str(value or "").strip()


def _check_dates(effective_from: dt.date | None, effective_to: dt.date | None) -> None:
    if effective_from and effective_to and effective_to < effective_from:
        raise ValidationError({"effective_to": _("废止日期不能早于施行日期。")})


def _check_confidence(value: str) -> None:
    if value not in Confidence.values:
        raise ValidationError({"confidence": _("核实状态无效。")})


def _check_expected(version: StandardVersion, expected_version: int | None) -> None:
    """The caller edited what it read at `expected_version`; anything newer means someone else wrote first."""
    if expected_version is not None and int(expected_version) != version.version:
        raise Conflict()


def _retire(previous: StandardVersion, *, actor: Any, on: dt.date, reason: str) -> None:
    """Mark a formerly current version as no longer in force (废止), keeping it and its clauses."""
    changes: dict[str, Any] = {"is_current": False}
    if previous.effective_to is None:
        changes["effective_to"] = on
    compare_and_swap(previous, expected={"is_current": True}, changes=changes)
    audit.record(
        previous,
        events.STANDARD_VERSION_UPDATED,
        actor=actor,
        data={**{k: _audit_value(v) for k, v in changes.items()}, "reason": reason},
    )


def _retire_current(standard: Standard, *, actor: Any, keep: StandardVersion, on: dt.date) -> None:
    reason = _("新版本 %(label)s 现行有效") % {"label": keep.label}
    for previous in standard.versions.filter(is_current=True).exclude(pk=keep.pk).order_by("pk"):
        _retire(previous, actor=actor, on=on, reason=reason)


def _mark_text_found(standard: Standard) -> bool:
    """A standard listed without clause text (空标准) has text once the office enters a clause.

    Returns whether the flag changed; the caller's audit row says so.
    """
    standard.refresh_from_db(fields=["text_found", "version"])
    if standard.text_found:
        return False
    compare_and_swap(standard, expected={"text_found": False}, changes={"text_found": True})
    return True


def _lock_standard(standard: Standard) -> Standard:
    # One writer per standard at a time: two offices adding "the new current version" at once must not both
    # end up current.
    return Standard.objects.select_for_update().get(pk=standard.pk)


@transaction.atomic
def create_version(
    standard: Standard,
    *,
    actor: Any,
    label: str,
    title: str,
    doc_number: str = "",
    issued_on: dt.date | None = None,
    effective_from: dt.date | None = None,
    effective_to: dt.date | None = None,
    source: str = "",
    confidence: str = Confidence.UNVERIFIED,
    notes: str = "",
    copy_clauses_from: StandardVersion | None = None,
    make_current: bool = True,
    today: dt.date | None = None,
) -> StandardVersion:
    """Add a new version (新增版本) of a standard; the old versions and their clauses stay.

    With `make_current`, the previously current version is marked 不再现行 and, if it has no 废止日期 yet,
    gets the new version's 施行日期 (else its 发布日期, else today). `copy_clauses_from` copies the clauses
    of another version of the same standard as the starting text.
    """
    standard = _lock_standard(standard)
    label = _clean_text(label)
    title = _clean_text(title)
    if not label:
        raise ValidationError({"label": _("请填写版本，如 2025版。")})
    if not title:
        raise ValidationError({"title": _("请填写文件标题。")})
    if standard.versions.filter(label=label).exists():
        raise ValidationError({"label": _("该标准已有版本“%(label)s”。") % {"label": label}})
    _check_dates(effective_from, effective_to)
    _check_confidence(confidence)
    if copy_clauses_from is not None and copy_clauses_from.standard_id != standard.pk:
        raise StandardsError(_("只能复制本标准其他版本的条款。"), field="copy_clauses_from")
    version = StandardVersion.objects.create(
        standard=standard,
        label=label,
        title=title,
        doc_number=_clean_text(doc_number),
        issued_on=issued_on,
        effective_from=effective_from,
        effective_to=effective_to,
        is_current=make_current,
        source=_clean_text(source),
        confidence=confidence,
        notes=str(notes or "").strip(),
    )
    copied = 0
    text_found = False
    if copy_clauses_from is not None:
        clones = [
            Clause(version=version, code=c.code, article=c.article, text=c.text, sort_order=c.sort_order)
            for c in copy_clauses_from.clauses.order_by("sort_order", "code")
        ]
        Clause.objects.bulk_create(clones)
        copied = len(clones)
        if copied:
            text_found = _mark_text_found(standard)
    audit.record(
        version,
        events.STANDARD_VERSION_CREATED,
        actor=actor,
        data={
            "standard": standard.code,
            **{f: _audit_value(getattr(version, f)) for f in VERSION_FIELDS},
            "copied_from": copy_clauses_from.pk if copy_clauses_from is not None else None,
            "clauses_copied": copied,
            "standard_text_found": text_found or None,
        },
    )
    if make_current:
        on = effective_from or issued_on or today or timezone.localdate()
        _retire_current(standard, actor=actor, keep=version, on=on)
    return version


@transaction.atomic
def update_version(
    version: StandardVersion,
    *,
    actor: Any,
    expected_version: int | None = None,
    today: dt.date | None = None,
    **data: Any,
) -> StandardVersion:
    """Edit a version's particulars (文号、日期、来源、核实状态 …) by compare-and-swap on its row version.

    Setting `is_current` makes this the one current version of its standard: the others are retired as in
    create_version. A version cannot be un-made current directly: add or make another version current instead,
    so that a standard never silently loses its current text.
    """
    _lock_standard(version.standard)
    _check_expected(version, expected_version)
    unknown = set(data) - set(VERSION_FIELDS)
    if unknown:
        raise TypeError(f"update_version() got unexpected fields {sorted(unknown)}")
    for name in ("label", "title", "doc_number", "source"):
        if name in data:
            data[name] = _clean_text(data[name])
    if "notes" in data:
        data["notes"] = str(data["notes"] or "").strip()
    if "label" in data:
        if not data["label"]:
            raise ValidationError({"label": _("请填写版本，如 2025版。")})
        clash = version.standard.versions.filter(label=data["label"]).exclude(pk=version.pk)
        if clash.exists():
            raise ValidationError({"label": _("该标准已有版本“%(label)s”。") % {"label": data["label"]}})
    if "title" in data and not data["title"]:
        raise ValidationError({"title": _("请填写文件标题。")})
    if "confidence" in data:
        _check_confidence(data["confidence"])
    _check_dates(
        data.get("effective_from", version.effective_from), data.get("effective_to", version.effective_to)
    )
    if data.get("is_current") is False and version.is_current:
        raise StandardsError(_("不能直接取消现行版本：请新增版本或将其他版本设为现行。"), field="is_current")
    changes = {k: v for k, v in data.items() if getattr(version, k) != v}
    if not changes:
        return version
    compare_and_swap(version, expected={}, changes=changes)
    audit.record(
        version,
        events.STANDARD_VERSION_UPDATED,
        actor=actor,
        data={k: _audit_value(v) for k, v in changes.items()},
    )
    if changes.get("is_current"):
        on = version.effective_from or version.issued_on or today or timezone.localdate()
        _retire_current(version.standard, actor=actor, keep=version, on=on)
    return version


def _bump(version: StandardVersion, expected_version: int | None) -> None:
    """Compare-and-swap the version row: the clause list is one document with one revision counter."""
    _check_expected(version, expected_version)
    compare_and_swap(version, expected={}, changes={})


@transaction.atomic
def add_clause(
    version: StandardVersion,
    *,
    actor: Any,
    code: str,
    text: str,
    article: str = "",
    sort_order: int | None = None,
    expected_version: int | None = None,
) -> Clause:
    """Add a judgement item (判定条款) to a version, e.g. when the office enters a standard's text."""
    code = _clean_text(code)
    text = str(text or "").strip()
    if not code:
        raise ValidationError({"code": _("请填写条款编号。")})
    if not text:
        raise ValidationError({"text": _("请填写条款内容。")})
    _bump(version, expected_version)
    if version.clauses.filter(code=code).exists():
        raise ValidationError({"code": _("本版本已有条款“%(code)s”。") % {"code": code}})
    if sort_order is None:
        last = version.clauses.order_by("-sort_order").values_list("sort_order", flat=True).first()
        sort_order = (last or 0) + 10
    clause = Clause.objects.create(
        version=version, code=code, article=_clean_text(article), text=text, sort_order=sort_order
    )
    text_found = _mark_text_found(version.standard)
    audit.record(
        clause,
        events.CLAUSE_CHANGED,
        actor=actor,
        data={
            "action": "added",
            **{f: getattr(clause, f) for f in CLAUSE_FIELDS},
            "standard_text_found": text_found or None,
        },
    )
    return clause


@transaction.atomic
def update_clause(
    clause: Clause,
    *,
    actor: Any,
    expected_version: int | None = None,
    **data: Any,
) -> Clause:
    """Edit a clause. A clause a hazard cites keeps its code, article and text: change those in a new version."""
    unknown = set(data) - set(CLAUSE_FIELDS)
    if unknown:
        raise TypeError(f"update_clause() got unexpected fields {sorted(unknown)}")
    for name in ("code", "article"):
        if name in data:
            data[name] = _clean_text(data[name])
    if "text" in data:
        data["text"] = str(data["text"] or "").strip()
        if not data["text"]:
            raise ValidationError({"text": _("请填写条款内容。")})
    if "code" in data and not data["code"]:
        raise ValidationError({"code": _("请填写条款编号。")})
    changes = {k: v for k, v in data.items() if getattr(clause, k) != v}
    if not changes:
        _check_expected(clause.version, expected_version)
        return clause
    frozen = [f for f in CITED_FIELDS if f in changes]
    if frozen:
        cited = clause.hazards.count()
        if cited:
            raise StandardsError(
                _(
                    "该条款已被 %(n)d 条隐患作为判定依据引用，条款编号、所属条/章和内容不能修改。"
                    "如标准文本有变化，请新增标准版本（可复制现行条款）后在新版本中修改。"
                )
                % {"n": cited},
                field=frozen[0],
            )
    _bump(clause.version, expected_version)
    if (
        "code" in changes
        and clause.version.clauses.filter(code=changes["code"]).exclude(pk=clause.pk).exists()
    ):
        raise ValidationError({"code": _("本版本已有条款“%(code)s”。") % {"code": changes["code"]}})
    before = {k: getattr(clause, k) for k in changes}
    Clause.objects.filter(pk=clause.pk).update(**changes, updated_at=timezone.now())
    for k, v in changes.items():
        setattr(clause, k, v)
    audit.record(
        clause, events.CLAUSE_CHANGED, actor=actor, data={"action": "updated", "before": before, **changes}
    )
    return clause
