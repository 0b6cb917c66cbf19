"""Periodic jobs of 监测预警: every minute the acknowledgement SLA (escalation, check tasks for 红色) and offline
detection; daily the monthly partitions ahead and the retention (data/sensor_types.json). Idempotent."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.db import transaction
from django.utils import timezone

from zhiben.core.jobs import crontab, periodic_job

from . import reference, services, storage
from .models import Aggregate


@periodic_job(crontab(minute="*"))
def monitoring_watch() -> dict[str, int]:
    """报警确认超时升级、离线检测."""
    return {**services.escalate_overdue(), **services.detect_offline()}


def apply_retention(now: dt.datetime | None = None) -> dict[str, Any]:
    now = now or timezone.now()
    keep = reference.retention()
    storage.ensure_partitions()
    removed = storage.drop_before(now - dt.timedelta(days=int(keep["raw_days"])))
    with transaction.atomic():
        minutes = Aggregate.objects.filter(
            kind="minute", start__lt=now - dt.timedelta(days=int(keep["minute_days"]))
        ).delete()[0]
        hours = Aggregate.objects.filter(
            kind="hour", start__lt=now - dt.timedelta(days=int(keep["hour_days"]))
        ).delete()[0]
    return {"readings": removed, "minute_aggregates": minutes, "hour_aggregates": hours}


@periodic_job(crontab(hour="18", minute="10"))
def monitoring_retention() -> dict[str, Any]:
    """监测数据分区与保留期清理."""
    return apply_retention()
