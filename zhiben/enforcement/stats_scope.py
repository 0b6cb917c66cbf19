"""Who sees which enforcement statistics (执法统计的数据范围), as filters on the records behind the figures.

The office and leaders see everything; a township its territory (records located in it); a department its own
work: the inspections it took part in, the findings routed to its ledger and the cases it handles (not every
record of its industries, which `restrict()` would admit: the statistics judge a department's own enforcement).
An enterprise user has no statistics scope at all.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from django.db.models import Q
from django.utils.translation import gettext as _

from zhiben.accounts.roles import Role
from zhiben.core.scoping import grants_for
from zhiben.inspections.models import InspectionDepartment
from zhiben.registry.models import Department, Region

from .models import Case


@dataclass(frozen=True)
class ScopePart:
    """What one role assignment admits: departments (None: any) within a region prefix (None: anywhere)."""

    departments: frozenset[int] | None = None
    region_prefix: str | None = None

    @property
    def unlimited(self) -> bool:
        return self.departments is None and self.region_prefix is None


def scope_parts(user: Any) -> list[ScopePart]:
    """The user's grants that admit enforcement statistics: view on cases, and not a unit's own grant
    (an enterprise sees its own cases, not district statistics)."""
    parts: list[ScopePart] = []
    for g in grants_for(user):
        if not g.allows("view", Case) or g.role == Role.ENTERPRISE or g.enterprise_ids is not None:
            continue
        if g.role == Role.DEPARTMENT:
            if g.department_ids:  # a department role with no department admits nothing
                parts.append(ScopePart(frozenset(g.department_ids), g.region_prefix))
        elif g.industry_ids is None:
            parts.append(ScopePart(None, g.region_prefix))
    if any(p.unlimited for p in parts):
        return [ScopePart()]
    return parts


def may_view_statistics(user: Any) -> bool:
    return bool(scope_parts(user))


def scope_label(user: Any) -> str:
    """The user's jurisdiction in words, under the page title."""
    parts = scope_parts(user)
    if any(p.unlimited for p in parts):
        return _("全区")
    labels: list[str] = []
    prefixes = sorted({p.region_prefix for p in parts if p.region_prefix})
    names = dict(Region.objects.filter(code__in=prefixes).values_list("code", "name")) if prefixes else {}
    dept_ids = sorted({d for p in parts for d in (p.departments or ())})
    dept_names = dict(Department.objects.filter(pk__in=dept_ids).values_list("pk", "name"))
    for p in parts:
        place = names.get(p.region_prefix or "", p.region_prefix or "")
        if p.departments is None:
            labels.append(place)
        else:
            who = "、".join(dept_names.get(d, str(d)) for d in sorted(p.departments))
            labels.append(_("%(d)s本部门") % {"d": who} + (f"（{place}）" if place else ""))
    return "、".join(dict.fromkeys(labels))


def department_choices(user: Any) -> list[tuple[str, str]]:
    """Departments the user may filter by: a department user its own, everyone else all of them."""
    parts = scope_parts(user)
    qs = Department.objects.order_by("sort_order", "code")
    if parts and all(p.departments is not None for p in parts):
        qs = qs.filter(pk__in=sorted({d for p in parts for d in (p.departments or ())}))
    return list(qs.values_list("code", "name"))


def region_prefixes(user: Any) -> set[str | None]:
    return {p.region_prefix for p in scope_parts(user)}


def region_in(path: str, prefix: str) -> Q:
    """The region foreign key at `path` lies under `prefix` (a subquery on the few matching regions, as
    core.scoping does, so both databases use the foreign-key index)."""
    return Q(**{f"{path}__in": Region.objects.filter(code__startswith=prefix).values("pk")})


def attributed_q(parts: list[ScopePart], department_path: str, region_path: str) -> Q:
    """Scope of records that belong to one department and one place (a finding, a case, a participation)."""
    result: Q | None = None
    for p in parts:
        if p.unlimited:
            return Q()
        q = Q()
        if p.departments is not None:
            q &= Q(**{f"{department_path}__in": sorted(p.departments)})
        if p.region_prefix is not None:
            q &= region_in(region_path, p.region_prefix)
        result = q if result is None else result | q
    return result if result is not None else Q(pk__in=[])


def participated(departments: Iterable[int], prefix: str = "") -> Q:
    """The inspection (at `prefix`) was led by, or had taking part, one of `departments`."""
    ids = sorted(departments)
    return Q(**{f"{prefix}department_id__in": ids}) | Q(
        **{
            f"{prefix}pk__in": InspectionDepartment.objects.filter(department_id__in=ids).values(
                "inspection_id"
            )
        }
    )


def visit_q(parts: list[ScopePart]) -> Q:
    """Scope of whole visits: in the territory, or taken part in by one of the departments."""
    result: Q | None = None
    for p in parts:
        if p.unlimited:
            return Q()
        q = Q()
        if p.departments is not None:
            q &= participated(p.departments)
        if p.region_prefix is not None:
            q &= region_in("region", p.region_prefix)
        result = q if result is None else result | q
    return result if result is not None else Q(pk__in=[])
