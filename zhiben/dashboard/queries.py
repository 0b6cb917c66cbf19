"""Read models of the home dashboard: figures computed by aggregate queries over the user's scope.

Every function takes the user and reads through `restrict(user)`, so a township official's dashboard counts
only its territory. The number of queries does not depend on the number of enterprises: each figure is one
GROUP BY, never a loop over rows.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from django.db.models import Count, Q
from django.db.models.functions import Substr
from django.utils.translation import gettext as _

from zhiben.registry.choices import EnterpriseStatus, RegionLevel
from zhiben.registry.models import Enterprise, Industry, Region

# Township codes are the first 9 digits of a statistical region code (GB/T 2260 + 3 digits).
TOWNSHIP_CODE_LENGTH = 9
TOP_INDUSTRIES = 8
# A chart of hundreds of townships reads as noise: past this many rows the table climbs a level.
MAX_AREAS = 30
# (level, code prefix length, label); a county's code is its 6 digits, a city's its 4 digits + "00".
AREA_LEVELS = (
    (RegionLevel.TOWNSHIP, 9, "乡镇（街道）"),
    (RegionLevel.COUNTY, 6, "县（市、区）"),
    (RegionLevel.CITY, 4, "市（州）"),
)


@dataclass(frozen=True)
class EnterpriseKpis:
    """KPI cards: counts of 生产经营单位 in the user's scope."""

    total: int
    operating: int
    high_risk: int
    major_hazard_source: int
    above_scale: int


def enterprise_kpis(user: Any) -> EnterpriseKpis:
    """One aggregate query: total, operating, 高危企业, 重大危险源 and 规上企业 in scope."""
    figures = Enterprise.objects.restrict(user).aggregate(
        total=Count("pk"),
        operating=Count("pk", filter=Q(status=EnterpriseStatus.OPERATING)),
        high_risk=Count("pk", filter=Q(is_high_risk=True)),
        major_hazard_source=Count("pk", filter=Q(has_major_hazard_source=True)),
        above_scale=Count("pk", filter=Q(is_above_scale=True)),
    )
    return EnterpriseKpis(**{k: v or 0 for k, v in figures.items()})


@dataclass
class DistributionTable:
    """各乡镇（街道）生产经营单位行业分布: townships × top industries (by primary industry), with totals.

    The chart, the table under it and the Excel export are all drawn from one instance, so they agree.
    """

    townships: list[str]
    industries: list[str]
    cells: list[list[int]]  # cells[township][industry]
    row_totals: list[int] = field(default_factory=list)
    column_totals: list[int] = field(default_factory=list)
    grand_total: int = 0
    area_label: str = "乡镇（街道）"  # the level the rows are at (a province user sees counties or cities)

    @property
    def rows(self) -> list[tuple[str, list[int], int]]:
        return list(zip(self.townships, self.cells, self.row_totals, strict=True))

    def headers(self) -> list[str]:
        return [self.area_label, *self.industries, _("合计")]

    def export_rows(self) -> list[list[Any]]:
        """The table exactly as shown: one row per township, then the totals row."""
        body = [[name, *cells, total] for name, cells, total in self.rows]
        return [*body, [_("合计"), *self.column_totals, self.grand_total]]

    def chart_data(self) -> dict[str, Any]:
        """For the stacked bar: townships on the x axis, one series per industry."""
        return {
            "categories": self.townships,
            "series": [
                {"name": name, "values": [row[j] for row in self.cells]}
                for j, name in enumerate(self.industries)
            ],
        }


def industry_distribution(user: Any, top: int = TOP_INDUSTRIES) -> DistributionTable:
    """Three queries whatever the data size: the GROUP BY, then the names of the townships and industries.

    Each enterprise counts once, under its primary industry (主行业); industries beyond the `top` largest are
    summed as "其他". Enterprises registered directly at district level appear as "区直".
    """
    grouped = (
        Enterprise.objects.restrict(user)
        .annotate(township_code=Substr("region__code", 1, TOWNSHIP_CODE_LENGTH))
        .values("township_code", "primary_industry_id")
        .annotate(n=Count("pk"))
        .order_by()
    )
    counts: dict[tuple[str, int], int] = {}
    for row in grouped:
        key = (row["township_code"], row["primary_industry_id"])
        counts[key] = counts.get(key, 0) + row["n"]
    if not counts:
        return DistributionTable([], [], [])

    level, length, label = next(
        (area for area in AREA_LEVELS if len({code[: area[1]] for code, _i in counts}) <= MAX_AREAS),
        AREA_LEVELS[-1],
    )
    if length != TOWNSHIP_CODE_LENGTH:
        suffix = "00" if level == RegionLevel.CITY else ""
        regrouped: dict[tuple[str, int], int] = {}
        for (code, industry_id), n in counts.items():
            key = (code[:length] + suffix, industry_id)
            regrouped[key] = regrouped.get(key, 0) + n
        counts = regrouped
    township_codes = sorted({code for code, _i in counts})
    names = dict(Region.objects.filter(code__in=township_codes, level=level).values_list("code", "name"))
    by_industry: dict[int, int] = {}
    for (_code, industry_id), n in counts.items():
        by_industry[industry_id] = by_industry.get(industry_id, 0) + n
    industry_rows = {
        i["pk"]: i
        for i in Industry.objects.filter(pk__in=by_industry).values("pk", "name", "sort_order", "code")
    }
    ranked = sorted(
        by_industry,
        key=lambda pk: (-by_industry[pk], industry_rows[pk]["sort_order"], industry_rows[pk]["code"]),
    )
    shown = ranked[:top] if len(ranked) > top + 1 else ranked  # never an "其他" column of one industry
    others = set(ranked) - set(shown)
    industry_names = [industry_rows[pk]["name"] for pk in shown] + ([_("其他")] if others else [])

    cells = []
    for code in township_codes:
        row = [counts.get((code, pk), 0) for pk in shown]
        if others:
            row.append(sum(counts.get((code, pk), 0) for pk in others))
        cells.append(row)
    table = DistributionTable(
        townships=[names.get(code, _("区直")) for code in township_codes],
        industries=industry_names,
        cells=cells,
        area_label=_(label),
    )
    table.row_totals = [sum(r) for r in cells]
    table.column_totals = [sum(col) for col in zip(*cells, strict=True)]
    table.grand_total = sum(table.row_totals)
    return table
