"""Periodic job of 督办交办: reminders before the deadline and the escalation ladder after it, daily.

Huey evaluates crontabs in UTC: 17:40 UTC is 01:40 Asia/Shanghai. Idempotent, so a rerun or a late run is
harmless."""

from __future__ import annotations

from zhiben.core.jobs import crontab, periodic_job

from .deadlines import run_deadlines


@periodic_job(crontab(hour="17", minute="40"))
def supervision_deadlines() -> dict[str, int]:
    """督办事项到期提醒与逾期升级."""
    return run_deadlines()
