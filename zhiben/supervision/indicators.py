"""The indicators of 督办交办, declared with the indicator registry so the assessment can use them:

* `supervision.on_time_rate` 督办按期办结率: assignee rows (one unit's part of an item) whose deadline falls in
  the quarter (up to the day the clock stands at) and that were 办结 on or before it ÷ all such rows.
* `supervision.overdue` 逾期督办事项数: assignee rows past their deadline and not 办结 on the day the clock
  stands at (the quarter's end, or today).

Cut by township (the township's own rows) and department (the department's own rows) or the district.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from django.db.models import F, Q, QuerySet

from zhiben.indicators import registry
from zhiben.indicators.registry import (
    COUNT,
    DEPARTMENT,
    DISTRICT,
    HIGHER,
    LOWER,
    RATIO,
    TOWNSHIP,
    Parts,
    Scope,
    Window,
)

from .models import Assignee

SCOPES = frozenset({DISTRICT, TOWNSHIP, DEPARTMENT})


def rows(scope: Scope) -> QuerySet[Any]:
    qs = Assignee.objects.unrestricted("indicators: the scope is the indicator's, checked by the caller")
    if scope.kind == TOWNSHIP:
        return qs.filter(township__code__startswith=scope.region_prefix)
    if scope.kind == DEPARTMENT:
        return qs.filter(department_id=scope.department_id)
    return qs


def on_time_parts(scope: Scope, w: Window) -> Parts:
    due = rows(scope).filter(deadline__gte=w.start, deadline__lte=w.as_of)
    return Parts(numerator=due.filter(done_on__isnull=False, done_on__lte=F("deadline")), denominator=due)


def overdue_parts(scope: Scope, w: Window) -> Parts:
    late = rows(scope).filter(deadline__lt=w.as_of).filter(Q(done_on__isnull=True) | Q(done_on__gt=w.as_of))
    return Parts(numerator=late)


def register_indicators() -> None:
    registry.register(
        registry.Indicator(
            id="supervision.on_time_rate",
            name="督办按期办结率",
            definition=(
                "统计季度内办理时限届满的督办事项承办记录（每个承办单位一条）中，在办理时限当日或之前经交办方审核办结的"
                "记录数 ÷ 办理时限届满的承办记录数 × 100%。"
            ),
            numerator_label="按期办结的承办记录",
            denominator_label="办理时限届满的承办记录",
            unit="%",
            kind=RATIO,
            direction=HIGHER,
            source="supervision",
            target=Decimal(100),
            scopes=SCOPES,
            records=on_time_parts,
            seed_ref="种子文件三（一）2：安委会督办交办制度",
            group="考核督办",
            note="目标值 100% 为平台设定（待核实）。",
            verified=False,
            record_label="督办承办记录",
        )
    )
    registry.register(
        registry.Indicator(
            id="supervision.overdue",
            name="逾期督办事项数",
            definition="截至统计日（季度末或今天），已超过办理时限仍未办结的督办事项承办记录数（每个承办单位一条）。",
            numerator_label="逾期未办结的承办记录",
            denominator_label="",
            unit="项",
            kind=COUNT,
            direction=LOWER,
            source="supervision",
            target=Decimal(0),
            scopes=SCOPES,
            records=overdue_parts,
            seed_ref="种子文件三（一）2：安委会督办交办制度",
            group="考核督办",
            record_label="督办承办记录",
        )
    )
