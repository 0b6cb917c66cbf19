"""Hazard statistics (隐患统计分析): the dashboard's figures, read from the tally, never from a scan of the register.

`figures(user, filters, today)` answers every question of the dashboard, the Excel export and the 通报 with
two GROUP BY queries over `HazardTally` (the read model that services keep right in the same transaction as
every change, see tally.py): one over the rows in the user's scope and filters, one for the quarterly trend.
What moves with the clock (overdue, age) is computed here from the `deadline` and `discovered_on` that open
hazards keep in their tally key, so the tally never needs a nightly refresh.

`recount_figures(...)` computes the same `Figures` from the register (`Hazard`) with plain ORM aggregation,
one aggregate query per breakdown: it is the test oracle (figures() must equal it after any sequence of
operations) and the benchmark's floor. Both feed the same intermediate `Measures` into one `_assemble()`,
so they can differ only in the numbers.

Definitions (屈安发〔2024〕1号 三(三)5; DESIGN.md §5):
  counted      a hazard at all: confirmed and later (a report awaiting 判定, rejected or merged is not)
  stock        存量: discovered on or before 2023-12-31; clearance = stock closed ÷ stock counted
  on-time rate 按期整改率 = closed on time ÷ (all closed + open past their deadline)
  overdue      open with deadline < today; ageing by days since discovery (open) or since the deadline
"""

from __future__ import annotations

import datetime as dt
import math
from collections import Counter
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field, fields
from typing import Any, cast

from django.db import models
from django.db.models import Case, Count, IntegerField, Q, Sum, Value, When
from django.db.models.functions import Coalesce, ExtractQuarter, ExtractYear, Substr
from django.utils import timezone
from django.utils.translation import gettext as _

from zhiben.accounts.roles import Role
from zhiben.core.calendar import (
    QUARTER_RE,
    parse_quarter,
    quarter_end,
    quarter_label,
    quarter_of,
    quarter_start,
    shift_quarter,
)
from zhiben.core.errors import NotPermitted
from zhiben.core.scoping import Grant, ScopePaths, grants_for
from zhiben.registry.choices import RegionLevel
from zhiben.registry.models import Department, Industry, Region
from zhiben.registry.scoping import with_descendants

from .choices import COUNTED_STATUSES, OPEN_STATUSES, Level, Source, Status
from .models import Hazard, HazardTally

# Days since discovery (open hazards) or since the deadline (overdue ones): upper bounds, the last open-ended.
AGE_LIMITS = (30, 90, 180, 365)
AGE_LABELS = ("≤30天", "31–90天", "91–180天", "181–365天", ">365天")
TOWNSHIP_CODE_LENGTH = 9
# A table of hundreds of townships reads as noise: past this many rows the region breakdown climbs a level
# (the same rule as the home dashboard's distribution).
MAX_AREAS = 30
AREA_LEVELS = (
    (RegionLevel.TOWNSHIP, 9, "乡镇（街道）"),
    (RegionLevel.COUNTY, 6, "县（市、区）"),
    (RegionLevel.CITY, 4, "市（州）"),
)
TREND_QUARTERS = 8
CLOSED = str(Status.CLOSED)
REPORTED = str(Status.REPORTED)
MAJOR = str(Level.MAJOR)
_OPEN = frozenset(str(s) for s in OPEN_STATUSES)
_COUNTED = frozenset(str(s) for s in COUNTED_STATUSES)
# Closure funnel: a hazard counts at every stage it has reached (its current status or a later one).
FUNNEL = (
    ("登记", None),
    ("判定", _COUNTED),
    ("制定方案", frozenset({"rectifying", "acceptance", "accepted", "closed"})),
    ("验收", frozenset({"acceptance", "accepted", "closed"})),
    ("销号", frozenset({CLOSED})),
)


# ---------------------------------------------------------------------------------------------- filters


@dataclass(frozen=True)
class StatsFilter:
    """The dashboard's explicit filters (the user's scope applies on top). Codes, as in the page's URL."""

    region: str = ""  # region code: the region and everything below it
    industry: str = ""  # industry code, with its sub-industries
    department: str = ""  # department code (the supervising department)
    level: str = ""
    source: str = ""
    stock: bool | None = None  # True: 存量 only; False: 新增 only
    quarter_from: str = ""  # discovery quarter range, "2025Q1"
    quarter_to: str = ""

    def query_items(self) -> list[tuple[str, str]]:
        """The filters as URL parameters (the export link and the heat table's links carry them)."""
        items = [(f.name, getattr(self, f.name)) for f in fields(self) if f.name != "stock"]
        if self.stock is not None:
            items.append(("stock", "1" if self.stock else "0"))
        return [(k, str(v)) for k, v in items if v]


@dataclass(frozen=True)
class _Resolved:
    """StatsFilter with codes turned into what the queries need; `empty` when a code names nothing."""

    region_prefix: str | None = None
    industry_ids: frozenset[int] | None = None
    department_id: int | None = None
    level: str = ""
    source: str = ""
    stock: bool | None = None
    quarter_from: str = ""
    quarter_to: str = ""
    empty: bool = False


def _resolve(filters: StatsFilter) -> _Resolved:
    empty = False
    prefix = None
    if filters.region:
        region = Region.objects.filter(code=filters.region).first()
        prefix, empty = (region.scope_prefix, empty) if region else (None, True)
    industry_ids = None
    if filters.industry:
        industry = Industry.objects.filter(code=filters.industry).first()
        if industry is None:
            empty = True
        else:
            industry_ids = frozenset(with_descendants({industry.pk}))
    department_id = None
    if filters.department:
        department_id = (
            Department.objects.filter(code=filters.department).values_list("pk", flat=True).first()
        )
        empty = empty or department_id is None
    for quarter in (filters.quarter_from, filters.quarter_to):
        if quarter and not QUARTER_RE.match(quarter):
            empty = True
    return _Resolved(
        region_prefix=prefix,
        industry_ids=industry_ids,
        department_id=department_id,
        level=filters.level,
        source=filters.source,
        stock=filters.stock,
        quarter_from=filters.quarter_from if QUARTER_RE.match(filters.quarter_from or "") else "",
        quarter_to=filters.quarter_to if QUARTER_RE.match(filters.quarter_to or "") else "",
        empty=empty,
    )


def describe(filters: StatsFilter) -> str:
    """The filters in words, for the page and the top of every exported sheet."""
    parts: list[str] = []
    if filters.region:
        name = Region.objects.filter(code=filters.region).values_list("name", flat=True).first()
        parts.append(_("区域：%(v)s") % {"v": name or filters.region})
    if filters.industry:
        name = Industry.objects.filter(code=filters.industry).values_list("name", flat=True).first()
        parts.append(_("行业领域：%(v)s") % {"v": name or filters.industry})
    if filters.department:
        name = Department.objects.filter(code=filters.department).values_list("name", flat=True).first()
        parts.append(_("监管部门：%(v)s") % {"v": name or filters.department})
    if filters.level:
        parts.append(_("隐患等级：%(v)s") % {"v": _label(Level, filters.level)})
    if filters.source:
        parts.append(_("隐患来源：%(v)s") % {"v": _label(Source, filters.source)})
    if filters.stock is not None:
        parts.append(_("存量/新增：%(v)s") % {"v": _("存量隐患") if filters.stock else _("新增隐患")})
    if filters.quarter_from or filters.quarter_to:
        start = quarter_label(filters.quarter_from) if QUARTER_RE.match(filters.quarter_from) else _("不限")
        end = quarter_label(filters.quarter_to) if QUARTER_RE.match(filters.quarter_to) else _("不限")
        parts.append(_("发现时间：%(a)s至%(b)s") % {"a": start, "b": end})
    return "；".join(parts) or _("全部隐患")


def _label(choices: type[models.TextChoices], value: str) -> str:
    return str(dict(choices.choices).get(value, value))


# ------------------------------------------------------------------------------------------------ scope

# The tally's paths to the scope dimensions. It has no enterprise: an enterprise grant admits nothing here
# (a unit sees its own hazards in the register, not district statistics).
_TALLY_PATHS = ScopePaths(region="region__code", industry="industry_id", department="department_id")


class _TallyScope:
    """HazardTally as `Grant.q_for` sees a scoped model, so the tally is scoped by the very code that
    scopes `Hazard.objects.restrict()` (region prefix, industries, or the department's own records)."""

    scope = _TALLY_PATHS
    _meta = HazardTally._meta
    _default_manager = HazardTally.objects


def statistics_grants(user: Any) -> list[Grant]:
    """The user's grants that admit tally rows: view on hazards, not a unit's own (enterprise) grant."""
    return [
        g
        for g in grants_for(user)
        if g.allows("view", Hazard) and g.role != Role.ENTERPRISE and g.q_for(_model(_TallyScope)) is not None
    ]


def _model(shim: type) -> type[models.Model]:
    return cast(type[models.Model], shim)


def may_view_statistics(user: Any) -> bool:
    """The dashboard is for government users who may view hazards; an enterprise-only user may not (403)."""
    return bool(statistics_grants(user))


def tally_scope_q(user: Any) -> Q:
    """The user's scope as a filter on HazardTally (NotPermitted when the user has no statistics scope)."""
    result: Q | None = None
    for grant in statistics_grants(user):
        q = grant.q_for(_model(_TallyScope))
        assert q is not None  # statistics_grants() kept only grants that admit something
        if not q:
            return Q()
        result = q if result is None else result | q
    if result is None:
        raise NotPermitted(_("您无权查看隐患统计。"))
    return result


def scope_label(user: Any) -> str:
    """The user's jurisdiction in words, under the page title."""
    grants = statistics_grants(user)
    if any(g.region_prefix is None and g.industry_ids is None for g in grants):
        return _("全区")
    parts: list[str] = []
    prefixes = sorted({g.region_prefix for g in grants if g.region_prefix})
    if prefixes:
        names = dict(Region.objects.filter(code__in=prefixes).values_list("code", "name"))
        parts.extend(names.get(p, p) for p in prefixes)
    if any(g.industry_ids is not None for g in grants):
        parts.append(_("本部门监管的行业领域及移送本部门的隐患"))
    return "、".join(parts)


# ----------------------------------------------------------------------------------------------- figures


@dataclass(frozen=True)
class Ratio:
    """A rate with its fraction: the page shows "85.7%（12/14）"; no denominator, no rate."""

    numerator: int
    denominator: int

    @property
    def percent(self) -> float | None:
        if not self.denominator:
            return None
        return round(self.numerator * 100 / self.denominator, 1)

    def __str__(self) -> str:
        pct = self.percent
        return "—" if pct is None else f"{pct:g}%"


@dataclass
class Counts:
    """What the dashboard measures over one set of hazards (the whole filter, or one breakdown row)."""

    registered: int = 0  # every report, including rejected and merged ones
    reported: int = 0  # awaiting 判定
    counted: int = 0  # confirmed and later: hazards
    open: int = 0
    closed: int = 0
    closed_on_time: int = 0
    overdue: int = 0
    stock: int = 0
    stock_closed: int = 0
    major: int = 0
    major_open: int = 0
    major_overdue: int = 0
    open_age: list[int] = field(default_factory=lambda: [0] * len(AGE_LABELS))
    overdue_age: list[int] = field(default_factory=lambda: [0] * len(AGE_LABELS))

    @property
    def on_time_rate(self) -> Ratio:
        """按期整改率: the denominator includes open hazards already past their deadline."""
        return Ratio(self.closed_on_time, self.closed + self.overdue)

    @property
    def stock_clearance(self) -> Ratio:
        return Ratio(self.stock_closed, self.stock)

    def add(
        self,
        *,
        status: str,
        is_stock: bool,
        level: str,
        on_time: bool | None,
        age: int | None,
        overdue_age: int | None,
        n: int,
    ) -> None:
        """`n` hazards of one state; `age`/`overdue_age` are bucket indexes (None: not open / not overdue)."""
        self.registered += n
        if status == REPORTED:
            self.reported += n
        if status not in _COUNTED:
            return
        self.counted += n
        major = level == MAJOR
        self.stock += n if is_stock else 0
        self.major += n if major else 0
        if status == CLOSED:
            self.closed += n
            self.closed_on_time += n if on_time else 0
            self.stock_closed += n if is_stock else 0
            return
        self.open += n
        self.major_open += n if major else 0
        if age is not None:
            self.open_age[age] += n
        if overdue_age is not None:
            self.overdue += n
            self.major_overdue += n if major else 0
            self.overdue_age[overdue_age] += n

    def merge(self, other: Counts) -> None:
        for f in fields(self):
            mine = getattr(self, f.name)
            if isinstance(mine, list):
                setattr(self, f.name, [a + b for a, b in zip(mine, getattr(other, f.name), strict=True)])
            else:
                setattr(self, f.name, mine + getattr(other, f.name))

    @property
    def is_empty(self) -> bool:
        return self.registered == 0


@dataclass(frozen=True)
class TrendPoint:
    """New 重大 hazards discovered in a quarter, against the same quarter a year earlier."""

    quarter: str
    count: int
    year_before: int

    @property
    def label(self) -> str:
        return quarter_label(self.quarter)

    @property
    def label_lines(self) -> tuple[str, str]:
        """("2025年", "一季度"): the label on two lines, for narrow chart axes and table headers."""
        year, _sep, quarter = self.label.partition("年")
        return f"{year}年", quarter

    @property
    def change(self) -> float | None:
        """Change in % against a year earlier (None when there was nothing a year earlier)."""
        if not self.year_before:
            return None
        return round((self.count - self.year_before) * 100 / self.year_before, 1)


@dataclass
class BreakdownRow:
    code: str  # region code, industry code, department code, level or source value
    label: str
    counts: Counts


@dataclass
class Breakdown:
    """One breakdown table (by region, industry, department, level or source)."""

    key: str
    title: str
    dimension: str  # the first column's header
    rows: list[BreakdownRow]


@dataclass(frozen=True)
class HeatCell:
    major_open: int
    major_overdue: int
    tone: int  # 0 (none) … 5 (the most open 重大 hazards in the table)


@dataclass
class HeatTable:
    """Open 重大 hazards (and how many are overdue) by region × top-level industry."""

    areas: list[tuple[str, str]]  # (region code, name)
    industries: list[tuple[str, str]]  # (industry code, name)
    cells: list[list[HeatCell]]  # cells[area][industry]
    row_totals: list[HeatCell] = field(default_factory=list)
    column_totals: list[HeatCell] = field(default_factory=list)

    @property
    def rows(self) -> list[tuple[tuple[str, str], list[HeatCell], HeatCell]]:
        return list(zip(self.areas, self.cells, self.row_totals, strict=True))


@dataclass(frozen=True)
class FunnelStage:
    label: str
    count: int


@dataclass
class Figures:
    """Everything the dashboard, its export and the 通报 show for one scope and filter, on one day."""

    today: dt.date
    filters: StatsFilter
    totals: Counts
    trend: list[TrendPoint]
    breakdowns: list[Breakdown]
    heat: HeatTable
    funnel: list[FunnelStage]
    area_label: str
    area_length: int  # region rows are keyed by this many digits of the region code (9: townships)

    def breakdown(self, key: str) -> Breakdown:
        return next(b for b in self.breakdowns if b.key == key)

    @property
    def ageing(self) -> list[tuple[str, int, int]]:
        """(bucket, open hazards by days since discovery, overdue ones by days overdue)."""
        return list(zip(AGE_LABELS, self.totals.open_age, self.totals.overdue_age, strict=True))


@dataclass
class Measures:
    """The numbers before presentation: what either source (tally or register) must produce."""

    totals: Counts = field(default_factory=Counts)
    # dimension → key → Counts. "area": township code (9 digits of the region code); "industry": id of the
    # top-level industry; "department": id; "level", "source": the value.
    by: dict[str, dict[Any, Counts]] = field(
        default_factory=lambda: {k: {} for k in ("area", "industry", "department", "level", "source")}
    )
    heat: dict[tuple[str, int], Counts] = field(default_factory=dict)  # (township code, top industry id)
    statuses: Counter[str] = field(default_factory=Counter)
    trend: dict[str, int] = field(default_factory=dict)  # quarter → new 重大 hazards


def _bucket_bounds(today: dt.date) -> list[dt.date]:
    """A day ≥ bounds[i] is within AGE_LIMITS[i] days before `today`."""
    return [today - dt.timedelta(days=limit) for limit in AGE_LIMITS]


def _age_case(path: str, today: dt.date) -> Case:
    bounds = _bucket_bounds(today)
    return Case(
        When(**{f"{path}__isnull": True}, then=Value(None)),
        *[When(**{f"{path}__gte": b}, then=Value(i)) for i, b in enumerate(bounds)],
        default=Value(len(bounds)),
        output_field=IntegerField(),
    )


def _overdue_case(path: str, today: dt.date) -> Case:
    bounds = _bucket_bounds(today)
    return Case(
        When(**{f"{path}__isnull": True}, then=Value(None)),
        When(**{f"{path}__gte": today}, then=Value(None)),  # not past the deadline
        *[When(**{f"{path}__gte": b}, then=Value(i)) for i, b in enumerate(bounds)],
        default=Value(len(bounds)),
        output_field=IntegerField(),
    )


def trend_window(filters: StatsFilter, today: dt.date) -> list[str]:
    """The quarters the trend shows: the last 8 up to the end of the quarter range (or today's quarter),
    never before the start of the range."""
    end = filters.quarter_to if QUARTER_RE.match(filters.quarter_to or "") else quarter_of(today)
    quarters = [shift_quarter(end, -i) for i in range(TREND_QUARTERS - 1, -1, -1)]
    if QUARTER_RE.match(filters.quarter_from or ""):
        kept = [q for q in quarters if parse_quarter(q) >= parse_quarter(filters.quarter_from)]
        quarters = kept or [end]
    return quarters


def _trend_quarters(filters: StatsFilter, today: dt.date) -> list[str]:
    window = trend_window(filters, today)
    return sorted({*window, *(shift_quarter(q, -4) for q in window)}, key=parse_quarter)


# ---------------------------------------------------------------------------------------- from the tally


def _tally_filter(r: _Resolved, *, quarters: bool = True) -> Q:
    q = Q()
    if r.region_prefix is not None:
        q &= Q(region__in=Region.objects.filter(code__startswith=r.region_prefix).values("pk"))
    if r.industry_ids is not None:
        q &= Q(industry_id__in=sorted(r.industry_ids))
    if r.department_id is not None:
        q &= Q(department_id=r.department_id)
    if r.level:
        q &= Q(level=r.level)
    if r.source:
        q &= Q(source=r.source)
    if r.stock is not None:
        q &= Q(is_stock=r.stock)
    if quarters and r.quarter_from:
        q &= Q(quarter__gte=r.quarter_from)  # "YYYYQn" sorts as text in time order
    if quarters and r.quarter_to:
        q &= Q(quarter__lte=r.quarter_to)
    return q


def _industry_roots() -> dict[int, int]:
    """Industry id → id of its top-level ancestor (the tree is small: one query)."""
    parents = dict(Industry.objects.values_list("pk", "parent_id"))
    roots: dict[int, int] = {}
    for pk in parents:
        node = pk
        seen = {node}
        while parents.get(node) is not None and parents[node] not in seen:
            node = parents[node]
            seen.add(node)
        roots[pk] = node
    return roots


def tally_measures(user: Any, filters: StatsFilter, today: dt.date) -> Measures:
    """The measures from HazardTally: one GROUP BY for everything but the trend, one for the trend."""
    scope = tally_scope_q(user)
    resolved = _resolve(filters)
    measures = Measures()
    if resolved.empty:
        return measures
    base = HazardTally.objects.filter(scope)
    # One GROUP BY over the tally, already at township level (the region's code, not its id: villages would
    # multiply the rows), then a fold in Python over a handful of states per key.
    rows = (
        base.filter(_tally_filter(resolved))
        .annotate(
            area=Substr("region__code", 1, TOWNSHIP_CODE_LENGTH),
            age=_age_case("discovered_on", today),
            od=_overdue_case("deadline", today),
        )
        .values_list(
            "area",
            "industry_id",
            "department_id",
            "level",
            "source",
            "status",
            "is_stock",
            "on_time",
            "age",
            "od",
        )
        .annotate(n=Sum("count"))
        .order_by()
    )
    roots = _industry_roots()
    folded: Counter[tuple[str, Any, tuple[Any, ...]]] = Counter()
    for area, industry_id, department_id, level, source, *state, n in rows.iterator(chunk_size=10_000):
        if not n:
            continue
        st = (level, *state)
        root = roots.get(industry_id, industry_id)
        folded["area", area, st] += n
        folded["industry", root, st] += n
        folded["department", department_id, st] += n
        folded["level", level, st] += n
        folded["source", source, st] += n
        folded["heat", (area, root), st] += n
    for (dim, key, (level, status, is_stock, on_time, age, od)), n in folded.items():
        counts = (
            measures.heat.setdefault(key, Counts())
            if dim == "heat"
            else measures.by[dim].setdefault(key, Counts())
        )
        counts.add(
            status=status, is_stock=is_stock, level=level, on_time=on_time, age=age, overdue_age=od, n=n
        )
        if dim == "level":  # every state once: the totals and the funnel
            measures.totals.add(
                status=status, is_stock=is_stock, level=level, on_time=on_time, age=age, overdue_age=od, n=n
            )
            measures.statuses[status] += n

    trend = (
        base.filter(
            _tally_filter(resolved, quarters=False),
            level=Level.MAJOR,
            status__in=COUNTED_STATUSES,
            quarter__in=_trend_quarters(filters, today),
        )
        .values("quarter")
        .annotate(n=Sum("count"))
        .order_by()
    )
    measures.trend = {r["quarter"]: r["n"] for r in trend if r["n"]}
    return measures


def figures(user: Any, filters: StatsFilter | None = None, today: dt.date | None = None) -> Figures:
    """The dashboard's figures for `user`'s scope and `filters` on `today`, from the tally."""
    filters = filters or StatsFilter()
    today = today or timezone.localdate()
    return _assemble(tally_measures(user, filters, today), filters, today)


# ------------------------------------------------------------------------------------- from the register


def _hazard_filter(r: _Resolved, *, quarters: bool = True) -> Q:
    q = Q()
    if r.region_prefix is not None:
        q &= Q(region__code__startswith=r.region_prefix)
    if r.industry_ids is not None:
        q &= Q(industry_id__in=sorted(r.industry_ids))
    if r.department_id is not None:
        q &= Q(department_id=r.department_id)
    if r.level:
        q &= Q(level=r.level)
    if r.source:
        q &= Q(source=r.source)
    if r.stock is not None:
        q &= Q(is_stock=r.stock)
    if quarters and r.quarter_from:
        q &= Q(discovered_on__gte=quarter_start(r.quarter_from))
    if quarters and r.quarter_to:
        q &= Q(discovered_on__lte=quarter_end(r.quarter_to))
    return q


def _count_expressions(today: dt.date) -> dict[str, Count]:
    """One conditional COUNT per field of `Counts`, straight from the register's columns."""
    counted = Q(status__in=COUNTED_STATUSES)
    is_open = Q(status__in=OPEN_STATUSES)
    closed = Q(status=Status.CLOSED)
    major = Q(level=Level.MAJOR)
    overdue = is_open & Q(deadline__lt=today)
    exprs = {
        "registered": Count("pk"),
        "reported": Count("pk", filter=Q(status=Status.REPORTED)),
        "counted": Count("pk", filter=counted),
        "open": Count("pk", filter=is_open),
        "closed": Count("pk", filter=closed),
        "closed_on_time": Count("pk", filter=closed & Q(closed_on_time=True)),
        "overdue": Count("pk", filter=overdue),
        "stock": Count("pk", filter=counted & Q(is_stock=True)),
        "stock_closed": Count("pk", filter=closed & Q(is_stock=True)),
        "major": Count("pk", filter=counted & major),
        "major_open": Count("pk", filter=is_open & major),
        "major_overdue": Count("pk", filter=overdue & major),
    }
    bounds = [today + dt.timedelta(days=1), *_bucket_bounds(today), None]
    # bucket i: bounds[i+1] ≤ day < bounds[i] (bucket 0 also takes days after today)
    for i in range(len(AGE_LABELS)):
        newer, older = bounds[i], bounds[i + 1]
        age = Q() if i == 0 else Q(discovered_on__lt=newer)
        late = Q(deadline__lt=today) if i == 0 else Q(deadline__lt=newer)
        if older is not None:
            age &= Q(discovered_on__gte=older)
            late &= Q(deadline__gte=older)
        exprs[f"open_age_{i}"] = Count("pk", filter=is_open & age)
        exprs[f"overdue_age_{i}"] = Count("pk", filter=is_open & late)
    return exprs


def _counts_from(row: Mapping[str, Any]) -> Counts:
    n = len(AGE_LABELS)
    plain = {f.name: row[f.name] or 0 for f in fields(Counts) if f.name not in ("open_age", "overdue_age")}
    return Counts(
        **plain,
        open_age=[row[f"open_age_{i}"] or 0 for i in range(n)],
        overdue_age=[row[f"overdue_age_{i}"] or 0 for i in range(n)],
    )


def register_measures(user: Any, filters: StatsFilter, today: dt.date) -> Measures:
    """The same measures from the register with plain ORM aggregation (test oracle, benchmark floor)."""
    resolved = _resolve(filters)
    measures = Measures()
    if resolved.empty:
        return measures
    tally_scope_q(user)  # the same refusal as figures()
    base = Hazard.objects.restrict(user, "view")
    qs = base.filter(_hazard_filter(resolved))
    exprs = _count_expressions(today)
    measures.totals = _counts_from(qs.aggregate(**exprs))
    # Top-level industry as a column: the tree is at most three levels deep (registry/data/industries.json).
    keys = {
        "area": Substr("region__code", 1, TOWNSHIP_CODE_LENGTH),
        "industry": Coalesce("industry__parent__parent_id", "industry__parent_id", "industry_id"),
        "department": models.F("department_id"),
        "level": models.F("level"),
        "source": models.F("source"),
    }
    for dim, expr in keys.items():
        for row in qs.annotate(k=expr).values("k").annotate(**exprs).order_by():
            measures.by[dim][row["k"]] = _counts_from(row)
    pairs = qs.annotate(a=keys["area"], i=keys["industry"]).values("a", "i").annotate(**exprs).order_by()
    measures.heat = {(row["a"], row["i"]): _counts_from(row) for row in pairs}
    measures.statuses = Counter(
        {r["status"]: r["n"] for r in qs.values("status").annotate(n=Count("pk")).order_by()}
    )
    quarters = _trend_quarters(filters, today)
    trend = (
        base.filter(
            _hazard_filter(resolved, quarters=False),
            level=Level.MAJOR,
            status__in=COUNTED_STATUSES,
            discovered_on__gte=quarter_start(quarters[0]),
            discovered_on__lte=quarter_end(quarters[-1]),
        )
        .annotate(y=ExtractYear("discovered_on"), q=ExtractQuarter("discovered_on"))
        .values("y", "q")
        .annotate(n=Count("pk"))
        .order_by()
    )
    measures.trend = {f"{r['y']}Q{r['q']}": r["n"] for r in trend if r["n"]}
    return measures


def recount_figures(user: Any, filters: StatsFilter | None = None, today: dt.date | None = None) -> Figures:
    """figures() recomputed from the register (`Hazard`), never from the tally."""
    filters = filters or StatsFilter()
    today = today or timezone.localdate()
    return _assemble(register_measures(user, filters, today), filters, today)


# ----------------------------------------------------------------------------------------- presentation


def _area_level(codes: Iterable[str]) -> tuple[int, int, str]:
    codes = set(codes)
    return next(
        (area for area in AREA_LEVELS if len({c[: area[1]] for c in codes}) <= MAX_AREAS),
        AREA_LEVELS[-1],
    )


def area_key(code: str, length: int) -> str:
    """The region row a region code falls in when rows are `length` digits: a township's or county's code,
    or a city's ("4306" + "00")."""
    return code[:length] + ("00" if length == 4 else "")


HEAT_FLOOR = 5  # a table whose busiest cell holds one hazard is not all deep red


def _tone(value: int, top: int) -> int:
    """Colour step 1–5 of a heat cell, relative to the busiest cell (0: none)."""
    return 0 if not value else max(1, math.ceil(5 * value / max(top, HEAT_FLOOR)))


def _assemble(m: Measures, filters: StatsFilter, today: dt.date) -> Figures:
    # Region rows climb to counties (then cities) when the scope holds more than MAX_AREAS townships.
    level, length, area_label = _area_level(m.by["area"])
    areas: dict[str, Counts] = {}
    for code, counts in m.by["area"].items():
        areas.setdefault(area_key(code, length), Counts()).merge(counts)
    heat: dict[tuple[str, int], Counts] = {}
    for (code, industry_id), counts in m.heat.items():
        heat.setdefault((area_key(code, length), industry_id), Counts()).merge(counts)
    area_names = dict(Region.objects.filter(code__in=list(areas), level=level).values_list("code", "name"))

    industries = {
        i["pk"]: i
        for i in Industry.objects.filter(pk__in=list(m.by["industry"])).values(
            "pk", "code", "name", "sort_order"
        )
    }
    departments = {
        d["pk"]: d
        for d in Department.objects.filter(pk__in=list(m.by["department"])).values(
            "pk", "code", "name", "sort_order"
        )
    }

    def area_label_of(code: str) -> str:
        return area_names.get(code) or _("区直")

    level_order = {v: i for i, v in enumerate(Level.values)}
    source_order = {v: i for i, v in enumerate(Source.values)}
    breakdowns = [
        Breakdown(
            "region",
            _("按区域"),
            _(area_label),
            [BreakdownRow(code, area_label_of(code), areas[code]) for code in sorted(areas)],
        ),
        Breakdown(
            "industry",
            _("按行业领域"),
            _("行业领域"),
            [
                BreakdownRow(industries[pk]["code"], industries[pk]["name"], c)
                for pk, c in sorted(
                    m.by["industry"].items(),
                    key=lambda kv: (industries[kv[0]]["sort_order"], industries[kv[0]]["code"]),
                )
            ],
        ),
        Breakdown(
            "department",
            _("按监管部门"),
            _("监管部门"),
            [
                BreakdownRow(departments[pk]["code"], departments[pk]["name"], c)
                for pk, c in sorted(
                    m.by["department"].items(),
                    key=lambda kv: (departments[kv[0]]["sort_order"], departments[kv[0]]["code"]),
                )
            ],
        ),
        Breakdown(
            "level",
            _("按隐患等级"),
            _("隐患等级"),
            [
                BreakdownRow(v, _label(Level, v), c)
                for v, c in sorted(m.by["level"].items(), key=lambda kv: level_order.get(kv[0], 99))
            ],
        ),
        Breakdown(
            "source",
            _("按隐患来源"),
            _("隐患来源"),
            [
                BreakdownRow(v, _label(Source, v), c)
                for v, c in sorted(m.by["source"].items(), key=lambda kv: source_order.get(kv[0], 99))
            ],
        ),
    ]

    # Heat table: every region of the breakdown (a clear one shows its zeros: 动态清零) × the top-level
    # industries that have open 重大 hazards.
    heat_industries = sorted(
        {pk for (_a, pk), c in heat.items() if c.major_open},
        key=lambda pk: (industries[pk]["sort_order"], industries[pk]["code"]),
    )
    heat_areas = sorted(areas) if heat_industries else []
    top = max((c.major_open for c in heat.values()), default=0)
    empty = Counts()

    def cell(c: Counts, peak: int) -> HeatCell:
        return HeatCell(c.major_open, c.major_overdue, _tone(c.major_open, peak))

    cells = [[cell(heat.get((a, pk), empty), top) for pk in heat_industries] for a in heat_areas]
    table = HeatTable(
        areas=[(a, area_label_of(a)) for a in heat_areas],
        industries=[(industries[pk]["code"], industries[pk]["name"]) for pk in heat_industries],
        cells=cells,
    )
    table.row_totals = [
        HeatCell(sum(c.major_open for c in row), sum(c.major_overdue for c in row), 0) for row in cells
    ]
    table.column_totals = [
        HeatCell(sum(r[j].major_open for r in cells), sum(r[j].major_overdue for r in cells), 0)
        for j in range(len(heat_industries))
    ]

    trend = [
        TrendPoint(q, m.trend.get(q, 0), m.trend.get(shift_quarter(q, -4), 0))
        for q in trend_window(filters, today)
    ]
    funnel = [
        FunnelStage(
            label,
            sum(m.statuses.values()) if statuses is None else sum(m.statuses.get(s, 0) for s in statuses),
        )
        for label, statuses in FUNNEL
    ]
    return Figures(
        today=today,
        filters=filters,
        totals=m.totals,
        trend=trend,
        breakdowns=breakdowns,
        heat=table,
        funnel=funnel,
        area_label=_(area_label),
        area_length=length,
    )
