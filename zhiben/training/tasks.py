"""Periodic jobs of 培训演练 (Huey evaluates crontabs in UTC: 18:10 UTC is 02:10 Asia/Shanghai). Both are
idempotent: the alert rows and the reminder rows remember what was sent, so a rerun or a late run is harmless."""

from __future__ import annotations

from zhiben.core.jobs import crontab, periodic_job

from .reminders import send_duty_reminders
from .services.certificates import send_expiry_alerts


@periodic_job(crontab(hour="18", minute="10"))
def training_certificate_alerts() -> dict[str, int]:
    """证书到期提醒（提前90天、30天各一次）."""
    return {"alerts": send_expiry_alerts()}


@periodic_job(crontab(hour="18", minute="20"))
def training_duty_reminders() -> dict[str, int]:
    """应训未训、应练未练提醒（每单位每期一次）."""
    return send_duty_reminders()
