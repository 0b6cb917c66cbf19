"""Audit event types. Each app declares its own in `events.py` with `register()`; record() refuses unknown ones."""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from typing import Any

from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

_REGISTRY: dict[str, str] = {}

# How an event's data reads on a page: given the data of several rows of that event, one Chinese line each
# ("" for nothing to say). Batched so that a history of many rows looks names up once.
Describer = Callable[[Sequence[Mapping[str, Any]]], list[str]]
_DESCRIBERS: dict[str, Describer] = {}

# Edit events, whose data is the changed fields (name -> new value): a history lists those fields' labels.
# Other events' data is not a diff (an answer's `department` is the department of the item, not a change of
# the inspection's 牵头部门), so without a describer of their own they show only their label.
EDIT_SUFFIXES = ("_UPDATED", "_CHANGED", "_SAVED")


def register(code: str, label: str | Promise) -> str:
    """Declare an event type (NOUN_VERBED) with its Chinese label; returns the code for use as a constant."""
    _REGISTRY[code] = str(label)
    return code


def describes(code: str) -> Callable[[Describer], Describer]:
    """Decorator: `fn` tells what rows of the registered event `code` did (see Describer)."""
    if code not in _REGISTRY:
        raise ValueError(f"unregistered audit event {code!r}")

    def attach(fn: Describer) -> Describer:
        _DESCRIBERS[code] = fn
        return fn

    return attach


def describer(code: str) -> Describer | None:
    return _DESCRIBERS.get(code)


def is_edit(code: str) -> bool:
    return code.endswith(EDIT_SUFFIXES)


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
BACKUP_CREATED = register("BACKUP_CREATED", _("数据备份"))
BACKUP_RESTORED = register("BACKUP_RESTORED", _("数据恢复"))
