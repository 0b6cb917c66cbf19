"""Jobs run through Huey (immediate in tests) and leave a run record."""

from __future__ import annotations

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
