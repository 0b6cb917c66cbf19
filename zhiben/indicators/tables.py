"""What the pages, the Excel export and the API show, computed once here so the three agree: an indicator's
values per township or department for a reader, its trend by quarter, and the records behind a number."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlencode

from django.db.models import QuerySet
from django.urls import NoReverseMatch, reverse
from django.utils import timezone

from zhiben.core.calendar import quarter_label, shift_quarter

from . import snapshots
from .access import Reach
from .registry import Indicator, Scope, Value, current_period, labels

NUMERATOR = "numerator"
DENOMINATOR = "denominator"
PARTS = (NUMERATOR, DENOMINATOR)
TREND_QUARTERS = 8


@dataclass(frozen=True)
class Row:
    """One line of a values table: the scope, its name and its value."""

    scope: Scope
    label: str
    value: Value


def values(ind: Indicator, scopes: list[Scope], period: str, today: dt.date | None = None) -> list[Row]:
    """The value of `ind` for each scope: the frozen one for a quarter with its snapshot, else counted now."""
    if not scopes:
        return []
    frozen: dict[str, Value] = {}
    if ind.available or snapshots.is_frozen(period):
        kinds = {s.kind for s in scopes}
        for kind in kinds:
            frozen.update({f"{kind}:{k}": v for k, v in snapshots.frozen_values(ind, kind, period).items()})
    live = [s for s in scopes if f"{s.kind}:{s.key}" not in frozen]
    counted = {
        f"{s.kind}:{s.key}": v for s, v in zip(live, ind.live_values(live, period, today), strict=True)
    }
    return [
        Row(scope, label, frozen.get(f"{scope.kind}:{scope.key}") or counted[f"{scope.kind}:{scope.key}"])
        for scope, label in zip(scopes, labels(scopes), strict=True)
    ]


def table(ind: Indicator, kind: str, reach: Reach, period: str, today: dt.date | None = None) -> list[Row]:
    """Values per township or department (or the district's one row) that this reader may see."""
    if kind not in ind.scopes:
        return []
    return values(ind, reach.scopes(kind), period, today)


def trend(ind: Indicator, scope: Scope, period: str, today: dt.date | None = None) -> list[tuple[str, Value]]:
    """(quarter label, value) for the 8 quarters up to `period`: closed ones from their snapshot if any."""
    quarters = [shift_quarter(period, -i) for i in range(TREND_QUARTERS - 1, -1, -1)]
    return [(quarter_label(q), ind.value(scope, q, today)) for q in quarters]


def default_period(raw: str | None) -> str:
    return raw or current_period(timezone.localdate())


# ----------------------------------------------------------------------------------------------- records

_RELATED = {
    "hazards.hazard": ("enterprise",),
    "inspections.inspection": ("enterprise",),
    "inspections.dutyoccurrence": ("enterprise",),
    "campaign.registerentry": ("township", "department"),
}


def record_rows(qs: QuerySet[Any]) -> QuerySet[Any]:
    """The records in a stable order, with what their names need."""
    related = _RELATED.get(qs.model._meta.label_lower, ())
    return qs.select_related(*related).order_by("pk")


def record_name(obj: Any) -> str:
    label = obj._meta.label_lower
    if label == "hazards.hazard":
        return f"{obj.code} {obj.title}（{obj.enterprise.name}）"
    if label == "inspections.dutyoccurrence":
        return f"{obj.enterprise.name} {obj.period_start:%Y年%m月%d日}至{obj.period_end:%Y年%m月%d日}"
    if label == "campaign.registerentry":
        where = obj.township.name if obj.township_id else (obj.department.name if obj.department_id else "")
        return f"{obj.name}（{where} · {obj.get_status_display()} · {obj.on:%Y年%m月%d日}）"
    return getattr(obj, "name", None) or str(obj)


def record_url(obj: Any) -> str:
    try:
        return str(obj.get_absolute_url())
    except (AttributeError, NoReverseMatch):
        return ""


def records_query(scope: Scope, period: str, part: str) -> str:
    params = {"scope": scope.kind, "period": period, "part": part}
    if scope.key:
        params["key"] = scope.key
    return urlencode(params)


def records_page_url(ind: Indicator, scope: Scope, period: str, part: str) -> str:
    return f"{reverse('indicators:records', args=[ind.id])}?{records_query(scope, period, part)}"


def records_api_url(ind: Indicator, scope: Scope, period: str, part: str) -> str:
    return f"/api/v1/indicators/{ind.id}/records/?{records_query(scope, period, part)}"
