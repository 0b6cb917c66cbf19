"""Framework models: abstract bases plus the platform's own tables (audit, outbox, calendar, jobs)."""

from .audit import AuditEntry, AuditHead
from .base import BaseModel, ScopedModel, VersionedModel
from .calendar import CalendarYear, WorkdayOverride
from .jobs import JobRun
from .outbox import InboxNotification, OutboxMessage

__all__ = [
    "AuditEntry",
    "AuditHead",
    "BaseModel",
    "CalendarYear",
    "InboxNotification",
    "JobRun",
    "OutboxMessage",
    "ScopedModel",
    "VersionedModel",
    "WorkdayOverride",
]
