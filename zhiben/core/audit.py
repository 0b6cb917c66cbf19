"""`record()`: the one way to write the audit log, inside the caller's transaction (fail-closed, R24).

Chains: the log is CHAINS parallel chains. In each, mac_n = HMAC-SM3(key, mac_{n-1} ‖ canonical(row_n)) and
`chain_seq` counts 1, 2, 3 … without gaps; the chain's head row (`AuditHead`, id = chain) holds its last number
and MAC. A writer locks only its own chain's head — a process-and-thread keeps to one chain, so two workers
rarely wait for each other, and one transaction never holds two heads (no deadlock). `verify_chain()` walks every
chain and names the first broken row; a deleted row is a gap in its chain, a cut-off tail a head that runs past
the rows. Sensitive values are redacted before anything is written (R22).
"""

from __future__ import annotations

import datetime as dt
import json
import os
import threading
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from typing import Any

from django.apps import apps
from django.conf import settings
from django.core.exceptions import FieldDoesNotExist
from django.db import DEFAULT_DB_ALIAS, connections, models, transaction
from django.db.models.sql import InsertQuery
from django.utils import timezone
from django.utils.translation import gettext_lazy

from . import events
from .crypto import constant_time_equal, hmac_sm3
from .middleware import current_request_context
from .models.audit import AuditEntry, AuditHead
from .scoping import grants_for

REDACTED = "[已脱敏]"
SENSITIVE_KEYS = (
    "password",
    "passwd",
    "token",
    "secret",
    "otp",
    "receipt",
    "identity",
    "id_number",
    "phone",
    "mobile",
    "密码",
)


def _redact(value: Any, key: str = "") -> Any:
    if key and any(s in key.lower() for s in SENSITIVE_KEYS):
        return REDACTED
    if isinstance(value, Mapping):
        return {str(k): _redact(v, str(k)) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_redact(v) for v in value]
    if isinstance(value, str | int | float | bool) or value is None:
        return value
    return str(value)


CHAINS = 8  # heads 1..CHAINS exist from migration core.0010


def _chain() -> int:
    """This process-and-thread's chain (stable while it lives). Hashed as a pair: a thread's ident is an
    address aligned far beyond 8, so `ident % CHAINS` alone put every thread of a process on one chain."""
    return 1 + hash((os.getpid(), threading.get_ident())) % CHAINS


def _next_seq(using: str | None) -> int:
    """The log-wide order: a sequence on PostgreSQL (no lock; a rollback leaves a gap), the next number on
    SQLite (writers there are serialised by BEGIN IMMEDIATE already)."""
    conn = connections[using or DEFAULT_DB_ALIAS]
    with conn.cursor() as cur:
        if conn.vendor == "postgresql":
            cur.execute("SELECT nextval('core_audit_seq')")
        else:
            cur.execute("SELECT COALESCE(MAX(seq), 0) + 1 FROM core_auditentry")
        return int(cur.fetchone()[0])


def _lock_head(using: str | None, chain: int) -> tuple[int, str, int]:
    """Lock the chain's head: (its last chain_seq, its MAC, the log-wide seq of the new row). On PostgreSQL
    one statement takes the lock and draws the sequence (the lock is held to commit: fewer round trips while
    it is held is what lets two writers of one chain overlap)."""
    conn = connections[using or DEFAULT_DB_ALIAS]
    if conn.vendor == "postgresql":
        with conn.cursor() as cur:
            cur.execute(
                "SELECT seq, mac, nextval('core_audit_seq') FROM core_audithead WHERE id = %s FOR UPDATE",
                [chain],
            )
            row = cur.fetchone()
        if row is not None:
            return int(row[0]), str(row[1]), int(row[2])
    head, _ = AuditHead.objects.db_manager(using).select_for_update().get_or_create(id=chain)
    return head.seq, head.mac, _next_seq(using)


def _append(entry: AuditEntry, using: str | None) -> None:
    """Insert the row and move its chain's head to it: on PostgreSQL in one statement."""
    conn = connections[using or DEFAULT_DB_ALIAS]
    if conn.vendor != "postgresql":
        entry.save(using=using)
        AuditHead.objects.db_manager(using).filter(id=entry.chain).update(seq=entry.chain_seq, mac=entry.mac)
        return
    query = InsertQuery(AuditEntry)
    query.insert_values([f for f in AuditEntry._meta.local_concrete_fields if not f.primary_key], [entry])
    ((insert, params),) = query.get_compiler(using=conn.alias).as_sql()
    with conn.cursor() as cur:
        cur.execute(
            f"WITH e AS ({insert} RETURNING id) "  # noqa: S608 - the ORM's own INSERT; values are parameters
            "UPDATE core_audithead SET seq = %s, mac = %s WHERE id = %s RETURNING (SELECT id FROM e)",
            [*params, entry.chain_seq, entry.mac, entry.chain],
        )
        row = cur.fetchone()
    if row is None:  # no head row to move: cannot happen after migration core.0010; refuse rather than fork
        raise RuntimeError(f"audit chain {entry.chain} has no head row")
    entry.pk = row[0]
    entry._state.adding = False
    entry._state.db = conn.alias


def _key() -> bytes:
    return settings.AUDIT_HMAC_KEY.encode()


def canonical(entry: AuditEntry) -> bytes:
    """The bytes the MAC covers: every field but the MACs themselves, in a fixed order."""
    payload = [
        entry.seq,
        entry.at.astimezone(dt.UTC).isoformat(timespec="microseconds"),
        entry.actor_id,
        entry.actor_name,
        entry.actor_roles,
        entry.event,
        entry.object_type,
        entry.object_id,
        entry.object_repr,
        entry.outcome,
        entry.data,
        entry.ip,
        entry.request_id,
    ]
    return json.dumps(payload, ensure_ascii=False, sort_keys=True, separators=(",", ":")).encode()


def compute_mac(prev_mac: str, entry: AuditEntry) -> str:
    return hmac_sm3(_key(), prev_mac.encode() + b"|" + canonical(entry)).hex()


# What an audit row's outcome means, as a reader says it (the stored values stay as recorded).
OUTCOME_NAMES = {
    "success": gettext_lazy("成功"),
    "failure": gettext_lazy("失败"),
    "denied": gettext_lazy("被拒绝"),
}


def outcome_name(outcome: str) -> str:
    return str(OUTCOME_NAMES.get(outcome, gettext_lazy("其他")))


def record(
    obj: models.Model | None,
    event: str,
    *,
    actor: Any = None,
    data: Mapping[str, Any] | None = None,
    outcome: str = "success",
    object_type: str | None = None,
    object_id: str | None = None,
    object_repr: str | None = None,
    using: str | None = None,
) -> AuditEntry:
    """Append one audit row for `event` on `obj` by `actor`. Must run inside the business transaction.

    `using` names another database (a restore writes its row into the database it restored)."""
    if not events.is_registered(event):
        raise ValueError(f"unregistered audit event {event!r}")
    ctx = current_request_context()
    if actor is not None and not getattr(actor, "is_authenticated", False):
        actor = None
    # savepoint=False: inside the business transaction (the normal case) this adds no SAVEPOINT round trips;
    # a failure still rolls the whole action back, which is what an audit failure must do (R24).
    chain = _chain()
    with transaction.atomic(using=using, savepoint=False):
        head_seq, head_mac, seq = _lock_head(using, chain)
        entry = AuditEntry(
            seq=seq,
            chain=chain,
            chain_seq=head_seq + 1,
            at=timezone.now(),
            actor=actor,
            actor_name=getattr(actor, "username", "") if actor else "system",
            actor_roles=_roles_of(actor),
            event=event,
            object_type=object_type
            if object_type is not None
            else (obj._meta.label_lower if obj is not None else ""),
            object_id=object_id if object_id is not None else (str(obj.pk) if obj is not None else ""),
            object_repr=(object_repr if object_repr is not None else (str(obj) if obj is not None else ""))[
                :200
            ],
            outcome=outcome,
            data=_redact(dict(data or {})),
            ip=ctx.ip,
            request_id=ctx.request_id,
            prev_mac=head_mac,
        )
        # JSON round trip so the MAC covers exactly what the database will return.
        entry.data = json.loads(json.dumps(entry.data, ensure_ascii=False, default=str))
        entry.mac = compute_mac(head_mac, entry)
        _append(entry, using)
    return entry


def _roles_of(actor: Any) -> str:
    if actor is None:
        return ""
    return ",".join(sorted({g.role for g in grants_for(actor)}))[:200]


@dataclass
class ChainReport:
    checked: int
    first_broken_seq: int | None
    reason: str = ""

    @property
    def intact(self) -> bool:
        return self.first_broken_seq is None


def verify_chain(batch: int = 2000, using: str = "default") -> ChainReport:
    """Walk every chain from its first row; report the first row whose MAC, link or number is wrong (`seq` of
    the row), or a chain whose head runs past its rows (the tail was cut off)."""
    heads = {h.id: h for h in AuditHead.objects.using(using).all()}
    chains = set(heads) | set(
        AuditEntry.objects.using(using).order_by().values_list("chain", flat=True).distinct()
    )
    checked = 0
    for chain in sorted(chains):
        prev_mac = "0" * 64
        expected = 1
        for entry in _iter_entries(chain, batch, using):
            if entry.chain_seq != expected:
                return ChainReport(
                    checked,
                    entry.seq,
                    f"记录缺失：第 {chain} 链应为第 {expected} 条，实为第 {entry.chain_seq} 条",
                )
            if entry.prev_mac != prev_mac:
                return ChainReport(checked, entry.seq, "链接断裂：前序校验值不符")
            if not constant_time_equal(compute_mac(prev_mac, entry).encode(), entry.mac.encode()):
                return ChainReport(checked, entry.seq, "校验值不符：记录内容被改动")
            prev_mac = entry.mac
            expected += 1
            checked += 1
        head = heads.get(chain)
        if head is not None and head.seq != expected - 1:
            last = AuditEntry.objects.using(using).filter(chain=chain).order_by("-chain_seq").first()
            return ChainReport(
                checked,
                (last.seq + 1) if last else 1,
                f"链尾缺失：第 {chain} 链链头记录到第 {head.seq} 条，实有 {expected - 1} 条",
            )
    return ChainReport(checked, None)


def _iter_entries(chain: int, batch: int, using: str = "default") -> Iterator[AuditEntry]:
    last = 0
    while True:
        rows = list(
            AuditEntry.objects.using(using)
            .filter(chain=chain, chain_seq__gt=last)
            .order_by("chain_seq")[:batch]
        )
        if not rows:
            return
        yield from rows
        last = rows[-1].chain_seq


# Keys the platform's services put in an audit row's data, for the auditor's reading of it; a key that is a
# field of the row's object reads as that field's verbose name.
_DATA_LABELS = {
    "before": "变更前",
    "after": "变更后",
    "changes": "变更",
    "changed": "变更字段",
    "fields": "字段",
    "reason": "理由",
    "note": "说明",
    "checked": "校验条数",
    "first_broken_seq": "首个断裂序号",
    "from": "原状态",
    "to": "新状态",
    "step": "步骤",
    "count": "数量",
    "role": "角色",
    "scope": "范围",
    "username": "登录名",
    "ip": "来源地址",
    "rows": "行数",
    "created": "新增",
    "updated": "更新",
    "skipped": "跳过",
    "errors": "错误",
}


# Audit subjects that are not rows: the exports of statistics pages.
_OBJECT_TYPES = {
    "hazards.statistics": "隐患统计分析",
    "enforcement.statistics": "执法统计",
    "dashboard.industry_distribution": "行业分布统计",
    "app.statistics": "统计表",
}


def readable_object_type(object_type: str) -> str:
    """'hazards.hazard' → '隐患': the model's name, a known export's name, or the stored text."""
    if not object_type:
        return "—"
    if object_type in _OBJECT_TYPES:
        return _OBJECT_TYPES[object_type]
    try:
        return str(apps.get_model(object_type)._meta.verbose_name)
    except (LookupError, ValueError):
        return object_type


def readable_data(object_type: str, data: Mapping[str, Any]) -> list[tuple[str, str]]:
    """An audit row's data as (label, text) pairs in Chinese: field names as verbose names, event codes as
    their labels, booleans as 是/否. The stored JSON (what the MAC covers) is shown beside it, unchanged."""
    try:
        model = apps.get_model(object_type) if object_type else None
    except (LookupError, ValueError):
        model = None

    def name(key: str) -> str:
        if model is not None:
            try:
                return str(model._meta.get_field(key).verbose_name)
            except FieldDoesNotExist:
                pass
        return _DATA_LABELS.get(key, key)

    def text(value: Any) -> str:
        if value is None or value == "":
            return "—"
        if isinstance(value, bool):
            return "是" if value else "否"
        if isinstance(value, Mapping):
            return "；".join(f"{name(str(k))}：{text(v)}" for k, v in value.items()) or "—"
        if isinstance(value, list | tuple):
            return "、".join(text(v) for v in value) or "—"
        if isinstance(value, str) and events.is_registered(value):
            return events.label(value)
        return str(value)

    return [(name(str(k)), text(v)) for k, v in sorted(data.items())]
