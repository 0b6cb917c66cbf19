"""The figures the statistics answer and what they mean: the age buckets and the funnel, the ratios
(按期整改率, 存量清零率), counts, breakdowns, heat tables, the trend, and `Figures` itself."""

from __future__ import annotations

import datetime as dt
from collections import Counter
from dataclasses import dataclass, field, fields
from typing import Any

from zhiben.core.calendar import (
    quarter_label,
)
from zhiben.registry.choices import RegionLevel

from ..choices import COUNTED_STATUSES, OPEN_STATUSES, Level, Status
from .filters import StatsFilter

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
    judge_overdue: int = 0  # awaiting 判定 past the 判定 deadline (判定超期)
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
        """`n` hazards of one state; `age`/`overdue_age` are bucket indexes (None: not open / not overdue; for
        a report waiting for 判定, past its 判定 deadline or not)."""
        self.registered += n
        if status == REPORTED:
            self.reported += n
            self.judge_overdue += n if overdue_age is not None else 0
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
