"""The indicators of 监测预警:

* `monitoring.risk_monitoring_coverage` (declared by the campaign's 7个100%, connected here): 危化品 and 涉爆粉尘
  enterprises (in operation) with at least one online device ÷ all of them (queries.COVERAGE_INDUSTRIES, 待核实).
  "Online" is the state now: a frozen quarter keeps the value counted at its freeze.
* `monitoring.false_alarm_rate` 监测报警误报率: threshold alarms started in the quarter and cleared as 误报 ÷ those
  cleared with any reason (alarm fatigue).
* `monitoring.mean_ack_minutes` 报警平均确认用时: the mean minutes from 报警 to 确认 of the quarter's threshold alarms
  that were acknowledged.

Cut by township (the unit's place) and department (the units of the industries it supervises) or district."""

from __future__ import annotations

import datetime as dt
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from django.db.models import QuerySet
from django.utils import timezone

from zhiben.indicators import registry
from zhiben.indicators.registry import LOWER, RATIO, SUM, Parts, Scope, Window
from zhiben.indicators.sources.inspections import enterprises_in

from . import queries
from .choices import AlarmKind, ClearReason
from .models import Alarm

SEED = "屈安发〔2024〕1号 三(六)14–15"
REASON = "indicators: the scope is the indicator's, checked by the caller"


def coverage_parts(scope: Scope, w: Window) -> Parts:
    due = queries.in_scope_enterprises().filter(pk__in=enterprises_in(scope).values("pk"))
    return Parts(numerator=queries.covered(due), denominator=due)


def _alarms(scope: Scope, w: Window) -> QuerySet[Any]:
    tz = timezone.get_current_timezone()
    start = dt.datetime.combine(w.start, dt.time.min, tzinfo=tz)
    end = dt.datetime.combine(w.as_of + dt.timedelta(days=1), dt.time.min, tzinfo=tz)
    return Alarm.objects.unrestricted(REASON).filter(
        kind=AlarmKind.THRESHOLD,
        started_at__gte=start,
        started_at__lt=end,
        enterprise__in=enterprises_in(scope).values("pk"),
    )


def false_alarm_parts(scope: Scope, w: Window) -> Parts:
    cleared = _alarms(scope, w).exclude(clear_reason="").exclude(clear_reason=ClearReason.RECOVERED)
    return Parts(numerator=cleared.filter(clear_reason=ClearReason.FALSE_ALARM), denominator=cleared)


def ack_parts(scope: Scope, w: Window) -> Parts:
    return Parts(numerator=_alarms(scope, w).filter(acknowledged_at__isnull=False))


def mean_minutes(qs: QuerySet[Any]) -> Decimal:
    spans = [(a - s).total_seconds() for s, a in qs.values_list("started_at", "acknowledged_at")]
    if not spans:
        return Decimal(0)
    return (Decimal(sum(spans)) / len(spans) / 60).quantize(Decimal("0.1"), ROUND_HALF_UP)


def register_all() -> None:
    registry.connect(
        "monitoring.risk_monitoring_coverage",
        coverage_parts,
        source="monitoring",
        note="应覆盖：行业领域为危险化学品、涉爆粉尘（含下级）的在营单位（待核实）；已覆盖：至少一台监测设备在线（按当前状态统计）。",
    )
    registry.register(
        registry.Indicator(
            id="monitoring.false_alarm_rate",
            name="监测报警误报率",
            definition="统计季度内产生的超限报警中，消警原因为“误报”的 ÷ 已消警（误报、设备故障、真实险情已处置）的报警数 × 100%。",
            numerator_label="误报的报警",
            denominator_label="已消警的超限报警",
            unit="%",
            kind=RATIO,
            direction=LOWER,
            source="monitoring",
            seed_ref=SEED,
            group="监测预警",
            note="报警疲劳：误报率高说明阈值或设备需要调整。",
            record_label="监测报警",
            records=false_alarm_parts,
        )
    )
    registry.register(
        registry.Indicator(
            id="monitoring.mean_ack_minutes",
            name="监测报警平均确认用时",
            definition="统计季度内产生并已确认的超限报警，从报警到确认的平均分钟数。",
            numerator_label="已确认的超限报警",
            denominator_label="",
            unit="分钟",
            kind=SUM,
            direction=LOWER,
            source="monitoring",
            seed_ref=SEED,
            group="监测预警",
            note="数值为平均值（分钟），记录为参与平均的报警。",
            record_label="监测报警",
            records=ack_parts,
            total=mean_minutes,
        )
    )
