"""Quarter-end snapshots: frozen once the quarter has ended, read back for that quarter whatever changed since,
never changed afterwards (a test tries), audited, and compared with a live recount."""

from __future__ import annotations

import datetime as dt
import io
from decimal import Decimal
from typing import Any

import pytest
import time_machine
from django.core.management import CommandError, call_command
from django.db import connection

from zhiben.core.models import AuditEntry
from zhiben.hazards.choices import Status
from zhiben.hazards.models import Hazard
from zhiben.indicators import registry, snapshots, tasks
from zhiben.indicators.models import IndicatorSnapshot
from zhiben.indicators.registry import Scope

from .support import hazard

pytestmark = pytest.mark.django_db

SH = dt.timezone(dt.timedelta(hours=8))
Q1 = "2026Q1"
ON_TIME = "hazards.on_time_rectification"


@pytest.fixture
def clock() -> Any:
    with time_machine.travel(dt.datetime(2026, 4, 2, 9, 0, tzinfo=SH), tick=False) as t:
        yield t


def first_quarter(world: Any) -> dict[str, Hazard]:
    return {
        "closed": hazard(
            world, "qiye1", status=Status.CLOSED, closed_on_time=True, discovered_on=dt.date(2026, 1, 5)
        ),
        "overdue": hazard(world, "qiye2", discovered_on=dt.date(2026, 1, 6), deadline=dt.date(2026, 3, 1)),
    }


def test_the_job_freezes_the_last_quarter_once_and_records_it(
    world: Any, clock: Any, unbuilt_indicator: str
) -> None:
    first_quarter(world)
    added = tasks.freeze_last_quarter()

    assert added > 0
    expected_scopes = 1 + 4 + len(registry.departments())  # district, townships, departments
    assert IndicatorSnapshot.objects.filter(period=Q1, indicator=ON_TIME).count() == expected_scopes
    row = IndicatorSnapshot.objects.get(period=Q1, indicator=ON_TIME, scope_kind="district")
    assert (row.numerator, row.denominator, row.value) == (Decimal(1), Decimal(2), Decimal("50.00"))
    off = IndicatorSnapshot.objects.get(period=Q1, indicator=unbuilt_indicator, scope_kind="district")
    assert (off.available, off.value) == (False, None)
    assert AuditEntry.objects.filter(event="INDICATORS_FROZEN", object_id=Q1).count() == 1

    assert tasks.freeze_last_quarter() == 0  # idempotent: nothing added, nothing changed
    assert AuditEntry.objects.filter(event="INDICATORS_FROZEN").count() == 1


def test_a_past_quarter_reads_its_snapshot_and_the_recount_shows_what_moved(world: Any, clock: Any) -> None:
    s = first_quarter(world)
    snapshots.freeze(Q1)
    # After the quarter the overdue hazard is marked closed on time: counted now, the rate moves to 2/2.
    Hazard.objects.filter(pk=s["overdue"].pk).update(status=Status.CLOSED, closed_on_time=True)

    ind = registry.get(ON_TIME)
    frozen = ind.value(Scope.district(), Q1)
    live = ind.live_value(Scope.district(), Q1)
    assert (frozen.frozen, frozen.numerator, frozen.denominator, frozen.value) == (
        True,
        1,
        2,
        Decimal("50.0"),
    )
    assert (live.numerator, live.denominator, live.value) == (2, 2, Decimal("100.0"))

    differences = snapshots.recount(Q1)
    assert any(d.indicator == ON_TIME and d.scope == Scope.district() for d in differences)
    out = io.StringIO()
    with pytest.raises(SystemExit):
        call_command("indicators", "recount", "--period", Q1, stdout=out)
    assert "按期整改率" in out.getvalue() and "冻结 1/2=50.0 → 现算 2/2=100.0" in out.getvalue()


def test_a_snapshot_cannot_be_changed(world: Any, clock: Any) -> None:
    first_quarter(world)
    snapshots.freeze(Q1)
    row = IndicatorSnapshot.objects.get(period=Q1, indicator=ON_TIME, scope_kind="district")

    row.value = Decimal("100")
    with pytest.raises(PermissionError):
        row.save()
    with pytest.raises(PermissionError):
        row.delete()
    with pytest.raises(PermissionError):
        IndicatorSnapshot.objects.filter(pk=row.pk).update(value=Decimal("100"))
    with pytest.raises(PermissionError):
        IndicatorSnapshot.objects.filter(pk=row.pk).delete()
    row.refresh_from_db()
    assert row.value == Decimal("50.00")

    # Changed behind the application's back (raw SQL; on PostgreSQL the trigger refuses even that): the
    # recount names the row by its digest.
    if connection.vendor != "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("UPDATE indicators_indicatorsnapshot SET value = 99 WHERE id = %s", [row.pk])
        tampered = [d for d in snapshots.recount(Q1) if not d.digest_ok]
        assert [(d.indicator, d.scope) for d in tampered] == [(ON_TIME, Scope.district())]


def test_the_command_freezes_only_ended_quarters(world: Any, clock: Any) -> None:
    out = io.StringIO()
    call_command("indicators", "snapshot", "--period", Q1, stdout=out)
    assert "新增快照" in out.getvalue()
    with pytest.raises(CommandError):
        call_command("indicators", "snapshot", "--period", "2026Q2")
    with pytest.raises(CommandError):
        call_command("indicators", "snapshot", "--period", "2026-1")
    out = io.StringIO()
    call_command("indicators", "recount", "--period", Q1, stdout=out)
    assert "一致" in out.getvalue()


def test_the_api_and_the_page_read_the_snapshot_of_a_frozen_quarter(world: Any, clock: Any) -> None:
    from django.test import Client
    from django.urls import reverse

    from zhiben.core.testing import login

    s = first_quarter(world)
    snapshots.freeze(Q1)
    Hazard.objects.filter(pk=s["overdue"].pk).update(status=Status.CLOSED, closed_on_time=True)
    client = login(Client(), world.anweiban)

    body = client.get(f"/api/v1/indicators/{ON_TIME}/values/", {"scope": "district", "period": Q1}).json()
    row = body["results"][0]
    assert (row["frozen"], row["numerator"], row["denominator"], row["value"]) == (True, 1, 2, 50.0)
    html = client.get(reverse("indicators:detail", args=[ON_TIME]), {"period": Q1}).content.decode()
    assert "已冻结季度快照" in html and "50.0%" in html
