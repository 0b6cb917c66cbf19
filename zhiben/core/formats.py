"""How a time is shown to a person: Beijing time (settings.TIME_ZONE, Asia/Shanghai), one format, everywhere.

Pages use the `when` filter (zhiben_ui), list cells and exports go through `local_time`/`excel_time`, and
templates that format a time themselves use `DATETIME_FORMAT` (Django's `|date:"Y-m-d H:i"`, which converts
to the current time zone first). The API keeps ISO 8601 with an offset: that is for programs, not people.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.utils import timezone

DATETIME_FORMAT = "Y-m-d H:i"  # the Django `date` filter's spelling of STRFTIME
STRFTIME = "%Y-%m-%d %H:%M"
EXCEL_DATETIME_FORMAT = "yyyy-mm-dd hh:mm"


def local(value: dt.datetime) -> dt.datetime:
    """An aware time in Beijing time; a naive one is taken to already be local."""
    return timezone.localtime(value) if timezone.is_aware(value) else value


def local_time(value: Any) -> str:
    """'2026-12-06 14:56' for a datetime (Beijing time), '2026-12-06' for a date, '' for None."""
    if value is None or value == "":
        return ""
    if isinstance(value, dt.datetime):
        return local(value).strftime(STRFTIME)
    if isinstance(value, dt.date):
        return value.isoformat()
    return str(value)


def excel_time(value: dt.datetime) -> dt.datetime:
    """Excel has no time zones: an aware time is written as Beijing wall-clock time, naive."""
    return local(value).replace(tzinfo=None)
