"""Hazard indicators (隐患治理), read from the register with the hazard statistics' own definitions
(`hazards/stats/__init__.py`, `definitions.Counts`): a hazard counts once confirmed (COUNTED_STATUSES),
按期整改率 = closed on time ÷ (closed + open past their deadline), 存量 = discovered on or before 2023-12-31.

Period: the state now of the hazards discovered up to the end of the quarter (the statistics page with
"发现时间 至 <quarter>"); "past the deadline" is judged on the quarter's last day, or today while it runs.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from django.db.models import Q, QuerySet
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
    Indicator,
    Parts,
    Scope,
    Window,
    register,
)

SOURCE = "hazards"
SEED = "屈安发〔2024〕1号 一、三(三)6"
GROUP = str(_("重大事故隐患动态清零"))
SCOPES = frozenset({DISTRICT, TOWNSHIP, DEPARTMENT, INDUSTRY})


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


def _discovered_by(scope: Scope, w: Window) -> QuerySet[Any]:
    return hazards_in(scope).filter(discovered_on__lte=w.end)


def on_time(scope: Scope, w: Window) -> Parts:
    qs = _discovered_by(scope, w)
    closed = Q(status=Status.CLOSED)
    overdue = Q(status__in=OPEN_STATUSES, deadline__lt=w.as_of)
    return Parts(
        numerator=qs.filter(closed, closed_on_time=True),
        denominator=qs.filter(closed | overdue),
    )


def stock_clearance(scope: Scope, w: Window) -> Parts:
    stock = _discovered_by(scope, w).filter(is_stock=True, level=Level.MAJOR, status__in=COUNTED_STATUSES)
    return Parts(numerator=stock.filter(status=Status.CLOSED), denominator=stock)


def new_major_yoy(scope: Scope, w: Window) -> Parts:
    major = hazards_in(scope).filter(level=Level.MAJOR, status__in=COUNTED_STATUSES)
    last_start = w.year_start.replace(year=w.year_start.year - 1)
    last_end = w.end.replace(year=w.end.year - 1)
    return Parts(
        numerator=major.filter(discovered_on__gte=w.year_start, discovered_on__lte=w.end),
        denominator=major.filter(discovered_on__gte=last_start, discovered_on__lte=last_end),
    )


def major_open(scope: Scope, w: Window) -> Parts:
    return Parts(numerator=_discovered_by(scope, w).filter(level=Level.MAJOR, status__in=OPEN_STATUSES))


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
        seed_ref="屈安发〔2024〕1号 一（2026年底前动态清零常态化）",
        group=GROUP,
        record_label=str(_("隐患")),
    )
)
