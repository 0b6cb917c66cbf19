"""Statistics snapshots: the dashboard's default view at any register size (PostgreSQL).

At province scale the tally itself is large (open hazards are keyed by their exact days), so folding it into
the page's breakdowns takes seconds however it is done. The default view (a scope, no filters) is asked for
again and again by the same offices, so its folded breakdowns are kept: one `HazardStatsSnapshot` per
statistics scope and day, a few thousand rows read in one go.

A snapshot keeps the measures (stats.Measures: one list of numbers per breakdown row, Measures.dump), not
the fold's states: a province's default view is some 11,000 rows so against 220,000 states, and reads in tens
of milliseconds instead of a second and a half. A snapshot of the first format (states) is still read.

Exact, not approximately fresh: every tally change is also appended to `HazardTallyChange` in the same
statement, stamped with the writing transaction's id (tally.add). A snapshot records the PostgreSQL snapshot
its fold was computed in (`pg_current_snapshot()` in the same statement, so the same MVCC snapshot). The
figures are the snapshot's rows plus the changes that snapshot could not see — committed after it, or still in
progress when it was taken (`NOT pg_visible_in_snapshot`) — folded the same way. A transaction that was
running when the snapshot was taken and commits later is therefore counted once: not in the fold, but in the
changes. The read sees the changes its own statement sees, exactly as a read of the tally would.

Ageing and overdue buckets are the day's, so a snapshot serves its day only. `renew()` (a job every ten
minutes, and after midnight; renewal.py) rebuilds the snapshots whose change list has grown, and today's for the scopes
read yesterday, then prunes the changes every snapshot has seen. SQLite (one district, single writer) reads
the tally directly and writes no changes.
"""

from __future__ import annotations

import datetime as dt
import hashlib
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from django.db import connections, models, router, transaction
from django.db.models import Q
from django.db.models.expressions import RawSQL
from django.dispatch import Signal
from django.utils import timezone

from ..models import HazardStatsSnapshot, HazardTally, HazardTallyChange
from .definitions import Measures

# The advisory lock that keeps pruning out of a snapshot's build (an arbitrary constant of this module).
BUILDING = 0x5A4853  # "ZHS"
PRIMARY = "default"

# Changes since a snapshot beyond which the renewal job rebuilds it (the read folds them each time).
RENEW_AFTER = 5_000
KEEP_DAYS = 7  # scopes read within this many days get today's snapshot from the midnight run

# Sent when a replica served a read with no snapshot for the day (args: reader, day); renewal.py queues the
# primary's build, so this module needs no import of the job (which reads the statistics queries).
wanted = Signal()

Folded = Counter[tuple[str, Any, tuple[Any, ...]]]


@dataclass(frozen=True)
class Parts:
    """How the statistics queries group tally-shaped rows (`grouped`), fold them in SQL (`fold(rows,
    with_snapshot=)`, the tally) or in Python (`fold_changes`, the few changes since a snapshot), and count a
    fold into measures (`measure(folded, into=None)`): stats.queries.default_snapshot_parts."""

    grouped: Callable[[Any], Any]
    fold: Callable[..., tuple[Folded, str | None]]
    fold_changes: Callable[[Any], Folded]
    measure: Callable[..., Measures]


def scope_key(scope: Q) -> str:
    """A scope's identity: the tally query it filters to (two users with the same grants share it)."""
    sql, params = HazardTally.objects.filter(scope).query.sql_with_params()
    return hashlib.sha256(repr((sql, params)).encode()).hexdigest()


def _load(rows: list[list[Any]]) -> Folded:
    """A snapshot of the first format (the fold's states) back as the fold (each key is stored once)."""
    return Counter({(r[0], tuple(r[1]) if r[0] == "heat" else r[1], tuple(r[2:8])): r[8] for r in rows})


def measures(scope: Q, parts: Parts, today: dt.date, reader: Any) -> Measures:
    """The default view's measures for `scope` on `today`: the day's snapshot plus the changes it did not
    see, or (no snapshot yet) a fold of the tally, kept as the day's snapshot."""
    key = scope_key(scope)
    # The snapshot and the changes are read where this request reads (a streaming replica for the statistics
    # page, core/dbrouting.py): a replica holds both as the primary had them, in the same transaction-id space,
    # so its snapshot plus its unseen changes are exactly its own tally.
    db = router.db_for_read(HazardStatsSnapshot)
    snap = HazardStatsSnapshot.objects.using(db).filter(scope_key=key, day=today).first()
    if snap is None and db == PRIMARY:
        return build(scope, key, parts, today, reader)
    if snap is None:
        # A replica is read-only: fold its own tally for this read, and let the primary build the day's
        # snapshot (a fold read on the replica must never be stored on the primary: they differ by the lag).
        result, _visibility = parts.fold(
            parts.grouped(HazardTally.objects.using(db).filter(scope)), with_snapshot=False
        )
        if getattr(reader, "pk", None):
            wanted.send(sender=HazardStatsSnapshot, reader=reader, day=today)  # renewal queues the build
        return parts.measure(result)
    stored = Measures.load(snap.rows) if isinstance(snap.rows, dict) else parts.measure(_load(snap.rows))
    unseen = (
        HazardTallyChange.objects.using(db)
        .filter(scope, txid__gte=snap.oldest_txid)
        .annotate(
            seen=RawSQL(
                "pg_visible_in_snapshot((hazards_hazardtallychange.txid::text)::xid8, %s::pg_snapshot)",
                [snap.visibility],
                output_field=models.BooleanField(),
            )
        )
        .filter(seen=False)
    )
    # The unseen changes are few (the renewal job keeps them under RENEW_AFTER): grouped in SQL, folded here.
    parts.measure(parts.fold_changes(parts.grouped(unseen)), into=stored)
    stored.drop_empty()
    return stored


def build(scope: Q, key: str, parts: Parts, today: dt.date, reader: Any) -> Measures:
    """Fold the tally for `scope` and keep its measures as the day's snapshot, with the PostgreSQL snapshot
    the fold was read in. Not kept when this transaction has written already (`visibility` is then None): its
    own later writes would look "seen" to that snapshot without being in the fold.

    The fold and the store hold BUILDING (shared) on the primary, so the pruning (exclusive, renewal.py) never
    runs between a fold and its store: it would delete changes committed after the fold, which that snapshot
    needs and does not yet protect."""
    with transaction.atomic(using=PRIMARY):
        with connections[PRIMARY].cursor() as cursor:
            cursor.execute("SELECT pg_advisory_xact_lock_shared(%s)", [BUILDING])
        result, visibility = parts.fold(
            parts.grouped(HazardTally.objects.using(PRIMARY).filter(scope)), with_snapshot=True
        )
        measured = parts.measure(result)
        if visibility is None:
            return measured
        values = {
            "visibility": visibility,
            "oldest_txid": int(visibility.split(":", 1)[0]),
            "rows": measured.dump(),
            "built_at": timezone.now(),
            "reader": reader if getattr(reader, "pk", None) else None,
        }
        HazardStatsSnapshot.objects.using(PRIMARY).update_or_create(scope_key=key, day=today, defaults=values)
    return measured
