"""The accident register's indicators in the indicator registry (指标库), with the exact ids the assessment
reads: `accidents.count` (生产安全事故起数), `accidents.deaths` (事故死亡人数) and `accidents.concealed`
(瞒报谎报事故起数). All three are lower-is-better, windowed by the day the accident occurred (Beijing time) in
the quarter, and cut by district, township (the place's township), department (the supervising department of
the accident's industry by 三管三必须, fixed when the accident is registered — as hazards express it) and
industry (with its sub-industries). Registered from the app's `ready()`."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from django.db.models import Count, QuerySet, Sum
from django.db.models.functions import Substr

from zhiben.indicators import registry
from zhiben.indicators.registry import (
    COUNT,
    DEPARTMENT,
    DISTRICT,
    INDUSTRY,
    LOWER,
    SUM,
    TOWNSHIP,
    Indicator,
    Parts,
    Scope,
    Window,
)

from .choices import CONCEALED_KINDS
from .models import Accident

GROUP = "事故控制"
SEED = "屈安发〔2024〕1号（坚决遏制重特大事故）；国务院令第493号"


def accidents(scope: Scope, w: Window) -> QuerySet[Any]:
    """The accidents that occurred in the window's quarter, in the scope."""
    qs = Accident.objects.unrestricted(
        "indicators: the scope is the indicator's, checked by the caller"
    ).filter(occurred_on__gte=w.start, occurred_on__lte=w.end)
    if scope.kind == TOWNSHIP:
        qs = qs.filter(region__code__startswith=scope.region_prefix)
    elif scope.kind == DEPARTMENT:
        qs = qs.filter(department_id=scope.department_id)
    elif scope.kind == INDUSTRY:
        qs = qs.filter(industry_id__in=scope.industry_ids or ())
    return qs


def count_parts(scope: Scope, w: Window) -> Parts:
    return Parts(numerator=accidents(scope, w))


def concealed_parts(scope: Scope, w: Window) -> Parts:
    return Parts(numerator=accidents(scope, w).filter(concealment__in=CONCEALED_KINDS))


def total_deaths(qs: QuerySet[Any]) -> Decimal:
    return Decimal(qs.aggregate(n=Sum("deaths"))["n"] or 0)


def _grouped(only_concealed: bool) -> registry.GroupedFn:
    def grouped(kind: str, w: Window) -> dict[str, tuple[int, int | None]] | None:
        qs = accidents(Scope.district(), w)
        if only_concealed:
            qs = qs.filter(concealment__in=CONCEALED_KINDS)
        if kind == DISTRICT:
            return {"": (qs.count(), None)}
        if kind == DEPARTMENT:
            rows = qs.filter(department__isnull=False).values("department_id").annotate(n=Count("pk"))
            return {str(r["department_id"]): (r["n"], None) for r in rows}
        if kind == TOWNSHIP:
            by_prefix = {
                r["p"]: r["n"]
                for r in qs.annotate(p=Substr("region__code", 1, 9)).values("p").annotate(n=Count("pk"))
            }
            return {t.code: (by_prefix.get(t.scope_prefix, 0), None) for t in registry.townships()}
        return None

    return grouped


SCOPES = frozenset({DISTRICT, TOWNSHIP, DEPARTMENT, INDUSTRY})
COMMON: dict[str, Any] = {
    "denominator_label": "",
    "direction": LOWER,
    "source": "accidents",
    "target": None,
    "scopes": SCOPES,
    "seed_ref": SEED,
    "group": GROUP,
    "record_label": "生产安全事故",
}


def register_indicators() -> None:
    registry.register(
        Indicator(
            id="accidents.count",
            name="生产安全事故起数",
            definition="统计季度内发生的生产安全事故起数（按事故发生日期，北京时间），按事故地点所在乡镇（街道）、"
            "事故行业领域的牵头监管部门（三管三必须）或行业领域统计。",
            numerator_label="发生的生产安全事故",
            unit="起",
            kind=COUNT,
            records=count_parts,
            grouped=_grouped(False),
            **COMMON,
        )
    )
    registry.register(
        Indicator(
            id="accidents.deaths",
            name="事故死亡人数",
            definition="统计季度内发生的生产安全事故的死亡人数之和（按最近一次续报的人数）。",
            numerator_label="事故死亡人数",
            unit="人",
            kind=SUM,
            records=count_parts,
            total=total_deaths,
            **COMMON,
        )
    )
    registry.register(
        Indicator(
            id="accidents.concealed",
            name="瞒报谎报事故起数",
            definition="统计季度内发生、经区安委办认定为瞒报或谎报的生产安全事故起数（迟报不计入）。",
            numerator_label="认定瞒报、谎报的事故",
            unit="起",
            kind=COUNT,
            records=concealed_parts,
            grouped=_grouped(True),
            **COMMON,
        )
    )
