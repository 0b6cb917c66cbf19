"""What the pages of 培训演练 share: colours, the reader's kind and the year asked for."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest
from django.utils import timezone

from zhiben.accounts.roles import GOVERNMENT_ROLES
from zhiben.core.scoping import grants_for

from ..choices import SessionStatus

SESSION_COLORS = {
    SessionStatus.PLANNED: "secondary",
    SessionStatus.OPEN: "primary",
    SessionStatus.CLOSED: "success",
}
REF = "reference data"


def _is_government(user: Any) -> bool:
    return any(g.role in GOVERNMENT_ROLES for g in grants_for(user))


def _year(request: HttpRequest) -> int:
    raw = request.GET.get("year", "")
    if raw.isdigit() and 2000 <= int(raw) <= 2100:
        return int(raw)
    return timezone.localdate().year
