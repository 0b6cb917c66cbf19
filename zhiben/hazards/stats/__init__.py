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

The package: definitions.py (what the figures are and mean), filters.py (the filters, the trend window and
the statistics scope), queries.py (the two query paths) and assemble.py (`_assemble`); the names callers use
are re-exported here.

Definitions (屈安发〔2024〕1号 三(三)5; DESIGN.md §5):
  counted      a hazard at all: confirmed and later (a report awaiting 判定, rejected or merged is not)
  stock        存量: discovered on or before 2023-12-31; clearance = stock closed ÷ stock counted
  on-time rate 按期整改率 = closed on time ÷ (all closed + open past their deadline)
  overdue      open with deadline < today; ageing by days since discovery (open) or since the deadline
  judge overdue 判定超期: a report awaiting 判定 whose 判定 deadline < today
"""

from .assemble import (
    HEAT_FLOOR,
    _area_level,
    area_key,
)
from .definitions import (
    AGE_LABELS,
    AGE_LIMITS,
    AREA_LEVELS,
    CLOSED,
    FUNNEL,
    MAJOR,
    MAX_AREAS,
    REPORTED,
    TOWNSHIP_CODE_LENGTH,
    Breakdown,
    BreakdownRow,
    Counts,
    Figures,
    FunnelStage,
    HeatCell,
    HeatTable,
    Measures,
    Ratio,
    TrendPoint,
)
from .filters import (
    TREND_QUARTERS,
    StatsFilter,
    describe,
    may_view_statistics,
    scope_label,
    statistics_grants,
    tally_scope_q,
    trend_window,
)
from .queries import (
    figures,
    recount_figures,
    register_measures,
    tally_measures,
)

__all__ = [
    "AGE_LABELS",
    "AGE_LIMITS",
    "AREA_LEVELS",
    "CLOSED",
    "FUNNEL",
    "HEAT_FLOOR",
    "MAJOR",
    "MAX_AREAS",
    "REPORTED",
    "TOWNSHIP_CODE_LENGTH",
    "TREND_QUARTERS",
    "Breakdown",
    "BreakdownRow",
    "Counts",
    "Figures",
    "FunnelStage",
    "HeatCell",
    "HeatTable",
    "Measures",
    "Ratio",
    "StatsFilter",
    "TrendPoint",
    "_area_level",
    "area_key",
    "describe",
    "figures",
    "may_view_statistics",
    "recount_figures",
    "register_measures",
    "scope_label",
    "statistics_grants",
    "tally_measures",
    "tally_scope_q",
    "trend_window",
]
