"""Meta-tests that keep the conventions true: declared audit events, committed migrations, health, schema."""

from __future__ import annotations

import ast
import importlib
from collections.abc import Iterator
from io import StringIO
from pathlib import Path
from typing import Any

import pytest
from django.core.management import call_command
from django.urls import reverse

from zhiben.core import events

PACKAGE = Path(__file__).resolve().parents[2]  # …/zhiben


def source_modules() -> Iterator[tuple[str, Path, ast.Module]]:
    """Every application module (not tests, not migrations), parsed."""
    for path in sorted(PACKAGE.rglob("*.py")):
        parts = path.relative_to(PACKAGE.parent).with_suffix("").parts
        if "tests" in parts or "migrations" in parts or path.name == "conftest.py":
            continue
        yield ".".join(parts).removesuffix(".__init__"), path, ast.parse(path.read_text(encoding="utf-8"))


def _is_record_call(node: ast.AST) -> bool:
    if not isinstance(node, ast.Call):
        return False
    f = node.func
    return (
        isinstance(f, ast.Attribute) and f.attr == "record" and getattr(f.value, "id", "") == "audit"
    ) or (isinstance(f, ast.Name) and f.id == "record")


def _event_argument(call: ast.Call) -> ast.expr | None:
    for kw in call.keywords:
        if kw.arg == "event":
            return kw.value
    return call.args[1] if len(call.args) > 1 else None


def namespace(module: Any, tree: ast.Module) -> dict[str, Any]:
    """The module's globals plus what its functions import locally (`from . import events` inside a service)."""
    names = dict(vars(module))
    for node in ast.walk(tree):
        if isinstance(node, ast.ImportFrom):
            base = importlib.import_module("." * node.level + (node.module or ""), package=module.__package__)
            for alias in node.names:
                value = getattr(base, alias.name, None)
                if value is None:
                    value = importlib.import_module(f"{base.__name__}.{alias.name}")
                names.setdefault(alias.asname or alias.name, value)
    return names


def _evaluate(expr: ast.expr, names: dict[str, Any]) -> Any:
    return eval(compile(ast.Expression(expr), "<event>", "eval"), dict(names))  # noqa: S307 - our own source


def _calls_with_function(tree: ast.Module) -> list[tuple[ast.FunctionDef | None, ast.AST]]:
    """Every node with the innermost function definition around it (None at module level)."""
    out: list[tuple[ast.FunctionDef | None, ast.AST]] = []

    def visit(node: ast.AST, func: ast.FunctionDef | None) -> None:
        for child in ast.iter_child_nodes(node):
            inner = child if isinstance(child, ast.FunctionDef) else func
            out.append((inner, child))
            visit(child, inner)

    visit(tree, None)
    return out


def _is_private_parameter(func: ast.FunctionDef, name: str) -> bool:
    params = [a.arg for a in (*func.args.posonlyargs, *func.args.args, *func.args.kwonlyargs)]
    return func.name.startswith("_") and name in params


def test_it_registers_every_event_a_record_call_uses() -> None:
    problems: list[str] = []
    calls = 0
    for name, path, tree in source_modules():
        if name in ("zhiben.core.audit", "zhiben.core.loop.steps"):
            continue  # record() itself, and the loop kit recording each step's declared event (test_loop checks those)
        names = namespace(importlib.import_module(name), tree)
        for func, node in _calls_with_function(tree):
            if not _is_record_call(node):
                continue
            calls += 1
            where = f"{path.relative_to(PACKAGE.parent)}:{node.lineno}"
            expr = _event_argument(node)  # type: ignore[arg-type]
            if expr is None:
                problems.append(f"{where}: record() without an event")
                continue
            if isinstance(expr, ast.Name) and func is not None and _is_private_parameter(func, expr.id):
                # A private helper that records for its callers (one transition helper for every step):
                # each caller passes `events.NAME`, which the next test resolves, so a grep still finds them.
                continue
            try:
                code = _evaluate(expr, names)
            except NameError:
                problems.append(f"{where}: event {ast.unparse(expr)} is not a module-level constant")
                continue
            if not events.is_registered(code):
                problems.append(f"{where}: event {code!r} is not registered")

    assert calls >= 10, "the scan found the record() call sites"
    assert not problems, "\n".join(problems)


def test_it_registers_every_event_constant_referenced_anywhere() -> None:
    # Events passed along (e.g. to a helper that calls record()) are referenced as `events.NAME`.
    problems: list[str] = []
    for name, path, tree in source_modules():
        names = namespace(importlib.import_module(name), tree)
        for node in ast.walk(tree):
            if (
                isinstance(node, ast.Attribute)
                and isinstance(node.value, ast.Name)
                and node.value.id.endswith("events")
                and node.attr.isupper()
            ):
                try:
                    code = _evaluate(node, names)
                except (NameError, AttributeError) as exc:
                    problems.append(
                        f"{path.relative_to(PACKAGE.parent)}:{node.lineno}: {ast.unparse(node)} ({exc})"
                    )
                    continue
                if not events.is_registered(code):
                    problems.append(
                        f"{path.relative_to(PACKAGE.parent)}:{node.lineno}: {code!r} not registered"
                    )

    assert not problems, "\n".join(problems)


def test_it_labels_every_event_in_chinese() -> None:
    registered = events.all_events()

    assert registered
    for code, label in registered.items():
        assert code.isupper() and "_" in code, code
        assert label and label != code and any("\u4e00" <= ch <= "\u9fff" for ch in label), code


@pytest.mark.django_db
def test_it_has_every_migration_committed() -> None:
    out = StringIO()
    try:
        call_command("makemigrations", "--check", "--dry-run", stdout=out, stderr=out)
    except SystemExit:
        pytest.fail("有未提交的迁移：\n" + out.getvalue())


@pytest.mark.django_db
def test_it_reports_health_with_the_database_status(client: Any) -> None:
    response = client.get(reverse("healthz"))

    assert response.status_code == 200
    assert response["Content-Type"] == "application/json"
    assert response.json()["status"] == "ok"
    assert response.json()["database"] == "ok"


@pytest.mark.django_db
def test_it_serves_the_openapi_schema(client: Any) -> None:
    response = client.get(reverse("api-schema"), {"format": "json"})

    assert response.status_code == 200
    schema = response.json()
    assert schema["openapi"].startswith("3.")
    assert {"/api/v1/enterprises/", "/api/v1/enterprises/{id}/", "/api/v1/auth/token/"} <= set(
        schema["paths"]
    )


def test_it_generates_the_schema_without_warnings(tmp_path: Path) -> None:
    target = tmp_path / "schema.yaml"

    call_command("spectacular", "--validate", "--fail-on-warn", "--file", str(target))

    assert target.read_text(encoding="utf-8").startswith("openapi: 3")


def test_the_long_files_scheduled_first_exist() -> None:
    """conftest.LONG_FIRST orders the suite for two workers; a renamed file would silently drop out of it."""
    from zhiben.conftest import LONG_FIRST  # the suite's own configuration, read like data here

    root = Path(__file__).resolve().parents[3]
    assert [p for p in LONG_FIRST if not (root / p).is_file()] == []
