"""What other apps read from the clause library: the clauses in force and how a clause reads in a list."""

from __future__ import annotations

from django.db.models import QuerySet

from .models import Clause


def current_clauses() -> QuerySet[Clause]:
    """The clauses of every standard's current version, in the library's order (sector, standard, clause)."""
    return (
        Clause.objects.filter(version__is_current=True)
        .select_related("version__standard")
        .order_by("version__standard__sort_order", "version__standard__code", "sort_order", "code")
    )


def clause_label(clause: Clause, *, width: int) -> str:
    """`【sector】code text…` with the text cut at `width` characters (a select's option)."""
    return f"【{clause.version.standard.sector}】{clause.code} {clause.text[:width]}"


def clause_choices(*, width: int) -> list[tuple[str, str]]:
    """Choices of a clause select: "—" (none), then the current clauses."""
    return [("", "—")] + [(str(c.pk), clause_label(c, width=width)) for c in current_clauses()]
