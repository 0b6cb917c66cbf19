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


def refuse_unsafe_start() -> None:
    """Run the system checks and stop on any error (production's web server start, `wsgi.py`).

    `manage.py` runs the checks before each command; gunicorn does not, so production calls this once when
    the application loads (issue 11 #5: a demo account refuses the start)."""
    # Imported when the application loads in production, after the app registry is ready:
    from django.core.checks import run_checks
    from django.core.management.base import SystemCheckError  # (same reason)

    errors = [e for e in run_checks() if e.is_serious()]
    if errors:
        raise SystemCheckError("ZHIBEN_ENV=production 拒绝启动：\n" + "\n".join(f"  - {e}" for e in errors))
