"""The replica router against a real second database standing in for a streaming replica.

The test copies the committed test database into a second database (PostgreSQL: `pg_dump | psql` into
`<name>_replica`; SQLite: the online backup API into a file), registers it as the `replica` alias, then writes one
more hazard on the primary only. A page that may read from the replica then shows the copy's figures — the same
figures the primary had when the copy was made — while a person who has just changed something, a page that is
not read-only, and every write use the primary."""

from __future__ import annotations

import sqlite3
import subprocess
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from django.db import connection, connections
from django.test import Client
from django.urls import reverse

from zhiben.core import dbrouting
from zhiben.core.backup import _pg_env
from zhiben.hazards import tally
from zhiben.hazards.choices import Status
from zhiben.hazards.models import Hazard
from zhiben.indicators.tests.support import hazard

pytestmark = pytest.mark.django_db(transaction=True)


def _copy_to_replica(tmp_path: Path) -> dict[str, Any]:
    """A second database holding exactly what the primary has committed now; its connection settings."""
    settings = dict(connections.settings["default"])
    if connection.vendor == "sqlite":
        target = tmp_path / "replica.sqlite3"
        with sqlite3.connect(target) as copy:
            connection.ensure_connection()
            connection.connection.backup(copy)
        settings["NAME"] = str(target)
    else:
        name = f"{connection.settings_dict['NAME']}_replica"
        with connection.cursor() as cur:
            cur.execute(f'DROP DATABASE IF EXISTS "{name}"')
            cur.execute(f'CREATE DATABASE "{name}"')
        env = _pg_env("default")
        dump = subprocess.run(["pg_dump", "--no-owner"], env=env, check=True, capture_output=True)
        subprocess.run(
            ["psql", "-q", "-v", "ON_ERROR_STOP=1", "-d", name],
            env=env,
            input=dump.stdout,
            check=True,
            capture_output=True,
        )
        settings["NAME"] = name
    return settings


@pytest.fixture
def official(world: Any) -> Client:
    """Logged in before the copy is made, as a real session would have replicated long before."""
    client = Client()
    client.force_login(world.anweiban)
    return client


@pytest.fixture
def replica(world: Any, official: Client, tmp_path: Path) -> Iterator[dict[str, Any]]:
    for slot in ("qiye1", "qiye2", "yt_gas"):
        hazard(world, slot, status=Status.RECTIFYING)
    tally.rebuild()
    settings = _copy_to_replica(tmp_path)
    connections.settings[dbrouting.REPLICA] = settings
    # Connected here: the test case allows new connections only to the databases it declared at its start.
    connections[dbrouting.REPLICA].connect()
    try:
        yield settings
    finally:
        connections[dbrouting.REPLICA].close()
        del connections[dbrouting.REPLICA]
        del connections.settings[dbrouting.REPLICA]
        if connection.vendor == "postgresql":
            with connection.cursor() as cur:
                cur.execute(f'DROP DATABASE IF EXISTS "{settings["NAME"]}"')


def counted(client: Client) -> int:
    response = client.get(reverse("hazards:hazard_stats"))
    assert response.status_code == 200
    return int(response.context["totals"].counted)


def test_a_statistics_page_reads_the_replica_and_a_fresh_writer_the_primary(
    world: Any, official: Client, replica: Any
) -> None:
    client = official
    on_replica = counted(client)
    assert on_replica == Hazard.objects.count() == 3  # the copy shows the same figures as the primary had

    hazard(world, "qiye2", status=Status.RECTIFYING)  # written on the primary only: the replica "lags"
    tally.rebuild()
    assert Hazard.objects.count() == 4
    assert counted(client) == 3  # still served from the replica
    if connection.vendor == "postgresql":
        # The replica's fold was not stored on the primary: the snapshot the primary keeps is its own (4).
        from zhiben.hazards.models import HazardStatsSnapshot
        from zhiben.hazards.stats import Measures

        kept = HazardStatsSnapshot.objects.using(dbrouting.PRIMARY).get()
        assert Measures.load(kept.rows).totals.registered == 4

    # After a change (any POST) the same person reads from the primary for a while.
    response = client.post(reverse("core:inbox_read"), {"next": reverse("core:inbox")})
    assert response.status_code in (200, 302)
    assert client.cookies[dbrouting.PIN_COOKIE]["max-age"] == 10
    assert counted(client) == 4

    # A page that is not read-only never reads from the replica.
    other = Client()
    other.force_login(world.anweiban)
    ledger = other.get(reverse("hazards:hazard_list"))
    assert ledger.status_code == 200 and len(ledger.context["rows"]) == 4


def test_writes_and_migrations_stay_on_the_primary(world: Any, replica: Any) -> None:
    router = dbrouting.ReplicaRouter()
    with dbrouting.replica_reads():
        assert router.db_for_read(Hazard) == dbrouting.REPLICA
        assert Hazard.objects.count() == 3  # the copy
        assert router.db_for_write(Hazard) == dbrouting.PRIMARY
        assert router.db_for_read(Hazard) == dbrouting.PRIMARY  # a write pins the rest of the block
    with dbrouting.replica_reads(), dbrouting.primary_reads():
        assert router.db_for_read(Hazard) == dbrouting.PRIMARY
    assert router.db_for_read(Hazard) == dbrouting.PRIMARY  # outside a request or block: the primary
    assert router.allow_migrate(dbrouting.REPLICA, "hazards") is False
    assert router.allow_migrate(dbrouting.PRIMARY, "hazards") is True


def test_without_a_replica_every_read_is_on_the_primary(world: Any) -> None:
    assert not dbrouting.replica_configured()
    with dbrouting.replica_reads():
        assert dbrouting.ReplicaRouter().db_for_read(Hazard) == dbrouting.PRIMARY
    client = Client()
    client.force_login(world.anweiban)
    response = client.post(reverse("core:inbox_read"), {"next": reverse("core:inbox")})
    assert dbrouting.PIN_COOKIE not in response.cookies
