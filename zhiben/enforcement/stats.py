"""执法统计 (enforcement statistics): inspections, major hazards found, penalties, 零处罚 and 只检查不处罚, per
department, township and quarter. Read-only: every figure is an aggregate over the inspection and case records.

`figures(user, filters, today)` answers the page, its Excel export and anything else that quotes these numbers,
so they agree by construction. The definitions below are the contract; docs/enforcement-statistics.md says
them in Chinese for the people who read the figures.

Definitions (屈安发〔2024〕1号 三(四)8: 严格执法, "零处罚" 与 "只检查不处罚" 点名通报):
  inspection      a completed `Inspection` (status 已完成), counted once per visit; its day is the day it
                  finished (Asia/Shanghai), else the day it started, else the planned day.
  department's    a joint inspection counts for every participating department: the lead (`Inspection.department`)
  inspections     and every `InspectionDepartment` row, each department once.
  major found     findings of those inspections whose own level is 重大, or whose linked hazard is 重大.
                  Per department: the findings routed to its ledger (`Finding.department`).
  per 1,000       major found × 1000 ÷ inspections (no inspections: no figure).
  penalty         a case (not withdrawn) with at least one measure in PENALTY_KINDS decided in the period, counted
  decision        once per case (a case penalised in two quarters counts in each quarter, once in the period).
                  Department = the case's 办案部门, township = the case's region.
  fines           amounts of FINE and DAILY_FINE measures decided in the period (`CaseMeasure.amount`; a daily
                  fine with no total recorded: daily amount × days from start to end, both included).
  corrective      cases with a 责令限期整改 measure decided in the period (not a penalty: counted separately).
  orders
  零处罚           a department or township with inspections in the period and no penalty decision in it.
  只检查不处罚率    among the period's inspections with at least one finding, the share with no measure at all
                  on a case linked to the inspection (directly or through one of its findings): any kind,
                  责令限期整改 included, once it has a decision date (a proposed penalty is not yet a measure),
                  whenever decided, on a case not withdrawn. Per department: the pairs (inspection, department
                  with a finding on it), handled when such a measure sits on a case of that inspection handled
                  by the department or opened on the department's finding.

Scope (stats_scope.py): the office and leaders see everything; a township its territory (inspections and cases
located in it); a department its own work (the inspections it took part in, the findings routed to it, the cases
it handles).
When the figures are one department's (a department user, or the department filter), the totals, township and
quarter rows use that department's attribution too, so its page adds up to its own row.
"""

from __future__ import annotations

import datetime as dt
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from django.db.models import (
    Count,
    DateField,
    Exists,
    F,
    OuterRef,
    Q,
    QuerySet,
)
from django.db.models.functions import Coalesce, TruncDate, TruncQuarter
from django.urls import NoReverseMatch
from django.utils import timezone
from django.utils.translation import gettext as _

from zhiben.core.calendar import parse_quarter, quarter_label, quarter_of, quarters_between
from zhiben.core.scoping import unscoped
from zhiben.hazards.stats import Ratio
from zhiben.inspections.choices import ENFORCEMENT_MODES, InspectionStatus, Mode
from zhiben.inspections.models import Finding, Inspection, InspectionDepartment
from zhiben.registry.choices import RegionLevel
from zhiben.registry.models import Department, Region

from .choices import PENALTY_KINDS, CaseStatus, MeasureKind
from .models import Case, CaseMeasure
from .stats_scope import (
    ScopePart,
    attributed_q,
    department_choices,
    may_view_statistics,
    region_in,
    region_prefixes,
    scope_label,
    scope_parts,
    visit_q,
)

__all__ = [
    "Counts",
    "Figures",
    "Period",
    "Ratio",
    "Row",
    "ScopePart",
    "StatsFilter",
    "department_choices",
    "describe",
    "figures",
    "may_view_statistics",
    "region_prefixes",
    "scope_label",
    "scope_parts",
]

MAJOR = "major"
FINE_KINDS = frozenset({MeasureKind.FINE, MeasureKind.DAILY_FINE})
_PENALTY = frozenset(str(k) for k in PENALTY_KINDS)
_FINES = frozenset(str(k) for k in FINE_KINDS)
_ORDER = str(MeasureKind.ORDER_RECTIFY)
UNANNOUNCED = str(Mode.UNANNOUNCED)
# A period longer than this reads as noise on a quarterly page (and would be a long trend table).
MAX_QUARTERS = 20
FIRST_YEAR = 2023  # the campaign's stock year (屈安发〔2024〕1号 covers 2024–2026)
TYPICAL_LIMIT = 100


# ----------------------------------------------------------------------------------------------- period


@dataclass(frozen=True)
class Period:
    """The days the figures cover, both ends included."""

    start: dt.date
    end: dt.date
    label: str

    @property
    def quarters(self) -> list[str]:
        """Every quarter the period touches, in order ("2025Q1" …)."""
        if self.end < self.start:
            return []
        return quarters_between(quarter_of(self.start), quarter_of(self.end))

    @property
    def span(self) -> str:
        return f"{self.start:%Y-%m-%d}至{self.end:%Y-%m-%d}"


@dataclass(frozen=True)
class StatsFilter:
    """The page's filters (the user's scope applies on top). A date range wins over year/quarter; with
    neither, the figures cover the current year."""

    year: int | None = None
    quarter: int | None = None  # 1–4, with `year` (or the current year)
    date_from: dt.date | None = None
    date_to: dt.date | None = None
    region: str = ""  # region code: the region and everything below it
    department: str = ""  # department code

    def period(self, today: dt.date) -> Period:
        """The period these filters name; one that runs past `today` stops at today."""
        if self.date_from or self.date_to:
            start = self.date_from or dt.date((self.date_to or today).year, 1, 1)
            end = self.date_to or today
            label = f"{start:%Y-%m-%d}至{end:%Y-%m-%d}"
        else:
            year = self.year or today.year
            if self.quarter:
                start = dt.date(year, 3 * self.quarter - 2, 1)
                end = (
                    dt.date(year + 1, 1, 1) if self.quarter == 4 else dt.date(year, 3 * self.quarter + 1, 1)
                ) - dt.timedelta(days=1)
                label = quarter_label(f"{year}Q{self.quarter}")
            else:
                start, end = dt.date(year, 1, 1), dt.date(year, 12, 31)
                label = _("%(y)s年") % {"y": year}
        if start <= today < end:
            end = today
            label = _("%(l)s（截至%(d)s）") % {"l": label, "d": f"{today.month}月{today.day}日"}
        return Period(start, end, label)

    def query_items(self) -> list[tuple[str, str]]:
        """The filters as URL parameters (the export link and the drill-down links carry them)."""
        items = [
            ("year", self.year),
            ("quarter", self.quarter),
            ("date_from", self.date_from.isoformat() if self.date_from else None),
            ("date_to", self.date_to.isoformat() if self.date_to else None),
            ("region", self.region),
            ("department", self.department),
        ]
        return [(k, str(v)) for k, v in items if v]


def describe(filters: StatsFilter, period: Period) -> str:
    """The filters in words, for the page and the top of every exported sheet."""
    parts = [_("统计期间：%(p)s（%(s)s）") % {"p": period.label, "s": period.span}]
    if filters.region:
        name = Region.objects.filter(code=filters.region).values_list("name", flat=True).first()
        parts.append(_("区域：%(v)s") % {"v": name or filters.region})
    if filters.department:
        name = Department.objects.filter(code=filters.department).values_list("name", flat=True).first()
        parts.append(_("部门：%(v)s") % {"v": name or filters.department})
    return "；".join(parts)


# ----------------------------------------------------------------------------------------------- counts


@dataclass(frozen=True)
class Counts:
    """The figures of one set of records: the whole page, or one department, township or quarter."""

    inspections: int = 0
    modes: dict[str, int] = field(default_factory=dict)  # Mode value → inspections
    major_found: int = 0
    with_findings: int = 0  # 只检查不处罚: denominator
    unhandled: int = 0  # 只检查不处罚: numerator
    penalties: int = 0  # penalty decisions (cases)
    fines: Decimal = Decimal("0.00")
    orders: int = 0  # cases with a 责令限期整改

    @property
    def unannounced(self) -> int:
        return self.modes.get(UNANNOUNCED, 0)

    @property
    def unannounced_share(self) -> Ratio:
        """四不两直 share of the inspections."""
        return Ratio(self.unannounced, self.inspections)

    @property
    def major_per_inspection(self) -> float | None:
        """平均每次检查发现重大隐患 (项): 重大事故隐患 found ÷ inspections, two decimals; no inspections, no
        figure. (It was per 1,000 inspections: "636.4" read as hundreds of hazards.)"""
        if not self.inspections:
            return None
        return round(self.major_found / self.inspections, 2)

    @property
    def inspect_only_rate(self) -> Ratio:
        """只检查不处罚率: inspections with findings and no measure ÷ inspections with findings."""
        return Ratio(self.unhandled, self.with_findings)

    @property
    def zero_penalty(self) -> bool:
        """零处罚: inspections in the period, no penalty decision in it."""
        return self.inspections > 0 and self.penalties == 0

    @property
    def is_empty(self) -> bool:
        return not (
            self.inspections or self.major_found or self.with_findings or self.penalties or self.orders
        )


@dataclass
class _Tally:
    """Counts while folding: case ids in sets, so a case met in several rows counts once."""

    inspections: int = 0
    modes: Counter[str] = field(default_factory=Counter)
    major_found: int = 0
    with_findings: int = 0
    unhandled: int = 0
    penalty_cases: set[int] = field(default_factory=set)
    order_cases: set[int] = field(default_factory=set)
    fines: Decimal = Decimal("0.00")

    def counts(self) -> Counts:
        return Counts(
            inspections=self.inspections,
            modes={m: self.modes[m] for m in Mode.values if self.modes.get(m)},
            major_found=self.major_found,
            with_findings=self.with_findings,
            unhandled=self.unhandled,
            penalties=len(self.penalty_cases),
            fines=self.fines.quantize(Decimal("0.01")),
            orders=len(self.order_cases),
        )


@dataclass(frozen=True)
class Row:
    """One row of a breakdown: a department (code), a township (region code) or a quarter ("2025Q1")."""

    code: str
    label: str
    counts: Counts


@dataclass(frozen=True)
class ModeRow:
    mode: str
    label: str
    count: int
    share: Ratio


@dataclass(frozen=True)
class Flag:
    """A unit flagged 零处罚."""

    kind: str  # "department" | "township"
    kind_label: str
    code: str
    label: str
    inspections: int


@dataclass(frozen=True)
class TypicalCase:
    pk: int
    code: str
    subject: str
    department: str
    township: str
    day: dt.date
    summary: str
    url: str


@dataclass
class Figures:
    """Everything the page and its export show for one scope and filter, on one day."""

    today: dt.date
    filters: StatsFilter
    period: Period
    by_department: bool  # the totals use one department's attribution (see the module docstring)
    totals: Counts
    departments: list[Row]
    townships: list[Row]
    quarters: list[Row]
    modes: list[ModeRow]
    zero_penalty: list[Flag]
    typical: list[TypicalCase]
    typical_total: int

    @property
    def flags_townships(self) -> bool:
        """Townships are judged 零处罚 on whole-territory figures only: within one department's figures a
        township row is that department's work there, not the township's enforcement."""
        return not self.by_department


# ---------------------------------------------------------------------------------------------- queries


def _day(prefix: str = "") -> Coalesce:
    """An inspection's day: finished, else started (local dates), else planned."""
    return Coalesce(
        TruncDate(f"{prefix}finished_at"),
        TruncDate(f"{prefix}started_at"),
        F(f"{prefix}planned_on"),
        output_field=DateField(),
    )


def _completed(qs: QuerySet[Any], period: Period, prefix: str = "") -> QuerySet[Any]:
    """Completed 执法检查 of the period: a township's patrol (乡镇巡查) is not 执法 and is not counted."""
    return (
        qs.filter(**{f"{prefix}status": InspectionStatus.COMPLETED, f"{prefix}mode__in": ENFORCEMENT_MODES})
        .alias(day=_day(prefix))
        .filter(day__gte=period.start, day__lte=period.end)
    )


def _measures_of_inspection(inspection_ref: str) -> QuerySet[Any]:
    """Measures on a case linked to the inspection: directly, or through one of its findings."""
    return _taken_measures().filter(
        Q(case__inspection_id=OuterRef(inspection_ref))
        | Q(case__finding__inspection_id=OuterRef(inspection_ref))
    )


def _taken_measures() -> QuerySet[Any]:
    """Measures that have taken effect (a proposed one has no decision date yet), on cases not withdrawn."""
    return CaseMeasure.objects.filter(decided_on__isnull=False).exclude(case__status=CaseStatus.WITHDRAWN)


@dataclass
class _Resolved:
    parts: list[ScopePart]
    region_prefix: str | None
    department_ids: frozenset[int] | None  # the departments the totals are attributed to (None: whole visits)
    empty: bool = False


def _resolve(user: Any, filters: StatsFilter) -> _Resolved:
    parts = scope_parts(user)
    resolved = _Resolved(parts=parts, region_prefix=None, department_ids=None, empty=not parts)
    if filters.region:
        region = Region.objects.filter(code=filters.region).first()
        if region is None:
            resolved.empty = True
        else:
            resolved.region_prefix = region.scope_prefix
    if filters.department:
        pk = Department.objects.filter(code=filters.department).values_list("pk", flat=True).first()
        if pk is None:
            resolved.empty = True
        else:
            resolved.department_ids = frozenset({pk})
    elif parts and all(p.departments is not None for p in parts):
        resolved.department_ids = frozenset(d for p in parts for d in (p.departments or ()))
    return resolved


def _narrow(r: _Resolved, department_path: str, region_path: str) -> Q:
    """Scope, region filter and department attribution of department-attributed records."""
    q = attributed_q(r.parts, department_path, region_path)
    if r.region_prefix is not None:
        q &= region_in(region_path, r.region_prefix)
    if r.department_ids is not None:
        q &= Q(**{f"{department_path}__in": sorted(r.department_ids)})
    return q


# Each fetch returns plain tuples: (department id or None, region id, quarter "2025Q1", payload …).


def _visits(r: _Resolved, period: Period) -> list[tuple[Any, ...]]:
    """Whole visits (totals, townships and quarters when the figures are not one department's)."""
    has_finding = Exists(Finding.objects.filter(inspection_id=OuterRef("pk")))
    has_measure = Exists(_measures_of_inspection("pk"))
    qs = _completed(Inspection.objects.filter(visit_q(r.parts)), period)
    if r.region_prefix is not None:
        qs = qs.filter(region_in("region", r.region_prefix))
    rows = (
        qs.annotate(q=TruncQuarter(_day(), output_field=DateField()))
        .values("region_id", "mode", "q")
        .annotate(
            n=Count("pk"),
            found=Count("pk", filter=Q(has_finding)),
            unhandled=Count("pk", filter=Q(has_finding) & ~Q(has_measure)),
        )
        .order_by()
    )
    return [
        (None, x["region_id"], _quarter(x["q"]), x["mode"], x["n"], x["found"], x["unhandled"]) for x in rows
    ]


def _participations(r: _Resolved, period: Period) -> list[tuple[Any, ...]]:
    """(department, inspection) pairs: every InspectionDepartment row, plus the lead when it has none."""
    rows: list[tuple[Any, ...]] = []
    joined = _completed(InspectionDepartment.objects.all(), period, "inspection__").filter(
        _narrow(r, "department_id", "inspection__region")
    )
    for x in (
        joined.annotate(q=TruncQuarter(_day("inspection__"), output_field=DateField()))
        .values("department_id", "inspection__region_id", "inspection__mode", "q")
        .annotate(n=Count("inspection_id"))
        .order_by()
    ):
        rows.append(
            (x["department_id"], x["inspection__region_id"], _quarter(x["q"]), x["inspection__mode"], x["n"])
        )
    lead_only = (
        _completed(Inspection.objects.all(), period)
        .filter(_narrow(r, "department_id", "region"))
        .exclude(
            Exists(
                InspectionDepartment.objects.filter(
                    inspection_id=OuterRef("pk"), department_id=OuterRef("department_id")
                )
            )
        )
    )
    for x in (
        lead_only.annotate(q=TruncQuarter(_day(), output_field=DateField()))
        .values("department_id", "region_id", "mode", "q")
        .annotate(n=Count("pk"))
        .order_by()
    ):
        rows.append((x["department_id"], x["region_id"], _quarter(x["q"]), x["mode"], x["n"]))
    return rows


def _findings(r: _Resolved, period: Period) -> list[tuple[Any, ...]]:
    """Major hazards found, by the department whose ledger each finding goes to."""
    major = Q(level=MAJOR) | Q(hazard__level=MAJOR)
    qs = _completed(Finding.objects.all(), period, "inspection__").filter(
        _narrow(r, "department_id", "inspection__region")
    )
    rows = (
        qs.annotate(q=TruncQuarter(_day("inspection__"), output_field=DateField()))
        .values("department_id", "inspection__region_id", "q")
        .annotate(n=Count("pk", filter=major))
        .order_by()
    )
    return [(x["department_id"], x["inspection__region_id"], _quarter(x["q"]), x["n"]) for x in rows]


def _department_pairs(r: _Resolved, period: Period) -> list[tuple[Any, ...]]:
    """只检查不处罚 per department: (inspection, department with a finding on it), and whether a measure
    followed on a case of that inspection handled by the department or opened on its finding."""
    handled = Exists(
        _taken_measures()
        .filter(
            Q(case__inspection_id=OuterRef("inspection_id"))
            | Q(case__finding__inspection_id=OuterRef("inspection_id"))
        )
        .filter(
            Q(case__department_id=OuterRef("department_id"))
            | Q(case__finding__department_id=OuterRef("department_id"))
        )
    )
    qs = _completed(Finding.objects.all(), period, "inspection__").filter(
        _narrow(r, "department_id", "inspection__region")
    )
    rows = (
        qs.annotate(q=TruncQuarter(_day("inspection__"), output_field=DateField()))
        .values("department_id", "inspection__region_id", "q")
        .annotate(
            pairs=Count("inspection_id", distinct=True),
            unhandled=Count("inspection_id", distinct=True, filter=~Q(handled)),
        )
        .order_by()
    )
    return [
        (x["department_id"], x["inspection__region_id"], _quarter(x["q"]), x["pairs"], x["unhandled"])
        for x in rows
    ]


def _measures(r: _Resolved, period: Period) -> list[tuple[Any, ...]]:
    """Measures decided in the period, one row each (the fold counts a case once however many it has)."""
    qs = (
        CaseMeasure.objects.filter(decided_on__gte=period.start, decided_on__lte=period.end)
        .exclude(case__status=CaseStatus.WITHDRAWN)
        .filter(_narrow(r, "case__department_id", "case__region"))
    )
    rows = qs.values_list(
        "case__department_id",
        "case__region_id",
        "decided_on",
        "case_id",
        "kind",
        "amount",
        "daily_amount",
        "start_on",
        "end_on",
    ).order_by()
    return [
        (dept, region, quarter_of(day), case_id, kind, _fine(kind, amount, daily, start, end))
        for dept, region, day, case_id, kind, amount, daily, start, end in rows.iterator(chunk_size=5000)
    ]


def _fine(
    kind: str, amount: Decimal | None, daily: Decimal | None, start: dt.date | None, end: dt.date | None
) -> Decimal:
    """The fine a measure imposes: its amount; for 按日连续处罚 with no total recorded, the daily amount × the
    days from its start to its end (both included) once both are known."""
    if kind not in _FINES:
        return Decimal(0)
    if amount is not None:
        return amount
    if kind == MeasureKind.DAILY_FINE and daily is not None and start is not None and end is not None:
        return daily * max(0, (end - start).days + 1)
    return Decimal(0)


def _quarter(value: Any) -> str:
    if isinstance(value, dt.datetime):
        value = value.date()
    if isinstance(value, str):
        value = dt.date.fromisoformat(value[:10])
    return quarter_of(value)


def _townships_of(region_ids: Iterable[int]) -> dict[int, int]:
    """Region id → the id of its township (乡镇/街道): a village climbs its parent chain; a township or a
    region above township level stays itself. One query per level climbed (villages: one)."""
    result: dict[int, int] = {}
    at = {pk: pk for pk in region_ids if pk is not None}  # the region we started from → where it has climbed
    while at:
        info = {
            pk: (parent_id, level)
            for pk, parent_id, level in Region.objects.filter(pk__in=set(at.values())).values_list(
                "pk", "parent_id", "level"
            )
        }
        climbing: dict[int, int] = {}
        for start, pk in at.items():
            parent_id, level = info.get(pk, (None, RegionLevel.TOWNSHIP))
            if level > RegionLevel.TOWNSHIP and parent_id is not None:
                climbing[start] = parent_id
            else:
                result[start] = pk
        at = climbing
    return result


# ----------------------------------------------------------------------------------------------- figures


@unscoped("statistics: narrowed by scope_parts(user)")
def figures(user: Any, filters: StatsFilter | None = None, today: dt.date | None = None) -> Figures:
    """The statistics for `user`'s scope and `filters` on `today`."""
    filters = filters or StatsFilter()
    today = today or timezone.localdate()
    period = filters.period(today)
    r = _resolve(user, filters)
    by_department = r.department_ids is not None
    total, departments = _Tally(), dict[int, _Tally]()
    townships: dict[int, _Tally] = {}
    quarters: dict[str, _Tally] = {q: _Tally() for q in period.quarters}
    if r.empty or period.end < period.start:
        return _assemble(today, filters, period, by_department, total, departments, townships, quarters, r)

    visits = [] if by_department else _visits(r, period)
    participations = _participations(r, period)
    found = _findings(r, period)
    pairs = _department_pairs(r, period)
    measures = _measures(r, period)
    region_ids = {row[1] for stream in (visits, participations, found, pairs, measures) for row in stream}
    town = _townships_of(region_ids)

    def targets(dept: int | None, region: int, quarter: str, *, overall: bool) -> list[_Tally]:
        out = []
        if overall:
            out += [total, townships.setdefault(town.get(region, region), _Tally())]
            out.append(quarters.setdefault(quarter, _Tally()))
        if dept is not None:
            out.append(departments.setdefault(dept, _Tally()))
        return out

    for _d, region, quarter, mode, n, with_findings, unhandled in visits:
        for t in targets(None, region, quarter, overall=True):
            t.inspections += n
            t.modes[mode] += n
            t.with_findings += with_findings
            t.unhandled += unhandled
    for dept, region, quarter, mode, n in participations:
        for t in targets(dept, region, quarter, overall=by_department):
            t.inspections += n
            t.modes[mode] += n
    for dept, region, quarter, n in found:
        for t in targets(dept, region, quarter, overall=True):
            t.major_found += n
    for dept, region, quarter, n_pairs, unhandled in pairs:
        for t in targets(dept, region, quarter, overall=by_department):
            t.with_findings += n_pairs
            t.unhandled += unhandled
    for dept, region, quarter, case_id, kind, amount in measures:
        for t in targets(dept, region, quarter, overall=True):
            if kind in _PENALTY:
                t.penalty_cases.add(case_id)
            if kind == _ORDER:
                t.order_cases.add(case_id)
            if kind in _FINES and amount:
                t.fines += amount
    return _assemble(today, filters, period, by_department, total, departments, townships, quarters, r)


def _typical(r: _Resolved, period: Period) -> tuple[list[TypicalCase], int]:
    """典型案例 decided (or, undecided, filed) in the period, newest first."""
    if r.empty:
        return [], 0
    qs = (
        Case.objects.filter(is_typical=True)
        .exclude(status=CaseStatus.WITHDRAWN)
        .filter(_narrow(r, "department_id", "region"))
        .alias(day=Coalesce("decided_on", "filed_on"))
        .filter(day__gte=period.start, day__lte=period.end)
    )
    total = qs.count()
    cases = list(
        qs.annotate(on=Coalesce("decided_on", "filed_on"))
        .select_related("department", "region", "region__parent")
        .order_by("-on", "-pk")[:TYPICAL_LIMIT]
    )
    return [
        TypicalCase(
            pk=c.pk,
            code=c.code,
            subject=c.subject_name,
            department=c.department.name,
            township=_township_name(c.region),
            day=c.on,  # type: ignore[attr-defined]
            summary=c.typical_summary or c.violation,
            url=_case_url(c),
        )
        for c in cases
    ], total


def _township_name(region: Region) -> str:
    """A village's township (its parent: GB/T 2260 has one level below townships), else the region itself."""
    if region.level > RegionLevel.TOWNSHIP and region.parent is not None:
        return region.parent.name
    return region.name


def _case_url(case: Case) -> str:
    try:
        return case.get_absolute_url()
    except NoReverseMatch:  # the case pages are not there yet: the list still names the case
        return ""


def _assemble(
    today: dt.date,
    filters: StatsFilter,
    period: Period,
    by_department: bool,
    total: _Tally,
    departments: dict[int, _Tally],
    townships: dict[int, _Tally],
    quarters: dict[str, _Tally],
    r: _Resolved,
) -> Figures:
    if by_department and r.department_ids is not None and not r.empty:
        for pk in r.department_ids:  # a department sees its own row even when it did nothing
            departments.setdefault(pk, _Tally())
    dept_info = {
        d["pk"]: d
        for d in Department.objects.filter(pk__in=list(departments)).values(
            "pk", "code", "name", "sort_order"
        )
    }
    department_rows = [
        Row(dept_info[pk]["code"], dept_info[pk]["name"], t.counts())
        for pk, t in sorted(
            departments.items(), key=lambda kv: (dept_info[kv[0]]["sort_order"], dept_info[kv[0]]["code"])
        )
        if pk in dept_info
    ]
    regions = {
        x["pk"]: x
        for x in Region.objects.filter(pk__in=list(townships)).values("pk", "code", "name", "level")
    }
    township_rows = [
        Row(
            regions[pk]["code"],
            regions[pk]["name"]
            if regions[pk]["level"] >= RegionLevel.TOWNSHIP
            else _("%(n)s（区直）") % {"n": regions[pk]["name"]},
            t.counts(),
        )
        for pk, t in sorted(townships.items(), key=lambda kv: regions.get(kv[0], {}).get("code", ""))
        if pk in regions
    ]
    quarter_rows = [
        Row(q, quarter_label(q), quarters[q].counts()) for q in sorted(quarters, key=parse_quarter)
    ]
    totals = total.counts()
    modes = [
        ModeRow(
            str(value),
            str(label),
            totals.modes.get(value, 0),
            Ratio(totals.modes.get(value, 0), totals.inspections),
        )
        for value, label in Mode.choices
        if value in ENFORCEMENT_MODES
    ]
    flags = [
        Flag("department", _("部门"), row.code, row.label, row.counts.inspections)
        for row in department_rows
        if row.counts.zero_penalty
    ] + [
        Flag("township", _("乡镇（街道）"), row.code, row.label, row.counts.inspections)
        for row in township_rows
        if row.counts.zero_penalty and not by_department
    ]
    typical, typical_total = _typical(r, period) if not r.empty else ([], 0)
    return Figures(
        today=today,
        filters=filters,
        period=period,
        by_department=by_department,
        totals=totals,
        departments=department_rows,
        townships=township_rows,
        quarters=quarter_rows,
        modes=modes,
        zero_penalty=flags,
        typical=typical,
        typical_total=typical_total,
    )
