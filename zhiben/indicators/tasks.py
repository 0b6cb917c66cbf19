"""The quarter-end snapshot job."""

from __future__ import annotations

from django.utils import timezone

from zhiben.core.calendar import quarter_of, shift_quarter
from zhiben.core.jobs import crontab, periodic_job

from . import snapshots


def freeze_last_quarter() -> int:
    """Freeze the quarter before today's (idempotent: nothing is added once it is frozen)."""
    return snapshots.freeze(shift_quarter(quarter_of(timezone.localdate()), -1))


@periodic_job(
    crontab(hour="16", minute="50")
)  # 00:50 Asia/Shanghai, daily: a missed quarter end is caught up
def freeze_indicators() -> dict[str, int]:
    return {"rows": freeze_last_quarter()}
