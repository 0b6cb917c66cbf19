"""The statistics read model (`HazardTally`), kept right by construction.

Every service that changes a hazard calls `apply(before, after)` with the hazard's tally key before and after
the change, in the same transaction: the old combination loses one, the new one gains one. `recount()` builds
the same table from the register with one GROUP BY; regions are counted at township level (`counted_region`); `diff()` compares the two, and a test runs it after random
operations. Keys leave out what changes with the clock (overdue, age), so those are computed at read time
from `deadline` and `discovered_on`, which open hazards keep in their key; a report waiting for 判定 keeps its
判定 deadline in `deadline` (判定超期 moves with the clock the same way).
"""

from __future__ import annotations

import datetime as dt
from collections import Counter
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

from django.db import connection, transaction

from zhiben.core.calendar import quarter_of
from zhiben.registry.choices import RegionLevel
from zhiben.registry.models import Region

from .choices import OPEN_STATUSES, Status
from .models import Hazard, HazardStatsSnapshot, HazardTally, HazardTallyChange

# Hazards sit in villages; the statistics stop at townships (a village has a handful of hazards, so keying by
# village would make the tally about as long as the register). region id → the id the tally counts under.
_COUNTED_REGION: dict[int, int] = {}


def counted_region(region_id: int) -> int:
    """The township a region belongs to (a village → its township; a township or higher → itself)."""
    if region_id not in _COUNTED_REGION:
        _COUNTED_REGION.clear()
        for pk, parent_id, level in Region.objects.values_list("pk", "parent_id", "level"):
            _COUNTED_REGION[pk] = parent_id if level == RegionLevel.VILLAGE and parent_id else pk
    return _COUNTED_REGION.get(region_id, region_id)


FIELDS = (
    "region_id",
    "industry_id",
    "department_id",
    "level",
    "source",
    "is_stock",
    "status",
    "quarter",
    "discovered_on",
    "deadline",
    "on_time",
)


@dataclass(frozen=True)
class TallyKey:
    region_id: int
    industry_id: int
    department_id: int
    level: str
    source: str
    is_stock: bool
    status: str
    quarter: str
    discovered_on: dt.date | None
    deadline: dt.date | None
    on_time: bool | None

    @property
    def key(self) -> str:
        return "|".join("" if v is None else str(int(v) if isinstance(v, bool) else v) for v in self.values())

    def values(self) -> tuple[Any, ...]:
        return tuple(getattr(self, f) for f in FIELDS)


def key_for(
    *,
    region_id: int,
    industry_id: int,
    department_id: int,
    level: str,
    source: str,
    is_stock: bool,
    status: str,
    discovered_on: dt.date,
    deadline: dt.date | None,
    closed_on_time: bool | None,
    judge_deadline: dt.date | None = None,
) -> TallyKey:
    is_open = status in OPEN_STATUSES
    if status == Status.REPORTED:
        deadline = judge_deadline  # the deadline a waiting report can miss
    return TallyKey(
        region_id=counted_region(region_id),
        industry_id=industry_id,
        department_id=department_id,
        level=str(level),
        source=str(source),
        is_stock=bool(is_stock),
        status=str(status),
        quarter=quarter_of(discovered_on),
        discovered_on=discovered_on if is_open else None,
        deadline=deadline if is_open or status == Status.REPORTED else None,
        on_time=closed_on_time if status == "closed" else None,
    )


def key_of(h: Hazard) -> TallyKey:
    return key_for(
        region_id=h.region_id,
        industry_id=h.industry_id,
        department_id=h.department_id,
        level=h.level,
        source=h.source,
        is_stock=h.is_stock,
        status=h.status,
        discovered_on=h.discovered_on,
        deadline=h.deadline,
        closed_on_time=h.closed_on_time,
        judge_deadline=h.judge_deadline,
    )


_COLUMNS = (
    "key, region_id, industry_id, department_id, level, source, is_stock, status, quarter, discovered_on, "
    "deadline, on_time, count"
)
# Typed, so that a VALUES list whose first row holds a NULL date still reads as dates on PostgreSQL.
_ROW = (
    "(%s, %s::bigint, %s::bigint, %s::bigint, %s, %s, %s::boolean, %s, %s, %s::date, %s::date, %s::boolean, "
    "%s::integer)"
)
_ROW_SQLITE = "(%s, %s, %s, %s, %s, %s, %s, %s, %s, %s, %s, %s, %s)"
_ROWS_PER_STATEMENT = 500  # 13 parameters a row: far below either engine's limit
_ON_CONFLICT = "ON CONFLICT (key) DO UPDATE SET count = hazards_hazardtally.count + excluded.count"
_CHANGE_COLUMNS = _COLUMNS.removeprefix("key, ")


def _upsert(rows: int, *, changes: bool) -> str:
    """The tally rows' upsert; on PostgreSQL (`changes`) the same statement appends the changes the statistics
    snapshots read (stats/snapshots.py), stamped with this transaction's id."""
    if not changes:
        values = ", ".join([_ROW_SQLITE] * rows)
        return f"INSERT INTO hazards_hazardtally ({_COLUMNS}) VALUES {values} {_ON_CONFLICT}"  # noqa: S608
    values = ", ".join([_ROW] * rows)
    return (
        f"WITH v ({_COLUMNS}) AS (VALUES {values}), "  # noqa: S608 - fixed text; values are parameters
        f"c AS (INSERT INTO hazards_hazardtallychange (txid, {_CHANGE_COLUMNS}) "
        f"SELECT pg_current_xact_id()::text::bigint, {_CHANGE_COLUMNS} FROM v) "
        f"INSERT INTO hazards_hazardtally ({_COLUMNS}) SELECT {_COLUMNS} FROM v ORDER BY key {_ON_CONFLICT}"
    )


def add(deltas: Mapping[TallyKey, int], *, changes: bool = True) -> None:
    """Add counts to the tally rows (creating them), one statement for a transition's two keys.

    A row that reaches zero stays until `purge()` (the nightly job): deleting it here would cost every
    transition a second statement, and a zero row counts nothing. `changes=False` (a rebuild, which drops
    the snapshots instead) does not log the changes for the statistics snapshots."""
    changed = [(k, n) for k, n in deltas.items() if n]
    if not changed:
        return
    # Sorted keys: concurrent transactions lock tally rows in the same order (no deadlock).
    changed.sort(key=lambda kn: kn[0].key)
    logged = changes and connection.vendor == "postgresql"
    with transaction.atomic(savepoint=False), connection.cursor() as cur:
        for start in range(0, len(changed), _ROWS_PER_STATEMENT):
            chunk = changed[start : start + _ROWS_PER_STATEMENT]
            cur.execute(
                _upsert(len(chunk), changes=logged), [x for k, n in chunk for x in (k.key, *k.values(), n)]
            )


def purge() -> int:
    """Remove the rows that count nothing any more (hazards moved on); returns how many."""
    deleted, _ = HazardTally.objects.filter(count=0).delete()
    return deleted


def apply(before: TallyKey | None, after: TallyKey | None) -> None:
    """One hazard moved from `before` to `after` (None: did not exist / no longer exists)."""
    if before == after:
        return
    deltas: Counter[TallyKey] = Counter()
    if before is not None:
        deltas[before] -= 1
    if after is not None:
        deltas[after] += 1
    add(deltas)


def recount_rows(hazards: Iterable[Hazard] | None = None) -> Counter[TallyKey]:
    """The tally as the register says it should be: one GROUP BY over the hazards."""
    qs = Hazard.objects.unrestricted("statistics cover the whole register; pages filter by scope later")
    rows = qs.values_list(
        "region_id",
        "industry_id",
        "department_id",
        "level",
        "source",
        "is_stock",
        "status",
        "discovered_on",
        "deadline",
        "closed_on_time",
        "judge_deadline",
    ).order_by()
    out: Counter[TallyKey] = Counter()
    for r, i, d, level, source, stock, status, discovered, deadline, on_time, judging in rows.iterator(
        chunk_size=5000
    ):
        out[
            key_for(
                region_id=r,
                industry_id=i,
                department_id=d,
                level=level,
                source=source,
                is_stock=stock,
                status=status,
                discovered_on=discovered,
                deadline=deadline,
                closed_on_time=on_time,
                judge_deadline=judging,
            )
        ] += 1
    return out


def stored_rows() -> Counter[TallyKey]:
    out: Counter[TallyKey] = Counter()
    for row in HazardTally.objects.all().iterator(chunk_size=5000):
        k = TallyKey(**{f: getattr(row, f) for f in FIELDS})
        out[k] += row.count
    return out


def diff() -> dict[str, tuple[int, int]]:
    """Keys where the stored tally and a recount disagree: {key: (stored, recounted)}; empty when equal."""
    stored, counted = stored_rows(), recount_rows()
    return {
        k.key: (stored.get(k, 0), counted.get(k, 0))
        for k in set(stored) | set(counted)
        if stored.get(k, 0) != counted.get(k, 0)
    }


@transaction.atomic
def rebuild() -> int:
    """Replace the tally with a recount (after a bulk load or a repair); returns the number of rows. The
    statistics snapshots and their change log go with it (the next dashboard builds a new snapshot)."""
    forget_snapshots()
    HazardTally.objects.all().delete()
    counted = recount_rows()
    add(counted, changes=False)
    return len(counted)


def forget_snapshots(using: str = "default") -> None:
    """Drop every statistics snapshot and the change log: after the tally was rewritten wholesale, or a restore
    (the snapshots name transaction ids of the database they were taken in)."""
    with transaction.atomic(using=using):
        HazardStatsSnapshot.objects.using(using).all().delete()
        HazardTallyChange.objects.using(using).all().delete()


def forget_after_restore(sender: Any, using: str, **kwargs: Any) -> None:
    forget_snapshots(using)
