"""Where the campaign stands against its goals: each goal × year with its figure, its status and the gap.

One function (`progress`) computes what the plan page shows and what its Excel export writes, so the two agree.

A goal that names an indicator (`Goal.indicator`, an id of the indicator registry) is judged on that indicator's
value for the reader's scope at the end of each year (the year's fourth quarter: its quarter-end snapshot once
frozen, else counted now with the clock at today):

* 达成 — the value meets the goal's target in the goal's direction (越高越好: ≥ target; 越低越好: ≤ target);
* 进行中 — short of the target while the goal's deadline has not passed and no task of its measures that year is
  overdue;
* 滞后 — short of the target after the deadline, or while a task of its measures that year is overdue;
* 未接入 — the indicator's source module is not built yet (never a 0 %); — when there is nothing to count yet.

A goal without an indicator (建立机制, 集中培训 …) is judged on the tasks of its measures in its year, the plan's
own records: all done → 达成, any overdue (or open past the deadline) → 滞后, else 进行中. The 总体目标 take the
tasks of their measures over the three years. Years after a goal's deadline show whether it holds (达成 / 滞后).

The campaign sits above the indicator registry: it reads values from it (the registry never imports the
campaign).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from django.db.models import Count, Q
from django.urls import reverse
from django.utils.translation import gettext as _

from zhiben.indicators import registry, tables
from zhiben.indicators.access import reach_of
from zhiben.indicators.registry import Indicator, Scope, Value, counting_together

from .choices import OPEN_TASK_STATUSES, YEARS, Direction, GoalKind, TaskStatus
from .models import Goal, Task

ACHIEVED = "achieved"
ON_TRACK = "on_track"
BEHIND = "behind"
UNAVAILABLE = "unavailable"
NO_DATA = "no_data"
STATUS_LABELS = {
    ACHIEVED: _("达成"),
    ON_TRACK: _("进行中"),
    BEHIND: _("滞后"),
    UNAVAILABLE: _("未接入"),
    NO_DATA: _("无数据"),
}
STATUS_TONES = {
    ACHIEVED: "success",
    ON_TRACK: "primary",
    BEHIND: "danger",
    UNAVAILABLE: "secondary",
    NO_DATA: "light",
}


class Judged:
    """A status (one of STATUS_LABELS' keys, or "") with its words and its badge colour."""

    status: str

    @property
    def status_label(self) -> str:
        return str(STATUS_LABELS[self.status]) if self.status else ""

    @property
    def tone(self) -> str:
        return STATUS_TONES.get(self.status, "light")


@dataclass
class Cell(Judged):
    """One goal in one year: the figure shown, its status, and the links that open the records behind it."""

    year: int
    text: str = ""  # the figure as on screen ("87.5%", "3/5 项任务完成", "未接入"); "" for an empty cell
    status: str = ""
    link: str = ""  # the records counted (the numerator's, or the tasks)
    denominator_link: str = ""
    fraction: str = ""  # "7/8" under a rate

    @property
    def export_text(self) -> str:
        """The cell as the export writes it: the figure, then the status in brackets."""
        if not self.text:
            return ""
        return (
            f"{self.text}（{self.status_label}）"
            if self.status_label and self.text != self.status_label
            else self.text
        )


@dataclass
class GoalRow(Judged):
    goal: Goal
    measure: str  # "措施6" …
    basis: str  # the indicator's name, or 任务完成情况
    target: str
    cells: list[Cell] = field(default_factory=list)
    status: str = ""
    gap: str = ""
    indicator: Indicator | None = None


@dataclass
class Progress:
    scope: Scope | None
    scope_label: str
    years: list[int]
    overall: list[GoalRow]
    stages: list[GoalRow]

    @property
    def counts(self) -> dict[str, int]:
        out = dict.fromkeys(STATUS_LABELS, 0)
        for row in self.stages:
            out[row.status] = out.get(row.status, 0) + 1
        return out


def _number(value: Decimal) -> str:
    """100.00 → "100", 18.20 → "18.2", 86.4 → "86.4" (no exponent)."""
    return f"{value.normalize():f}"


def value_text(ind: Indicator, v: Value) -> str:
    if not v.available:
        return str(_("未接入"))
    if v.value is None:
        return "—"
    return f"{v.value}%" if ind.unit == "%" else f"{_number(v.value)}{ind.unit}"


def target_of(goal: Goal, ind: Indicator | None) -> Decimal | None:
    if goal.target_value is not None:
        return goal.target_value
    return ind.target if ind is not None else None


def meets(value: Decimal, target: Decimal, direction: str) -> bool:
    return value <= target if direction == Direction.DOWN else value >= target


def gap_text(value: Decimal, target: Decimal, direction: str, unit: str) -> str:
    short = (value - target) if direction == Direction.DOWN else (target - value)
    if short <= 0:
        return str(_("已达到目标"))
    if unit == "%":
        return _("差 %(n)s 个百分点") % {"n": _number(short)}
    return _("差 %(n)s%(unit)s") % {"n": _number(short), "unit": unit}


def task_link(goal: Goal, year: int | None) -> str:
    params = [f"measure={n}" for n in goal.measures]
    if year:
        params.append(f"year={year}")
    return reverse("campaign:plan") + "?" + "&".join(params) + "#tasks"


def _task_counts(tasks: Any, today: dt.date) -> dict[tuple[int, int], dict[str, int]]:
    """(measure number, year) → total, done, overdue: one grouped query over the reader's tasks."""
    rows = tasks.values("measure__number", "year").annotate(
        total=Count("pk"),
        done=Count("pk", filter=Q(status=TaskStatus.DONE)),
        overdue=Count("pk", filter=Q(status__in=OPEN_TASK_STATUSES, due_on__lt=today)),
    )
    return {(r["measure__number"], r["year"]): r for r in rows}


def _tasks_of(
    counts: dict[tuple[int, int], dict[str, int]], measures: list[int], years: list[int]
) -> dict[str, int]:
    out = {"total": 0, "done": 0, "overdue": 0}
    for m in measures:
        for y in years:
            row = counts.get((m, y))
            if row:
                for k in out:
                    out[k] += row[k]
    return out


def _task_cell(year: int, tally: dict[str, int], due_passed: bool, link: str) -> Cell:
    if not tally["total"]:
        return Cell(year, text=str(_("无任务")), status=NO_DATA)
    text = _("%(done)s/%(total)s 项任务完成") % tally
    if tally["done"] == tally["total"]:
        status = ACHIEVED
    elif tally["overdue"] or due_passed:
        status = BEHIND
    else:
        status = ON_TRACK
    return Cell(year, text=text, status=status, link=link)


def _indicator_cell(
    goal: Goal,
    ind: Indicator,
    scope: Scope,
    year: int,
    today: dt.date,
    behind_tasks: bool,
    seen: dict[tuple[str, int], Value],
) -> tuple[Cell, Value | None]:
    if not ind.available:
        return Cell(year, text=str(_("未接入")), status=UNAVAILABLE), None
    if not ind.supports(scope):
        return Cell(year, text="—", status=NO_DATA), None
    period = f"{year}Q4"
    v = seen.get((ind.id, year))
    if v is None:  # two goals may read one indicator (按期整改率 for 2026 and for 100%按期)
        v = seen[(ind.id, year)] = ind.value(scope, period, today)
    cell = Cell(year, text=value_text(ind, v))
    cell.link = tables.records_page_url(ind, scope, period, tables.NUMERATOR)
    if v.denominator is not None:
        cell.denominator_link = tables.records_page_url(ind, scope, period, tables.DENOMINATOR)
        cell.fraction = f"{_number(Decimal(v.numerator or 0))}/{_number(Decimal(v.denominator))}"
    target = target_of(goal, ind)
    if v.value is None or target is None:
        cell.status = NO_DATA
        return cell, v
    due_year = goal.year or YEARS[-1]
    deadline = goal.due_on or dt.date(due_year, 12, 31)
    if meets(v.value, target, goal.direction):
        cell.status = ACHIEVED
    elif year < due_year:
        cell.status = ON_TRACK
    elif today > deadline or year > due_year or behind_tasks:
        cell.status = BEHIND
    else:
        cell.status = ON_TRACK
    return cell, v


def progress(user: Any, today: dt.date) -> Progress:
    """The goals the reader may see, each year's figure and status for the reader's scope (district for the
    office and leaders, the township for a township official, the department for a department). The goals'
    indicators are counted together: a source counts all of its goals for a scope and year in one query."""
    with counting_together():
        return _progress(user, today)


def _progress(user: Any, today: dt.date) -> Progress:
    reach = reach_of(user)
    scope = reach.home()
    years = [y for y in YEARS if y <= today.year] or [YEARS[0]]
    counts = _task_counts(Task.objects.restrict(user), today)
    overall: list[GoalRow] = []
    stages: list[GoalRow] = []
    seen: dict[tuple[str, int], Value] = {}
    for goal in Goal.objects.restrict(user).order_by("year", "sort_order", "code"):
        ind = _indicator(goal.indicator)
        row = GoalRow(
            goal=goal,
            measure="、".join(_("措施%(n)s") % {"n": n} for n in goal.measures),
            basis=ind.name if ind is not None else str(_("任务完成情况")),
            target=_target_text(goal, ind),
            indicator=ind,
        )
        if goal.kind == GoalKind.OVERALL:
            tally = _tasks_of(counts, goal.measures, list(YEARS))
            cell = (
                _task_cell(YEARS[-1], tally, False, task_link(goal, None))
                if goal.measures
                else Cell(YEARS[-1])
            )
            row.cells = [cell]
            row.status = cell.status or ""
            row.gap = _task_gap(tally) if goal.measures else ""
            overall.append(row)
            continue
        due_year = goal.year or YEARS[-1]
        deadline = goal.due_on or dt.date(due_year, 12, 31)
        last_value: Value | None = None
        status_cell: Cell | None = None
        for year in years:
            behind = bool(_tasks_of(counts, goal.measures, [year])["overdue"])
            if ind is not None and scope is not None:
                cell, v = _indicator_cell(goal, ind, scope, year, today, behind, seen)
                if year <= due_year or status_cell is None:
                    last_value = v
                    status_cell = cell
            elif year == due_year:
                tally = _tasks_of(counts, goal.measures, [year])
                cell = _task_cell(year, tally, today > deadline, task_link(goal, year))
                status_cell = cell
                row.gap = _task_gap(tally)
            else:
                cell = Cell(year)
            row.cells.append(cell)
        if ind is not None and scope is None:
            row.status = NO_DATA
        elif status_cell is not None:
            row.status = status_cell.status
        else:  # a goal due in a later year than the ones shown
            row.status = ON_TRACK
        if ind is not None and last_value is not None and last_value.value is not None:
            target = target_of(goal, ind)
            if target is not None:
                row.gap = gap_text(last_value.value, target, goal.direction, ind.unit)
        elif ind is not None and not ind.available:
            row.gap = str(_("数据来源模块未建设"))
        stages.append(row)
    return Progress(scope, scope.label() if scope is not None else "", years, overall, stages)


def _indicator(indicator_id: str) -> Indicator | None:
    if not indicator_id:
        return None
    try:
        return registry.get(indicator_id)
    except KeyError:
        return None  # an id whose source is still to come (三同时, the registers' own counts)


def _target_text(goal: Goal, ind: Indicator | None) -> str:
    target = target_of(goal, ind)
    if target is None:
        return str(_("完成"))
    unit = goal.unit or (ind.unit if ind is not None else "")
    sign = "≤" if goal.direction == Direction.DOWN else "≥"
    if goal.direction == Direction.UP and unit == "%" and target == 100:
        sign = ""
    return f"{sign}{_number(target)}{unit}"


def _task_gap(tally: dict[str, int]) -> str:
    left = tally["total"] - tally["done"]
    if not tally["total"]:
        return ""
    if not left:
        return str(_("任务已全部完成"))
    text = _("%(n)s 项任务未完成") % {"n": left}
    if tally["overdue"]:
        text += _("，其中逾期 %(n)s 项") % {"n": tally["overdue"]}
    return text


def export_rows(p: Progress) -> tuple[list[str], list[list[Any]]]:
    """The plan page's goals table as the Excel export writes it: the same rows, cells and words."""
    headers = [
        str(_("目标")),
        str(_("时限")),
        str(_("衡量依据")),
        str(_("目标值")),
        *[_("%(y)s年") % {"y": y} for y in p.years],
        str(_("状态")),
        str(_("差距")),
    ]
    lines: list[list[Any]] = []
    for row in p.stages:
        due = row.goal.due_on.strftime("%Y-%m-%d") if row.goal.due_on else ""
        lines.append(
            [
                row.goal.title,
                due,
                row.basis,
                row.target,
                *[c.export_text for c in row.cells],
                row.status_label,
                row.gap,
            ]
        )
    return headers, lines
