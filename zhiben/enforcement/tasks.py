"""Periodic job of enforcement: the daily 安全生产法 Art 113 re-check.

Huey evaluates crontabs in UTC (settings.HUEY["utc"] is True): 17:40 UTC is 01:40 Asia/Shanghai. The check is
idempotent (one proposal per trigger), so a rerun or a late run is harmless.
"""

from __future__ import annotations

from zhiben.core.jobs import crontab, periodic_job

from .art113 import recheck


@periodic_job(crontab(hour="17", minute="40"))
def recheck_closure_triggers() -> dict[str, int]:
    """提请关闭 watch: units penalised for 重大事故隐患 3 times in 180 days or 4 times in a year."""
    return recheck()
