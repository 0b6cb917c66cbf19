"""Jobs through a real worker process: the embedded SQLite job store and Redis, as `make run` and production use.

The worker and the enqueuing process are separate `manage.py` processes on the test's own database: on
PostgreSQL the test database itself (the test commits, so they see the world), on SQLite a file copy of the
in-memory test database (an in-memory database is private to its process). Either way the schema is the one
the migrations built, and nothing is migrated again here.
"""

from __future__ import annotations

import os
import sqlite3
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import pytest
from django.db import connection

from zhiben.core.models import JobRun

pytestmark = pytest.mark.django_db(transaction=True)

ROOT = Path(__file__).resolve().parents[3]
MANAGE = [sys.executable, str(ROOT / "manage.py")]


def _database_url(tmp_path: Path) -> str:
    """A URL the subprocesses can open holding what the test database holds now."""
    if connection.vendor == "sqlite":
        target = tmp_path / "db.sqlite3"
        with sqlite3.connect(target) as copy:
            connection.ensure_connection()
            connection.connection.backup(copy)
        return f"sqlite:///{target}"
    s = connection.settings_dict
    auth = s["USER"] + (f":{s['PASSWORD']}" if s["PASSWORD"] else "")
    return f"postgres://{auth}@{s['HOST'] or '127.0.0.1'}:{s['PORT'] or 5432}/{s['NAME']}"


def _env(tmp_path: Path, storage: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("PYTEST", "DJANGO_"))}
    env.update(
        DATABASE_URL=_database_url(tmp_path),
        ZHIBEN_VAR_DIR=str(tmp_path),
        ZHIBEN_JOBS_IMMEDIATE="0",
        ZHIBEN_TESTING="0",
    )
    env.pop("ZHIBEN_REDIS_URL", None)
    if storage == "redis":
        env["ZHIBEN_REDIS_URL"] = "redis://127.0.0.1:6379/15"  # a database of its own, flushed below
    return env


def _succeeded_runs(env: dict[str, str], name: str) -> int:
    if connection.vendor == "sqlite":  # the subprocesses' file, not the test's in-memory database
        with sqlite3.connect(env["DATABASE_URL"].removeprefix("sqlite:///")) as conn:
            query = "SELECT COUNT(*) FROM core_jobrun WHERE name LIKE ? AND status = 'succeeded'"
            return int(conn.execute(query, [f"%{name}"]).fetchone()[0])
    return JobRun.objects.filter(name__endswith=name, status="succeeded").count()


@pytest.mark.parametrize("storage", ["sqlite", "redis"])
def test_it_runs_an_enqueued_job_in_a_separate_worker(tmp_path: Path, storage: str, world: Any) -> None:
    env = _env(tmp_path, storage)
    if storage == "redis":
        import redis

        redis.Redis.from_url(env["ZHIBEN_REDIS_URL"]).flushdb()
    assert _succeeded_runs(env, "deliver_outbox") == 0
    worker = subprocess.Popen(
        [*MANAGE, "run_huey", "--workers", "1", "--worker-type", "thread", "--quiet"],
        env=env,
        cwd=ROOT,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
    )
    try:
        enqueue = "from zhiben.core.outbox import deliver_outbox; deliver_outbox()"
        subprocess.run([*MANAGE, "shell", "-c", enqueue], env=env, check=True, cwd=ROOT, timeout=60)
        if storage == "sqlite":
            assert (tmp_path / "jobs.sqlite3").exists()  # the embedded job store, next to the database
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline and _succeeded_runs(env, "deliver_outbox") == 0:
            time.sleep(0.3)
        assert _succeeded_runs(env, "deliver_outbox") >= 1, worker.stderr
    finally:
        worker.terminate()
        worker.wait(timeout=20)
