"""Quarter-end snapshots (§6): freeze every indicator's value per scope once a quarter has ended, read them
back for that quarter, and compare them with a live recount.

`freeze(period)` is idempotent (a row already frozen is kept as it is; only missing ones are added) and
writes one audit row per run that added rows. `registry.frozen_value()` is what `Indicator.value()` reads first, so a
past quarter's figures are the ones shown then, whatever changed in the records since. `recount(period)`
lists the differences between the frozen numbers and a count made now, and any row whose digest no longer
matches its content.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django.db import transaction
from django.utils import timezone

from zhiben.core import audit
from zhiben.core.calendar import quarter_end
from zhiben.core.crypto import sm3_hex

from . import events, registry
from .models import IndicatorSnapshot
from .registry import DEPARTMENT, DISTRICT, TOWNSHIP, Indicator, Scope, Value, to_value

# The scopes frozen at each quarter end: the district, each township, each department (industry cuts are
# computed live; the assessment reads townships and departments).
FROZEN_KINDS = (DISTRICT, TOWNSHIP, DEPARTMENT)
CENT = Decimal("0.01")


def _dec(value: Decimal | int | None) -> Decimal | None:
    return None if value is None else Decimal(value).quantize(CENT)


def canonical(
    indicator: str,
    period: str,
    kind: str,
    key: str,
    available: bool,
    numerator: Decimal | None,
    denominator: Decimal | None,
    value: Decimal | None,
) -> str:
    parts = [indicator, period, kind, key, "1" if available else "0"]
    parts += ["" if v is None else f"{v.quantize(CENT)}" for v in (numerator, denominator, value)]
    return "|".join(parts)


def digest_of(row: IndicatorSnapshot) -> str:
    return sm3_hex(
        canonical(
            row.indicator,
            row.period,
            row.scope_kind,
            row.scope_key,
            row.available,
            row.numerator,
            row.denominator,
            row.value,
        )
    )


def quarter_closed(period: str, today: dt.date | None = None) -> bool:
    return quarter_end(period) < (today or timezone.localdate())


def _frozen_scopes(ind: Indicator) -> list[Scope]:
    return [s for kind in FROZEN_KINDS if kind in ind.scopes for s in registry.scopes_of(kind)]


def freeze(period: str, *, actor: Any = None, today: dt.date | None = None) -> int:
    """Freeze `period` (an ended quarter): one row per indicator and scope not frozen yet; returns how many
    rows were added. ValueError for a quarter that has not ended."""
    registry.check_period(period)
    today = today or timezone.localdate()
    if not quarter_closed(period, today):
        raise ValueError(f"{period} has not ended yet")
    now = timezone.now()
    with transaction.atomic():
        done = set(
            IndicatorSnapshot.objects.filter(period=period).values_list(
                "indicator", "scope_kind", "scope_key"
            )
        )
        rows = []
        for ind in registry.all():
            missing = [s for s in _frozen_scopes(ind) if (ind.id, s.kind, s.key) not in done]
            counted: list[tuple[Scope, Value]] = []
            for kind in FROZEN_KINDS:  # every township (department) in one grouped count where the source can
                scopes = [s for s in missing if s.kind == kind]
                counted += zip(scopes, ind.live_values(scopes, period, today), strict=True) if scopes else []
            for scope, v in counted:
                row = IndicatorSnapshot(
                    indicator=ind.id,
                    period=period,
                    scope_kind=scope.kind,
                    scope_key=scope.key,
                    available=v.available,
                    numerator=_dec(v.numerator),
                    denominator=_dec(v.denominator),
                    value=_dec(v.value),
                    computed_at=now,
                )
                row.digest = digest_of(row)
                rows.append(row)
        IndicatorSnapshot.objects.bulk_create(rows)
        if rows:
            audit.record(
                None,
                events.INDICATORS_FROZEN,
                actor=actor,
                object_type="indicators.indicatorsnapshot",
                object_id=period,
                object_repr=f"{period} 指标快照",
                data={"period": period, "rows": len(rows)},
            )
    return len(rows)


def frozen_values(ind: Indicator, kind: str, period: str) -> dict[str, Value]:
    """scope key → frozen value, for one indicator, one scope kind and one quarter (one query)."""
    rows = IndicatorSnapshot.objects.filter(indicator=ind.id, period=period, scope_kind=kind)
    return {r.scope_key: to_value(r) for r in rows}


def is_frozen(period: str) -> bool:
    return IndicatorSnapshot.objects.filter(period=period).exists()


@dataclass(frozen=True)
class Difference:
    indicator: str
    scope: Scope
    frozen: Value
    live: Value
    digest_ok: bool

    def describe(self) -> str:
        ind = registry.get(self.indicator) if self.indicator in registry.ids() else None
        name = ind.name if ind else self.indicator
        parts = [f"{name}（{self.indicator}）", self.scope.label()]
        parts.append(
            f"冻结 {self.frozen.numerator}/{self.frozen.denominator}={self.frozen.value}"
            f" → 现算 {self.live.numerator}/{self.live.denominator}={self.live.value}"
        )
        if not self.digest_ok:
            parts.append("校验值不符（快照被改动）")
        return "；".join(str(p) for p in parts)


def recount(period: str, today: dt.date | None = None) -> list[Difference]:
    """Frozen rows of `period` whose numbers differ from a count made now, or whose digest fails."""
    differences = []
    for row in IndicatorSnapshot.objects.filter(period=period).order_by(
        "indicator", "scope_kind", "scope_key"
    ):
        frozen = to_value(row)
        ok = digest_of(row) == row.digest
        if row.indicator not in registry.ids():
            live = Value(row.indicator, frozen.scope, period, available=False)
        else:
            live = registry.get(row.indicator).live_value(frozen.scope, period, today)
        same = (
            live.available == frozen.available
            and _dec(live.numerator) == row.numerator
            and _dec(live.denominator) == row.denominator
            and _dec(live.value) == row.value
        )
        if not same or not ok:
            differences.append(Difference(row.indicator, frozen.scope, frozen, live, ok))
    return differences
