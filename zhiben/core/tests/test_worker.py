"""Jobs through a real worker process: the embedded SQLite job store and Redis, as `make run` and production use."""

from __future__ import annotations

import os
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[3]
MANAGE = [sys.executable, str(ROOT / "manage.py")]


def _env(tmp_path: Path, storage: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("PYTEST", "DJANGO_"))}
    env.update(
        DATABASE_URL=f"sqlite:///{tmp_path / 'db.sqlite3'}",
        ZHIBEN_VAR_DIR=str(tmp_path),
        ZHIBEN_JOBS_IMMEDIATE="0",
        ZHIBEN_TESTING="0",
    )
    env.pop("ZHIBEN_REDIS_URL", None)
    if storage == "redis":
        env["ZHIBEN_REDIS_URL"] = "redis://127.0.0.1:6379/15"  # a database of its own, flushed below
    return env


def _succeeded_runs(db: Path, name: str) -> int:
    with sqlite3.connect(db) as conn:
        query = "SELECT COUNT(*) FROM core_jobrun WHERE name LIKE ? AND status = 'succeeded'"
        return conn.execute(query, [f"%{name}"]).fetchone()[0]


@pytest.mark.parametrize("storage", ["sqlite", "redis"])
def test_it_runs_an_enqueued_job_in_a_separate_worker(tmp_path: Path, storage: str) -> None:
    env = _env(tmp_path, storage)
    if storage == "redis":
        import redis

        redis.Redis.from_url(env["ZHIBEN_REDIS_URL"]).flushdb()
    # A safety net, not a speed check: a fresh database runs every app's migrations (about 40 s of CPU), and in
    # CI the other test worker shares the two cores.
    subprocess.run([*MANAGE, "migrate", "--noinput", "-v0"], env=env, check=True, cwd=ROOT, timeout=300)
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
        while time.monotonic() < deadline and _succeeded_runs(tmp_path / "db.sqlite3", "deliver_outbox") == 0:
            time.sleep(0.3)
        assert _succeeded_runs(tmp_path / "db.sqlite3", "deliver_outbox") >= 1, worker.stderr
    finally:
        worker.terminate()
        worker.wait(timeout=20)
