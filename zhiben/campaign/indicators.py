"""The capacity items of the 7个100% and the 2025 engineering goals, counted from the campaign's small registers
(攻坚登记): each register lists what must be done (计划 / 实施中) and what is done (已完成), so the rate is
done entries ÷ all entries of its kind registered by the quarter's end, cut by the entry's township or
department. The indicator registry declares these ids as 未接入; `connect_registry()` (from the app's `ready()`)
wires them here. The campaign sits above the registry: it reads and connects, the registry never imports it.
"""

from __future__ import annotations

from typing import Any

from django.db.models import QuerySet
from django.utils.translation import gettext as _

from zhiben.indicators import registry
from zhiben.indicators.registry import DEPARTMENT, TOWNSHIP, Parts, Scope, Window

from .choices import EntryStatus, RegisterKind
from .models import RegisterEntry

# indicator id → the register that counts it
REGISTERS = {
    "campaign.team_staffing": RegisterKind.SUPERVISION_TEAM,
    "campaign.grassroots_capacity": RegisterKind.CAPACITY,
    "campaign.digital_fire_access": RegisterKind.DIGITAL_FIRE,
    "campaign.smart_supervision": RegisterKind.SMART,
    "campaign.register.fire_water": RegisterKind.FIRE_WATER,
    "campaign.register.self_built": RegisterKind.SELF_BUILT,
}


def entries(kind: str, scope: Scope, w: Window) -> QuerySet[Any]:
    qs = RegisterEntry.objects.unrestricted("indicators: the scope is the indicator's, checked by the caller")
    qs = qs.filter(kind=kind, on__lte=w.end)
    if scope.kind == TOWNSHIP:
        qs = qs.filter(township__code__startswith=scope.region_prefix)
    elif scope.kind == DEPARTMENT:
        qs = qs.filter(department_id=scope.department_id)
    return qs


def register_parts(kind: str) -> registry.RecordsFn:
    def parts(scope: Scope, w: Window) -> Parts:
        listed = entries(kind, scope, w)
        return Parts(numerator=listed.filter(status=EntryStatus.DONE), denominator=listed)

    return parts


def connect_registry() -> None:
    for indicator_id, kind in REGISTERS.items():
        note = _(
            "由攻坚登记“%(kind)s”计算：已完成的条目 ÷ 统计季度末以前登记的全部条目（计划、实施中、已完成）。"
        ) % {"kind": RegisterKind(kind).label}
        registry.connect(indicator_id, register_parts(kind), source="campaign", note=str(note))
