"""The audit chain: append-only, HMAC-SM3 linked, redacted, fail-closed."""

from __future__ import annotations

from unittest import mock

import pytest
from django.db import connection, transaction

from zhiben.core import audit, events
from zhiben.core.models import AuditEntry, AuditHead
from zhiben.registry.models import Enterprise
from zhiben.registry.services import create_enterprise

pytestmark = pytest.mark.django_db


def _raw_update(seq: int, column: str, value: str) -> None:
    """What an intruder with superuser database access would do (bypassing the PostgreSQL trigger)."""
    with connection.cursor() as cur:
        if connection.vendor == "postgresql":
            cur.execute("SET session_replication_role = replica")
        cur.execute(f"UPDATE core_auditentry SET {column} = %s WHERE seq = %s", [value, seq])  # noqa: S608
        if connection.vendor == "postgresql":
            cur.execute("SET session_replication_role = origin")


def test_it_chains_every_row_and_verifies_intact(world):
    report = audit.verify_chain()
    assert report.intact
    assert report.checked == AuditEntry.objects.count() > 10
    assert AuditHead.objects.get().seq == report.checked
    first, second = AuditEntry.objects.order_by("seq")[:2]
    assert second.prev_mac == first.mac


def test_it_names_the_first_altered_row(world):
    target = AuditEntry.objects.order_by("seq")[5]
    _raw_update(target.seq, "object_repr", "篡改后的对象")
    report = audit.verify_chain()
    assert not report.intact
    assert report.first_broken_seq == target.seq


def test_it_detects_a_deleted_row(world):
    target = AuditEntry.objects.order_by("seq")[3]
    with connection.cursor() as cur:
        if connection.vendor == "postgresql":
            cur.execute("SET session_replication_role = replica")
        cur.execute("DELETE FROM core_auditentry WHERE seq = %s", [target.seq])
        if connection.vendor == "postgresql":
            cur.execute("SET session_replication_role = origin")
    assert audit.verify_chain().first_broken_seq == target.seq


def test_it_refuses_orm_updates_and_deletes(world):
    entry = AuditEntry.objects.first()
    with pytest.raises(PermissionError):
        entry.save()
    with pytest.raises(PermissionError):
        entry.delete()
    with pytest.raises(PermissionError):
        AuditEntry.objects.all().update(event="X")
    with pytest.raises(PermissionError):
        AuditEntry.objects.all().delete()


@pytest.mark.skipif(connection.vendor != "postgresql", reason="database trigger exists on PostgreSQL only")
def test_it_refuses_raw_sql_updates_on_postgresql(world):
    from django.db import DatabaseError

    with pytest.raises(DatabaseError), transaction.atomic(), connection.cursor() as cur:
        cur.execute("UPDATE core_auditentry SET event = 'X'")


def test_it_redacts_sensitive_values(world):
    entry = audit.record(
        world.enterprises["qiye1"],
        events.EXPORT_DOWNLOADED,
        actor=world.anweiban,
        data={"password": "Secret#123", "nested": {"phone": "13812345678"}, "count": 3},
    )
    entry.refresh_from_db()
    assert entry.data == {"password": "[已脱敏]", "nested": {"phone": "[已脱敏]"}, "count": 3}
    assert entry.actor_roles == "district_office"
    assert audit.verify_chain().intact


def test_it_refuses_unregistered_events(world):
    with pytest.raises(ValueError):
        audit.record(None, "NOT_A_REAL_EVENT")


def test_it_fails_the_business_action_when_the_audit_write_fails(world):
    before = Enterprise.objects.count()
    with (
        mock.patch("zhiben.registry.services.audit.record", side_effect=RuntimeError("audit store down")),
        pytest.raises(RuntimeError),
    ):
        create_enterprise(
            actor=world.anweiban,
            name="审计失败测试企业",
            region=world.regions["营田镇"],
            primary_industry=world.industries["COMMERCE"],
        )
    assert Enterprise.objects.count() == before
