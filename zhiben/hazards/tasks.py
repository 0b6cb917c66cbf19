"""Periodic jobs of the hazard loop (escalation ladder, deadline reminders).

Huey evaluates crontabs in UTC (settings.HUEY["utc"] is True), so the hours below are Asia/Shanghai minus 8.
Both jobs compute "today" in Asia/Shanghai themselves and are idempotent, so a rerun or a late run is harmless.
"""

from __future__ import annotations

from zhiben.core.jobs import crontab, periodic_job

from .escalation import apply_escalations
from .reminders import send_deadline_reminders


@periodic_job(crontab(hour="17", minute="10"))  # 01:10 Asia/Shanghai: after midnight, before office hours
def escalate_overdue_hazards() -> dict[str, int]:
    """逾期督办: apply the ladder steps reached by overdue hazards, each with its document."""
    return apply_escalations()


@periodic_job(crontab(hour="0", minute="0"))  # 08:00 Asia/Shanghai: at the start of the working day
def remind_hazard_deadlines() -> dict[str, int]:
    """到期提醒: tell units and departments about deadlines within the reminder window."""
    return send_deadline_reminders()
