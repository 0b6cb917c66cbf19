"""`zhiben backup` → `zhiben restore`: equal table by table, media intact, the audit chain verified (both databases).

The restore goes into a scratch database of its own (SQLite: a file under tmp_path; PostgreSQL: a database
test_restore_<random> created and dropped here), registered as a second Django connection. A tampered archive is
refused before anything is written, and a chain cut short after the backup is caught by `audit verify --head`.
"""

from __future__ import annotations

import io
import json
import secrets
import tarfile
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from django.core.management import call_command
from django.db import connection, connections
from django.db.utils import load_backend

from zhiben.core import audit, backup
from zhiben.core.events import BACKUP_CREATED, BACKUP_RESTORED
from zhiben.core.models import AuditEntry, AuditHead

pytestmark = pytest.mark.django_db(transaction=True)

ATTACHMENTS = {"hazards/2026/照片.jpg": b"\xff\xd8jpeg-bytes", "cases/笔录.pdf": b"%PDF-1.7 minimal"}


@pytest.fixture
def media(settings: Any, tmp_path: Path) -> Path:
    root = tmp_path / "media"
    for rel, data in ATTACHMENTS.items():
        (root / rel).parent.mkdir(parents=True, exist_ok=True)
        (root / rel).write_bytes(data)
    settings.MEDIA_ROOT = root
    return root


@pytest.fixture
def scratch(tmp_path: Path) -> Iterator[str]:
    """A second, empty database reachable as the connection alias 'restored'."""
    alias = "restored"
    config = dict(connection.settings_dict)
    if connection.vendor == "postgresql":
        name = f"test_restore_{secrets.token_hex(4)}"
        with connection.cursor() as cur:
            cur.execute(f'CREATE DATABASE "{name}"')
        config["NAME"] = name
    else:
        name = str(tmp_path / "restored.sqlite3")
        config["NAME"] = name
    # A connection made here, not in settings.DATABASES: Django's test case allows such dynamic connections.
    connections[alias] = load_backend(config["ENGINE"]).DatabaseWrapper(config, alias)
    try:
        yield alias
    finally:
        connections[alias].close()
        del connections[alias]
        if connection.vendor == "postgresql":
            with connection.cursor() as cur:
                cur.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def test_round_trip_is_equal_table_by_table_and_the_chain_verifies(world, media, scratch, tmp_path):
    before = backup.table_hashes()
    newest = AuditEntry.objects.order_by("-seq").first()
    heads = {str(h.id): {"seq": h.seq, "mac": h.mac} for h in AuditHead.objects.filter(seq__gt=0)}
    archive = backup.create_backup(tmp_path / "backups")

    manifest = backup.read_manifest(archive)
    assert manifest["tables"] == before  # the manifest is the database as it was
    assert manifest["tables"]["registry_enterprise"]["rows"] == len(world.enterprises)
    assert manifest["audit_head"] == {"seq": newest.seq, "mac": newest.mac, "chains": heads}
    assert AuditEntry.objects.filter(event=BACKUP_CREATED).count() == 1

    restored_media = tmp_path / "restored-media"
    report = backup.restore_backup(archive, alias=scratch, media_root=restored_media)

    assert report.problems == []
    assert report.tables == len(before) and report.media_files == len(ATTACHMENTS)
    assert report.chain_checked == AuditEntry.objects.filter(seq__lte=newest.seq).count()
    for rel, data in ATTACHMENTS.items():
        assert (restored_media / rel).read_bytes() == data
    # The restored database carries the backup's chain plus the restore's own row, and it verifies.
    assert audit.verify_chain(using=scratch).intact
    last = AuditEntry.objects.using(scratch).order_by("-seq").first()
    assert (
        last is not None and last.event == BACKUP_RESTORED and last.seq > newest.seq
    )  # (PostgreSQL: the sequence may have gaps)
    assert last.outcome == "success"
    restored = backup.table_hashes(scratch)
    assert {k: v for k, v in restored.items() if k not in {"core_auditentry", "core_audithead"}} == {
        k: v for k, v in before.items() if k not in {"core_auditentry", "core_audithead"}
    }


def test_restore_over_a_database_with_tables_needs_replace_and_the_refusal_is_audited(
    world, media, tmp_path, capsys
):
    archive = backup.create_backup(tmp_path / "backups")
    with pytest.raises(SystemExit) as exc:
        call_command("restore", str(archive))
    assert exc.value.code == 1
    assert "拒绝恢复：目标数据库已有数据表" in capsys.readouterr().err
    refused = AuditEntry.objects.order_by("-seq").first()
    assert refused is not None and (refused.event, refused.outcome) == (BACKUP_RESTORED, "failure")


def test_replace_brings_the_database_back_to_the_backup(world, media, tmp_path, capsys):
    archive = backup.create_backup(tmp_path / "backups")
    before = backup.read_manifest(archive)["tables"]
    world.enterprises["qiye1"].__class__.objects.filter(pk=world.enterprises["qiye1"].pk).update(
        name="改过的名称"
    )
    (media / "hazards/2026/照片.jpg").write_bytes(b"overwritten")

    call_command("restore", str(archive), "--replace")

    assert "逐表一致" in capsys.readouterr().out
    after = backup.table_hashes()
    assert after["registry_enterprise"] == before["registry_enterprise"]
    assert (media / "hazards/2026/照片.jpg").read_bytes() == ATTACHMENTS["hazards/2026/照片.jpg"]
    assert audit.verify_chain().intact


def _rewrite(archive: Path, change: dict[str, bytes], extra: dict[str, bytes] | None = None) -> Path:
    """A copy of `archive` with some members' bytes replaced (and perhaps members added)."""
    out = archive.with_name(f"tampered-{secrets.token_hex(4)}.tar")
    with tarfile.open(archive) as src, tarfile.open(out, "w") as dst:
        for member in src:
            data = change.get(member.name)
            if data is None:
                f = src.extractfile(member)
                assert f is not None
                data = f.read()
            info = tarfile.TarInfo(member.name)
            info.size = len(data)
            dst.addfile(info, io.BytesIO(data))
        for name, data in (extra or {}).items():
            info = tarfile.TarInfo(name)
            info.size = len(data)
            dst.addfile(info, io.BytesIO(data))
    return out


def test_a_tampered_archive_is_refused_before_anything_is_written(world, media, tmp_path):
    archive = backup.create_backup(tmp_path / "backups")
    forged = backup.read_manifest(archive)
    forged["tables"]["registry_enterprise"]["rows"] = 0
    cases = [
        (
            _rewrite(archive, {"media/cases/笔录.pdf": b"%PDF forged"}),
            "media/cases/笔录.pdf 的 SM3 与清单不符",
        ),
        (_rewrite(archive, {backup.MANIFEST: json.dumps(forged).encode()}), "备份清单校验失败"),
        (_rewrite(archive, {}, extra={"media/../../evil.sh": b"rm -rf /"}), "清单中没有 media/../../evil.sh"),
    ]
    target = tmp_path / "untouched-media"
    before = backup.table_hashes()
    for tampered, message in cases:
        with pytest.raises(backup.BackupError) as exc:  # even with replace=True: the archive is checked first
            backup.restore_backup(tampered, media_root=target, replace=True)
        assert message in str(exc.value)
    assert backup.table_hashes() == before
    assert not target.exists()
    assert not (tmp_path / "evil.sh").exists()


def _cut_chain_to(seq: int) -> None:
    """Delete the rows after `seq` and move every chain's head back to its last row left, as an attacker with
    database rights could."""
    with connection.cursor() as cur:
        if connection.vendor == "postgresql":
            cur.execute("SET session_replication_role = replica")  # bypasses the append-only trigger
        cur.execute("DELETE FROM core_auditentry WHERE seq > %s", [seq])
        for head in AuditHead.objects.all():
            last = AuditEntry.objects.filter(chain=head.id).order_by("-chain_seq").first()
            cur.execute(
                "UPDATE core_audithead SET seq = %s, mac = %s WHERE id = %s",
                [last.chain_seq if last else 0, last.mac if last else "0" * 64, head.id],
            )
        if connection.vendor == "postgresql":
            cur.execute("SET session_replication_role = origin")


def test_audit_verify_with_the_backup_head_catches_a_chain_cut_short(world, media, tmp_path, capsys):
    archive = backup.create_backup(tmp_path / "backups")
    recorded = backup.read_manifest(archive)["audit_head"]
    call_command("audit_verify", head=str(archive))
    assert f"包含记录的链头第 {recorded['seq']} 条" in capsys.readouterr().out

    _cut_chain_to(recorded["seq"] - 3)
    assert audit.verify_chain().intact  # self-consistent without the recorded head
    with pytest.raises(SystemExit):
        call_command("audit_verify", head=str(archive))
    err = capsys.readouterr().err
    assert f"审计链被截断：备份时链头为第 {recorded['seq']} 条，现在只到第 {recorded['seq'] - 3} 条" in err

    head_file = tmp_path / "head.json"
    head_file.write_text(json.dumps({"seq": recorded["seq"] - 4, "mac": "0" * 64}))
    with pytest.raises(SystemExit):
        call_command("audit_verify", head=str(head_file))
    assert "链头校验值不符" in capsys.readouterr().err


def test_the_zhiben_cli_backs_up(world, media, tmp_path, capsys, monkeypatch):
    from zhiben import cli

    monkeypatch.setattr("sys.argv", ["zhiben", "backup", "--dir", str(tmp_path / "b"), "--keep", "1"])
    cli.main()
    cli.main()
    out = capsys.readouterr().out
    assert out.count("已备份到") == 2 and "已删除旧备份" in out
    assert len(list((tmp_path / "b").glob("zhiben-backup-*.tar"))) == 1
