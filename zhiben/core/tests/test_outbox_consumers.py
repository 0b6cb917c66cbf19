"""Two outbox workers at once send each message once (issue 11 #2, #12; R33).

Each consumer is a thread with its own database connection, as two worker threads or processes are. On
PostgreSQL that is the test database itself; on SQLite the in-memory test database cannot be shared between
connections the way a file is, so the backlog is copied into a file database with the production settings (WAL,
BEGIN IMMEDIATE, busy timeout) and each consumer opens its own connection to it. Run on PostgreSQL with, e.g.:
DATABASE_URL=postgres://postgres@127.0.0.1:5432/outbox .venv/bin/pytest zhiben/core/tests/test_outbox_consumers.py
"""

from __future__ import annotations

import datetime as dt
import sqlite3
import threading
from collections import Counter
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import pytest
from django.db import connection, connections
from django.db.utils import load_backend
from django.utils import timezone

from zhiben.core import outbox
from zhiben.core.models import OutboxMessage
from zhiben.core.models.outbox import Channel

pytestmark = pytest.mark.django_db

BACKLOG = 200


class RecordingSms:
    """An SMS gateway that records every send; the first send of each consumer waits until the other consumer
    has sent one too, so both are claiming and sending at the same time (no sleeping)."""

    sent: list[tuple[str, str]] = []
    lock = threading.Lock()
    overlap: threading.Barrier | None = None
    waited: set[str] = set()

    def send(self, phone: str, text: str) -> None:
        me = threading.current_thread().name
        with self.lock:
            self.sent.append((me, phone))
            first = me not in self.waited
            self.waited.add(me)
        if first and self.overlap is not None:
            self.overlap.wait()


@pytest.fixture
def recording_sms(settings: Any) -> Iterator[type[RecordingSms]]:
    settings.SMS_BACKEND = f"{__name__}.RecordingSms"
    RecordingSms.sent, RecordingSms.waited, RecordingSms.overlap = [], set(), None
    yield RecordingSms
    RecordingSms.overlap = None


@pytest.fixture
def own_connection(tmp_path: Path) -> Callable[[], Any]:
    """A context manager a consumer thread enters to work on its own connection to the shared database."""
    shared: dict[str, Any] | None = None

    @contextmanager
    def enter() -> Iterator[None]:
        nonlocal shared
        if connection.vendor == "sqlite" and connection.is_in_memory_db():
            if shared is None:  # first use, in the test's thread: copy the backlog into a file database
                path = tmp_path / "outbox.sqlite3"
                connection.ensure_connection()
                with sqlite3.connect(path) as target:
                    connection.connection.backup(target)
                shared = {**connection.settings_dict, "NAME": str(path)}
            previous = connections["default"]
            connections["default"] = load_backend(shared["ENGINE"]).DatabaseWrapper(shared, "default")
            try:
                yield
            finally:
                connections["default"].close()
                connections["default"] = previous
        else:
            try:
                yield
            finally:
                connection.close()

    return enter


def _backlog(n: int, *, at: dt.datetime | None = None) -> None:
    at = at or timezone.now()
    OutboxMessage.objects.bulk_create(
        OutboxMessage(channel=Channel.SMS, address=f"139{i:08d}", subject=f"提醒 {i}", available_at=at)
        for i in range(n)
    )


@pytest.mark.django_db(transaction=True)  # the consumers' own connections see the committed backlog
def test_two_consumers_over_a_backlog_send_each_message_exactly_once(recording_sms, own_connection):
    """Issue 11 #2: before claims, both workers read the same pending list and sent it twice."""
    _backlog(BACKLOG)
    with own_connection():  # the SQLite copy is taken here, before the consumers start
        pass
    recording_sms.overlap = threading.Barrier(2, timeout=10)
    results: dict[str, dict[str, int]] = {}
    errors: list[BaseException] = []

    def consume() -> None:
        try:
            with own_connection():
                results[threading.current_thread().name] = outbox.deliver_pending()
        except BaseException as exc:  # reported in the test's thread
            errors.append(exc)
            recording_sms.overlap.abort()  # type: ignore[union-attr]

    threads = [threading.Thread(target=consume, name=f"消费者{i}") for i in (1, 2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=60)
    assert not errors, errors
    phones = Counter(phone for _who, phone in recording_sms.sent)
    assert len(phones) == BACKLOG and set(phones.values()) == {1}  # every message once, none twice
    assert {who for who, _phone in recording_sms.sent} == {"消费者1", "消费者2"}  # both consumers took part
    assert sum(r["sent"] for r in results.values()) == BACKLOG
    with own_connection():
        unsent = OutboxMessage.objects.filter(sent_at__isnull=True).count()
        claimed = OutboxMessage.objects.exclude(claimed_by="").count()
        attempts = set(OutboxMessage.objects.values_list("attempts", flat=True))
    assert (unsent, claimed, attempts) == (0, 0, {1})


def test_a_worker_paused_past_its_lease_does_not_send_what_another_took_over(recording_sms):
    """A worker claims a batch and hangs; while its lease holds nobody else takes the messages; when it has
    lapsed another worker sends them, and the first one, resuming, sends nothing."""
    t0 = timezone.now()
    _backlog(5, at=t0)
    paused = outbox._claim("paused", t0, limit=outbox.CLAIM_BATCH)
    assert len(paused) == 5
    assert outbox.deliver_pending(now=t0 + dt.timedelta(minutes=1)) == {"sent": 0, "failed": 0}
    later = t0 + outbox.LEASE + dt.timedelta(seconds=1)
    assert outbox.deliver_pending(now=later) == {"sent": 5, "failed": 0}
    assert outbox._deliver_claimed(paused, "paused", lambda: later) == {"sent": 0, "failed": 0}
    assert len(recording_sms.sent) == 5
    assert set(OutboxMessage.objects.values_list("attempts", flat=True)) == {2}  # the lapsed claim counted


def test_a_worker_that_died_mid_batch_leaves_the_rest_to_the_next_after_its_lease(recording_sms):
    """At least once: a message claimed by a worker that never finished is sent when its lease lapses."""
    t0 = timezone.now()
    _backlog(3, at=t0)
    died = outbox._claim("died", t0, limit=outbox.CLAIM_BATCH)
    outbox._deliver_claimed(died[:1], "died", lambda: t0)  # sent one, then killed
    assert outbox.deliver_pending(now=t0 + outbox.LEASE + dt.timedelta(seconds=1)) == {"sent": 2, "failed": 0}
    assert Counter(phone for _who, phone in recording_sms.sent) == Counter(m.address for m in died)
    assert not OutboxMessage.objects.filter(sent_at__isnull=True).exists()
