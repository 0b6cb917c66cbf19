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

    def vector(self) -> list[int]:
        """The counts as one list of numbers (a statistics snapshot stores them so: stats/snapshots.py)."""
        return [*(getattr(self, name) for name in _SCALARS), *self.open_age, *self.overdue_age]

    @classmethod
    def of_vector(cls, values: list[int]) -> Counts:
        n, ages = len(_SCALARS), len(AGE_LABELS)
        if len(values) != n + 2 * ages:
            raise ValueError(f"a Counts vector holds {n + 2 * ages} numbers, not {len(values)}")
        # Positional: the single numbers are the first fields, in order, and the two age lists the last.
        return cls(*values[:n], list(values[n : n + ages]), list(values[n + ages :]))

    def merge(self, other: Counts) -> None:
        for name in _SCALARS:
            setattr(self, name, getattr(self, name) + getattr(other, name))
        self.open_age = [a + b for a, b in zip(self.open_age, other.open_age, strict=True)]
        self.overdue_age = [a + b for a, b in zip(self.overdue_age, other.overdue_age, strict=True)]

    @property
    def is_empty(self) -> bool:
        return self.registered == 0


# Counts' single numbers in field order (the two age lists follow them in a vector).
_SCALARS = tuple(f.name for f in fields(Counts))[:-2]
if tuple(f.name for f in fields(Counts))[-2:] != ("open_age", "overdue_age"):  # of_vector relies on it
    raise TypeError("Counts must end with its two age lists")


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

    def dump(self) -> dict[str, Any]:
        """Everything but the trend as JSON keeps it: one list of numbers per breakdown row (Counts.vector).
        A province's default view is about 11,000 rows so, against some 220,000 rows of states."""
        return {
            "totals": self.totals.vector(),
            "by": {dim: [[key, *c.vector()] for key, c in rows.items()] for dim, rows in self.by.items()},
            "heat": [[area, industry, *c.vector()] for (area, industry), c in self.heat.items()],
            "statuses": dict(self.statuses),
        }

    @classmethod
    def load(cls, data: dict[str, Any]) -> Measures:
        return cls(
            totals=Counts.of_vector(data["totals"]),
            by={dim: {r[0]: Counts.of_vector(r[1:]) for r in rows} for dim, rows in data["by"].items()},
            heat={(r[0], r[1]): Counts.of_vector(r[2:]) for r in data["heat"]},
            statuses=Counter(data["statuses"]),
        )

    def drop_empty(self) -> None:
        """Leave out breakdown rows no hazard is in any more (changes since a snapshot can empty one)."""
        for rows in (*self.by.values(), self.heat):
            for key in [k for k, c in rows.items() if c.is_empty]:
                del rows[key]
