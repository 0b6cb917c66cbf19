"""攻坚指标 on the workbench: a few key indicators of the campaign for the user's own scope, read from the
indicator registry (`zhiben.indicators`): the district for the office and leaders, its township for a township
official, its department for a department. Enterprises, experts and the 三员 read no indicators (none shown).
An indicator whose module is not built says 未接入, never 0 %; each links to its page (/indicators/<id>/),
which opens on the same scope.

The figures count the whole scope afresh (a few seconds of database work at province scale), the same for
everyone who reads that scope: they are kept in the cache per scope, language and day for
`settings.ZHIBEN_FIGURES_TTL` seconds (60; 0 counts on every page), and the card says when they were counted.
The workbench's cards are kept per person instead, and counted afresh after their own act (core/workbench.py)."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django.conf import settings
from django.core.cache import cache
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from zhiben.indicators import registry
from zhiben.indicators.access import reach_of

# The figures a person on duty checks first: the 动态清零 of major hazards, self-inspection, one of the 7个100%.
KEY_INDICATORS = (
    "hazards.on_time_rectification",
    "hazards.major_open",
    "hazards.stock_clearance",
    "inspections.self_check_coverage",
    "inspections.missed",
    "prevention.one_meeting_three_cards",
)


@dataclass(frozen=True)
class Figure:
    name: str
    text: str  # 87.5% / 12 项 / 未接入 / —
    url: str
    tone: str  # good / behind / neutral / absent
    target: str


def _plain(number: Decimal) -> str:
    """100 → "100", 12.50 → "12.5" (never "1E+2")."""
    return str(int(number)) if number == number.to_integral_value() else format(number.normalize(), "f")


def _text(ind: registry.Indicator, value: registry.Value) -> str:
    if not value.available:
        return _("未接入")
    if value.value is None:
        return "—"
    return f"{value.value}%" if ind.unit == "%" else f"{_plain(value.value)} {ind.unit}"


def _tone(ind: registry.Indicator, value: registry.Value) -> str:
    if not value.available:
        return "absent"
    if value.value is None or ind.target is None:
        return "neutral"
    reached = value.value >= ind.target if ind.direction == registry.HIGHER else value.value <= ind.target
    return "good" if reached else "behind"


def key_figures(user: Any) -> tuple[str, list[Figure], Any] | None:
    """(the scope's name, the figures, when they were counted) or None for a reader of no indicators."""
    home = reach_of(user).home()
    if home is None:
        return None
    ttl = settings.ZHIBEN_FIGURES_TTL
    key = f"dashboard:key_figures:{home.key}:{translation.get_language()}:{timezone.localdate().isoformat()}"
    kept = cache.get(key) if ttl else None
    if kept is None:
        kept = (str(home.label()), _figures(home), timezone.now())
        if ttl:
            cache.set(key, kept, ttl)
    return kept


def _figures(home: Any) -> list[Figure]:
    with registry.counting_together():  # the hazard figures: one scan of the register, not one each
        return _counted_figures(home)


def _counted_figures(home: Any) -> list[Figure]:
    figures = []
    for indicator_id in KEY_INDICATORS:
        try:
            ind = registry.get(indicator_id)
        except KeyError:
            continue
        if not ind.supports(home):
            continue
        value = ind.value(home)
        target = f"{_plain(ind.target)}{ind.unit}" if ind.target is not None else ""
        figures.append(
            Figure(
                str(ind.name),
                _text(ind, value),
                reverse("indicators:detail", args=[ind.id]),
                _tone(ind, value),
                target,
            )
        )
    return figures
