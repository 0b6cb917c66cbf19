"""Daily jobs of rewards and the identity vault.

Huey evaluates crontabs in UTC: 17:20 UTC is 01:20 Asia/Shanghai. Both are idempotent: a lapsed reward is no
longer 待领取, an expired request no longer 已批准, so a rerun or a late run changes nothing more.
"""

from __future__ import annotations

from zhiben.core.jobs import crontab, periodic_job

from .services.rewards import lapse_unclaimed
from .services.vault import expire_requests


@periodic_job(crontab(hour="17", minute="20"))
def lapse_unclaimed_rewards() -> dict[str, int]:
    """逾期未领: rewards not claimed within their window; and identity views past their validity."""
    return {"lapsed": lapse_unclaimed(), "expired": expire_requests()}
