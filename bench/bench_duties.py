"""Self-inspection duties (issue 4, item 11): generating a year of occurrences for every unit (200 000 at province
scale), against a floor measured in the same run.

a) `generate_occurrences(year)` through the service: rule matching as a filter, keyset chunks of units, one
   transaction and one audit row per chunk, `bulk_create(ignore_conflicts=True)` — into an empty year.
b) the floor: the same rows (read back from a)) deleted and inserted again by a plain `executemany` of an INSERT
   into the same table, committing every 20 000 rows; then a') the service again from the same state (the year
   deleted), whose time is the one compared: target a') ≤ 3 × b).
c) the idempotent rerun: a second `generate_occurrences(year)` finds every unit complete and inserts nothing.
d) 应查未查 at the year's end: `mark_missed()` over the whole year (one UPDATE), for scale.

The year benchmarked is the one after the current one, so every unit (registered by the demo seeding, i.e.
before it) owes every period; its rows are deleted again at the end.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.db import connection, transaction
from django.utils import timezone

from .common import timed

TARGET_RATIO = 3.0
FLOOR_CHUNK = 20_000  # rows per transaction of the floor (the service commits every 2 000 units)


def run(*, db: str, scale: str = "province") -> None:
    from zhiben.inspections.choices import OccurrenceStatus
    from zhiben.inspections.models import DutyOccurrence
    from zhiben.inspections.services.duties import generate_occurrences, mark_missed
    from zhiben.registry.models import Enterprise

    year = timezone.localdate().year + 1
    units = Enterprise.objects.unrestricted("benchmark bookkeeping").operating().count()
    print(
        f"\n## duties (a year of self-inspection occurrences, {units:,} operating units, {db}, year {year})"
    )
    _delete_year(year)

    first_ms, counts = timed(lambda: generate_occurrences(year=year))
    rows = DutyOccurrence.objects.filter(period_start__year=year).count()
    assert rows == counts["created"], (rows, counts)
    monthly = DutyOccurrence.objects.filter(period_start=dt.date(year, 2, 1)).count()
    print(
        f"a) generate_occurrences (1st)    {first_ms / 1000:8.2f} s  {rows:>10,} rows  "
        f"{rows / (first_ms / 1000):>10,.0f} rows/s  ({counts['enterprises']:,} units; {monthly:,} monthly)"
    )
    floor_ms = _floor(year)
    print(
        f"b) floor: executemany INSERT     {floor_ms / 1000:8.2f} s  {rows:>10,} rows  "
        f"{rows / (floor_ms / 1000):>10,.0f} rows/s"
    )
    # Again through the service, from the same state as the floor started from (the year just deleted).
    _delete_year(year)
    ms, counts = timed(lambda: generate_occurrences(year=year))
    assert counts["created"] == rows, counts
    ratio = ms / floor_ms if floor_ms else float("inf")
    verdict = "OK" if ratio <= TARGET_RATIO else "OVER TARGET"
    print(
        f"a') generate_occurrences (2nd)   {ms / 1000:8.2f} s  {rows:>10,} rows  {rows / (ms / 1000):>10,.0f} rows/s"
        f" | ratio to floor {ratio:5.2f}x (≤ {TARGET_RATIO}x) {verdict}"
    )

    again_ms, again = timed(lambda: generate_occurrences(year=year))
    print(
        f"c) idempotent rerun              {again_ms / 1000:8.2f} s  created {again['created']}, "
        f"withdrawn {again['withdrawn']} (must be 0, 0)"
    )
    if again["created"] or again["withdrawn"]:
        raise SystemExit("the second generation changed rows")

    missed_ms, missed = timed(lambda: mark_missed(dt.date(year + 1, 1, 1)))
    assert (
        missed
        == rows
        == DutyOccurrence.objects.filter(status=OccurrenceStatus.MISSED, period_start__year=year).count()
    )
    print(
        f"d) mark_missed at the year's end {missed_ms / 1000:8.2f} s  {missed:>10,} rows  {missed / (missed_ms / 1000):>10,.0f} rows/s"
    )
    _delete_year(year)
    print()


def _delete_year(year: int) -> None:
    with transaction.atomic(), connection.cursor() as cur:
        cur.execute(
            "DELETE FROM inspections_dutyoccurrence WHERE period_start >= %s AND period_start <= %s",
            [dt.date(year, 1, 1), dt.date(year, 12, 31)],
        )


def _floor(year: int) -> float:
    """The same rows, deleted and inserted again by a plain executemany (the cost of the INSERTs alone)."""
    with connection.cursor() as cur:
        cur.execute(
            "SELECT enterprise_id, rule_id, period_start, period_end FROM inspections_dutyoccurrence "
            "WHERE period_start >= %s AND period_start <= %s ORDER BY enterprise_id, rule_id, period_start",
            [dt.date(year, 1, 1), dt.date(year, 12, 31)],
        )
        rows: list[Any] = cur.fetchall()
    _delete_year(year)
    now = timezone.now()
    sql = (
        "INSERT INTO inspections_dutyoccurrence (created_at, updated_at, enterprise_id, rule_id, period_start, "
        "period_end, status) VALUES (%s, %s, %s, %s, %s, %s, %s)"
    )

    def insert() -> None:
        for i in range(0, len(rows), FLOOR_CHUNK):
            with transaction.atomic(), connection.cursor() as cur:
                cur.executemany(sql, [(now, now, *r, "pending") for r in rows[i : i + FLOOR_CHUNK]])

    ms, _ = timed(insert)
    return ms
