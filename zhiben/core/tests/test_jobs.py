"""Jobs run through Huey (immediate in tests) and leave a run record."""

from __future__ import annotations

import os
import signal
import subprocess
import time
from pathlib import Path
from typing import Any

import pytest

from zhiben.core.jobs import HUEY, job
from zhiben.core.models import JobRun


@job
def add_numbers(a: int, b: int) -> dict[str, int]:
    return {"sum": a + b}


@job(retries=0)
def failing_job() -> None:
    raise RuntimeError("boom")


@pytest.mark.django_db
def test_it_runs_a_job_and_records_the_run():
    assert HUEY.immediate
    add_numbers(2, 3)
    run = JobRun.objects.get(name__endswith="add_numbers")
    assert (run.status, run.result, run.args) == ("succeeded", {"sum": 5}, {"args": [2, 3], "kwargs": {}})
    assert run.finished_at is not None


@pytest.mark.django_db
def test_it_records_a_failed_run_with_its_error():
    failing_job()
    run = JobRun.objects.get(name__endswith="failing_job")
    assert run.status == "failed"
    assert "RuntimeError: boom" in run.error


def test_a_transaction_queues_each_job_once(db, django_capture_on_commit_callbacks) -> None:  # type: ignore[no-untyped-def]
    from django.db import transaction

    from zhiben.core.jobs import enqueue_on_commit

    calls: list[tuple[object, ...]] = []

    def fake(*args: object) -> None:
        calls.append(args)

    with django_capture_on_commit_callbacks(execute=True), transaction.atomic():
        enqueue_on_commit(fake, 1)
        enqueue_on_commit(fake, 1)
        enqueue_on_commit(fake, 2)
        try:
            with transaction.atomic():
                enqueue_on_commit(fake, 3)
                raise RuntimeError
        except RuntimeError:
            pass
        enqueue_on_commit(fake, 3)  # the rolled-back savepoint's callback is gone: queued again
    assert calls == [(1,), (2,), (3,)]


# ---------------------------------------------------------------------------------------------------------
# A run whose worker died (kill -9, OOM) is found by its stale lease and ended: resumed once, or failed


def _dead_worker() -> str:
    """host:pid of a process that has exited (and been reaped): what a killed worker leaves in its runs."""
    import subprocess
    import sys

    from zhiben.core.jobs import worker_id

    proc = subprocess.Popen([sys.executable, "-c", ""])
    proc.wait()
    return f"{worker_id().rpartition(':')[0]}:{proc.pid}"


def _abandoned(name: str, worker: str, **fields: object) -> JobRun:
    return JobRun.objects.create(
        name=f"{__name__}.{name}", args={"args": [2, 3], "kwargs": {}}, worker=worker, **fields
    )


@pytest.mark.django_db
def test_a_run_whose_worker_died_is_resumed_once_then_failed(django_capture_on_commit_callbacks: Any) -> None:
    from zhiben.core.jobs import reap_stale_runs, worker_alive, worker_id

    dead = _dead_worker()
    assert worker_alive(dead) is False and worker_alive(worker_id()) is True
    killed = _abandoned("add_numbers", dead)
    running_here = _abandoned("add_numbers", worker_id())  # this very process: alive, left alone

    with django_capture_on_commit_callbacks(execute=True):
        assert [r.pk for r in reap_stale_runs()] == [killed.pk]
    killed.refresh_from_db()
    assert killed.status == "failed" and killed.finished_at is not None
    assert killed.error.startswith("后台进程在任务运行中退出") and "已重新排队" in killed.error
    # Resumed: queued again (immediate in tests) and this time it ran to the end.
    rerun = JobRun.objects.filter(name__endswith="add_numbers", status="succeeded").get()
    assert rerun.result == {"sum": 5} and rerun.worker == worker_id()
    running_here.refresh_from_db()
    assert running_here.status == "running"

    # It dies again: not resumed a second time (the job itself may be what kills the worker).
    again = _abandoned("add_numbers", _dead_worker())
    with django_capture_on_commit_callbacks(execute=True):
        reap_stale_runs()
    again.refresh_from_db()
    assert again.status == "failed" and "不会自动重跑" in again.error
    assert JobRun.objects.filter(name__endswith="add_numbers", status="succeeded").count() == 1
    assert reap_stale_runs() == []  # ended runs stay ended


@pytest.mark.django_db
def test_a_run_on_another_host_is_stale_once_its_lease_has_passed() -> None:
    import datetime as dt

    from django.utils import timezone

    from zhiben.core.jobs import reap_stale_runs

    now = timezone.now()
    expired = _abandoned("failing_job", "elsewhere:4242", lease_until=now - dt.timedelta(seconds=1))
    current = _abandoned("failing_job", "elsewhere:4243", lease_until=now + dt.timedelta(minutes=5))
    assert [r.pk for r in reap_stale_runs()] == [expired.pk]
    current.refresh_from_db()
    assert current.status == "running"


@pytest.mark.django_db
def test_a_run_records_its_worker_and_lease() -> None:
    from zhiben.core.jobs import LEASE, worker_id

    add_numbers(1, 1)
    run = JobRun.objects.get(name__endswith="add_numbers")
    assert run.worker == worker_id()
    assert run.lease_until is not None and run.lease_until - run.started_at <= LEASE


def test_the_supervisor_restarts_a_killed_worker_within_a_second(tmp_path: Path) -> None:
    """`make run` (scripts/serve.sh) runs the worker under scripts/supervise.sh: kill -9 brings it back."""
    pids = tmp_path / "pids"
    script = Path(__file__).resolve().parents[3] / "scripts" / "supervise.sh"
    worker = f"echo $$ >> {pids}; exec sleep 30"
    supervisor = subprocess.Popen(
        ["bash", str(script), "测试进程", "sh", "-c", worker],
        env={**os.environ, "SUPERVISE_DELAY": "0.05"},
        stderr=subprocess.PIPE,
        text=True,
    )

    def started(n: int) -> list[int]:
        deadline = time.monotonic() + 5
        while time.monotonic() < deadline:
            lines = pids.read_text().split() if pids.exists() else []
            if len(lines) >= n:
                return [int(p) for p in lines]
            time.sleep(0.02)
        raise AssertionError(f"worker not (re)started: {lines}")

    try:
        first = started(1)[0]
        os.kill(first, signal.SIGKILL)
        second = started(2)[1]
        assert second != first
        os.kill(second, 0)  # the new worker runs
    finally:
        supervisor.terminate()
        _out, err = supervisor.communicate(timeout=5)
    assert supervisor.returncode == 0
    assert "测试进程退出（状态 137）" in err
    with pytest.raises(ProcessLookupError):
        os.kill(second, 0)  # stopping the supervisor stops its worker
