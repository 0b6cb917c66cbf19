"""Figures as of a past day (截至某日): the register as it stood at the end of that day, rebuilt from history.

The tally holds the present; a 通报 dated D must count only what was true on D. `states_on(user, filters, day)`
rebuilds each hazard's state at the end of `day` (Beijing time):

  in the register  registered (its first `HazardTransition`) on or before D and discovered on or before D
  status           the `to_status` of its last transition on or before D (closed after D: still open on D)
  deadline         today's deadline, less the 延期 approved after D (their `old_deadline`)
  close date       the day of its last move into 已销号 on or before D; on time when that day is within the
                   deadline it had (the stored flag when the hazard is still closed by that same 销号)

`figures_on(user, filters, day)` feeds those states into the same `Measures` and `_assemble()` as the
dashboard, with overdue and ageing measured at the end of D (a deadline on D is not overdue on D).
A hazard reopened after D and closed on D keeps the deadline it was reopened with (its earlier one is in the
audit rows only): its on-time flag may then err towards on time.
"""

from __future__ import annotations

import datetime as dt
from collections import Counter
from dataclasses import dataclass
from typing import Any

from django.utils import timezone

from zhiben.core.calendar import quarter_end, quarter_start

from ..choices import COUNTED_STATUSES, OPEN_STATUSES, ExtensionStatus, Level, Status
from ..models import DeadlineExtension, Hazard, HazardTransition
from .assemble import _assemble
from .definitions import AGE_LIMITS, TOWNSHIP_CODE_LENGTH, Counts, Figures, Measures
from .filters import StatsFilter, _resolve, _trend_quarters, tally_scope_q
from .queries import _hazard_filter, _industry_roots


@dataclass(frozen=True)
class HazardState:
    """One hazard as it stood at the end of a day."""

    pk: int
    code: str
    area: str  # township code
    industry_id: int | None
    department_id: int
    level: str
    source: str
    is_stock: bool
    discovered_on: dt.date
    status: str
    deadline: dt.date | None
    closed_on: dt.date | None  # the day of the 销号 in force on that day
    on_time: bool | None

    @property
    def counted(self) -> bool:
        return self.status in COUNTED_STATUSES

    @property
    def is_open(self) -> bool:
        return self.status in OPEN_STATUSES

    def overdue_on(self, day: dt.date) -> bool:
        """Open at the end of `day` with its deadline before `day`."""
        return self.is_open and self.deadline is not None and self.deadline < day


def end_of(day: dt.date) -> dt.datetime:
    """The first instant after `day` in Beijing time (the site's time zone)."""
    return timezone.make_aware(dt.datetime.combine(day + dt.timedelta(days=1), dt.time.min))


def states_on(user: Any, filters: StatsFilter, day: dt.date) -> list[HazardState]:
    """Every hazard in `user`'s scope and `filters` that was in the register at the end of `day`."""
    resolved = _resolve(filters)
    if resolved.empty:
        return []
    tally_scope_q(user)  # the statistics' own refusal
    cutoff = end_of(day)
    hazards = (
        Hazard.objects.restrict(user, "view")
        .filter(_hazard_filter(resolved, quarters=False), discovered_on__lte=day, created_at__lt=cutoff)
        .values_list(
            "pk",
            "code",
            "region__code",
            "industry_id",
            "department_id",
            "level",
            "source",
            "is_stock",
            "discovered_on",
            "status",
            "deadline",
            "closed_on",
            "closed_on_time",
        )
    )
    rows = {row[0]: row for row in hazards}
    if not rows:
        return []
    ids = sorted(rows)
    # Related rows of hazards already read in scope.
    status_on: dict[int, str] = {}
    closed_day: dict[int, dt.date] = {}
    for pk, to_status, at in (
        HazardTransition.objects.unrestricted("history of hazards read in scope")
        .filter(hazard_id__in=ids, at__lt=cutoff)
        .order_by("hazard_id", "at", "pk")
        .values_list("hazard_id", "to_status", "at")
    ):
        status_on[pk] = to_status
        if to_status == Status.CLOSED:
            closed_day[pk] = timezone.localdate(at)
        else:
            closed_day.pop(pk, None)
    earlier_deadline: dict[int, dt.date] = {}
    for pk, old in (
        DeadlineExtension.objects.unrestricted("extensions of hazards read in scope")
        .filter(hazard_id__in=ids, status=ExtensionStatus.APPROVED, decided_at__gte=cutoff)
        .order_by("hazard_id", "-decided_at", "-pk")
        .values_list("hazard_id", "old_deadline")
    ):
        earlier_deadline[pk] = old  # the earliest approval after the day wins (last in this order)
    out = []
    for pk in ids:
        (_pk, code, region_code, industry_id, department_id, level, source, is_stock, discovered_on) = rows[
            pk
        ][:9]
        status_now, deadline_now, closed_now, on_time_now = rows[pk][9:]
        status = status_on.get(pk)
        if status is None:
            continue  # not yet registered at the end of the day
        deadline = earlier_deadline.get(pk, deadline_now)
        closed_on = closed_day.get(pk) if status == Status.CLOSED else None
        on_time: bool | None = None
        if closed_on is not None:
            if status_now == Status.CLOSED and closed_now == closed_on:
                on_time = bool(on_time_now)
            else:
                on_time = deadline is not None and closed_on <= deadline
        out.append(
            HazardState(
                pk=pk,
                code=code,
                area=region_code[:TOWNSHIP_CODE_LENGTH],
                industry_id=industry_id,
                department_id=department_id,
                level=level,
                source=source,
                is_stock=is_stock,
                discovered_on=discovered_on,
                status=status,
                deadline=deadline,
                closed_on=closed_on,
                on_time=on_time,
            )
        )
    return out


def _bucket(days: int) -> int:
    return next((i for i, limit in enumerate(AGE_LIMITS) if days <= limit), len(AGE_LIMITS))


def measures_of(states: list[HazardState], filters: StatsFilter, day: dt.date) -> Measures:
    """The dashboard's measures over states at the end of `day` (the same folding as the tally's)."""
    resolved = _resolve(filters)
    as_of = day + dt.timedelta(days=1)
    measures = Measures()
    roots = _industry_roots()
    trend_quarters = set(_trend_quarters(filters, as_of))
    for s in states:
        if resolved.quarter_from or resolved.quarter_to:
            if resolved.quarter_from and s.discovered_on < quarter_start(resolved.quarter_from):
                continue
            if resolved.quarter_to and s.discovered_on > quarter_end(resolved.quarter_to):
                continue
        is_open = s.status in OPEN_STATUSES
        age = _bucket((as_of - s.discovered_on).days) if is_open else None
        od = _bucket((as_of - s.deadline).days) if s.overdue_on(as_of) and s.deadline else None
        state: dict[str, Any] = {
            "status": s.status,
            "is_stock": s.is_stock,
            "level": s.level,
            "on_time": s.on_time,
            "age": age,
            "overdue_age": od,
            "n": 1,
        }
        root = roots.get(s.industry_id, s.industry_id) if s.industry_id is not None else None
        for dim, key in (
            ("area", s.area),
            ("industry", root),
            ("department", s.department_id),
            ("level", s.level),
            ("source", s.source),
        ):
            measures.by[dim].setdefault(key, Counts()).add(**state)
        measures.heat.setdefault((s.area, root), Counts()).add(**state)  # type: ignore[arg-type]
        measures.totals.add(**state)
        measures.statuses[s.status] += 1
        if s.level == Level.MAJOR and s.counted:
            quarter = f"{s.discovered_on.year}Q{(s.discovered_on.month - 1) // 3 + 1}"
            if quarter in trend_quarters:
                measures.trend[quarter] = measures.trend.get(quarter, 0) + 1
    measures.statuses = Counter(measures.statuses)
    return measures


def figures_on(
    user: Any, filters: StatsFilter | None, day: dt.date, states: list[HazardState] | None = None
) -> Figures:
    """The dashboard's figures as they stood at the end of `day` (overdue: deadline on or before `day`)."""
    filters = filters or StatsFilter()
    if states is None:
        states = states_on(user, filters, day)
    return _assemble(measures_of(states, filters, day), filters, day + dt.timedelta(days=1))
