"""`zhiben audit verify` (manage.py audit_verify): intact chain → exit 0; an altered row is named, exit 1."""

from __future__ import annotations

import pytest
from django.core.management import call_command
from django.db import connection

from zhiben.core.models import AuditEntry

pytestmark = pytest.mark.django_db


def _tamper(seq: int, value: str) -> None:
    """Change one row behind the application's back, as a database superuser could."""
    with connection.cursor() as cur:
        if connection.vendor == "postgresql":
            cur.execute("SET session_replication_role = replica")  # bypasses the append-only trigger
        cur.execute("UPDATE core_auditentry SET object_repr = %s WHERE seq = %s", [value, seq])
        if connection.vendor == "postgresql":
            cur.execute("SET session_replication_role = origin")


def test_it_reports_an_intact_chain(world, capsys):
    call_command("audit_verify")
    assert capsys.readouterr().out.strip() == f"审计链完整：共 {AuditEntry.objects.count()} 条"


def test_it_names_the_first_altered_row_and_exits_1(world, capsys):
    k = AuditEntry.objects.order_by("seq")[6].seq
    _tamper(k, "被改过的对象")
    with pytest.raises(SystemExit) as exc:
        call_command("audit_verify", batch=3)
    assert exc.value.code == 1
    err = capsys.readouterr().err
    assert f"第 {k} 条记录被篡改：校验值不符" in err


def test_it_names_the_earliest_of_two_altered_rows(world, capsys):
    rows = list(AuditEntry.objects.order_by("seq").values_list("seq", flat=True)[:12])
    _tamper(rows[10], "后改的")
    _tamper(rows[4], "先改的")
    with pytest.raises(SystemExit):
        call_command("audit_verify")
    assert f"第 {rows[4]} 条记录被篡改" in capsys.readouterr().err


def test_it_runs_through_the_zhiben_cli_mapping(world, capsys, monkeypatch):
    from zhiben import cli

    monkeypatch.setattr("sys.argv", ["zhiben", "audit", "verify"])
    cli.main()
    assert "审计链完整" in capsys.readouterr().out
