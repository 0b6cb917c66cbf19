"""Scope enforcement in one place: `Model.objects.restrict(user, action)`.

A user holds role assignments; the grant provider (settings.ZHIBEN_GRANT_PROVIDER) turns them into
`Grant`s: which actions on which models, limited to a region code prefix, a set of industries and/or a
set of enterprises. Each scoped model declares, in `scope = ScopePaths(...)`, the lookup paths from the
model to its region code, its industry and its enterprise. `restrict()` ORs the grants that allow the
action; an object outside every grant is invisible, and views answer 404 for it (R08).

Scoping fails closed inside a request: `RequestContextMiddleware` runs each web and API request under
`enforced()`, and there evaluating a scoped model's queryset that was neither `restrict()`ed nor marked
`.unrestricted(reason)` raises `ScopeNotApplied`. Related managers of an instance already read pass (Django
hints them with the instance), foreign-key access passes (it reads through the plain `_base_manager`), and so
does a block under `unscoped(reason)`. Management commands, the huey worker (and jobs run in-process, see
`core.jobs`), migrations and tests calling services directly run outside a request: nothing is checked there.
"""

from __future__ import annotations

import contextvars
from collections.abc import Iterable, Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from django.conf import settings
from django.core.exceptions import FieldDoesNotExist
from django.db import models
from django.db.models import Q
from django.utils.module_loading import import_string

if TYPE_CHECKING:
    from django.contrib.auth.models import AbstractBaseUser, AnonymousUser

ACTIONS = ("view", "add", "change", "delete", "export", "import")

# True while a web or API request is being answered (set by core.middleware.RequestContextMiddleware).
_enforced: contextvars.ContextVar[bool] = contextvars.ContextVar("zhiben_scope_enforced", default=False)
# The reason of the innermost `unscoped(reason)` block, if any.
_unscoped_reason: contextvars.ContextVar[str | None] = contextvars.ContextVar(
    "zhiben_unscoped_reason", default=None
)


class ScopeNotApplied(RuntimeError):
    """A scoped model was read in a request without `restrict()`, `.unrestricted(reason)` or `unscoped()`."""


@contextmanager
def enforced(on: bool = True) -> Iterator[None]:
    """Check scoping in this block (a request), or with `on=False` not (a job run in-process)."""
    token = _enforced.set(on)
    try:
        yield
    finally:
        _enforced.reset(token)


@contextmanager
def unscoped(reason: str) -> Iterator[None]:
    """Read across scope in this block, for `reason` (login, a service re-reading a row under lock).

    Prefer `.unrestricted(reason)` on the one queryset where a single query is meant.
    """
    if not reason:
        raise ValueError("unscoped() needs a reason")
    token = _unscoped_reason.set(reason)
    try:
        yield
    finally:
        _unscoped_reason.reset(token)


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
    # The users a record is assigned to (an inspection's team): a grant limited to its holder's assignments
    # (an expert's) sees the records whose path holds the user's id, and nothing of a model without the path.
    assignee: str | None = None
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
    assignee_ids: frozenset[int] | None = (
        None  # only the records assigned to these users (ScopePaths.assignee)
    )
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
        if self.assignee_ids is not None:
            return None if paths.assignee is None else _in(model, paths.assignee, self.assignee_ids)
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

    def admits(self, obj: models.Model) -> bool | None:
        """Whether `q_for` admits the loaded `obj`, decided from its own field values: True, False, or None
        when a value is not at hand (a to-many path, or a foreign key whose row was not loaded with it).
        Mirrors `q_for` clause by clause; `test_scoping` checks both answer alike."""
        model = type(obj)
        paths: ScopePaths = getattr(model, "scope", ScopePaths(unscoped=True))
        if paths.unscoped:
            return True
        if self.assignee_ids is not None:
            return False if paths.assignee is None else _is_in(obj, paths.assignee, self.assignee_ids)
        unlimited = self.region_prefix is None and self.industry_ids is None and self.enterprise_ids is None
        base: bool | None = True
        if self.region_prefix is not None:
            base = False if paths.region is None else _has_prefix(obj, paths.region, self.region_prefix)
        if self.industry_ids is not None:
            base = _and(
                base, False if paths.industry is None else _is_in(obj, paths.industry, self.industry_ids)
            )
        if self.enterprise_ids is not None:
            base = _and(
                base,
                False if paths.enterprise is None else _is_in(obj, paths.enterprise, self.enterprise_ids),
            )
        if not self.department_ids or paths.department is None or unlimited:
            return base
        assigned = _is_in(obj, paths.department, self.department_ids)
        if self.region_prefix is not None and paths.region is not None:
            assigned = _and(assigned, _has_prefix(obj, paths.region, self.region_prefix))
        return _or(base, assigned)


_UNKNOWN = object()


def _and(a: bool | None, b: bool | None) -> bool | None:
    return False if a is False or b is False else None if a is None or b is None else True


def _or(a: bool | None, b: bool | None) -> bool | None:
    return True if a is True or b is True else None if a is None or b is None else False


def _value_at(obj: Any, path: str) -> Any:
    """The value `path` reaches from the loaded `obj` without a query, or _UNKNOWN: local fields, and foreign
    keys whose row is already loaded (select_related or an earlier access)."""
    first, _, rest = path.partition("__")
    if first == "pk":
        return obj.pk if not rest else _UNKNOWN
    try:
        field: Any = obj._meta.get_field(first)
    except FieldDoesNotExist:
        return _UNKNOWN
    if field.many_to_many or field.one_to_many or (field.one_to_one and field.auto_created):
        return _UNKNOWN
    if not rest:
        return getattr(obj, field.attname)
    if not field.many_to_one or not field.is_cached(obj):
        return _UNKNOWN
    related = field.get_cached_value(obj)
    return None if related is None else _value_at(related, rest)


def _is_in(obj: Any, path: str, ids: Iterable[int]) -> bool | None:
    value = _value_at(obj, path)
    return None if value is _UNKNOWN else value is not None and value in ids


def _has_prefix(obj: Any, path: str, prefix: str) -> bool | None:
    value = _value_at(obj, path)
    return None if value is _UNKNOWN else isinstance(value, str) and value.startswith(prefix)


def scope_admits(user: Any, action: str, obj: models.Model) -> bool | None:
    """Whether `restrict(user, action)` would hold the loaded `obj`, decided without a query: True, False, or
    None when a grant's answer needs a value not loaded (the caller then asks the database)."""
    verdict: bool | None = False
    for grant in grants_for(user):
        if grant.allows(action, type(obj)):
            verdict = _or(verdict, grant.admits(obj))
            if verdict is True:
                return True
    return verdict


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
    sub = _inner(related).filter(_prefix(related, rest, prefix)).values("pk")
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
            sub = _inner(through).filter(**{f"{field.m2m_reverse_field_name()}__in": ids})
            return Q(pk__in=sub.values(field.m2m_field_name()))
        if field.one_to_many or field.many_to_many:
            return Q(pk__in=_inner(model).filter(**{f"{path}__in": ids}).values("pk"))
        return Q(**{f"{path}__in": ids})
    if field.many_to_one:
        related: Any = field.related_model
        return Q(**{f"{first}__in": _inner(related).filter(_in(related, rest, ids)).values("pk")})
    return Q(pk__in=_inner(model).filter(**{f"{path}__in": ids}).values("pk"))


def _inner(model: Any) -> Any:
    """The model's rows for a subquery built inside `restrict()`: the outer query is the one restricted."""
    return rows_of(model, "scoping: subquery inside restrict()")


def rows_of(model: Any, reason: str) -> Any:
    """Every row of `model`, scoped or not, marked unrestricted for `reason` (generic code over any model)."""
    qs = model._default_manager.all()
    return qs.unrestricted(reason) if isinstance(qs, ScopedQuerySet) else qs


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


def is_scoped(model: type[models.Model]) -> bool:
    """Whether reads of `model` in a request must be restricted (its `scope` limits some dimension)."""
    paths = getattr(model, "scope", None)
    return isinstance(paths, ScopePaths) and not paths.unscoped


class ScopedQuerySet(models.QuerySet):
    """QuerySet with `restrict(user, action)`; every view and API viewset reads through it.

    In a request, evaluating one that is neither restricted nor `.unrestricted(reason)` raises
    `ScopeNotApplied` (see the module docstring); the mark survives chaining.
    """

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        # How this queryset was scoped: "restrict:<action>" or "unrestricted:<reason>"; None: not yet.
        self._scope_mark: str | None = None

    def _clone(self) -> Any:
        clone = super()._clone()  # type: ignore[misc]  # private in the stubs
        clone._scope_mark = self._scope_mark
        return clone

    def _check_scope(self) -> None:
        if self._scope_mark is not None or not _enforced.get() or _unscoped_reason.get() is not None:
            return
        hints: dict[str, Any] = getattr(self, "_hints", {})
        if hints.get("instance") is not None or not is_scoped(self.model) or self.query.is_empty():
            return  # a related manager of an instance already read, a model without scope, or none()
        raise ScopeNotApplied(
            f"{self.model._meta.label} was read in a request without restrict(user, action) or "
            f'.unrestricted("reason") (core/scoping.py)'
        )

    def restrict(self, user: Any, action: str = "view") -> ScopedQuerySet:
        q = scope_q(user, action, self.model)
        qs = self.none() if q is None else self.filter(q) if q else self.all()
        qs._scope_mark = f"restrict:{action}"
        return qs

    def unrestricted(self, reason: str) -> ScopedQuerySet:
        """Explicitly unscoped, for `reason` (a service that checks permission itself, a district statistic)."""
        if not reason:
            raise ValueError("unrestricted() needs a reason")
        qs = self.all()
        qs._scope_mark = f"unrestricted:{reason}"
        return qs

    # The points Django funnels evaluation through: rows (iteration, len, bool, get, first/last, values lists,
    # in_bulk), iterator, count, exists, aggregate, update and delete.
    def _fetch_all(self) -> None:
        if self._result_cache is None:
            self._check_scope()
        super()._fetch_all()

    def iterator(self, chunk_size: int | None = None) -> Any:
        self._check_scope()
        return super().iterator(chunk_size)

    def count(self) -> int:
        if self._result_cache is None:
            self._check_scope()
        return super().count()

    def exists(self) -> bool:
        if self._result_cache is None:
            self._check_scope()
        return super().exists()

    def aggregate(self, *args: Any, **kwargs: Any) -> dict[str, Any]:
        self._check_scope()
        return super().aggregate(*args, **kwargs)

    def update(self, **kwargs: Any) -> int:
        self._check_scope()
        return super().update(**kwargs)

    update.alters_data = True  # type: ignore[attr-defined]  # as Django marks its own

    def delete(self) -> tuple[int, dict[str, int]]:
        self._check_scope()
        return super().delete()

    delete.alters_data = True  # type: ignore[attr-defined]
    delete.queryset_only = True  # type: ignore[attr-defined]
