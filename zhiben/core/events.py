"""Audit event types. Each app declares its own in `events.py` with `register()`; record() refuses unknown ones."""

from __future__ import annotations

from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

_REGISTRY: dict[str, str] = {}


def register(code: str, label: str | Promise) -> str:
    """Declare an event type (NOUN_VERBED) with its Chinese label; returns the code for use as a constant."""
    _REGISTRY[code] = str(label)
    return code


def label(code: str) -> str:
    return _REGISTRY.get(code, code)


def is_registered(code: str) -> bool:
    return code in _REGISTRY


def all_events() -> dict[str, str]:
    return dict(_REGISTRY)


JOB_RAN = register("JOB_RAN", _("后台任务运行"))
IMPORT_COMPLETED = register("IMPORT_COMPLETED", _("数据导入"))
EXPORT_DOWNLOADED = register("EXPORT_DOWNLOADED", _("数据导出"))
WORKDAY_OVERRIDDEN = register("WORKDAY_OVERRIDDEN", _("工作日调整"))
CALENDAR_YEAR_PUBLISHED = register("CALENDAR_YEAR_PUBLISHED", _("发布年度节假日安排"))
NOTIFICATION_QUEUED = register("NOTIFICATION_QUEUED", _("通知入队"))
NOTIFICATION_READ = register("NOTIFICATION_READ", _("站内信已读"))
