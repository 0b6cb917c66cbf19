"""Renewing the statistics snapshots (the job `renew_hazard_statistics`, every ten minutes): see snapshots.py."""

from __future__ import annotations

import datetime as dt

from django.db.models import Min
from django.db.models.expressions import RawSQL
from django.utils import timezone

from zhiben.core.errors import NotPermitted

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
        grouped, fold, _fold_changes = default_snapshot_parts(today)
        snapshots.build(scope, key, grouped, fold, today, snap.reader)
        renewed += 1
    dropped, _ = HazardStatsSnapshot.objects.filter(day__lt=today).delete()
    oldest = HazardStatsSnapshot.objects.aggregate(m=Min("oldest_txid"))["m"]
    if oldest is None:  # no snapshot: the next one folds the tally, so no change is needed
        pruned, _ = HazardTallyChange.objects.filter(
            txid__lt=RawSQL("pg_snapshot_xmin(pg_current_snapshot())::text::bigint", [])
        ).delete()
    else:
        pruned, _ = HazardTallyChange.objects.filter(txid__lt=oldest).delete()
    return {"renewed": renewed, "dropped": dropped, "pruned": pruned}
