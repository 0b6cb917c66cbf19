"""Periodic job of 源头管控: standardisation certificates past their 有效期至 expire and their units' grades
follow (cleared to 未达标 without another valid certificate), daily.

Huey evaluates crontabs in UTC: 17:20 UTC is 01:20 Asia/Shanghai. Idempotent."""

from __future__ import annotations

from zhiben.core.jobs import crontab, periodic_job

from .services import expire_certificates


@periodic_job(crontab(hour="17", minute="20"))
def standardisation_expiry() -> dict[str, int]:
    """安全生产标准化证书到期处理."""
    return {"expired": expire_certificates()}
