"""The dashboard's statistics snapshots on PostgreSQL (stats/snapshots.py): the default view is a snapshot plus
the tally changes it did not see, and equals a recount of the register whatever happened in between —
including a transaction that was still running when the snapshot was taken and committed after it.

These tests commit (transaction=True): a snapshot is kept only by a transaction that has not written, as a
request reading the dashboard has not.
"""

from __future__ import annotations

import datetime as dt
import threading
from typing import Any

import pytest
from django.db import connection, connections, transaction

from zhiben.hazards import services, stats, tally
from zhiben.hazards.choices import Level
from zhiben.hazards.models import Hazard, HazardStatsSnapshot, HazardTallyChange
from zhiben.hazards.stats import StatsFilter, renewal, snapshots
from zhiben.hazards.tests.test_stats import build_story, register

pytestmark = [
    pytest.mark.postgres,
    pytest.mark.django_db(transaction=True),
    pytest.mark.skipif(connection.vendor != "postgresql", reason="the snapshots are PostgreSQL's"),
]

PERSONAS = ("anweiban", "yingji", "zhujian", "yingtian")


def assert_equal_to_recount(world: Any, day: dt.date) -> None:
    for name in PERSONAS:
        user = world.users[name]
        assert stats.figures(user, StatsFilter(), day) == stats.recount_figures(user, StatsFilter(), day), (
            name
        )


def test_a_snapshot_plus_the_changes_since_equals_a_recount(world: Any, clause: Any, clock: Any) -> None:
    made = build_story(world, clause, clock)
    day = services.today()
    assert_equal_to_recount(world, day)  # builds one snapshot per scope
    kept = HazardStatsSnapshot.objects.filter(day=day)
    assert kept.count() == len(PERSONAS)  # four different scopes
    built = {s.scope_key: s.built_at for s in kept}

    # Changes after the snapshots: a new report, a 判定, a 销号 loop — read as changes, not by a rebuild.
    fresh = register(world, "qiye2", world.heshi, level=Level.GENERAL, clause=None, discovered_on=day)
    services.confirm(fresh, actor=world.yingji, deadline=day + dt.timedelta(days=3))
    refused = register(world, "qiye1", world.yingtian, level=Level.GENERAL, clause=None, discovered_on=day)
    services.reject(refused, actor=world.yingji, reason="不构成隐患")
    services.reopen(made["stock_closed"], actor=world.yingji, reason="复查发现反弹")
    assert HazardTallyChange.objects.filter(txid__gte=min(s.oldest_txid for s in kept)).exists()
    assert_equal_to_recount(world, day)
    assert {s.scope_key: s.built_at for s in HazardStatsSnapshot.objects.filter(day=day)} == built

    # A later day has its own snapshots (ageing and overdue move with the clock).
    later = day + dt.timedelta(days=30)
    assert stats.figures(world.anweiban, StatsFilter(), later) == stats.recount_figures(
        world.anweiban, StatsFilter(), later
    )
    assert HazardStatsSnapshot.objects.filter(day=later).count() == 1


def test_a_transaction_running_while_the_snapshot_is_taken_is_counted_once(
    world: Any, clause: Any, clock: Any
) -> None:
    build_story(world, clause, clock)
    day = services.today()
    office = world.anweiban
    waiting = register(world, "qiye2", world.heshi, level=Level.GENERAL, clause=None, discovered_on=day)
    written, snapshot_taken = threading.Event(), threading.Event()
    failure: list[BaseException] = []

    def department_confirms() -> None:
        try:
            with transaction.atomic():
                hazard = Hazard.objects.unrestricted("test").get(pk=waiting.pk)
                services.confirm(hazard, actor=world.yingji, deadline=day + dt.timedelta(days=9))
                written.set()
                assert snapshot_taken.wait(30)
        except BaseException as exc:  # kept for the test's thread
            failure.append(exc)
            written.set()
        finally:
            connections.close_all()

    worker = threading.Thread(target=department_confirms)
    worker.start()
    assert written.wait(30)
    during = stats.figures(office, StatsFilter(), day)  # the snapshot, without the uncommitted 判定
    assert HazardStatsSnapshot.objects.filter(day=day).count() == 1
    snapshot_taken.set()
    worker.join(30)
    assert not failure, failure
    assert during.totals.reported >= 1
    after = stats.figures(office, StatsFilter(), day)
    assert after == stats.recount_figures(office, StatsFilter(), day)
    assert after.totals.reported == during.totals.reported - 1  # the 判定 counted once, after its commit


def test_renewal_rebuilds_grown_snapshots_and_prunes_what_every_snapshot_has_seen(
    world: Any, clause: Any, clock: Any, monkeypatch: Any
) -> None:
    build_story(world, clause, clock)
    day = services.today()
    assert_equal_to_recount(world, day)
    fresh = register(world, "qiye2", world.heshi, level=Level.GENERAL, clause=None, discovered_on=day)
    services.confirm(fresh, actor=world.yingji, deadline=day + dt.timedelta(days=3))
    assert HazardTallyChange.objects.exists()
    monkeypatch.setattr(snapshots, "RENEW_AFTER", 0)
    result = renewal.renew(day)
    assert result["renewed"] == len(PERSONAS) and result["pruned"] >= 2, result
    assert not HazardTallyChange.objects.exists()  # every snapshot has seen every change
    assert_equal_to_recount(world, day)
    # Next day: yesterday's snapshots give way to today's for the same readers.
    tomorrow = day + dt.timedelta(days=1)
    result = renewal.renew(tomorrow)
    assert result["renewed"] == len(PERSONAS) and result["dropped"] == len(PERSONAS), result
    assert set(HazardStatsSnapshot.objects.values_list("day", flat=True)) == {tomorrow}
    # A tally rebuilt wholesale drops the snapshots and their changes.
    tally.rebuild()
    assert not HazardStatsSnapshot.objects.exists() and not HazardTallyChange.objects.exists()
    assert_equal_to_recount(world, day)
