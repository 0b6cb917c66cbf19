"""Framework models: abstract bases plus the platform's own tables (audit, outbox, calendar, jobs)."""

from .audit import AuditEntry, AuditHead
from .base import BaseModel, ScopedModel, StepHistory, VersionedModel
from .calendar import CalendarYear, WorkdayOverride
from .documents import DocumentKind, DocumentTemplate, OfficialDocument
from .jobs import JobRun
from .outbox import InboxNotification, OutboxMessage
from .sequence import Sequence

__all__ = [
    "AuditEntry",
    "AuditHead",
    "BaseModel",
    "CalendarYear",
    "DocumentKind",
    "DocumentTemplate",
    "InboxNotification",
    "JobRun",
    "OfficialDocument",
    "OutboxMessage",
    "ScopedModel",
    "Sequence",
    "StepHistory",
    "VersionedModel",
    "WorkdayOverride",
]
