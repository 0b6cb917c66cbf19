"""Periodic job of the campaign: task reminders and the escalation ladder, daily.

Huey evaluates crontabs in UTC: 17:20 UTC is 01:20 Asia/Shanghai. Idempotent, so a rerun or a late run is
harmless."""

from __future__ import annotations

from zhiben.core.jobs import crontab, periodic_job

from .deadlines import run_deadlines


@periodic_job(crontab(hour="17", minute="20"))
def campaign_deadlines() -> dict[str, int]:
    """治本攻坚任务到期提醒与逾期督办."""
    return run_deadlines()
