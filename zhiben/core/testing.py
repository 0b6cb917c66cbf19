"""Test helpers for every app: persona clients, the access matrix and audit assertions.

The access matrix follows NetBox's generic view tests and pretix's permission table: a case names one URL
and says, for every persona of the test world, what it must get — in scope → 200 (or `ok`), no permission
at all → 403, out of scope → 404, anonymous → the login page (pages) or 401/403 (API). `assert_access`
runs every case as every persona and reports all mismatches at once, so one run shows the whole picture.

    class TestEnterpriseDetail(AccessMatrix):
        cases = [ApiCase("enterprise-detail", kwargs=lambda w: {"pk": w.enterprises["qiye2"].pk},
                         allowed=["anweiban", "heshi", ...], forbidden=[...], hidden=[...])]
"""

from __future__ import annotations

import json
from collections.abc import Callable, Collection, Mapping
from dataclasses import dataclass, field
from typing import Any, ClassVar
from urllib.parse import urlencode

import pytest
from django.conf import settings
from django.shortcuts import resolve_url
from django.test import Client
from django.urls import reverse

from .models import AuditEntry

ANONYMOUS = "anonymous"
API_PREFIX = "/api/"

Data = Mapping[str, Any] | Callable[[Any, str], Mapping[str, Any]] | None


def login(client: Client, user: Any) -> Client:
    """Log `user` in on the test client (a session, as the browser has) and return the client."""
    client.force_login(user)
    return client


def obtain_token(client: Client, username: str, password: str | None = None) -> str:
    """Exchange username and password for an API token through POST /api/v1/auth/token/."""
    response = client.post(
        reverse("api-token"),
        {"username": username, "password": password or settings.DEMO_PASSWORD},
        content_type="application/json",
    )
    assert response.status_code == 200, (response.status_code, response.content[:300])
    return response.json()["token"]


def token_header(token: str) -> dict[str, str]:
    return {"Authorization": f"Token {token}"}


def is_api(path: str) -> bool:
    return path.startswith(API_PREFIX)


def login_url() -> str:
    return resolve_url(settings.LOGIN_URL)


def redirects_to_login(response: Any) -> bool:
    """A page refused to an anonymous visitor: 302 to the login page."""
    return response.status_code == 302 and response["Location"].split("?")[0] == login_url()


def request(
    client: Client,
    method: str,
    path: str,
    data: Mapping[str, Any] | None = None,
    headers: Mapping[str, str] | None = None,
) -> Any:
    """Issue one request; API bodies are JSON, page bodies form-encoded."""
    method = method.lower()
    if method == "get":
        return client.get(path, data or {}, headers=dict(headers or {}))
    if is_api(path):
        body = json.dumps(data or {}, ensure_ascii=False, default=str)
        return client.generic(
            method.upper(), path, body, content_type="application/json", headers=dict(headers or {})
        )
    return client.generic(
        method.upper(),
        path,
        _form_encode(data or {}),
        content_type="application/x-www-form-urlencoded",
        headers=dict(headers or {}),
    )


def _form_encode(data: Mapping[str, Any]) -> str:
    return urlencode(data, doseq=True)


def assert_audited(
    event: str, obj: Any = None, *, actor: Any = None, outcome: str | None = None, **data: Any
) -> AuditEntry:
    """The newest audit row for `event` (on `obj`, by `actor`, with these data values); fails if missing."""
    rows = AuditEntry.objects.filter(event=event)
    if obj is not None:
        rows = rows.filter(object_type=obj._meta.label_lower, object_id=str(obj.pk))
    entry = rows.order_by("-seq").first()
    assert entry is not None, f"没有审计记录 {event}（对象 {obj!r}）"
    if actor is not None:
        assert entry.actor_id == actor.pk, f"{event}: actor {entry.actor_name}, expected {actor}"
    if outcome is not None:
        assert entry.outcome == outcome, f"{event}: outcome {entry.outcome}, expected {outcome}"
    for key, value in data.items():
        assert entry.data.get(key) == value, (
            f"{event}: data[{key!r}] = {entry.data.get(key)!r}, expected {value!r}"
        )
    return entry


@dataclass(frozen=True)
class AccessCase:
    """One URL and what each persona must get from it (see the module docstring)."""

    url_name: str
    kwargs: Mapping[str, Any] | Callable[[Any], Mapping[str, Any]] = field(default_factory=dict)
    method: str = "get"
    data: Data = None
    headers: Mapping[str, str] | Callable[[Any, str], Mapping[str, str]] = field(default_factory=dict)
    ok: int = 200
    allowed: Collection[str] = ()
    forbidden: Collection[str] = ()
    hidden: Collection[str] = ()
    # Every persona of the world must be placed in exactly one list, so a new persona cannot slip through.
    complete: bool = True
    check_anonymous: bool = True
    # Called before and after each refused request: a refusal must change nothing (e.g. a row count).
    snapshot: Callable[[Any], Any] | None = None

    def path(self, world: Any) -> str:
        kwargs = self.kwargs(world) if callable(self.kwargs) else self.kwargs
        return reverse(self.url_name, kwargs=dict(kwargs))

    def expected(self, persona: str) -> int | None:
        if persona in self.allowed:
            return self.ok
        if persona in self.forbidden:
            return 403
        if persona in self.hidden:
            return 404
        return None

    def anonymous_ok(self, response: Any, path: str) -> bool:
        return redirects_to_login(response)

    def anonymous_label(self) -> str:
        return "302 → 登录页"

    def body(self, world: Any, persona: str) -> Mapping[str, Any] | None:
        return self.data(world, persona) if callable(self.data) else self.data

    def header_values(self, world: Any, persona: str) -> Mapping[str, str]:
        return self.headers(world, persona) if callable(self.headers) else self.headers


@dataclass(frozen=True)
class ViewCase(AccessCase):
    """A page: anonymous visitors are sent to the login page."""


@dataclass(frozen=True)
class ApiCase(AccessCase):
    """An API route: anonymous callers get 401 (or 403), never a redirect."""

    def anonymous_ok(self, response: Any, path: str) -> bool:
        return response.status_code in (401, 403)

    def anonymous_label(self) -> str:
        return "401/403"


def check_access(client: Client, world: Any, case: AccessCase) -> list[str]:
    """Run `case` as every persona of `world` (and anonymously); return one line per mismatch."""
    problems: list[str] = []
    path = case.path(world)
    where = f"{case.method.upper()} {path} ({case.url_name})"
    declared = [*case.allowed, *case.forbidden, *case.hidden]
    unknown = sorted(set(declared) - set(world.users))
    if unknown:
        problems.append(f"{where}: 未知角色 {unknown}")
    twice = sorted({p for p in declared if declared.count(p) > 1})
    if twice:
        problems.append(f"{where}: 重复声明 {twice}")
    if case.complete:
        missing = sorted(set(world.users) - set(declared))
        if missing:
            problems.append(f"{where}: 未声明的角色 {missing}")
    for persona, user in world.users.items():
        expected = case.expected(persona)
        if expected is None:
            continue
        login(client, user)
        before = case.snapshot(world) if case.snapshot and expected != case.ok else None
        response = request(
            client, case.method, path, case.body(world, persona), case.header_values(world, persona)
        )
        if response.status_code != expected:
            problems.append(
                f"{where} as {persona}: expected {expected}, got {response.status_code} {_excerpt(response)}"
            )
        if case.snapshot and expected != case.ok:
            after = case.snapshot(world)
            if after != before:
                problems.append(f"{where} as {persona}: refused but changed data ({before!r} → {after!r})")
    if case.check_anonymous:
        client.logout()
        response = request(client, case.method, path, case.body(world, ANONYMOUS))
        if not case.anonymous_ok(response, path):
            problems.append(
                f"{where} as {ANONYMOUS}: expected {case.anonymous_label()}, got {response.status_code}"
            )
    client.logout()
    return problems


def assert_access(client: Client, world: Any, *cases: AccessCase) -> None:
    """Fail with every mismatch of every case at once."""
    problems = [line for case in cases for line in check_access(client, world, case)]
    if problems:
        pytest.fail("访问矩阵不符：\n" + "\n".join(problems), pytrace=False)


def _excerpt(response: Any) -> str:
    content_type = response.get("Content-Type", "")
    if "json" in content_type:
        return response.content.decode(errors="replace")[:200]
    return content_type


class AccessMatrix:
    """NetBox-style base: subclass as `TestSomething`, set `cases`, and the inherited test checks them."""

    cases: ClassVar[list[AccessCase]] = []

    def test_it_answers_every_persona_as_declared(self, client: Client, world: Any) -> None:
        assert self.cases, f"{type(self).__name__}.cases is empty"
        assert_access(client, world, *self.cases)
