"""Helpers of the enforcement tests: a case filed, or run through the services up to a decision."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

from zhiben.enforcement import services
from zhiben.enforcement.models import Case, DiscretionRule
from zhiben.registry.models import Department


def emergency() -> Department:
    return Department.objects.get(code="emergency")


def basis_rule() -> DiscretionRule:
    """A 裁量基准 with the articles a 告知 and a 决定书 cite and no fine range (any amount fits)."""
    rule, _ = DiscretionRule.objects.get_or_create(
        code="AQ102-9",  # the 裁量基准 numbering (AQ102-3); -9 is no real item
        defaults={
            "violation": "未采取措施消除事故隐患",
            "legal_basis": "《中华人民共和国安全生产法》第四十一条第二款",
            "penalty_basis": "《中华人民共和国安全生产法》第一百零二条",
            "circumstance": "general",
        },
    )
    return rule


def file(
    world: Any, slot: str = "qiye1", *, actor: Any = None, on: dt.date | None = None, **kwargs: Any
) -> Case:
    """应急管理局 (yingji) files a case against a unit of its industries (qiye1 machinery, qiye2 chemicals),
    under a 裁量基准 unless told otherwise (告知 and 决定 cite its articles)."""
    if "discretion_rule" not in kwargs:
        kwargs["discretion_rule"] = basis_rule()
    return services.file_case(
        actor=actor or world.yingji,
        department=kwargs.pop("department", None) or emergency(),
        violation=kwargs.pop("violation", "喷漆房未设置可燃气体报警装置，未采取措施消除事故隐患。"),
        filed_on=on or services.today(),
        enterprise=world.enterprises[slot],
        **kwargs,
    )


def penalise(
    world: Any,
    on: dt.date,
    *,
    slot: str = "qiye1",
    major: bool = True,
    kind: str = "fine",
    amount: str = "20000",
    actor: Any = None,
) -> Case:
    """A case decided on `on` with one measure (a fine by default), back-dated through the services."""
    actor = actor or world.yingji
    case = file(world, slot, actor=actor, on=on, involves_major_hazard=major)
    services.start_investigation(case, actor=actor)
    if kind == "fine":
        services.add_measure(case, actor=actor, kind=kind, amount=Decimal(amount))
    elif kind == "suspend":
        services.add_measure(case, actor=actor, kind=kind, start_on=on)
    else:
        services.add_measure(case, actor=actor, kind=kind, details="纳入安全生产失信惩戒名单")
    services.notify_case(case, actor=actor, notified_on=on)
    services.decide_case(case, actor=actor, decided_on=on)
    return case
