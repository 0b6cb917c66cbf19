"""Indicators of 双重预防 (risk half) and 一会三卡:

* `prevention.one_meeting_three_cards` (declared by the indicators app, 未接入 until now): 重点行业领域企业
  (operating high-risk units) that 落实一会三卡 in the quarter (coverage.Coverage.complete: every post with both
  cards, a 班前会 on every working day from the quarter's start to the day the clock stands at) ÷ those units;
* `risk.major_points` 重大风险点数: risk points graded 重大 (their latest assessment);
* `risk.identification_coverage` 风险辨识评估覆盖率: high-risk units with at least one assessed risk point ÷
  high-risk units.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from django.db.models import Q, QuerySet

from zhiben.indicators import registry
from zhiben.indicators.registry import (
    COUNT,
    DEPARTMENT,
    DISTRICT,
    HIGHER,
    INDUSTRY,
    LOWER,
    RATIO,
    TOWNSHIP,
    Parts,
    Scope,
    Window,
)
from zhiben.indicators.sources.inspections import enterprises_in
from zhiben.registry.choices import EnterpriseStatus

from .choices import Level, PointStatus
from .coverage import coverage_of
from .models import RiskPoint

SCOPES = frozenset({DISTRICT, TOWNSHIP, DEPARTMENT, INDUSTRY})
SEED = "屈安发〔2024〕1号 三(五)12"
REASON = "indicators: the scope is the indicator's, checked by the caller"


def high_risk_units(scope: Scope) -> QuerySet[Any]:
    return enterprises_in(scope).filter(
        Q(is_high_risk=True) | Q(primary_industry__high_risk=True), status=EnterpriseStatus.OPERATING
    )


def one_meeting_three_cards(scope: Scope, w: Window) -> Parts:
    units = high_risk_units(scope)
    ids = list(units.values_list("pk", flat=True))
    covered = [eid for eid, c in coverage_of(ids, w.start, w.as_of).items() if c.complete]
    return Parts(numerator=units.filter(pk__in=covered), denominator=units)


def points_in(scope: Scope) -> QuerySet[Any]:
    return RiskPoint.objects.unrestricted(REASON).filter(enterprise__in=enterprises_in(scope).values("pk"))


def major_points(scope: Scope, w: Window) -> Parts:
    return Parts(numerator=points_in(scope).filter(level=Level.MAJOR))


def identification_coverage(scope: Scope, w: Window) -> Parts:
    units = high_risk_units(scope)
    assessed = RiskPoint.objects.unrestricted(REASON).exclude(status=PointStatus.NEW).values("enterprise_id")
    return Parts(numerator=units.filter(pk__in=assessed), denominator=units)


def register_indicators() -> None:
    registry.connect(
        "prevention.one_meeting_three_cards",
        one_meeting_three_cards,
        source="risk",
        note=(
            "落实：各在用岗位均有体检卡和应急处置卡，且统计期内（季度初至统计日）每个工作日都有安全班前会记录。"
            "卡片模板为平台拟定，待核实。"
        ),
    )
    registry.register(
        registry.Indicator(
            id="risk.major_points",
            name="重大风险点数",
            definition="最近一次评估为重大风险（红色）的风险点数。",
            numerator_label="重大风险点",
            denominator_label="",
            unit="个",
            kind=COUNT,
            direction=LOWER,
            source="risk",
            target=None,
            scopes=SCOPES,
            records=major_points,
            seed_ref=SEED + "（双重预防机制）",
            group="双重预防",
            record_label="风险点",
        )
    )
    registry.register(
        registry.Indicator(
            id="risk.identification_coverage",
            name="风险辨识评估覆盖率",
            definition="在营的重点行业领域企业（高危企业）中至少有一个已评估风险点的 ÷ 在营的重点行业领域企业。",
            numerator_label="已辨识评估风险的企业",
            denominator_label="重点行业领域企业",
            unit="%",
            kind=RATIO,
            direction=HIGHER,
            source="risk",
            target=Decimal(100),
            scopes=SCOPES,
            records=identification_coverage,
            seed_ref=SEED + "（双重预防机制）",
            group="双重预防",
            note="目标值 100% 为平台设定（待核实）。",
            verified=False,
            record_label="生产经营单位",
        )
    )
