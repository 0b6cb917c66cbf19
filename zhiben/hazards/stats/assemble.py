"""Presentation: `Measures` assembled into `Figures` (region level of the breakdown, heat tones, the
trend with its year-on-year change), the one step both query paths share."""

from __future__ import annotations

import datetime as dt
import math
from collections.abc import Iterable

from django.utils.translation import gettext as _

from zhiben.core.calendar import (
    shift_quarter,
)
from zhiben.registry.models import Department, Industry, Region

from ..choices import Level, Source
from .definitions import (
    AREA_LEVELS,
    FUNNEL,
    MAX_AREAS,
    Breakdown,
    BreakdownRow,
    Counts,
    Figures,
    FunnelStage,
    HeatCell,
    HeatTable,
    Measures,
    TrendPoint,
)
from .filters import StatsFilter, _label, trend_window

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
