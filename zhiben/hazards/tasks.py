"""Periodic jobs of the hazard loop (escalation ladder, deadline reminders).

Huey evaluates crontabs in UTC (settings.HUEY["utc"] is True), so the hours below are Asia/Shanghai minus 8.
Both jobs compute "today" in Asia/Shanghai themselves and are idempotent, so a rerun or a late run is harmless.
"""

from __future__ import annotations

from django.db import connection

from zhiben.core.jobs import crontab, periodic_job

from . import tally
from .escalation import apply_escalations
from .reminders import send_deadline_reminders
from .stats import renewal


@periodic_job(crontab(hour="17", minute="10"))  # 01:10 Asia/Shanghai: after midnight, before office hours
def escalate_overdue_hazards() -> dict[str, int]:
    """逾期督办: apply the ladder steps reached by overdue hazards, each with its document."""
    return apply_escalations()


@periodic_job(crontab(hour="0", minute="0"))  # 08:00 Asia/Shanghai: at the start of the working day
def remind_hazard_deadlines() -> dict[str, int]:
    """到期提醒: tell units and departments about deadlines within the reminder window."""
    return send_deadline_reminders()


@periodic_job(crontab(hour="17", minute="30"))  # 01:30 Asia/Shanghai: a quiet hour
def purge_hazard_tally() -> dict[str, int]:
    """统计清理: remove the statistics rows that count nothing any more (the register is not touched)."""
    return {"purged": tally.purge()}


@periodic_job(crontab(minute="*/10"))
def renew_hazard_statistics() -> dict[str, int]:
    """统计快照: renew the dashboards' snapshots (PostgreSQL; nothing to do on SQLite), see stats/snapshots.py."""
    if connection.vendor != "postgresql":
        return {"renewed": 0, "dropped": 0, "pruned": 0}
    return renewal.renew()
