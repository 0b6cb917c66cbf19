"""Background and periodic jobs behind one interface.

Storage is chosen in settings.HUEY: SQLite file in the embedded default, Redis when ZHIBEN_REDIS_URL is
set, immediate (in-process) in unit tests. Jobs take ids, not objects, are idempotent, and leave a JobRun.
"""

from __future__ import annotations

import functools
import traceback
from collections.abc import Callable
from typing import Any

from django.db import transaction
from django.utils import timezone
from huey import crontab
from huey.contrib.djhuey import HUEY, db_periodic_task, db_task

from .models.jobs import JobRun
from .scoping import enforced

__all__ = ["HUEY", "crontab", "enqueue_on_commit", "job", "periodic_job"]


def _recorded(name: str, fn: Callable[..., Any]) -> Callable[..., Any]:
    @functools.wraps(fn)
    def run(*args: Any, **kwargs: Any) -> Any:
        run_row = JobRun.objects.create(name=name, args={"args": list(args), "kwargs": kwargs})
        try:
            # A job runs outside any request, also when tests run it in-process at a request's commit.
            with enforced(False):
                result = fn(*args, **kwargs)
        except Exception:
            JobRun.objects.filter(pk=run_row.pk).update(
                status=JobRun.Status.FAILED, finished_at=timezone.now(), error=traceback.format_exc()[-4000:]
            )
            raise
        JobRun.objects.filter(pk=run_row.pk).update(
            status=JobRun.Status.SUCCEEDED,
            finished_at=timezone.now(),
            result=result
            if isinstance(result, dict)
            else {"result": str(result)}
            if result is not None
            else {},
        )
        return result

    return run


def job(fn: Callable[..., Any] | None = None, *, retries: int = 3, retry_delay: int = 10) -> Any:
    """Declare a background job. Call `.delay(...)`-style via `fn(...)` to enqueue, `fn.call_local(...)` to run now."""

    def wrap(f: Callable[..., Any]) -> Any:
        name = f"{f.__module__}.{f.__name__}"
        # Huey names the task from the wrapped function's module and name itself.
        return db_task(retries=retries, retry_delay=retry_delay)(_recorded(name, f))

    return wrap(fn) if fn is not None else wrap


def periodic_job(schedule: Any) -> Callable[[Callable[..., Any]], Any]:
    """Declare a periodic job on a crontab schedule (the consumer runs the scheduler)."""

    def wrap(f: Callable[..., Any]) -> Any:
        name = f"{f.__module__}.{f.__name__}"
        return db_periodic_task(schedule)(_recorded(name, f))

    return wrap


class _Enqueue:
    """An after-commit enqueue that knows what it enqueues, so a transaction queues each job once."""

    def __init__(self, task: Any, args: tuple[Any, ...]) -> None:
        self.task, self.args = task, args
        self.key = (getattr(task, "name", repr(task)), args)

    def __call__(self) -> None:
        self.task(*self.args)


def enqueue_on_commit(task: Any, *args: Any) -> None:
    """Enqueue after the surrounding transaction commits, so the worker sees the committed rows.

    The same job with the same arguments is queued once per transaction (a transition that writes ten
    outbox messages needs one delivery run, not ten). Callbacks of a rolled-back savepoint are dropped by
    Django, so a later call queues again.
    """
    pending = _Enqueue(task, args)
    connection = transaction.get_connection()
    if connection.in_atomic_block and any(
        isinstance(callback, _Enqueue) and callback.key == pending.key
        for _sids, callback, _robust in connection.run_on_commit
    ):
        return
    transaction.on_commit(pending)
