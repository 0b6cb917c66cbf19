"""What other apps read from the clause library: the clauses a hazard may cite and how a clause reads in a list.

A hazard cites a clause of its standard's *citable* version: the current version when its text is on file,
otherwise the latest version that has clauses (a fallback, flagged 待核实 with a note that a newer version
exists whose text is not yet entered). A version without clauses is never offered: a picker lists only the
clauses of citable versions. A standard whose current version has no clauses waits for its text
(`waiting_standards`, the office's list).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from django.db.models import Count, QuerySet
from django.urls import reverse
from django.utils.translation import gettext as _

from zhiben.core.widgets import FastSelect

from .models import Clause, Standard, StandardVersion


@dataclass(frozen=True)
class Citable:
    """The version of one standard a hazard cites now; `current` is set when that is a fallback."""

    version: StandardVersion
    current: StandardVersion | None = None

    @property
    def fallback(self) -> bool:
        return self.current is not None

    @property
    def note(self) -> str:
        """Why a fallback version is cited: a newer version exists whose text is not yet entered."""
        if self.current is None:
            return ""
        number = f"（{self.current.doc_number}）" if self.current.doc_number else ""
        return _(
            "待核实：本标准已有新版本 %(new)s%(number)s，其条款尚未收录；在补录前暂按 %(old)s 引用，"
            "引用前请对照新版本原文核实。"
        ) % {"new": self.current.label, "number": number, "old": self.version.label}


def _recency(v: StandardVersion) -> tuple[bool, dt.date, int]:
    """The current version first, then the newest by its dates, then the last entered."""
    day = v.effective_from or v.issued_on or v.effective_to or dt.date.min
    return (v.is_current, day, v.pk)


def citable_versions() -> dict[int, Citable]:
    """Per standard id, the version whose clauses may be cited (standards with no clauses at all are absent)."""
    versions = StandardVersion.objects.annotate(n=Count("clauses")).select_related("standard")
    by_standard: dict[int, list[Any]] = {}
    for v in versions:
        by_standard.setdefault(v.standard_id, []).append(v)
    result: dict[int, Citable] = {}
    for standard_id, group in by_standard.items():
        group.sort(key=_recency, reverse=True)
        current = next((v for v in group if v.is_current), None)
        cited = next((v for v in group if v.n), None)
        if cited is None:
            continue
        newer = current if current is not None and current.pk != cited.pk else None
        result[standard_id] = Citable(version=cited, current=newer)
    return result


def citable_clauses(citable: dict[int, Citable] | None = None) -> QuerySet[Clause]:
    """The clauses of every standard's citable version, in the library's order (sector, standard, clause)."""
    citable = citable_versions() if citable is None else citable
    return (
        Clause.objects.filter(version_id__in=[c.version.pk for c in citable.values()])
        .select_related("version__standard")
        .order_by("version__standard__sort_order", "version__standard__code", "sort_order", "code")
    )


def fallback_version_ids(citable: dict[int, Citable] | None = None) -> set[int]:
    citable = citable_versions() if citable is None else citable
    return {c.version.pk for c in citable.values() if c.fallback}


@dataclass(frozen=True)
class Waiting:
    """A standard whose current version has no clauses yet, and what is cited meanwhile (if anything)."""

    standard: Standard
    current: StandardVersion | None
    cited: Citable | None


def waiting_standards() -> list[Waiting]:
    """Standards still waiting for their text: the current version (or the standard) has no clauses."""
    citable = citable_versions()
    current = {v.standard_id: v for v in StandardVersion.objects.filter(is_current=True).order_by("pk")}
    filled = set(Clause.objects.filter(version__is_current=True).values_list("version_id", flat=True))
    rows = []
    for standard in Standard.objects.order_by("sort_order", "code"):
        version = current.get(standard.pk)
        if version is not None and version.pk in filled:
            continue
        rows.append(Waiting(standard=standard, current=version, cited=citable.get(standard.pk)))
    return rows


def clause_label(clause: Clause, *, width: int, fallback: bool = False) -> str:
    """`【sector】code text…` with the text cut at `width` characters (a select's option); a fallback
    version's clause says which version it is and that it is 待核实."""
    v = clause.version
    where = f"{v.standard.sector}·{v.label}·{_('待核实')}" if fallback else v.standard.sector
    return f"【{where}】{clause.code} {clause.text[:width]}"


def clause_choices(*, width: int, keep: Any = None) -> list[tuple[str, str]]:
    """Choices of a clause select: "—" (none), then the citable clauses. `keep` (a clause or its id), when
    it is not citable any more (a hazard judged under an older version), is kept as the first choice so the
    form shows and keeps what the hazard cites."""
    citable = citable_versions()
    fallbacks = fallback_version_ids(citable)
    clauses = list(citable_clauses(citable))
    choices = [("", "—")]
    keep_id = getattr(keep, "pk", keep)
    if keep_id and not any(c.pk == keep_id for c in clauses):
        kept = Clause.objects.select_related("version__standard").filter(pk=keep_id).first()
        if kept is not None:
            choices.append((str(kept.pk), f"{clause_label(kept, width=width)}（{kept.version.label}）"))
    return choices + [
        (str(c.pk), clause_label(c, width=width, fallback=c.version_id in fallbacks)) for c in clauses
    ]


def clause_picker(
    *, width: int, industry: Any = None, enterprise_field: str = "", keep: Any = None
) -> FastSelect:
    """The clause select of a form, enhanced by static/standards/clause-picker.js into a search (typeahead)
    that asks `standards:clause_lookup`, with the standards of the hazard's industry first. The industry is
    given (`industry`, an Industry or its id) or read from the form's enterprise field (`enterprise_field`).
    Without JavaScript it stays a plain select of the citable clauses; either way it posts the clause id."""
    attrs = {"data-clause-search": reverse("standards:clause_lookup")}
    industry_id = getattr(industry, "pk", industry)
    if industry_id:
        attrs["data-industry"] = str(industry_id)
    if enterprise_field:
        attrs["data-enterprise-field"] = enterprise_field
    return FastSelect(attrs=attrs, choices=clause_choices(width=width, keep=keep))
