"""System checks for durable storage settings (R36)."""

from __future__ import annotations

from typing import Any

from django.core.checks import Error, Tags, register
from django.db import connection


@register(Tags.database, deploy=False)
def check_sqlite_pragmas(app_configs: Any = None, databases: Any = None, **kwargs: Any) -> list[Error]:
    if not databases or "default" not in databases or connection.vendor != "sqlite":
        return []
    errors = []
    with connection.cursor() as cur:
        expected = {"foreign_keys": 1, "synchronous": 2}
        for pragma, want in expected.items():
            got = cur.execute(f"PRAGMA {pragma}").fetchone()[0]
            if got != want:
                errors.append(Error(f"SQLite PRAGMA {pragma}={got}, expected {want}", id="zhiben.E001"))
    return errors
