"""`oversight.duty_completion` (年度任务清单完成率): the year's task-list items confirmed done by the quarter's end
÷ the year's task-list items, cut by township (its items) or member unit (its items); the district counts every
list, the district leaders' included. Registered from the app's `ready()`; the quarter-end snapshot freezes it
like every indicator, so a 通报 reads the same figure however late it is issued."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from django.db.models import QuerySet
from django.utils.translation import gettext_lazy as _

from zhiben.indicators import registry
from zhiben.indicators.registry import DEPARTMENT, DISTRICT, RATIO, TOWNSHIP, Indicator, Parts, Scope, Window

from .choices import ItemKind, ItemStatus
from .models import DutyItem

DUTY_COMPLETION = "oversight.duty_completion"


def year_items(scope: Scope, w: Window) -> QuerySet[Any]:
    qs = DutyItem.objects.unrestricted("indicators: the scope is the indicator's, checked by the caller")
    qs = qs.filter(kind=ItemKind.TASK, year=w.start.year)
    if scope.kind == TOWNSHIP:
        qs = qs.filter(township__code__startswith=scope.region_prefix)
    elif scope.kind == DEPARTMENT:
        qs = qs.filter(department_id=scope.department_id)
    return qs


def duty_parts(scope: Scope, w: Window) -> Parts:
    listed = year_items(scope, w)
    done = listed.filter(status=ItemStatus.DONE, completed_on__lte=w.end)
    return Parts(numerator=done, denominator=listed)


def register_indicators() -> None:
    registry.register(
        Indicator(
            id=DUTY_COMPLETION,
            name=str(_("年度任务清单完成率")),
            definition=str(
                _(
                    "本年度职责任务清单中的年度任务，截至统计季度末经区安委办确认完成的事项数 ÷ 本年度年度任务事项总数 × 100%。"
                    "乡镇（街道）按其清单、成员单位按其清单计，全区含区级领导清单。"
                )
            ),
            numerator_label=str(_("确认完成的年度任务")),
            denominator_label=str(_("年度任务总数")),
            unit="%",
            kind=RATIO,
            direction=registry.HIGHER,
            source="oversight",
            target=Decimal(100),
            scopes=frozenset({DISTRICT, TOWNSHIP, DEPARTMENT}),
            records=duty_parts,
            seed_ref="屈安发〔2024〕1号 三（一）1",
            group=str(_("考核督办")),
            note=str(_("年度任务由清单数据分解，待核实；完成以区安委办确认日期前的完成日期计。")),
            verified=False,
            record_label=str(_("清单事项")),
        )
    )
