"""Working days in Asia/Shanghai (工作日): the only place deadline arithmetic happens.

Source of truth per day, in order: a `WorkdayOverride` row; the chinesecalendar package for the years it
covers; for a year the office has published by hand (`CalendarYear`), Monday–Friday. A year with none of
these is an error, never a silent weekend-only guess.
"""

from __future__ import annotations

import datetime as dt
import re
from functools import lru_cache
from typing import Any

import chinese_calendar
from django.db import transaction
from django.utils.translation import gettext as _

from . import audit, events
from .errors import DomainError
from .models.calendar import CalendarYear, WorkdayOverride

# Deadlines far beyond this many calendar days per working day would mean a broken calendar.
_MAX_SPAN_FACTOR = 3


class CalendarUnavailable(DomainError):
    """No holiday arrangement is known for the year a deadline falls in."""


@lru_cache(maxsize=64)
def _package_covers(year: int) -> bool:
    try:
        chinese_calendar.is_workday(dt.date(year, 6, 1))
    except NotImplementedError:
        return False
    return True


class WorkCalendar:
    """Answers working-day questions over a window with one query for the overrides."""

    def __init__(self, start: dt.date, end: dt.date) -> None:
        self.start, self.end = start, end
        self.overrides = dict(
            WorkdayOverride.objects.filter(date__gte=start, date__lte=end).values_list("date", "is_workday")
        )
        years = range(start.year, end.year + 1)
        self.manual_years = set(
            CalendarYear.objects.filter(year__in=list(years)).values_list("year", flat=True)
        )

    def is_workday(self, day: dt.date) -> bool:
        if day in self.overrides:
            return self.overrides[day]
        if _package_covers(day.year):
            return bool(chinese_calendar.is_workday(day))
        if day.year in self.manual_years:
            return day.weekday() < 5
        raise CalendarUnavailable(
            _("%(year)d 年的节假日安排尚未录入，无法计算工作日。请在“工作日历”中录入该年安排。")
            % {"year": day.year}
        )


def is_workday(day: dt.date) -> bool:
    return WorkCalendar(day, day).is_workday(day)


def add_workdays(start: dt.date, n: int) -> dt.date:
    """The n-th working day after `start` (start itself not counted); n=0 returns start."""
    if n < 0:
        raise ValueError("n must be >= 0")
    if n == 0:
        return start
    cal = WorkCalendar(start, start + dt.timedelta(days=n * _MAX_SPAN_FACTOR + 30))
    day, counted = start, 0
    while counted < n:
        day += dt.timedelta(days=1)
        if day > cal.end:
            cal = WorkCalendar(day, day + dt.timedelta(days=n * _MAX_SPAN_FACTOR + 30))
        if cal.is_workday(day):
            counted += 1
    return day


def workdays_between(start: dt.date, end: dt.date) -> int:
    """Working days in (start, end]: how many working days `end` lies after `start` (negative if before)."""
    if end == start:
        return 0
    if end < start:
        return -workdays_between(end, start)
    cal = WorkCalendar(start, end)
    day, count = start, 0
    while day < end:
        day += dt.timedelta(days=1)
        if cal.is_workday(day):
            count += 1
    return count


@transaction.atomic
def set_workday_override(day: dt.date, *, actor: Any, is_workday: bool, name: str = "") -> WorkdayOverride:
    """工作日调整: declare one day a working day (调休上班) or a day off, overriding every other source."""
    before = WorkdayOverride.objects.filter(date=day).values("is_workday", "name").first()
    override, _created = WorkdayOverride.objects.update_or_create(
        date=day, defaults={"is_workday": is_workday, "name": name}
    )
    audit.record(
        override,
        events.WORKDAY_OVERRIDDEN,
        actor=actor,
        data={"date": day.isoformat(), "is_workday": is_workday, "name": name, "before": before},
    )
    return override


@transaction.atomic
def clear_workday_override(override: WorkdayOverride, *, actor: Any) -> None:
    """撤销工作日调整: the day falls back to the package data or the published year."""
    audit.record(
        override,
        events.WORKDAY_OVERRIDDEN,
        actor=actor,
        data={"date": override.date.isoformat(), "cleared": True, "before": override.is_workday},
    )
    WorkdayOverride.objects.filter(date=override.date).delete()


@transaction.atomic
def publish_calendar_year(year: int, *, actor: Any, source: str) -> CalendarYear:
    """发布年度节假日安排: a year beyond the package's data becomes Monday–Friday plus its overrides."""
    if not source.strip():
        raise CalendarUnavailable(_("请填写依据文件（如国务院办公厅节假日安排通知文号）。"), field="source")
    if _package_covers(year):
        # The package wins over a published year in WorkCalendar; a row here would only mislead.
        raise CalendarUnavailable(
            _("%(year)d 年的节假日安排已由系统内置数据提供，无需发布；个别日期请用工作日调整。")
            % {"year": year},
            field="year",
        )
    if CalendarYear.objects.filter(year=year).exists():
        raise CalendarUnavailable(_("%(year)d 年已发布。") % {"year": year}, field="year")
    published = CalendarYear.objects.create(year=year, source=source.strip())
    audit.record(published, events.CALENDAR_YEAR_PUBLISHED, actor=actor, data={"source": published.source})
    return published


# --- quarters ("2025Q1"): the periods of statistics, bulletins and 考核 ---------------------------------------

QUARTER_RE = re.compile(r"^(\d{4})Q([1-4])$")


def quarter_of(day: dt.date) -> str:
    return f"{day.year}Q{(day.month - 1) // 3 + 1}"


def parse_quarter(text: str) -> tuple[int, int]:
    m = QUARTER_RE.match(text or "")
    if m is None:
        raise ValueError(f"not a quarter: {text!r}")
    return int(m.group(1)), int(m.group(2))


def shift_quarter(quarter: str, by: int) -> str:
    year, q = parse_quarter(quarter)
    index = year * 4 + (q - 1) + by
    return f"{index // 4}Q{index % 4 + 1}"


def quarter_start(quarter: str) -> dt.date:
    year, q = parse_quarter(quarter)
    return dt.date(year, 3 * q - 2, 1)


def quarter_end(quarter: str) -> dt.date:
    return quarter_start(shift_quarter(quarter, 1)) - dt.timedelta(days=1)


def quarter_label(quarter: str) -> str:
    year, q = parse_quarter(quarter)
    return _("%(y)s年%(q)s季度") % {"y": year, "q": "一二三四"[q - 1]}


def quarters_between(first: str, last: str) -> list[str]:
    """`first`, the quarters after it, up to `last` (just `[first]` when `last` is not later)."""
    quarters = [first]
    while parse_quarter(quarters[-1]) < parse_quarter(last):
        quarters.append(shift_quarter(quarters[-1], 1))
    return quarters
