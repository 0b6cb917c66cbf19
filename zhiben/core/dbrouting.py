"""Reads from a streaming replica where a stale second is harmless; everything else on the primary.

A city or province deployment runs PostgreSQL as a primary with one or more streaming replicas
(docs/operations.md, "More than one machine"). With `ZHIBEN_REPLICA_URL` set, the database alias `replica` exists
and `ReplicaRouter` sends a request's reads there only when all of these hold:

* the request is a GET or HEAD of a page named in `settings.REPLICA_VIEWS` (statistics, dashboards, the indicator
  pages) or an export of any list (`?export=…`): pages that only read and whose figures may lag by a moment;
* the person did not change anything in the last `settings.REPLICA_PIN_SECONDS` (a POST, PUT, PATCH or DELETE
  sets the `zb_primary` cookie for that long), so after saving a record they read their own write;
* nothing has been written in this request yet (a write pins the rest of the request to the primary).

Writes always go to the primary, and migrations run only there (the replica receives them by replication).
Background jobs and commands read from the primary unless they ask for `replica_reads()` explicitly.
Without a replica configured, every read goes to the primary and the middleware costs one attribute lookup.
"""

from __future__ import annotations

import contextvars
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any

from django.conf import settings
from django.db import connections
from django.http import HttpRequest, HttpResponse
from django.urls import Resolver404, resolve

REPLICA = "replica"
PRIMARY = "default"
PIN_COOKIE = "zb_primary"
SAFE_METHODS = frozenset({"GET", "HEAD"})

_reads_from_replica: contextvars.ContextVar[bool] = contextvars.ContextVar("zb_replica_reads", default=False)
_pinned: contextvars.ContextVar[bool] = contextvars.ContextVar("zb_primary_pinned", default=False)


def replica_configured() -> bool:
    return REPLICA in connections.settings


def reading_from_replica() -> bool:
    """Whether reads of the current request or block go to the replica now."""
    return replica_configured() and _reads_from_replica.get() and not _pinned.get()


@contextmanager
def replica_reads() -> Iterator[None]:
    """Read from the replica inside this block (a job building an export); a write inside still pins."""
    token = _reads_from_replica.set(True)
    pin = _pinned.set(False)
    try:
        yield
    finally:
        _pinned.reset(pin)
        _reads_from_replica.reset(token)


@contextmanager
def primary_reads() -> Iterator[None]:
    """Read from the primary inside this block (a check that must see the latest state)."""
    pin = _pinned.set(True)
    try:
        yield
    finally:
        _pinned.reset(pin)


class ReplicaRouter:
    """Django database router: see the module's docstring."""

    def db_for_read(self, model: type, **hints: Any) -> str:
        return REPLICA if reading_from_replica() else PRIMARY

    def db_for_write(self, model: type, **hints: Any) -> str:
        _pinned.set(True)  # the rest of this request reads what it wrote
        return PRIMARY

    def allow_relation(self, obj1: Any, obj2: Any, **hints: Any) -> bool:
        return True  # the replica holds the same rows as the primary

    def allow_migrate(self, db: str, app_label: str, model_name: str | None = None, **hints: Any) -> bool:
        return db != REPLICA


def eligible(request: HttpRequest) -> bool:
    """A read-only page whose figures may lag by a moment (the module's docstring lists the rules)."""
    if request.method not in SAFE_METHODS or request.COOKIES.get(PIN_COOKIE):
        return False
    if "export" in request.GET:
        return True
    try:
        name = resolve(request.path_info).view_name
    except Resolver404:
        return False
    return name in settings.REPLICA_VIEWS


class ReplicaMiddleware:
    """Chooses the database of a request's reads (before the session and the user are read) and pins a
    person who just changed something to the primary for `REPLICA_PIN_SECONDS`."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if not replica_configured():
            return self.get_response(request)
        token = _reads_from_replica.set(eligible(request))
        pin = _pinned.set(False)
        try:
            response = self.get_response(request)
        finally:
            _pinned.reset(pin)
            _reads_from_replica.reset(token)
        if request.method not in SAFE_METHODS:
            response.set_cookie(
                PIN_COOKIE, "1", max_age=settings.REPLICA_PIN_SECONDS, httponly=True, samesite="Lax"
            )
        return response
