"""通报 (一单四制: 清单、交办、台账、销号、通报): the monthly and quarterly bulletins on hazard rectification.

`bulletin_context(period, actor)` gathers the 重大事故隐患 figures of a finished month ("2025-03") or quarter
("2025Q1") as the register stood at the end of the period's last day (`stats.history`: the dashboard's
figures rebuilt from each hazard's history, so a hazard found, closed or extended after the period does not
change them), plus the hazards found and closed inside the period and the named list of overdue 重大 hazards. `issue_bulletin()` hands that context to `core.documents.issue_document()`, which numbers,
renders and files the document (屈安办通〔2025〕3号).

A bulletin issued late says what an on-time one would have said.
"""

from __future__ import annotations

import datetime as dt
import re
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _

from zhiben.core import calendar
from zhiben.core.documents import issue_document
from zhiben.core.errors import NotPermitted
from zhiben.core.models import OfficialDocument
from zhiben.core.scoping import can
from zhiben.registry.models import Department

from . import stats
from .choices import Level
from .models import Hazard
from .stats import history

MONTHLY = "bulletin_monthly"
QUARTERLY = "bulletin_quarterly"
TEMPLATE_CODES = (MONTHLY, QUARTERLY)
MONTH_RE = re.compile(r"^(\d{4})-(0[1-9]|1[0-2])$")
WORST = 5  # townships and departments named in a bulletin
MAX_LISTED = 200  # overdue 重大 hazards listed by name (the count is always complete)


def parse_period(period: str) -> tuple[str, dt.date, dt.date]:
    """(template code, first day, last day) of "2025-03" or "2025Q1"; ValidationError otherwise."""
    period = (period or "").strip()
    if m := MONTH_RE.match(period):
        year, month = int(m.group(1)), int(m.group(2))
        start = dt.date(year, month, 1)
        end = (dt.date(year + month // 12, month % 12 + 1, 1)) - dt.timedelta(days=1)
        return MONTHLY, start, end
    if calendar.QUARTER_RE.match(period):
        return QUARTERLY, calendar.quarter_start(period), calendar.quarter_end(period)
    raise ValidationError({"period": _("通报期间应为月份（如 2025-03）或季度（如 2025Q1）。")})


def period_label(period: str) -> str:
    try:
        code, start, _end = parse_period(period)
    except ValidationError:
        return period
    if code == QUARTERLY:
        return calendar.quarter_label(period).replace("年", "年第", 1)
    return f"{start.year}年{start.month}月"


def recent_periods(today: dt.date, *, monthly: bool, count: int | None = None) -> list[str]:
    """The last finished months (12) or quarters (8), newest first."""
    out: list[str] = []
    if monthly:
        year, month = today.year, today.month
        for _i in range(count or 12):
            month -= 1
            if month == 0:
                year, month = year - 1, 12
            out.append(f"{year}-{month:02d}")
        return out
    quarter = calendar.quarter_of(today)
    return [calendar.shift_quarter(quarter, -i) for i in range(1, (count or 8) + 1)]


def _worst(breakdown: stats.Breakdown) -> list[dict[str, Any]]:
    """Rows lagging behind: most overdue first, then the lowest on-time rate; rows with nothing wrong are left out."""

    def rate(r: stats.BreakdownRow) -> float:
        pct = r.counts.on_time_rate.percent
        return 101.0 if pct is None else pct

    lagging = [r for r in breakdown.rows if r.counts.counted and (r.counts.overdue or rate(r) < 100)]
    lagging.sort(key=lambda r: (-r.counts.overdue, rate(r), r.label))
    return [
        {
            "name": r.label,
            "code": r.code,
            "counted": r.counts.counted,
            "open": r.counts.open,
            "overdue": r.counts.overdue,
            "on_time_rate": str(r.counts.on_time_rate),
            "on_time_numerator": r.counts.on_time_rate.numerator,
            "on_time_denominator": r.counts.on_time_rate.denominator,
        }
        for r in lagging[:WORST]
    ]


def _change(current: int, before: int) -> str:
    """同比 in words for the document: 上升25.0% / 下降20.0% / 持平; "" when there was nothing a year earlier."""
    if not before:
        return ""
    pct = round((current - before) * 100 / before, 1)
    if pct > 0:
        return _("上升%(p)s%%") % {"p": pct}
    if pct < 0:
        return _("下降%(p)s%%") % {"p": -pct}
    return _("持平")


def _year_earlier(day: dt.date) -> dt.date:
    return (
        day.replace(year=day.year - 1, day=min(day.day, 28))
        if day.month == 2
        else day.replace(year=day.year - 1)
    )


def _overdue_workdays(deadline: dt.date, as_of: dt.date) -> int | None:
    try:
        return calendar.workdays_between(deadline, as_of)
    except calendar.CalendarUnavailable:
        return None


def bulletin_context(period: str, actor: Any, *, today: dt.date | None = None) -> dict[str, Any]:
    """The numbers of one 通报 of 重大事故隐患 for the actor's scope; the period must be over.

    Template variables (core/data/document_templates.json): `period` (in words), `stats` (the 重大 figures:
    as_of, new_major, new_major_yoy, closed, open_major, overdue, on_time_rate, stock_total, stock_closed,
    stock_rate), `region_rows` and `department_rows` (name, new, closed, overdue, on_time_rate),
    `overdue_rows` (enterprise, title, code, deadline, overdue_workdays, department); and for an edited
    template: `all_hazards` (every level), `worst_regions`, `worst_departments`.
    """
    code, start, end = parse_period(period)
    today = today or timezone.localdate()
    if end >= today:
        raise ValidationError(
            {"period": _("%(p)s尚未结束，结束后才能生成通报。") % {"p": period_label(period)}}
        )
    as_of = end + dt.timedelta(days=1)  # overdue at the period's end: deadline on or before its last day
    # Every figure as the register stood at the end of the period's last day, rebuilt from the history
    # (stats/history.py): a hazard found or closed after the period does not count in it.
    everything = history.states_on(actor, stats.StatsFilter(), end)
    major_states = [s for s in everything if s.level == Level.MAJOR]
    major = history.figures_on(actor, stats.StatsFilter(level=Level.MAJOR), end, states=major_states)
    overall = history.figures_on(actor, stats.StatsFilter(), end, states=everything)
    m, t = major.totals, overall.totals

    # The period's flows (found, closed) from the same states.
    found = [s for s in major_states if s.counted and start <= s.discovered_on <= end]
    closed = [s for s in major_states if s.closed_on is not None and start <= s.closed_on <= end]
    found_before = sum(
        1 for s in major_states if s.counted and _year_earlier(start) <= s.discovered_on <= _year_earlier(end)
    )
    flows: dict[str, dict[Any, int]] = {"new_area": {}, "new_dept": {}, "closed_area": {}, "closed_dept": {}}
    for name, states in (("new", found), ("closed", closed)):
        for state in states:
            area = stats.area_key(state.area, major.area_length)
            flows[f"{name}_area"][area] = flows[f"{name}_area"].get(area, 0) + 1
            flows[f"{name}_dept"][state.department_id] = flows[f"{name}_dept"].get(state.department_id, 0) + 1
    departments = dict(Department.objects.values_list("code", "pk"))

    def rows(breakdown: stats.Breakdown, kind: str) -> list[dict[str, Any]]:
        out = []
        for r in breakdown.rows:
            key = r.code if kind == "area" else departments.get(r.code)
            out.append(
                {
                    "name": r.label,
                    "code": r.code,
                    "new": flows[f"new_{kind}"].get(key, 0),
                    "closed": flows[f"closed_{kind}"].get(key, 0),
                    "open": r.counts.open,
                    "overdue": r.counts.overdue,
                    "on_time_rate": str(r.counts.on_time_rate),
                }
            )
        return out

    overdue_states = {
        s.pk: s
        for s in sorted((s for s in major_states if s.overdue_on(as_of)), key=lambda s: (s.deadline, s.code))[
            :MAX_LISTED
        ]
    }
    overdue_major = (
        Hazard.objects.unrestricted("hazards already read in the actor's scope")
        .filter(pk__in=list(overdue_states))
        .select_related("enterprise", "region", "department")
    )
    listed = []
    for h in overdue_major:
        deadline = overdue_states[h.pk].deadline  # the deadline in force at the period's end
        assert deadline is not None  # overdue_on() implies a deadline
        listed.append(
            {
                "code": h.code,
                "title": h.title,
                "enterprise": h.enterprise.name,
                "region": h.region.name,
                "department": h.department.name,
                "deadline": deadline,
                "overdue_days": (as_of - deadline).days,
                "overdue_workdays": _overdue_workdays(deadline, end),
            }
        )
    listed.sort(key=lambda row: (row["deadline"], row["code"]))
    new_major = len(found)
    return {
        "period": period_label(period),
        "period_code": period,
        "kind": "quarterly" if code == QUARTERLY else "monthly",
        "period_start": start,
        "period_end": end,
        "scope": stats.scope_label(actor),
        "area_label": major.area_label,
        "stats": {
            "as_of": end,
            "new_major": new_major,
            "new_major_year_before": found_before,
            "new_major_yoy": _change(new_major, found_before),
            "closed": len(closed),
            "open_major": m.open,
            "overdue": m.overdue,
            "on_time_rate": str(m.on_time_rate),
            "on_time_numerator": m.on_time_rate.numerator,
            "on_time_denominator": m.on_time_rate.denominator,
            "stock_total": m.stock,
            "stock_closed": m.stock_closed,
            "stock_rate": str(m.stock_clearance),
            "reported": m.reported,
        },
        "all_hazards": {
            "counted": t.counted,
            "open": t.open,
            "closed": t.closed,
            "reported": t.reported,
            "overdue": t.overdue,
            "on_time_rate": str(t.on_time_rate),
            "on_time_numerator": t.on_time_rate.numerator,
            "on_time_denominator": t.on_time_rate.denominator,
            "stock_total": t.stock,
            "stock_closed": t.stock_closed,
            "stock_rate": str(t.stock_clearance),
        },
        "region_rows": rows(major.breakdown("region"), "area"),
        "department_rows": rows(major.breakdown("department"), "dept"),
        "worst_regions": _worst(major.breakdown("region")),
        "worst_departments": _worst(major.breakdown("department")),
        "overdue_rows": listed,
        "overdue_count": m.overdue,
    }


@transaction.atomic
def issue_bulletin(period: str, actor: Any, *, today: dt.date | None = None) -> OfficialDocument:
    """生成通报: the committee office issues the bulletin of a finished month or quarter."""
    if actor is not None and not can(actor, "supervise", Hazard):
        raise NotPermitted(_("只有区安委办可以生成通报。"))
    code, _start, _end = parse_period(period)
    context = bulletin_context(period, actor, today=today)
    return issue_document(code, context=context, actor=actor)


def issued_bulletins() -> QuerySet[OfficialDocument]:
    return OfficialDocument.objects.filter(template__code__in=TEMPLATE_CODES).order_by("-issued_at", "-id")
