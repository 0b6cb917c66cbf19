"""Periodic jobs of the tips' handling loop. Huey evaluates crontabs in UTC (Asia/Shanghai minus 8); both jobs
compute "today" in Asia/Shanghai themselves and are idempotent, so a rerun or a late run sends nothing new."""

from __future__ import annotations

from zhiben.core.jobs import crontab, periodic_job

from .reminders import apply_tip_escalations, send_tip_reminders


@periodic_job(crontab(hour="0", minute="5"))  # 08:05 Asia/Shanghai
def remind_tip_deadlines() -> dict[str, int]:
    """到期提醒: tell whoever must act of a tip's deadline within the reminder lead."""
    return send_tip_reminders()


@periodic_job(crontab(hour="17", minute="20"))  # 01:20 Asia/Shanghai
def escalate_overdue_tips() -> dict[str, int]:
    """逾期督办: the next rung of the ladder for each overdue tip."""
    return apply_tip_escalations()
