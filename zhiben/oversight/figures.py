"""The figures of a 通报 or report, gathered once when it is drafted and kept with it.

* 工作进展通报 (a quarter, 2026Q1): the campaign's stage goals of the year against the values of their indicators
  in the quarter's **frozen snapshot** (`indicators.snapshots`), the year's campaign tasks as they stood at the
  quarter's end, and the 年度任务清单完成率 of each township and of the district from the same snapshot.
* 半年工作报告 (2026H1 / 2026H2): the same figures for both quarters of the half, side by side.
* 典型案例曝光: the chosen hazards (by code) as they stand when drafted; the office writes the rest.
* 通报表扬: the praised units and reasons as the office lists them.

A quarter that has no snapshot yet cannot be reported on (its figures would move); a re-issue of the same quarter
reads the same snapshot and says the same.
"""

from __future__ import annotations

import datetime as dt
import re
from decimal import Decimal
from typing import Any

from django.core.exceptions import ValidationError
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _

from zhiben.campaign.models import Goal, Task
from zhiben.core import calendar
from zhiben.core.documents import chinese_date
from zhiben.hazards.models import Hazard
from zhiben.indicators import registry, snapshots
from zhiben.indicators.registry import TOWNSHIP, Scope

from .choices import BulletinKind
from .indicators import DUTY_COMPLETION

HALF_RE = re.compile(r"^(\d{4})H([12])$")
MAX_CASES = 10
MAX_PRAISED = 30


def quarters_of(period: str) -> list[str]:
    if calendar.QUARTER_RE.match(period):
        return [period]
    m = HALF_RE.match(period)
    if m is None:
        raise ValueError(period)
    year, half = int(m.group(1)), int(m.group(2))
    return [f"{year}Q{2 * half - 1}", f"{year}Q{2 * half}"]


def period_label(period: str) -> str:
    if calendar.QUARTER_RE.match(period or ""):
        return calendar.quarter_label(period).replace("年", "年第", 1)
    m = HALF_RE.match(period or "")
    if m:
        return _("%(y)s年%(h)s") % {"y": m.group(1), "h": _("上半年") if m.group(2) == "1" else _("下半年")}
    return period


def default_title(kind: str, year: int, period: str) -> str:
    label = period_label(period)
    return {
        BulletinKind.PROGRESS: _("关于%(p)s全区安全生产治本攻坚三年行动工作进展情况的通报") % {"p": label},
        BulletinKind.HALF_YEAR: _("关于%(p)s全区安全生产治本攻坚三年行动进展情况的报告") % {"p": label},
        BulletinKind.EXPOSURE: _("关于%(y)s年安全生产典型案例的曝光通报") % {"y": year},
        BulletinKind.PRAISE: _("关于%(y)s年安全生产工作成绩突出单位的通报表扬") % {"y": year},
    }[BulletinKind(kind)]


def _number(value: Decimal | int | None) -> str:
    if value is None:
        return "—"
    d = Decimal(value)
    return str(d.quantize(Decimal(1))) if d == d.to_integral_value() else str(d.normalize())


def _frozen_text(ind: registry.Indicator, period: str) -> dict[str, Any]:
    v = registry.frozen_value(ind, Scope.district(), period)
    if v is None or not v.available:
        return {"value": None, "text": _("未接入"), "numerator": None, "denominator": None}
    text = "—" if v.value is None else f"{_number(v.value)}{ind.unit}"
    return {
        "value": None if v.value is None else str(v.value),
        "text": text,
        "numerator": _number(v.numerator),
        "denominator": _number(v.denominator),
    }


def _goals(year: int, quarters: list[str]) -> list[dict[str, Any]]:

    rows = []
    goals = (
        Goal.objects.unrestricted("the plan is read whole")
        .filter(kind="stage", year=year)
        .exclude(indicator="")
    )
    for goal in goals.order_by("sort_order", "code"):
        try:
            ind = registry.get(goal.indicator)
        except KeyError:
            continue
        target = goal.target_value if goal.target_value is not None else ind.target
        rows.append(
            {
                "title": goal.title,
                "indicator": ind.name,
                "target": f"{_number(target)}{goal.unit or ind.unit}" if target is not None else "—",
                "values": [{**_frozen_text(ind, q), "label": period_label(q)} for q in quarters],
            }
        )
    return rows


def _tasks(year: int, end: dt.date) -> dict[str, int]:
    """The year's campaign tasks as they stood at `end`: done by then (completed_on), overdue then, in progress."""

    tasks = Task.objects.unrestricted("district figures of a 通报").filter(year=year)
    done = Q(status="done", completed_on__lte=end)
    total = tasks.count()
    finished = tasks.filter(done).count()
    overdue = tasks.filter(due_on__lte=end).exclude(done).count()
    return {"total": total, "done": finished, "overdue": overdue, "open": total - finished}


def _duty_rows(period: str) -> tuple[dict[str, Any], list[dict[str, Any]]]:
    ind = registry.get(DUTY_COMPLETION)
    district = _frozen_text(ind, period)
    frozen = snapshots.frozen_values(ind, TOWNSHIP, period)
    rows = []
    for scope in registry.scopes_of(TOWNSHIP):
        v = frozen.get(scope.key)
        if v is None:
            continue
        rows.append(
            {
                "name": scope.label(),
                "done": _number(v.numerator),
                "total": _number(v.denominator),
                "rate": "—" if v.value is None else f"{_number(v.value)}%",
            }
        )
    return district, rows


def _progress(year: int, period: str, today: dt.date) -> dict[str, Any]:
    quarters = quarters_of(period)
    for q in quarters:
        if int(q[:4]) != year:
            raise ValidationError({"period": _("期间应在所选年度内。")})
        if not snapshots.quarter_closed(q, today):
            raise ValidationError({"period": _("%(p)s尚未结束，结束后才能通报。") % {"p": period_label(q)}})
        if not snapshots.is_frozen(q):
            raise ValidationError(
                {
                    "period": _("%(p)s的指标快照尚未生成（每日任务自动生成），生成后才能通报。")
                    % {"p": period_label(q)}
                }
            )
    end = calendar.quarter_end(quarters[-1])
    duty_district, duty_rows = _duty_rows(quarters[-1])
    return {
        "period": period_label(period),
        "period_code": period,
        "quarters": [period_label(q) for q in quarters],
        "as_of": chinese_date(end),
        "goals": _goals(year, quarters),
        "tasks": _tasks(year, end),
        "duty": duty_district,
        "duty_rows": duty_rows,
    }


def _cases(codes: str) -> list[dict[str, Any]]:

    wanted = [c for c in re.split(r"[\s,，、；;]+", codes or "") if c]
    if not wanted:
        raise ValidationError({"cases": _("请填写至少一个曝光案例的隐患编号。")})
    if len(wanted) > MAX_CASES:
        raise ValidationError({"cases": _("一次最多曝光 %(n)s 个案例。") % {"n": MAX_CASES}})
    found = {
        h.code: h
        for h in Hazard.objects.unrestricted("the office picks the cases of a district 通报")
        .filter(code__in=wanted)
        .select_related("enterprise", "region", "department")
    }
    missing = [c for c in wanted if c not in found]
    if missing:
        raise ValidationError({"cases": _("未找到隐患编号：%(c)s。") % {"c": "、".join(missing[:5])}})
    return [
        {
            "code": h.code,
            "title": h.title,
            "enterprise": h.enterprise.name,
            "region": h.region.name,
            "department": h.department.name if h.department_id else "",
            "level": h.get_level_display(),
            "status": h.get_status_display(),
            "discovered_on": chinese_date(h.discovered_on),
            "deadline": chinese_date(h.deadline) if h.deadline else "",
        }
        for h in (found[c] for c in dict.fromkeys(wanted))
    ]


def _praised(text: str) -> list[dict[str, str]]:
    rows = []
    for line in (text or "").splitlines():
        line = line.strip()
        if not line:
            continue
        m = re.match(r"^(.+?)[:：](.+)$", line)
        if m is None or not m.group(1).strip() or not m.group(2).strip():
            raise ValidationError({"praised": _("每行写“单位名称：理由”：%(l)s") % {"l": line[:40]}})
        name, reason = m.group(1), m.group(2)
        rows.append({"name": name.strip(), "reason": reason.strip().rstrip("。")})
    if not rows:
        raise ValidationError({"praised": _("请填写至少一个表扬单位及理由。")})
    if len(rows) > MAX_PRAISED:
        raise ValidationError({"praised": _("一次最多表扬 %(n)s 个单位。") % {"n": MAX_PRAISED}})
    return rows


def gather(
    kind: str, year: int, period: str, *, cases: str = "", praised: str = "", today: dt.date | None = None
) -> tuple[dict[str, Any], str]:
    """(the figures to keep, the normalised period) of a new draft; field-level ValidationError otherwise."""
    today = today or timezone.localdate()
    period = (period or "").strip().upper()
    if not 2024 <= int(year) <= today.year:
        raise ValidationError({"year": _("年度应在 2024 年至今年之间。")})
    if kind == BulletinKind.PROGRESS:
        if not calendar.QUARTER_RE.match(period):
            raise ValidationError({"period": _("工作进展通报的期间应为季度，如 2026Q1。")})
        return _progress(year, period, today), period
    if kind == BulletinKind.HALF_YEAR:
        if not HALF_RE.match(period):
            raise ValidationError({"period": _("半年工作报告的期间应为半年，如 2026H1。")})
        return _progress(year, period, today), period
    if kind == BulletinKind.EXPOSURE:
        return {"cases": _cases(cases)}, ""
    return {"praised": _praised(praised)}, ""
