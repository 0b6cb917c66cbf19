"""Renewing the statistics snapshots (the job `renew_hazard_statistics`, every ten minutes): see snapshots.py."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.db import connection, transaction
from django.utils import timezone

from zhiben.accounts.models import User
from zhiben.core.dbrouting import primary_reads
from zhiben.core.errors import NotPermitted
from zhiben.core.jobs import enqueue_on_commit, job

from ..models import HazardStatsSnapshot, HazardTallyChange
from . import snapshots
from .filters import tally_scope_q
from .queries import default_snapshot_parts


def renew(today: dt.date | None = None) -> dict[str, int]:
    """Rebuild the snapshots whose changes have piled up, give today's to the scopes read lately, drop old
    days' snapshots, and prune the changes every remaining snapshot has seen."""
    today = today or timezone.localdate()
    renewed = 0
    recent = HazardStatsSnapshot.objects.filter(
        day__gte=today - dt.timedelta(days=snapshots.KEEP_DAYS)
    ).select_related("reader")
    latest: dict[str, HazardStatsSnapshot] = {}
    for snap in recent.order_by("day"):
        latest[snap.scope_key] = snap
    for key, snap in latest.items():
        stale = snap.day != today or (
            HazardTallyChange.objects.filter(txid__gte=snap.oldest_txid).count() > snapshots.RENEW_AFTER
        )
        if not stale or snap.reader is None or not snap.reader.is_active:
            continue
        try:
            scope = tally_scope_q(snap.reader)
        except NotPermitted:  # the reader lost their statistics scope: nothing to renew
            continue
        if snapshots.scope_key(scope) != key:  # the reader's grants changed: the page will build its own
            continue
        snapshots.build(scope, key, default_snapshot_parts(today), today, snap.reader)
        renewed += 1
    dropped, _ = HazardStatsSnapshot.objects.filter(day__lt=today).delete()
    return {"renewed": renewed, "dropped": dropped, "pruned": prune()}


@job
def build_for_reader(user_id: int, day: str) -> bool:
    """Build the day's snapshot of a person's statistics scope on the primary (their read was served by a
    replica, which cannot keep one). Idempotent: nothing to do when the snapshot exists already."""
    today = dt.date.fromisoformat(day)
    with primary_reads():
        reader = User.objects.filter(pk=user_id, is_active=True).first()
        if reader is None or today != timezone.localdate():
            return False
        try:
            scope = tally_scope_q(reader)
        except NotPermitted:
            return False
        key = snapshots.scope_key(scope)
        if HazardStatsSnapshot.objects.filter(scope_key=key, day=today).exists():
            return False
        snapshots.build(scope, key, default_snapshot_parts(today), today, reader)
        return True


def _queue_build(sender: Any, *, reader: Any, day: dt.date, **kwargs: Any) -> None:
    enqueue_on_commit(build_for_reader, reader.pk, day.isoformat())


snapshots.wanted.connect(_queue_build, dispatch_uid="hazards.stats.build_for_reader")


def prune() -> int:
    """Delete the changes every kept snapshot has seen (with none kept: every committed change, which the
    tally holds and the next snapshot's fold will read). Holds BUILDING exclusively, so no snapshot is between
    its fold and its store meanwhile."""
    with transaction.atomic(using=snapshots.PRIMARY), connection.cursor() as cursor:
        cursor.execute("SELECT pg_advisory_xact_lock(%s)", [snapshots.BUILDING])
        kept = list(HazardStatsSnapshot.objects.values_list("visibility", flat=True).distinct())
        seen = " AND ".join(["pg_visible_in_snapshot((txid::text)::xid8, %s::pg_snapshot)"] * len(kept))
        cursor.execute(f"DELETE FROM hazards_hazardtallychange WHERE {seen or 'true'}", kept)  # noqa: S608
        return cursor.rowcount
