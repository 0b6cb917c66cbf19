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
    assert sum(AuditHead.objects.values_list("seq", flat=True)) == report.checked
    chain = AuditEntry.objects.order_by("seq").first().chain
    first, second = AuditEntry.objects.filter(chain=chain).order_by("chain_seq")[:2]
    assert (first.chain_seq, second.chain_seq) == (1, 2)
    assert second.prev_mac == first.mac


def test_it_names_the_first_altered_row(world):
    target = AuditEntry.objects.order_by("seq")[5]
    _raw_update(target.seq, "object_repr", "篡改后的对象")
    report = audit.verify_chain()
    assert not report.intact
    assert report.first_broken_seq == target.seq


def _raw_delete(where: str, params: list) -> None:
    with connection.cursor() as cur:
        if connection.vendor == "postgresql":
            cur.execute("SET session_replication_role = replica")
        cur.execute(f"DELETE FROM core_auditentry WHERE {where}", params)  # noqa: S608 - the tests' own
        if connection.vendor == "postgresql":
            cur.execute("SET session_replication_role = origin")


def test_it_detects_a_deleted_row(world):
    target = AuditEntry.objects.order_by("seq")[3]
    after = AuditEntry.objects.get(chain=target.chain, chain_seq=target.chain_seq + 1)
    _raw_delete("seq = %s", [target.seq])
    report = audit.verify_chain()
    assert report.first_broken_seq == after.seq  # the row whose predecessor is gone
    assert f"第 {target.chain} 链应为第 {target.chain_seq} 条" in report.reason


def _write_on_chain(chain: int, n: int) -> list[AuditEntry]:
    with mock.patch.object(audit, "_chain", return_value=chain), transaction.atomic():
        return [
            audit.record(
                None, events.NOTIFICATION_QUEUED, object_type="test", object_id=str(i), data={"i": i}
            )
            for i in range(n)
        ]


def test_parallel_chains_each_verify_and_a_cut_tail_is_found(world):
    """Writers on different chains (as two workers are) each extend their own; the log-wide `seq` still orders
    every row. Deleting a chain's last rows, head untouched, is a cut-off tail."""
    before = AuditEntry.objects.count()
    on_two = _write_on_chain(2, 3)
    on_five = _write_on_chain(5, 2)
    more_on_two = _write_on_chain(2, 1)
    assert [e.chain for e in on_two + on_five + more_on_two] == [2, 2, 2, 5, 5, 2]
    seqs = [e.seq for e in on_two + on_five + more_on_two]
    assert seqs == sorted(seqs) and len(set(seqs)) == 6
    assert [e.chain_seq for e in on_two + more_on_two] == [
        on_two[0].chain_seq + k for k in range(4)
    ]  # no gap within a chain, whatever the other chains wrote between
    assert more_on_two[0].prev_mac == on_two[-1].mac
    report = audit.verify_chain()
    assert report.intact and report.checked == before + 6

    _raw_delete("chain = %s AND chain_seq > %s", [2, on_two[-1].chain_seq])
    report = audit.verify_chain()
    assert not report.intact
    assert f"链尾缺失：第 2 链链头记录到第 {more_on_two[0].chain_seq} 条" in report.reason


def test_a_row_altered_on_another_chain_is_named(world):
    on_three = _write_on_chain(3, 3)
    _raw_update(on_three[1].seq, "object_id", "x")
    report = audit.verify_chain()
    assert report.first_broken_seq == on_three[1].seq and "记录内容被改动" in report.reason


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


def test_concurrent_threads_of_one_process_write_to_different_chains():
    """A thread's ident is an address aligned far beyond the number of chains: the chain is hashed from the
    pair (pid, ident), so the threads of one gunicorn process do not all queue on one head."""
    import threading

    chains: list[int] = []
    ready = threading.Barrier(8)

    def pick() -> None:
        ready.wait()  # all eight alive at once: eight distinct idents
        chains.append(audit._chain())

    threads = [threading.Thread(target=pick) for _ in range(8)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert all(1 <= c <= audit.CHAINS for c in chains)
    assert len(set(chains)) > 1  # all eight on one chain: 8⁻⁷ by chance
