"""Hazard indicators (隐患治理), read from the register with the hazard statistics' own definitions
(`hazards/stats/__init__.py`, `definitions.Counts`): a hazard counts once confirmed (COUNTED_STATUSES),
按期整改率 = closed on time ÷ (closed + open past their deadline), 存量 = discovered on or before 2023-12-31.

Period: the state now of the hazards discovered up to the end of the quarter (the statistics page with
"发现时间 至 <quarter>"); "past the deadline" is judged on the quarter's last day, or today while it runs.
"""

from __future__ import annotations

from collections.abc import Callable
from decimal import Decimal
from typing import Any

from django.db.models import Count, F, Q, QuerySet
from django.db.models.functions import Substr
from django.utils.translation import gettext_lazy as _

from zhiben.hazards.choices import COUNTED_STATUSES, OPEN_STATUSES, Level, Status
from zhiben.hazards.models import Hazard

from ..registry import (
    COUNT,
    DEPARTMENT,
    DISTRICT,
    HIGHER,
    INDUSTRY,
    LOWER,
    RATIO,
    TOWNSHIP,
    GroupedFn,
    Indicator,
    Parts,
    Scope,
    Window,
    register,
    shared,
    townships,
)

SOURCE = "hazards"
SEED = "屈安发〔2024〕1号 一、三(三)6"
GROUP = str(_("重大事故隐患动态清零"))
SCOPES = frozenset({DISTRICT, TOWNSHIP, DEPARTMENT, INDUSTRY})
TOWNSHIP_PREFIX = 9  # Region.scope_prefix of a township: its code's first 9 digits


def hazards_in(scope: Scope) -> QuerySet[Any]:
    """The register cut by `scope`: the township's territory, the supervising department's ledger, or the
    industry with its sub-industries (the statistics' region, department and industry filters)."""
    qs = Hazard.objects.unrestricted("indicators: the scope is the indicator's, checked by the caller")
    if scope.kind == TOWNSHIP:
        qs = qs.filter(region__code__startswith=scope.region_prefix)
    elif scope.kind == DEPARTMENT:
        qs = qs.filter(department_id=scope.department_id)
    elif scope.kind == INDUSTRY:
        qs = qs.filter(industry_id__in=sorted(scope.industry_ids or ()))
    return qs


# Each indicator as (the hazards it looks at, the numerator among them, the denominator among them or None):
# `Parts` (the drill-down) and `grouped` (a table of townships or departments in one query) both read these.
Definition = tuple[Q, Q, Q | None]


def _on_time(w: Window) -> Definition:
    closed = Q(status=Status.CLOSED)
    overdue = Q(status__in=OPEN_STATUSES, deadline__lt=w.as_of)
    return Q(discovered_on__lte=w.end), closed & Q(closed_on_time=True), closed | overdue


def _stock_clearance(w: Window) -> Definition:
    stock = Q(discovered_on__lte=w.end, is_stock=True, level=Level.MAJOR, status__in=COUNTED_STATUSES)
    return stock, Q(status=Status.CLOSED), Q()


def _new_major_yoy(w: Window) -> Definition:
    last_start = w.year_start.replace(year=w.year_start.year - 1)
    last_end = w.end.replace(year=w.end.year - 1)
    return (
        Q(level=Level.MAJOR, status__in=COUNTED_STATUSES),
        Q(discovered_on__gte=w.year_start, discovered_on__lte=w.end),
        Q(discovered_on__gte=last_start, discovered_on__lte=last_end),
    )


def _major_open(w: Window) -> Definition:
    return Q(discovered_on__lte=w.end, level=Level.MAJOR, status__in=OPEN_STATUSES), Q(), None


def _major_overdue(w: Window) -> Definition:
    return (
        Q(discovered_on__lte=w.end, level=Level.MAJOR, status__in=OPEN_STATUSES, deadline__lt=w.as_of),
        Q(),
        None,
    )


def _parts(definition: Callable[[Window], Definition]) -> Callable[[Scope, Window], Parts]:
    def parts(scope: Scope, w: Window) -> Parts:
        looked_at, numerator, denominator = definition(w)
        qs = hazards_in(scope).filter(looked_at)
        return Parts(
            numerator=qs.filter(numerator),
            denominator=qs.filter(denominator) if denominator is not None else None,
        )

    return parts


def _count(q: Q) -> Count:
    return Count("pk", filter=q) if q else Count("pk")


def _counts(numerator: Q, denominator: Q | None) -> dict[str, Count]:
    counts = {"n": _count(numerator)}
    if denominator is not None:
        counts["d"] = _count(denominator)
    return counts


def _grouped(definition: Callable[[Window], Definition]) -> GroupedFn:
    """The district's, every township's (by the 9-digit prefix of the hazard's region, as
    `Scope.region_prefix`) or every department's numerator and denominator in one query over the same
    records as `Parts`."""

    def grouped(kind: str, w: Window) -> dict[str, tuple[int, int | None]] | None:
        looked_at, numerator, denominator = definition(w)
        qs = hazards_in(Scope.district()).filter(looked_at)
        if kind == DISTRICT:  # numerator and denominator in one scan instead of two
            # Counting several goals together (registry.counting_together): every hazard indicator's district
            # numbers in that one scan, shared; alone, just this one's.
            def alone() -> dict[str, tuple[int, int | None]]:
                totals = qs.aggregate(**_counts(numerator, denominator))
                return {definition.__name__: (totals["n"], totals.get("d"))}

            counted = shared(("hazards", DISTRICT, w), lambda: _district_counts(w), alone)
            return {"": counted[definition.__name__]}
        if kind == TOWNSHIP:
            prefixes = {r.scope_prefix: r.code for r in townships()}
            rows = qs.annotate(g=Substr("region__code", 1, TOWNSHIP_PREFIX)).values("g")
        elif kind == DEPARTMENT:
            prefixes = None
            rows = qs.values(g=F("department_id"))
        else:
            return None  # industries nest: counted one by one
        out: dict[str, tuple[int, int | None]] = {}
        for row in rows.annotate(**_counts(numerator, denominator)).order_by():
            key = prefixes.get(row["g"]) if prefixes is not None else str(row["g"])
            if key is not None:
                out[key] = (row["n"], row.get("d"))
        return out

    return grouped


DEFINITIONS: tuple[Callable[[Window], Definition], ...] = (
    _on_time,
    _stock_clearance,
    _new_major_yoy,
    _major_open,
    _major_overdue,
)


def _district_counts(w: Window) -> dict[str, tuple[int, int | None]]:
    """Every hazard indicator's district numerator and denominator in one aggregate over the register (each
    count filtered by the indicator's own records, so each equals its own `Parts` count)."""
    counts: dict[str, Count] = {}
    for definition in DEFINITIONS:
        looked_at, numerator, denominator = definition(w)
        counts[f"{definition.__name__}_n"] = _count(looked_at & numerator)
        if denominator is not None:
            counts[f"{definition.__name__}_d"] = _count(looked_at & denominator)
    row = hazards_in(Scope.district()).aggregate(**counts)
    return {d.__name__: (row[f"{d.__name__}_n"], row.get(f"{d.__name__}_d")) for d in DEFINITIONS}


on_time = _parts(_on_time)
stock_clearance = _parts(_stock_clearance)
new_major_yoy = _parts(_new_major_yoy)
major_open = _parts(_major_open)
major_overdue = _parts(_major_overdue)


register(
    Indicator(
        id="hazards.on_time_rectification",
        name=str(_("按期整改率")),
        definition=str(
            _(
                "按期销号的隐患 ÷（已销号的隐患 + 未销号且已过整改期限的隐患）。统计季度末以前发现、已判定的隐患"
                "（一般和重大），按当前状态；是否逾期按季度末（本季度按今天）判断。与隐患统计分析的按期整改率同一口径。"
            )
        ),
        numerator_label=str(_("按期销号")),
        denominator_label=str(_("已销号 + 逾期未销号")),
        unit="%",
        kind=RATIO,
        direction=HIGHER,
        source=SOURCE,
        target=Decimal(100),
        scopes=SCOPES,
        records=on_time,
        grouped=_grouped(_on_time),
        seed_ref=SEED,
        group=GROUP,
        record_label=str(_("隐患")),
    )
)
register(
    Indicator(
        id="hazards.stock_clearance",
        name=str(_("重大隐患存量清零率")),
        definition=str(
            _(
                "2023年12月31日及以前发现的重大事故隐患中已销号的 ÷ 这些存量重大隐患总数（已判定的）。"
                "目标：2024年底前基本消除存量。"
            )
        ),
        numerator_label=str(_("存量重大隐患已销号")),
        denominator_label=str(_("存量重大隐患")),
        unit="%",
        kind=RATIO,
        direction=HIGHER,
        source=SOURCE,
        target=Decimal(100),
        scopes=SCOPES,
        records=stock_clearance,
        grouped=_grouped(_stock_clearance),
        seed_ref="屈安发〔2024〕1号 一（2024年底前基本消除存量）",
        group=GROUP,
        record_label=str(_("隐患")),
    )
)
register(
    Indicator(
        id="hazards.new_major_yoy",
        name=str(_("新增重大隐患同比")),
        definition=str(
            _(
                "本年1月1日至统计季度末新发现的重大事故隐患数 ÷ 上年同期新发现的重大事故隐患数（已判定的）。"
                "低于100%即增量下降；上年同期为0时不计算。目标：2025年底前有效遏制增量。"
            )
        ),
        numerator_label=str(_("本年新增重大隐患")),
        denominator_label=str(_("上年同期新增重大隐患")),
        unit="%",
        kind=RATIO,
        direction=LOWER,
        source=SOURCE,
        target=Decimal(100),
        scopes=SCOPES,
        records=new_major_yoy,
        grouped=_grouped(_new_major_yoy),
        seed_ref="屈安发〔2024〕1号 一（2025年底前有效遏制增量）",
        group=GROUP,
        note=str(_("目标值“不高于上年同期（100%）”是对“有效遏制增量”的解读，待核实。")),
        verified=False,
        record_label=str(_("隐患")),
    )
)
register(
    Indicator(
        id="hazards.major_open",
        name=str(_("未销号重大隐患")),
        definition=str(
            _("统计季度末以前发现、已判定、尚未销号的重大事故隐患数（当前状态）。目标：动态清零。")
        ),
        numerator_label=str(_("未销号重大隐患")),
        denominator_label="",
        unit="项",
        kind=COUNT,
        direction=LOWER,
        source=SOURCE,
        target=Decimal(0),
        scopes=SCOPES,
        records=major_open,
        grouped=_grouped(_major_open),
        seed_ref="屈安发〔2024〕1号 一（2026年底前动态清零常态化）",
        group=GROUP,
        record_label=str(_("隐患")),
    )
)
register(
    Indicator(
        id="hazards.major_overdue",
        name=str(_("逾期未整改重大隐患")),
        definition=str(
            _(
                "统计季度末以前发现、已判定、尚未销号且整改期限早于季度末（本季度进行中为今天）的重大事故隐患数"
                "（当前状态）。季度考核按此扣分，约谈规则按此点名。"
            )
        ),
        numerator_label=str(_("逾期未整改重大隐患")),
        denominator_label="",
        unit="项",
        kind=COUNT,
        direction=LOWER,
        source=SOURCE,
        target=Decimal(0),
        scopes=SCOPES,
        records=major_overdue,
        grouped=_grouped(_major_overdue),
        seed_ref="屈安发〔2024〕1号 三（一）2（约谈、通报、曝光）",
        group=GROUP,
        record_label=str(_("隐患")),
    )
)
