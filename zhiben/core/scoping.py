"""Scope enforcement in one place: `Model.objects.restrict(user, action)`.

A user holds role assignments; the grant provider (settings.ZHIBEN_GRANT_PROVIDER) turns them into
`Grant`s: which actions on which models, limited to a region code prefix, a set of industries and/or a
set of enterprises. Each scoped model declares, in `scope = ScopePaths(...)`, the lookup paths from the
model to its region code, its industry and its enterprise. `restrict()` ORs the grants that allow the
action; an object outside every grant is invisible, and views answer 404 for it (R08).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.module_loading import import_string

if TYPE_CHECKING:
    from django.contrib.auth.models import AbstractBaseUser, AnonymousUser

ACTIONS = ("view", "add", "change", "delete", "export", "import")


@dataclass(frozen=True)
class ScopePaths:
    """Lookup paths from a model to the three scope dimensions; None means the model has no such dimension.

    `unscoped=True` marks reference data visible in full to every grant that may view it.
    """

    region: str | None = None
    industry: str | None = None
    enterprise: str | None = None
    # A record assigned to a department (a hazard's 监管部门) is also visible to that department's grants,
    # even outside its industries: a transfer (移送) hands the record over.
    department: str | None = None
    unscoped: bool = False


@dataclass(frozen=True)
class Grant:
    """One role assignment as the scoping engine sees it.

    `permissions` maps a model label ("registry.enterprise") or "*" to the actions allowed.
    None for a dimension means "not limited on that dimension".
    """

    role: str
    permissions: Mapping[str, frozenset[str]]
    region_prefix: str | None = None
    industry_ids: frozenset[int] | None = None
    enterprise_ids: frozenset[int] | None = None
    department_ids: frozenset[int] | None = None
    extra: Mapping[str, Any] = field(default_factory=dict)
    label: str = ""  # the role's display name, for the user menu

    def allows(self, action: str, model: type[models.Model]) -> bool:
        label = model._meta.label_lower
        app_wildcard = f"{model._meta.app_label}.*"
        return any(action in self.permissions.get(key, frozenset()) for key in (label, app_wildcard, "*"))

    def q_for(self, model: type[models.Model]) -> Q | None:
        """The filter this grant admits on `model`, or None if it admits nothing."""
        paths: ScopePaths = getattr(model, "scope", ScopePaths(unscoped=True))
        if paths.unscoped:
            return Q()
        base = self._dimension_q(model, paths)
        if not self.department_ids or paths.department is None or (base is not None and not base):
            return base  # no department path, or already unlimited (`Q() | x` would narrow to x)
        assigned = _in(model, paths.department, self.department_ids)
        if self.region_prefix is not None and paths.region is not None:
            assigned &= _prefix(model, paths.region, self.region_prefix)
        return assigned if base is None else base | assigned

    def _dimension_q(self, model: type[models.Model], paths: ScopePaths) -> Q | None:
        q = Q()
        if self.region_prefix is not None:
            if paths.region is None:
                return None
            q &= _prefix(model, paths.region, self.region_prefix)
        if self.industry_ids is not None:
            if paths.industry is None:
                return None
            q &= _in(model, paths.industry, self.industry_ids)
        if self.enterprise_ids is not None:
            if paths.enterprise is None:
                return None
            q &= _in(model, paths.enterprise, self.enterprise_ids)
        return q


def _prefix(model: type[models.Model], path: str, prefix: str) -> Q:
    """`path` starts with `prefix`, as a subquery on the related table when the path crosses a foreign key.

    `region__code LIKE '4306711%'` joined row by row made SQLite walk every enterprise; selecting the few
    matching regions first lets both databases use the foreign-key index.
    """
    first, _, rest = path.partition("__")
    if not rest:
        return Q(**{f"{path}__startswith": prefix})
    field = model._meta.get_field(first)
    if not field.many_to_one or field.related_model is None:
        return Q(**{f"{path}__startswith": prefix})
    related: Any = field.related_model
    sub = related._default_manager.filter(_prefix(related, rest, prefix)).values("pk")
    return Q(**{f"{first}__in": sub})


def _in(model: type[models.Model], path: str, ids: Iterable[int]) -> Q:
    """`path IN ids` without duplicate rows: a to-many step becomes a subquery on its join table, a foreign
    key step a subquery on the related table (joining the model to itself made PostgreSQL hash all rows)."""
    ids = sorted(ids)
    first, _, rest = path.partition("__")
    if first == "pk":
        return Q(pk__in=ids)
    field: Any = model._meta.get_field(first)
    if not rest:
        if field.many_to_many and not field.auto_created:  # a ManyToManyField declared on this model
            through = field.remote_field.through
            sub = through._default_manager.filter(**{f"{field.m2m_reverse_field_name()}__in": ids})
            return Q(pk__in=sub.values(field.m2m_field_name()))
        if field.one_to_many or field.many_to_many:
            return Q(pk__in=model._default_manager.filter(**{f"{path}__in": ids}).values("pk"))
        return Q(**{f"{path}__in": ids})
    if field.many_to_one:
        related: Any = field.related_model
        return Q(**{f"{first}__in": related._default_manager.filter(_in(related, rest, ids)).values("pk")})
    return Q(pk__in=model._default_manager.filter(**{f"{path}__in": ids}).values("pk"))


def grants_for(user: AbstractBaseUser | AnonymousUser | None) -> list[Grant]:
    """The user's grants, computed once per request object (permission changes apply on the next request)."""
    if user is None or not user.is_authenticated or not user.is_active:
        return []
    cached = getattr(user, "_zhiben_grants", None)
    if cached is None:
        provider = import_string(settings.ZHIBEN_GRANT_PROVIDER)
        cached = list(provider(user))
        user._zhiben_grants = cached  # type: ignore[union-attr,attr-defined]
    return cached


def can(user: Any, action: str, model: type[models.Model]) -> bool:
    """Whether any of the user's grants allows `action` on `model` at all (else: 403)."""
    return any(g.allows(action, model) for g in grants_for(user))


def region_in_scope(user: Any, action: str, model: type[models.Model], code: str) -> bool:
    """Whether a grant allowing `action` on `model` covers region `code` (a create cannot escape scope, R09)."""
    return any(
        g.allows(action, model) and (g.region_prefix is None or code.startswith(g.region_prefix))
        for g in grants_for(user)
    )


def scope_q(user: Any, action: str, model: type[models.Model]) -> Q | None:
    """OR of the filters of the grants allowing `action`; None when nothing is visible."""
    result: Q | None = None
    for grant in grants_for(user):
        if not grant.allows(action, model):
            continue
        q = grant.q_for(model)
        if q is None:
            continue
        if not q:  # an unlimited grant: everything
            return Q()
        result = q if result is None else result | q
    return result


class ScopedQuerySet(models.QuerySet):
    """QuerySet with `restrict(user, action)`; every view and API viewset reads through it."""

    def restrict(self, user: Any, action: str = "view") -> ScopedQuerySet:
        q = scope_q(user, action, self.model)
        if q is None:
            return self.none()
        return self.filter(q) if q else self.all()

    def unrestricted(self) -> ScopedQuerySet:
        """Explicitly unscoped: callers say why in a comment (jobs, statistics over the whole district)."""
        return self.all()
