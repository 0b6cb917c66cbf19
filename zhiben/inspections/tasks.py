"""Periodic jobs of inspections: self-inspection duties (generation, 应查未查, reminders). The job that
regenerates a year after a rule changed is declared next to its work, in services/duties.py.

Huey evaluates crontabs in UTC (settings.HUEY["utc"] is True), so the hours below are Asia/Shanghai minus 8.
Every job computes "today" in Asia/Shanghai itself and is idempotent, so a rerun or a late run is harmless.
"""

from __future__ import annotations

from django.utils import timezone

from zhiben.core.jobs import crontab, periodic_job

from .services.duties import generate_occurrences, mark_missed
from .services.duty_reminders import send_duty_reminders


@periodic_job(
    crontab(hour="16", minute="40")
)  # 00:40 Asia/Shanghai: the new day's duties before the reminders
def maintain_duties() -> dict[str, int]:
    """Daily: occurrences for new units and changed risk classes (this year; next year from December), then
    应查未查 for periods that ended yesterday."""
    today = timezone.localdate()
    counts = generate_occurrences(year=today.year, today=today)
    if today.month == 12:
        following = generate_occurrences(year=today.year + 1, today=today)
        counts = {k: counts[k] + following[k] for k in counts}
    counts["missed"] = mark_missed(today)
    return counts


@periodic_job(crontab(hour="0", minute="30"))  # 08:30 Asia/Shanghai: at the start of the working day
def remind_duties() -> dict[str, int]:
    """自查提醒 before a period ends, and the 应查未查 notice once a period was missed."""
    mark_missed()  # in case the night job did not run
    return send_duty_reminders()
