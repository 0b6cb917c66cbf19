"""Background and periodic jobs behind one interface.

Storage is chosen in settings.HUEY: SQLite file in the embedded default, Redis when ZHIBEN_REDIS_URL is
set, immediate (in-process) in unit tests. Jobs take ids, not objects, are idempotent, and leave a JobRun.

A JobRun holds a lease (its worker process and a deadline). When a worker dies mid-run (kill -9, OOM, a power
cut), its runs stay 运行中 until `reap_stale_runs` finds them: at every worker start and every five minutes.
Each is ended with a clear message and then resumed (queued again, once) or, for a job declared
`resume=False`, failed; the job's `on_abandoned` hook cleans up after it (the import page says so, its upload
is deleted).
"""

from __future__ import annotations

import datetime as dt
import functools
import logging
import os
import socket
import traceback
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from huey import crontab
from huey.contrib.djhuey import HUEY, db_periodic_task, db_task

from .models.jobs import JobRun
from .scoping import enforced

__all__ = [
    "HUEY",
    "crontab",
    "enqueue_on_commit",
    "job",
    "periodic_job",
    "reap_stale_runs",
    "worker_alive",
    "worker_id",
]

logger = logging.getLogger(__name__)

# How long a run on another host may take before it counts as abandoned (a run on this host is judged by
# whether its process is alive, at once). Longer than any job; a job may declare its own.
LEASE = dt.timedelta(hours=1)
# The marker of a run ended because its worker died (also how a second abandonment is recognised).
ABANDONED = "后台进程在任务运行中退出"


def worker_id() -> str:
    """This process as the holder of a lease: host:pid."""
    return f"{socket.gethostname()}:{os.getpid()}"


def worker_alive(worker: str) -> bool | None:
    """Whether the process `worker` (host:pid) still runs: True/False on this host, None on another host
    (only its lease can tell) or when unknown."""
    host, _sep, pid = worker.rpartition(":")
    if host != socket.gethostname() or not pid.isdigit():
        return None
    if int(pid) == os.getpid():
        return True
    try:
        os.kill(int(pid), 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True  # it exists, as another user
    except OSError:
        return None
    return True


@dataclass(frozen=True)
class _Declared:
    task: Any
    resume: bool
    on_abandoned: Callable[..., Any] | None


_DECLARED: dict[str, _Declared] = {}


def _recorded(name: str, fn: Callable[..., Any], lease: dt.timedelta = LEASE) -> Callable[..., Any]:
    @functools.wraps(fn)
    def run(*args: Any, **kwargs: Any) -> Any:
        run_row = JobRun.objects.create(
            name=name,
            args={"args": list(args), "kwargs": kwargs},
            worker=worker_id(),
            lease_until=timezone.now() + lease,
        )
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


def job(
    fn: Callable[..., Any] | None = None,
    *,
    retries: int = 3,
    retry_delay: int = 10,
    resume: bool = True,
    on_abandoned: Callable[..., Any] | None = None,
    lease: dt.timedelta = LEASE,
) -> Any:
    """Declare a background job. Call `.delay(...)`-style via `fn(...)` to enqueue, `fn.call_local(...)` to run now.

    A run whose worker died is queued again once (`resume`, jobs being idempotent) or failed; either way
    `on_abandoned(*args, **kwargs)` is called first, to clean up or tell the user."""

    def wrap(f: Callable[..., Any]) -> Any:
        name = f"{f.__module__}.{f.__name__}"
        # Huey names the task from the wrapped function's module and name itself.
        task = db_task(retries=retries, retry_delay=retry_delay)(_recorded(name, f, lease))
        _DECLARED[name] = _Declared(task, resume, on_abandoned)
        return task

    return wrap(fn) if fn is not None else wrap


def periodic_job(schedule: Any) -> Callable[[Callable[..., Any]], Any]:
    """Declare a periodic job on a crontab schedule (the consumer runs the scheduler). A run whose worker
    died is run again once at the next reaping, not left for the next scheduled time."""

    def wrap(f: Callable[..., Any]) -> Any:
        name = f"{f.__module__}.{f.__name__}"
        task = db_periodic_task(schedule)(_recorded(name, f))
        _DECLARED[name] = _Declared(task, True, None)
        return task

    return wrap


def _is_stale(run: JobRun, now: dt.datetime) -> bool:
    if run.worker and worker_alive(run.worker) is False:
        return True  # its process on this host is gone: at once, not after the lease
    # On another host, or a pid taken by another process after a reboot: the lease tells.
    return (run.lease_until or run.started_at + LEASE) < now


def reap_stale_runs() -> list[JobRun]:
    """End the runs whose worker died: queued again once (resumed) or failed, each with a clear message.

    Safe to call from any number of processes at once: a run is ended by whoever flips it from 运行中."""
    now = timezone.now()
    ended: list[JobRun] = []
    running = JobRun.objects.filter(status=JobRun.Status.RUNNING).only(
        "pk", "name", "args", "worker", "lease_until", "started_at"
    )
    for run in [r for r in running if _is_stale(r, now)]:
        declared = _DECLARED.get(run.name)
        args = run.args.get("args", []) if isinstance(run.args, dict) else []
        kwargs = run.args.get("kwargs", {}) if isinstance(run.args, dict) else {}
        again = JobRun.objects.filter(
            name=run.name, args=run.args, status=JobRun.Status.FAILED, error__startswith=ABANDONED
        ).exists()
        resume = declared is not None and declared.resume and not again
        message = _("%(marker)s（%(worker)s）：%(outcome)s") % {
            "marker": ABANDONED,
            "worker": run.worker or _("未知进程"),
            "outcome": _("已重新排队，从头再运行一次。")
            if resume
            else _("任务没有完成，也不会自动重跑，请重新执行。"),
        }
        if not JobRun.objects.filter(pk=run.pk, status=JobRun.Status.RUNNING).update(
            status=JobRun.Status.FAILED, finished_at=now, error=message
        ):
            continue  # another reaper ended it first
        logger.warning("job run %s (%s) abandoned by %s; resumed=%s", run.pk, run.name, run.worker, resume)
        if declared is not None and declared.on_abandoned is not None:
            try:
                declared.on_abandoned(*args, **kwargs)
            except Exception:
                logger.exception("on_abandoned of %s failed", run.name)
        if resume and declared is not None:
            enqueue_on_commit(declared.task, *args, **kwargs)
        run.status, run.error = JobRun.Status.FAILED, message
        ended.append(run)
    return ended


@HUEY.on_startup()
def _reap_at_start() -> None:
    """A worker (re)started: the runs of the worker that died before it end now, not in five minutes."""
    with enforced(False):
        reap_stale_runs()


@db_periodic_task(crontab(minute="*/5"))
def reap_stale_job_runs() -> None:
    """Every five minutes: runs abandoned by a worker on another host, once their lease has passed."""
    with enforced(False):
        reap_stale_runs()


class _Enqueue:
    """An after-commit enqueue that knows what it enqueues, so a transaction queues each job once."""

    def __init__(self, task: Any, args: tuple[Any, ...], kwargs: dict[str, Any] | None = None) -> None:
        self.task, self.args, self.kwargs = task, args, kwargs or {}
        self.key = (getattr(task, "name", repr(task)), args, tuple(sorted(self.kwargs.items())))

    def __call__(self) -> None:
        self.task(*self.args, **self.kwargs)


def enqueue_on_commit(task: Any, *args: Any, **kwargs: Any) -> None:
    """Enqueue after the surrounding transaction commits, so the worker sees the committed rows.

    The same job with the same arguments is queued once per transaction (a transition that writes ten
    outbox messages needs one delivery run, not ten). Callbacks of a rolled-back savepoint are dropped by
    Django, so a later call queues again.
    """
    pending = _Enqueue(task, args, kwargs)
    connection = transaction.get_connection()
    if connection.in_atomic_block and any(
        isinstance(callback, _Enqueue) and callback.key == pending.key
        for _sids, callback, _robust in connection.run_on_commit
    ):
        return
    transaction.on_commit(pending)
