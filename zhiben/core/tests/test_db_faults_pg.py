"""PostgreSQL goes away under a writer loop: the app recovers, nothing is half written (issue 11 #12; R34).

A restart of PostgreSQL ends every backend ("terminating connection due to administrator command"); so does
`pg_terminate_backend`, which does it to the writer's connection alone, at an exact point and in milliseconds,
instead of to the whole server. The writer runs units of work as the app does — a request or a job starts with
`close_old_connections()` (Django's request_started signal, huey's task wrapper) and writes in one transaction:
a message and its audit row. Its connection is killed once in the middle of a unit (between the two writes) and
once between units (as when the server restarts while the app is idle).

Run with, e.g.: DATABASE_URL=postgres://postgres@127.0.0.1:5432/faults .venv/bin/pytest
zhiben/core/tests/test_db_faults_pg.py
"""

from __future__ import annotations

from collections.abc import Callable

import pytest
from django.db import DatabaseError, close_old_connections, connection, connections, transaction

from zhiben.core import audit, events
from zhiben.core.models import AuditEntry, AuditHead, OutboxMessage
from zhiben.core.models.outbox import Channel
from zhiben.core.outbox import queue_message

pytestmark = [
    pytest.mark.postgres,
    pytest.mark.django_db(transaction=True),
    pytest.mark.skipif(connection.vendor != "postgresql", reason="kills PostgreSQL backends"),
]


def _kill_writers_backend() -> None:
    """What a restart does to the writer: its backend ends. Done from a second connection, as the server would."""
    with connection.cursor() as cur:
        cur.execute("SELECT pg_backend_pid()")
        pid = cur.fetchone()[0]
    admin = connections.create_connection("default")
    try:
        with admin.cursor() as cur:
            cur.execute("SELECT pg_terminate_backend(%s)", [pid])
            assert cur.fetchone()[0]
    finally:
        admin.close()


def _unit(i: int, midway: Callable[[], None] | None = None) -> None:
    close_old_connections()  # where every request and every job begins
    with transaction.atomic():
        msg = queue_message(channel=Channel.SMS, address="13807301234", subject=f"写入 {i}")
        if midway is not None:
            midway()
        audit.record(msg, events.NOTIFICATION_QUEUED, data={"i": i})


def test_the_app_recovers_when_postgresql_drops_its_connection_and_writes_nothing_half():
    before = AuditEntry.objects.count()
    outcomes = []
    for i in range(8):
        try:
            _unit(i, midway=_kill_writers_backend if i == 3 else None)
            outcomes.append("ok")
        except DatabaseError:
            outcomes.append("failed")
        if i == 5:
            _kill_writers_backend()  # between units: the next request or job must not fail for it
    close_old_connections()
    assert outcomes == ["ok", "ok", "ok", "failed", "ok", "ok", "ok", "ok"]
    # The unit that lost its connection left nothing: neither its message nor its audit row.
    subjects = set(OutboxMessage.objects.filter(subject__startswith="写入").values_list("subject", flat=True))
    assert subjects == {f"写入 {i}" for i in (0, 1, 2, 4, 5, 6, 7)}
    written = AuditEntry.objects.filter(event=events.NOTIFICATION_QUEUED).order_by("seq")
    assert [e.data["i"] for e in written] == [0, 1, 2, 4, 5, 6, 7]
    assert AuditEntry.objects.count() == before + 7
    report = audit.verify_chain()
    assert report.intact and sum(AuditHead.objects.values_list("seq", flat=True)) == report.checked
