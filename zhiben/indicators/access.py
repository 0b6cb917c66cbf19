"""Who sees which indicator values: the office and leaders every scope, a township official its own township,
a department its own department. Enterprises, experts and the 三员 see no indicators (403).

The values themselves are computed over the whole register (an indicator is a figure about a scope, not a
list of what the reader may open); the reader's grants decide which scopes they may ask for, and a scope
outside them is answered as absent (404), like an object out of scope.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from zhiben.accounts.roles import Role
from zhiben.core.scoping import grants_for
from zhiben.registry.choices import RegionLevel
from zhiben.registry.models import Region

from .registry import DEPARTMENT, DISTRICT, TOWNSHIP, Scope, scopes_of

WHOLE_DISTRICT_ROLES = frozenset({Role.DISTRICT_OFFICE, Role.LEADER})


@dataclass(frozen=True)
class Reach:
    """The scopes one user may read: everything, or some townships (region codes) and departments (ids)."""

    everything: bool = False
    townships: frozenset[str] = frozenset()
    departments: frozenset[str] = frozenset()

    @property
    def any(self) -> bool:
        return self.everything or bool(self.townships or self.departments)

    def allows(self, scope: Scope) -> bool:
        if self.everything:
            return True
        if scope.kind == TOWNSHIP:
            return scope.key in self.townships
        if scope.kind == DEPARTMENT:
            return scope.key in self.departments
        return False

    def scopes(self, kind: str) -> list[Scope]:
        """The scopes of `kind` this reader may see (a township official asking for townships: its own)."""
        return [s for s in scopes_of(kind) if self.allows(s)]

    def home(self) -> Scope | None:
        """The scope a reader's pages open on: the district, else its township, else its department."""
        if self.everything:
            return Scope.district()
        if self.townships:
            return Scope(TOWNSHIP, sorted(self.townships)[0])
        if self.departments:
            return Scope(DEPARTMENT, sorted(self.departments)[0])
        return None

    @property
    def kinds(self) -> list[str]:
        if self.everything:
            return [DISTRICT, TOWNSHIP, DEPARTMENT]
        return [k for k, has in ((TOWNSHIP, self.townships), (DEPARTMENT, self.departments)) if has]


def reach_of(user: Any) -> Reach:
    townships: set[str] = set()
    departments: set[str] = set()
    for grant in grants_for(user):
        if grant.role in WHOLE_DISTRICT_ROLES and grant.region_prefix is None:
            return Reach(everything=True)
        if grant.role == Role.TOWNSHIP and grant.region_prefix:
            for region in Region.objects.filter(
                code__startswith=grant.region_prefix, level=RegionLevel.TOWNSHIP
            ):
                if region.scope_prefix == grant.region_prefix:
                    townships.add(region.code)
        elif grant.role == Role.DEPARTMENT and grant.department_ids:
            departments.update(str(d) for d in grant.department_ids)
    return Reach(townships=frozenset(townships), departments=frozenset(departments))
