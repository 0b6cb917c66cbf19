"""`zhiben backup` / `zhiben restore`: one archive holding the database, the media files and an SM3 manifest (R37).

An archive (`zhiben-backup-<时间>.tar`) holds:

* `database.dump` (PostgreSQL, `pg_dump -Fc`) or `database.sqlite3` (SQLite's online backup API);
* `media/…`, every file under MEDIA_ROOT;
* `manifest.json`: the SM3 of every other member, the row count and SM3 of every table, and the audit chain
  head (seq, mac) at the moment of the snapshot;
* `manifest.mac`: HMAC-SM3 of the manifest under a key derived from the audit key, so the manifest cannot be
  rewritten to match a tampered member without that key.

The table hashes are taken from the very snapshot that is dumped (PostgreSQL: a REPEATABLE READ transaction
whose snapshot `pg_dump --snapshot` shares; SQLite: the backup file itself), so a restore is proved equal by
recomputing them. `restore_backup()` checks the whole archive before writing anything, restores, recomputes the
table hashes, walks the audit chain and checks it reaches the recorded head (a truncated chain is reported even
when its head row was rewritten to match). Both are audited (R22).
"""

from __future__ import annotations

import datetime as dt
import io
import json
import os
import shutil
import sqlite3
import subprocess
import tarfile
import tempfile
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path, PurePosixPath
from typing import Any

from cryptography.hazmat.primitives import hashes
from django.conf import settings
from django.db import connections, transaction
from django.dispatch import Signal
from django.utils import timezone

from . import audit
from .crypto import constant_time_equal, hmac_sm3
from .events import BACKUP_CREATED, BACKUP_RESTORED

FORMAT = 1
MANIFEST = "manifest.json"
MANIFEST_MAC = "manifest.mac"
PG_DUMP = "database.dump"
SQLITE_DB = "database.sqlite3"
MEDIA_PREFIX = "media/"
CHUNK = 1 << 20

# Sent after a restore (keyword `using`): derived data tied to the old database's transaction ids (the hazard
# statistics snapshots) is dropped by its app.
restored = Signal()


class BackupError(Exception):
    """A backup or restore that cannot go on; the message is for the operator, in Chinese."""


@dataclass
class RestoreReport:
    archive: str
    tables: int
    media_files: int
    chain_checked: int
    head_seq: int
    problems: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.problems


# --- hashing -------------------------------------------------------------------------------------------------


def _hasher() -> hashes.Hash:
    return hashes.Hash(hashes.SM3())


def file_sm3(path: Path) -> str:
    h = _hasher()
    with path.open("rb") as f:
        while chunk := f.read(CHUNK):
            h.update(chunk)
    return h.finalize().hex()


def _plain(value: Any) -> Any:
    """A database value as JSON-able text that is the same however the driver returns it."""
    if isinstance(value, bytes | bytearray | memoryview):
        return bytes(value).hex()
    if isinstance(value, dt.datetime):
        if value.tzinfo is not None:
            value = value.astimezone(dt.UTC)
        return value.isoformat()
    if isinstance(value, dt.date | dt.time | Decimal):
        return str(value)
    if isinstance(value, dict | list):
        return json.dumps(value, ensure_ascii=False, sort_keys=True)
    return value


def _hash_rows(rows: Iterable[tuple[Any, ...]]) -> tuple[int, str]:
    h = _hasher()
    count = 0
    for row in rows:
        h.update(json.dumps([_plain(v) for v in row], ensure_ascii=False, default=str).encode())
        h.update(b"\n")
        count += 1
    return count, h.finalize().hex()


def _ident(name: str) -> str:
    """A quoted SQL identifier; names come from the database's own catalogue, never from a user."""
    return '"' + name.replace('"', '""') + '"'


def _select_all(table: str, order: list[str] | int) -> str:
    """SELECT * ordered by the primary key columns, or by every column (an int: how many) when there is none."""
    cols = [_ident(c) for c in order] if isinstance(order, list) else [str(i + 1) for i in range(order)]
    return f"SELECT * FROM {_ident(table)} ORDER BY {', '.join(cols)}"  # noqa: S608 - quoted catalogue names


def _fetch(cur: Any, sql: str) -> Iterator[tuple[Any, ...]]:
    cur.execute(sql)
    while batch := cur.fetchmany(2000):
        yield from batch


def _sqlite_table_hashes(conn: sqlite3.Connection) -> dict[str, dict[str, Any]]:
    cur = conn.cursor()
    names = [
        r[0]
        for r in cur.execute(
            "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' ORDER BY name"
        ).fetchall()
    ]
    out: dict[str, dict[str, Any]] = {}
    for name in names:
        cols = cur.execute(
            f"PRAGMA table_info({_ident(name)})"
        ).fetchall()  # (cid, name, type, notnull, dflt, pk)
        pk = [c[1] for c in sorted(cols, key=lambda c: c[5]) if c[5]]
        rows, digest = _hash_rows(_fetch(conn.cursor(), _select_all(name, pk or len(cols))))
        out[name] = {"rows": rows, "sm3": digest}
    return out


def _pg_table_hashes(conn: Any) -> dict[str, dict[str, Any]]:
    """Every table of the current schema, inside the caller's (snapshot) transaction."""
    cur = conn.cursor()
    cur.execute("SELECT tablename FROM pg_tables WHERE schemaname = current_schema() ORDER BY tablename")
    names = [r[0] for r in cur.fetchall()]
    out: dict[str, dict[str, Any]] = {}
    for name in names:
        cur.execute(
            "SELECT a.attname FROM pg_index i JOIN pg_attribute a ON a.attrelid = i.indrelid "
            "AND a.attnum = ANY(i.indkey) WHERE i.indrelid = %s::regclass AND i.indisprimary ORDER BY a.attnum",
            [_ident(name)],
        )
        pk: list[str] | int = [r[0] for r in cur.fetchall()]
        if not pk:
            cur.execute(
                "SELECT count(*) FROM pg_attribute WHERE attrelid = %s::regclass AND attnum > 0",
                [_ident(name)],
            )
            pk = int(cur.fetchone()[0])
        rows, digest = _hash_rows(_fetch(conn.cursor(), _select_all(name, pk)))
        out[name] = {"rows": rows, "sm3": digest}
    return out


def _head_from(cur: Any) -> dict[str, Any]:
    """The log's newest row (seq, mac) and every chain's head ({"<chain>": {"seq": chain_seq, "mac"}})."""
    cur.execute("SELECT id, seq, mac FROM core_audithead WHERE seq > 0 ORDER BY id")
    chains = {str(r[0]): {"seq": int(r[1]), "mac": str(r[2])} for r in cur.fetchall()}
    cur.execute("SELECT seq, mac FROM core_auditentry ORDER BY seq DESC LIMIT 1")
    row = cur.fetchone()
    newest = {"seq": int(row[0]), "mac": str(row[1])} if row else {"seq": 0, "mac": "0" * 64}
    return {**newest, "chains": chains}


# --- database access outside Django's connection (a snapshot of our own) -------------------------------------


def _vendor(alias: str) -> str:
    return connections[alias].vendor


def _pg_params(alias: str) -> dict[str, str]:
    s = connections[alias].settings_dict
    return {
        "dbname": s["NAME"],
        "user": s.get("USER") or "",
        "password": s.get("PASSWORD") or "",
        "host": s.get("HOST") or "",
        "port": str(s.get("PORT") or ""),
    }


def _pg_connect(alias: str) -> Any:
    import psycopg  # only a PostgreSQL backup needs the driver; SQLite installs may lack it

    params: dict[str, Any] = {k: v for k, v in _pg_params(alias).items() if v}
    conn = psycopg.connect(**params)
    conn.execute("SET TIME ZONE 'UTC'")
    conn.commit()
    return conn


def _pg_env(alias: str) -> dict[str, str]:
    p = _pg_params(alias)
    env = dict(os.environ)
    for var, key in (("PGHOST", "host"), ("PGPORT", "port"), ("PGUSER", "user"), ("PGPASSWORD", "password")):
        if p[key]:
            env[var] = p[key]
    env["PGDATABASE"] = p["dbname"]
    return env


def _run(cmd: list[str], env: dict[str, str], what: str) -> None:
    try:
        result = subprocess.run(cmd, env=env, capture_output=True, text=True, check=False)  # noqa: S603
    except FileNotFoundError as exc:
        raise BackupError(f"找不到 {cmd[0]}：请安装与数据库版本一致的 PostgreSQL 客户端") from exc
    if result.returncode != 0:
        raise BackupError(f"{what}失败：{result.stderr.strip()[-800:]}")


def _sqlite_path(alias: str) -> str:
    return str(connections[alias].settings_dict["NAME"])


def _sqlite_raw(alias: str) -> sqlite3.Connection:
    """The live SQLite connection (works for the in-memory test database too)."""
    conn = connections[alias]
    conn.ensure_connection()
    raw = conn.connection
    assert raw is not None
    return raw


def table_hashes(alias: str = "default") -> dict[str, dict[str, Any]]:
    """Row count and SM3 of every table of the database `alias`, as they are now (as a manifest records them)."""
    if _vendor(alias) == "postgresql":
        conn = _pg_connect(alias)
        try:
            return _pg_table_hashes(conn)
        finally:
            conn.close()
    # Django's connection converts column types on the way out; hash a plain copy, as backups are hashed.
    with tempfile.TemporaryDirectory(prefix="zhiben-hash-") as tmp:
        copy = sqlite3.connect(Path(tmp) / "copy.sqlite3")
        try:
            _sqlite_raw(alias).backup(copy)
            return _sqlite_table_hashes(copy)
        finally:
            copy.close()


# --- backup --------------------------------------------------------------------------------------------------


def _media_files(media_root: Path) -> list[Path]:
    if not media_root.is_dir():
        return []
    return sorted(p for p in media_root.rglob("*") if p.is_file() and not p.is_symlink())


def _manifest_key() -> bytes:
    return hmac_sm3(settings.AUDIT_HMAC_KEY.encode(), b"zhiben-backup-manifest")


def manifest_mac(manifest_bytes: bytes) -> str:
    return hmac_sm3(_manifest_key(), manifest_bytes).hex()


def _applied_migrations(tables: dict[str, Any]) -> int:
    return int(tables.get("django_migrations", {}).get("rows", 0))


def create_backup(
    directory: Path, *, alias: str = "default", media_root: Path | None = None, actor: Any = None
) -> Path:
    """Write one archive into `directory` and return its path; the backup is recorded in the audit log."""
    directory.mkdir(parents=True, exist_ok=True)
    media = Path(media_root if media_root is not None else settings.MEDIA_ROOT)
    now = timezone.now()
    stamp = timezone.localtime(now).strftime("%Y%m%d-%H%M%S-%f")
    archive = directory / f"zhiben-backup-{stamp}.tar"
    vendor = _vendor(alias)
    with tempfile.TemporaryDirectory(prefix="zhiben-backup-", dir=directory) as tmp:
        work = Path(tmp)
        if vendor == "postgresql":
            db_member = PG_DUMP
            tables, head = _pg_snapshot_dump(alias, work / PG_DUMP)
        elif vendor == "sqlite":
            db_member = SQLITE_DB
            tables, head = _sqlite_snapshot(alias, work / SQLITE_DB)
        else:  # pragma: no cover - the platform runs on these two
            raise BackupError(f"不支持的数据库：{vendor}")
        files = [
            {"path": db_member, "size": (work / db_member).stat().st_size, "sm3": file_sm3(work / db_member)}
        ]
        media_files = _media_files(media)
        for path in media_files:
            rel = path.relative_to(media).as_posix()
            files.append({"path": MEDIA_PREFIX + rel, "size": path.stat().st_size, "sm3": file_sm3(path)})
        manifest = {
            "format": FORMAT,
            "created_at": now.isoformat(),
            "engine": vendor,
            "database": db_member,
            "audit_head": head,
            "migrations": _applied_migrations(tables),
            "tables": tables,
            "files": files,
        }
        manifest_bytes = json.dumps(manifest, ensure_ascii=False, indent=1, sort_keys=True).encode()
        partial = archive.with_suffix(".tar.part")
        with tarfile.open(partial, "w") as tar:
            _add_bytes(tar, MANIFEST, manifest_bytes)
            _add_bytes(tar, MANIFEST_MAC, manifest_mac(manifest_bytes).encode())
            tar.add(work / db_member, arcname=db_member, recursive=False)
            for path in media_files:
                tar.add(path, arcname=MEDIA_PREFIX + path.relative_to(media).as_posix(), recursive=False)
        os.replace(partial, archive)  # never a half-written archive under the final name
    with transaction.atomic(using=alias):
        audit.record(
            None,
            BACKUP_CREATED,
            actor=actor,
            object_type="core.backup",
            object_id=archive.name[:64],
            object_repr=archive.name,
            data={
                "archive_sm3": file_sm3(archive),
                "audit_head_seq": head["seq"],
                "tables": len(tables),
                "media_files": len(media_files),
            },
            using=alias,
        )
    return archive


def _add_bytes(tar: tarfile.TarFile, name: str, data: bytes) -> None:
    info = tarfile.TarInfo(name)
    info.size = len(data)
    info.mtime = int(timezone.now().timestamp())
    tar.addfile(info, io.BytesIO(data))


def _pg_snapshot_dump(alias: str, target: Path) -> tuple[dict[str, Any], dict[str, Any]]:
    conn = _pg_connect(alias)
    try:
        conn.execute("BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY")
        cur = conn.cursor()
        cur.execute("SELECT pg_export_snapshot()")
        snapshot = cur.fetchone()[0]
        _run(
            ["pg_dump", "-Fc", "--no-owner", "--no-privileges", f"--snapshot={snapshot}", "-f", str(target)],
            _pg_env(alias),
            "pg_dump 备份",
        )
        tables = _pg_table_hashes(conn)
        head = _head_from(cur)
        conn.rollback()
    finally:
        conn.close()
    return tables, head


def _sqlite_snapshot(alias: str, target: Path) -> tuple[dict[str, Any], dict[str, Any]]:
    dst = sqlite3.connect(target)
    try:
        _sqlite_raw(alias).backup(dst)
        tables = _sqlite_table_hashes(dst)
        head = _head_from(dst.cursor())
    finally:
        dst.close()
    return tables, head


# --- reading and checking an archive -------------------------------------------------------------------------


@dataclass
class CheckedArchive:
    """An archive whose manifest MAC and every member's SM3 matched, its members copied to `root`."""

    root: Path
    manifest: dict[str, Any]

    @property
    def head(self) -> dict[str, Any]:
        return dict(self.manifest["audit_head"])


def read_manifest(archive: Path) -> dict[str, Any]:
    """The manifest of an archive after its MAC is checked (for `audit verify --head`)."""
    try:
        with tarfile.open(archive, "r") as tar:
            raw = _member_bytes(tar, MANIFEST)
            mac = _member_bytes(tar, MANIFEST_MAC).decode().strip()
    except (tarfile.TarError, OSError) as exc:
        raise BackupError(f"无法读取备份文件 {archive.name}：{exc}") from exc
    if not constant_time_equal(mac.encode(), manifest_mac(raw).encode()):
        raise BackupError("备份清单校验失败：清单被改动或审计密钥不同，拒绝使用该备份")
    manifest: dict[str, Any] = json.loads(raw)
    if manifest.get("format") != FORMAT:
        raise BackupError(f"不认识的备份格式：{manifest.get('format')}")
    return manifest


def _member_bytes(tar: tarfile.TarFile, name: str) -> bytes:
    try:
        member = tar.getmember(name)
    except KeyError as exc:
        raise BackupError(f"备份文件不完整：缺少 {name}") from exc
    f = tar.extractfile(member)
    if f is None:
        raise BackupError(f"备份文件不完整：{name} 不是普通文件")
    return f.read()


def _safe_member_path(name: str) -> PurePosixPath:
    p = PurePosixPath(name)
    if p.is_absolute() or ".." in p.parts or not p.parts:
        raise BackupError(f"备份文件含有不安全的路径：{name}")
    return p


def check_archive(archive: Path, workdir: Path) -> CheckedArchive:
    """Check the manifest MAC and every member's SM3, copying members into `workdir`; nothing else is written."""
    manifest = read_manifest(archive)
    expected = {f["path"]: f for f in manifest["files"]}
    seen: set[str] = set()
    with tarfile.open(archive, "r") as tar:
        for member in tar:
            if member.name in (MANIFEST, MANIFEST_MAC):
                continue
            if member.name not in expected:
                raise BackupError(f"备份文件被改动：清单中没有 {member.name}")
            if not member.isfile():
                raise BackupError(f"备份文件被改动：{member.name} 不是普通文件")
            dest = workdir / _safe_member_path(member.name)
            dest.parent.mkdir(parents=True, exist_ok=True)
            src = tar.extractfile(member)
            assert src is not None
            h = _hasher()
            with dest.open("wb") as out:
                while chunk := src.read(CHUNK):
                    h.update(chunk)
                    out.write(chunk)
            if h.finalize().hex() != expected[member.name]["sm3"]:
                raise BackupError(f"备份文件被改动：{member.name} 的 SM3 与清单不符，拒绝恢复")
            seen.add(member.name)
    missing = sorted(set(expected) - seen)
    if missing:
        raise BackupError(f"备份文件不完整：缺少 {('、'.join(missing))[:400]}")
    return CheckedArchive(workdir, manifest)


# --- restore -------------------------------------------------------------------------------------------------


def database_is_empty(alias: str = "default") -> bool:
    return not _table_names(alias)


def restore_backup(
    archive: Path,
    *,
    alias: str = "default",
    media_root: Path | None = None,
    replace: bool = False,
    actor: Any = None,
) -> RestoreReport:
    """Check `archive`, restore it into the database `alias` and MEDIA_ROOT, and prove the result.

    Refuses (BackupError, nothing written) a tampered or incomplete archive, another engine's archive, and a
    database that already has tables unless `replace`. After restoring it recomputes every table's hash,
    verifies the audit chain and checks it reaches the head recorded in the backup; problems are listed in
    the report (the restore is then recorded as failed).
    """
    media = Path(media_root if media_root is not None else settings.MEDIA_ROOT)
    vendor = _vendor(alias)
    with tempfile.TemporaryDirectory(prefix="zhiben-restore-") as tmp:
        checked = check_archive(archive, Path(tmp))
        manifest = checked.manifest
        if manifest["engine"] != vendor:
            names = {"postgresql": "PostgreSQL", "sqlite": "SQLite"}
            raise BackupError(
                f"备份来自 {names.get(manifest['engine'], manifest['engine'])}，"
                f"当前数据库是 {names.get(vendor, vendor)}，不能直接恢复"
            )
        if not replace and not database_is_empty(alias):
            raise BackupError("目标数据库已有数据表：确认要覆盖时加 --replace，或先新建一个空数据库")
        connections[alias].close()
        if vendor == "postgresql":
            _pg_restore(alias, checked.root / PG_DUMP, clean=replace)
        else:
            _sqlite_restore(alias, checked.root / SQLITE_DB)
        tables = table_hashes(alias)
        media_count = _restore_media(checked, media)
    connections[alias].close()
    report = RestoreReport(archive.name, len(tables), media_count, 0, int(manifest["audit_head"]["seq"]))
    report.problems.extend(compare_tables(manifest["tables"], tables))
    chain = audit.verify_chain(using=alias)
    report.chain_checked = chain.checked
    if not chain.intact:
        report.problems.append(f"审计链第 {chain.first_broken_seq} 条断裂：{chain.reason}")
    report.problems.extend(check_head(checked.head, using=alias))
    with transaction.atomic(using=alias):
        audit.record(
            None,
            BACKUP_RESTORED,
            actor=actor,
            outcome="success" if report.ok else "failure",
            object_type="core.backup",
            object_id=archive.name[:64],
            object_repr=archive.name,
            data={
                "backup_created_at": manifest["created_at"],
                "audit_head_seq": report.head_seq,
                "tables": report.tables,
                "media_files": media_count,
                "errors": report.problems[:20],
            },
            using=alias,
        )
    restored.send(sender=restore_backup, using=alias)
    return report


def compare_tables(expected: dict[str, Any], actual: dict[str, Any]) -> list[str]:
    problems = []
    for name in sorted(set(expected) | set(actual)):
        if name not in actual:
            problems.append(f"数据表 {name} 未恢复")
        elif name not in expected:
            problems.append(f"数据表 {name} 不在备份中")
        elif expected[name] != actual[name]:
            problems.append(
                f"数据表 {name} 与备份不一致（备份 {expected[name]['rows']} 行，恢复后 {actual[name]['rows']} 行）"
            )
    return problems


def check_head(head: dict[str, Any], *, using: str = "default") -> list[str]:
    """The log must still hold the recorded newest row with its MAC, and every chain must reach its recorded
    head (archives made before the parallel chains record only the newest row)."""
    problems = _check_newest(head, using=using)
    if problems:
        return problems
    from .models.audit import AuditEntry  # as below

    for chain, recorded in sorted((head.get("chains") or {}).items()):
        seq, mac = int(recorded["seq"]), str(recorded["mac"])
        row = (
            AuditEntry.objects.using(using)
            .filter(chain=int(chain), chain_seq=seq)
            .values_list("mac", flat=True)
            .first()
        )
        if row is None:
            last = (
                AuditEntry.objects.using(using)
                .filter(chain=int(chain))
                .order_by("-chain_seq")
                .values_list("chain_seq", flat=True)
                .first()
                or 0
            )
            problems.append(f"审计链被截断：第 {chain} 链备份时到第 {seq} 条，现在只到第 {last} 条")
        elif not constant_time_equal(row.encode(), mac.encode()):
            problems.append(f"审计第 {chain} 链第 {seq} 条与备份时记录的链头校验值不符：链被改写")
    return problems


def _check_newest(head: dict[str, Any], *, using: str = "default") -> list[str]:
    """The recorded newest row must still be there with its MAC."""
    from .models.audit import AuditEntry  # models load after the app registry; this module is imported by cli

    seq, mac = int(head["seq"]), str(head["mac"])
    if seq == 0:
        return []
    row = AuditEntry.objects.using(using).filter(seq=seq).values_list("mac", flat=True).first()
    if row is None:
        last = AuditEntry.objects.using(using).order_by("-seq").values_list("seq", flat=True).first() or 0
        return [f"审计链被截断：备份时链头为第 {seq} 条，现在只到第 {last} 条"]
    if not constant_time_equal(row.encode(), mac.encode()):
        return [f"审计链第 {seq} 条与备份时记录的链头校验值不符：链被改写"]
    return []


def _pg_restore(alias: str, dump: Path, *, clean: bool) -> None:
    partitioned = _partitioned_tables(alias) if clean else []
    if partitioned:
        _pg_restore_partitioned(alias, dump, partitioned)
        return
    cmd = ["pg_restore", "--no-owner", "--no-privileges", "--exit-on-error", "--single-transaction"]
    if clean:
        cmd += ["--clean", "--if-exists"]
    cmd += ["-d", _pg_params(alias)["dbname"], str(dump)]
    _run(cmd, _pg_env(alias), "pg_restore 恢复")


def _partitioned_tables(alias: str) -> list[str]:
    """Partitioned tables of the current schema (PostgreSQL declarative partitioning, e.g. monitoring readings)."""
    with connections[alias].cursor() as cur:
        cur.execute(
            "SELECT c.relname FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace "
            "WHERE c.relkind = 'p' AND n.nspname = current_schema() ORDER BY c.relname"
        )
        return [r[0] for r in cur.fetchall()]


def _pg_restore_partitioned(alias: str, dump: Path, partitioned: list[str]) -> None:
    """`pg_restore --clean` cannot drop a partition's inherited constraints one by one: the dump becomes a script
    (`pg_restore -f`), run by psql in one transaction after a prelude that drops the partitioned tables with their
    partitions (CASCADE); the script's own DROP … IF EXISTS for them are then no-ops. All or nothing, as before."""
    env = _pg_env(alias)
    script = dump.parent / "restore.sql"
    _run(
        [
            "pg_restore",
            "--no-owner",
            "--no-privileges",
            "--clean",
            "--if-exists",
            "-f",
            str(script),
            str(dump),
        ],
        env,
        "pg_restore 恢复",
    )
    combined = dump.parent / "restore-all.sql"
    with combined.open("w", encoding="utf-8") as out, script.open(encoding="utf-8") as body:
        for table in partitioned:
            out.write(f"DROP TABLE IF EXISTS {_ident(table)} CASCADE;\n")
        shutil.copyfileobj(body, out)
    cmd = [
        "psql",
        "-X",
        "-q",
        "-v",
        "ON_ERROR_STOP=1",
        "--single-transaction",
        "-d",
        _pg_params(alias)["dbname"],
    ]
    _run([*cmd, "-f", str(combined)], env, "psql 恢复")
    script.unlink(missing_ok=True)
    combined.unlink(missing_ok=True)


def _sqlite_restore(alias: str, source: Path) -> None:
    src = sqlite3.connect(source)
    try:
        if _is_memory(alias):
            src.backup(_sqlite_raw(alias))
        else:
            dst = sqlite3.connect(_sqlite_path(alias))
            try:
                src.backup(dst)
            finally:
                dst.close()
    finally:
        src.close()


def _is_memory(alias: str) -> bool:
    return bool(getattr(connections[alias], "is_in_memory_db", lambda: False)())


def _restore_media(checked: CheckedArchive, media: Path) -> int:
    count = 0
    for entry in checked.manifest["files"]:
        name = entry["path"]
        if not name.startswith(MEDIA_PREFIX):
            continue
        rel = _safe_member_path(name[len(MEDIA_PREFIX) :])
        dest = media / rel
        dest.parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(checked.root / name, dest)
        count += 1
    return count


def head_from_file(path: Path) -> dict[str, Any]:
    """A recorded chain head: from a backup archive (its manifest, MAC checked) or a JSON {"seq", "mac"}."""
    if tarfile.is_tarfile(path):
        return dict(read_manifest(path)["audit_head"])
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
        return {"seq": int(data["seq"]), "mac": str(data["mac"])}
    except (OSError, ValueError, KeyError, TypeError) as exc:
        raise BackupError(f"无法读取链头文件 {path.name}：应为备份文件或含 seq、mac 的 JSON") from exc


def record_refusal(archive: Path, reason: str, *, alias: str = "default", actor: Any = None) -> bool:
    """Audit a refused restore in the current database, when it has an audit log to write to."""
    if "core_auditentry" not in _table_names(alias):
        return False
    with transaction.atomic(using=alias):
        audit.record(
            None,
            BACKUP_RESTORED,
            actor=actor,
            outcome="failure",
            object_type="core.backup",
            object_id=archive.name[:64],
            object_repr=archive.name,
            data={"reason": reason},
            using=alias,
        )
    return True


def _table_names(alias: str) -> list[str]:
    with connections[alias].cursor() as cur:
        return list(connections[alias].introspection.table_names(cur))


def prune(directory: Path, keep: int) -> list[Path]:
    """Delete all but the newest `keep` archives in `directory` (names sort by time); return what went."""
    archives = sorted(directory.glob("zhiben-backup-*.tar"))
    gone = archives[:-keep] if keep > 0 else []
    for path in gone:
        path.unlink()
    return gone
