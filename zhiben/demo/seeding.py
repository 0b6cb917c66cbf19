"""Writes the planned synthetic world (generator.py) through the registry services; a rerun adds nothing.

District scale goes row by row through create_enterprise/create_person, each audited like a clerk's entry;
city and province scale use the bulk services (one audit row per batch) so 200 000 units load in minutes.
"""

from __future__ import annotations

import datetime as dt
import time
from collections import Counter
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from itertools import islice
from typing import Any, TypeVar

from django.conf import settings
from django.db import transaction
from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext as _

from zhiben.accounts.models import User
from zhiben.core import audit
from zhiben.core.errors import DomainError
from zhiben.core.models import InboxNotification
from zhiben.core.outbox import deliver_pending
from zhiben.registry.models import Enterprise, Industry, Region
from zhiben.registry.reference import load_reference_data
from zhiben.registry.services import (
    bulk_create_enterprises,
    bulk_create_regions,
    create_enterprise,
    create_person,
)

from . import events
from .accident_history import seed_accident_history
from .assessment_history import seed_assessment_history
from .campaign_history import seed_campaign_history
from .generator import SYNTHETIC_SOURCE, Plan, PlannedEnterprise, plan_world
from .hazard_history import HistoryReport, seed_hazard_history
from .inspection_history import InspectionReport, seed_inspection_history
from .monitoring_history import seed_monitoring
from .oversight_history import seed_oversight_history
from .personas import PERSONAS, ensure_personas
from .risk_history import seed_risk
from .sourcecontrol_history import seed_sourcecontrol
from .supervision_history import seed_supervision_history
from .tips_history import seed_tips_history
from .training_history import seed_training

CHUNK = 5000
READ_AFTER_DAYS = 14  # a persona has read what came more than two weeks ago (settle_inbox)
BULK_SOURCE = "seed-demo"
T = TypeVar("T")


class DemoRefused(DomainError):
    """演示数据被拒绝: demo data and persona logins are never created in production or outside demo mode."""


def ensure_demo_allowed() -> None:
    """Refuse in production or when demo mode is off (R06: no known passwords outside demo mode)."""
    if settings.PRODUCTION:
        raise DemoRefused(_("生产环境（ZHIBEN_ENV=production）禁止生成演示数据和演示账号。"))
    if not settings.DEMO_MODE:
        raise DemoRefused(_("演示模式未开启（ZHIBEN_DEMO=false），不生成演示数据和演示账号。"))


@dataclass
class SeedReport:
    """What one run added (生成结果), for the printed summary and the audit row."""

    scale: str
    seed: int
    planned: int
    regions_added: int = 0
    enterprises_added: int = 0
    enterprises_skipped: int = 0
    people_added: int = 0
    personas_added: list[str] = field(default_factory=list)
    by_township: Counter[str] = field(default_factory=Counter)
    by_county: Counter[str] = field(default_factory=Counter)
    by_industry: Counter[str] = field(default_factory=Counter)
    hazards: HistoryReport | None = None  # district scale only; None when the register already had hazards
    inspections: InspectionReport | None = None  # likewise, the inspection and enforcement year
    seconds: float = 0.0

    @property
    def added_anything(self) -> bool:
        return bool(
            self.regions_added
            or self.enterprises_added
            or self.people_added
            or self.personas_added
            or (self.hazards and self.hazards.hazards)
            or (self.inspections and self.inspections.inspections)
        )


def seed_demo(
    *,
    scale: str,
    seed: int,
    count: int | None = None,
    actor: Any = None,
    progress: Callable[[str], None] | None = None,
    hazards: bool = True,
) -> SeedReport:
    """生成演示数据: reference data, synthetic regions, enterprises and people, the persona logins, and (district
    scale, unless `hazards` is False) three years of hazard history."""
    ensure_demo_allowed()
    started = time.perf_counter()
    plan = plan_world(scale, seed, count)
    report = SeedReport(scale=scale, seed=seed, planned=plan.count)
    say = progress or (lambda message: None)
    load_reference_data(actor=actor)
    report.regions_added = _add_regions(plan, actor=actor)
    regions = {r.code: r for r in Region.objects.all()}
    industries = {i.code: i for i in Industry.objects.all()}
    slots: dict[str, str] = {}
    if scale == "district":
        # One transaction: each row is still its own audited service call, but SQLite syncs once.
        with transaction.atomic():
            for chunk in _chunks(plan.enterprises(), CHUNK):
                _add_one_by_one(chunk, regions, industries, report, slots, actor=actor)
    else:
        for chunk in _chunks(plan.enterprises(), CHUNK):
            _add_in_bulk(chunk, regions, industries, report, slots, actor=actor)
            done = report.enterprises_added + report.enterprises_skipped
            say(f"  已处理 {done:,} / {plan.count:,} 家（{time.perf_counter() - started:.1f} 秒）")
    with transaction.atomic():
        existing = set(
            User.objects.filter(username__in=[p.username for p in PERSONAS]).values_list(
                "username", flat=True
            )
        )
        enterprises = {slot: Enterprise.objects.get(uscc=key) for slot, key in slots.items()}
        ensure_personas(enterprises, actor=actor)
        report.personas_added = [p.username for p in PERSONAS if p.username not in existing]
    if scale == "district" and hazards:
        # Three years of hazards, acted out by the personas (skipped when any hazard exists).
        report.hazards = seed_hazard_history(seed=seed, actor=actor, progress=say)
        if report.hazards is not None:
            say(report.hazards.summary())
        # The inspection and enforcement year (skipped when any inspection or inspector exists).
        report.inspections = seed_inspection_history(seed=seed, actor=actor, progress=say)
        if report.inspections is not None:
            say(report.inspections.summary())
        seed_campaign_history(seed=seed, actor=actor, progress=say)  # 治本攻坚: tasks, reports, registers
        seed_supervision_history(seed=seed, actor=actor, progress=say)  # 督办交办, 督促函, 暗访
        # The year of 举报 and the units' internal reports (skipped when any exists): tips_history.py.
        tips = seed_tips_history(seed=seed, actor=actor, progress=say)
        if tips is not None:
            say(tips.summary())
        seed_accident_history(seed=seed, progress=say)  # three accidents of 2025–2026 (accident_history.py)
        seed_sourcecontrol(seed=seed, actor=actor, progress=say)  # 标准化, 安全费用, 三同时, 淘汰
        seed_training(seed=seed, actor=actor, progress=say)  # 培训、持证、演练、救援、宣传
        seed_monitoring(seed=seed, actor=actor, progress=say)  # 监测预警: devices, readings, alarms
        seed_risk(seed=seed, actor=actor, progress=say)  # 双重预防: 风险点、四色图、巡查、一会三卡、动工卡
        # Last: 职责清单/通报 freeze 2026Q1–Q2 at each quarter end, and the assessment reads those snapshots.
        seed_oversight_history(seed=seed, actor=actor, progress=say)
        seed_assessment_history(seed=seed, actor=actor, progress=say)  # 季度考核: reads every module
        if report.hazards is not None or report.inspections is not None or tips is not None:
            settle_inbox()
    with transaction.atomic():
        report.seconds = time.perf_counter() - started
        if report.added_anything:
            audit.record(
                None,
                events.DEMO_SEEDED,
                actor=actor,
                object_type="demo",
                data={
                    "scale": scale,
                    "seed": seed,
                    "planned": plan.count,
                    "regions": report.regions_added,
                    "enterprises": report.enterprises_added,
                    "skipped": report.enterprises_skipped,
                    "people": report.people_added,
                    "personas": report.personas_added,
                    "hazards": report.hazards.as_data() if report.hazards else None,
                    "inspections": report.inspections.as_data() if report.inspections else None,
                },
            )
    return report


def settle_inbox(now: dt.datetime | None = None) -> int:
    """The personas have been using the platform: the messages the histories wrote are delivered (each dated
    by the event that caused it), and those older than READ_AFTER_DAYS were read a few hours after they
    came, so an inbox holds the last fortnight's unread, not three years'. Returns how many are unread."""
    now = now or timezone.now()
    while deliver_pending(limit=5000, now=now)["sent"]:
        pass
    cutoff = now - dt.timedelta(days=READ_AFTER_DAYS)
    with transaction.atomic():
        InboxNotification.objects.filter(read_at__isnull=True, created_at__lt=cutoff).update(
            read_at=F("created_at") + dt.timedelta(hours=4)
        )
    return InboxNotification.objects.filter(read_at__isnull=True).count()


def _chunks(items: Iterable[T], size: int) -> Iterator[list[T]]:
    it = iter(items)
    while chunk := list(islice(it, size)):
        yield chunk


def _add_regions(plan: Plan, *, actor: Any) -> int:
    if not plan.regions:
        return 0
    existing = set(
        Region.objects.filter(code__in=[r.code for r in plan.regions]).values_list("code", flat=True)
    )
    rows = [
        {
            "code": r.code,
            "name": r.name,
            "level": r.level,
            "parent": r.parent,
            "source": SYNTHETIC_SOURCE,
            "verified": False,
        }
        for r in plan.regions
        if r.code not in existing
    ]
    return len(bulk_create_regions(rows, actor=actor, source=SYNTHETIC_SOURCE)) if rows else 0


def _existing_keys(chunk: list[PlannedEnterprise]) -> set[str]:
    """Natural keys already in the database: the USCC, or region and name for units without one."""
    keys = set(
        Enterprise.objects.filter(uscc__in=[r.uscc for r in chunk if r.uscc]).values_list("uscc", flat=True)
    )
    names = [r.name for r in chunk if not r.uscc]
    if names:
        pairs = Enterprise.objects.filter(uscc__isnull=True, name__in=names).values_list(
            "region__code", "name"
        )
        keys.update(f"{code}|{name}" for code, name in pairs)
    return keys


def _fields(
    row: PlannedEnterprise, regions: dict[str, Region], industries: dict[str, Industry]
) -> dict[str, Any]:
    chosen = [industries[code] for code in row.industries]
    return {
        "uscc": row.uscc,
        "name": row.name,
        "kind": row.kind,
        "region": regions[row.region_code],
        "primary_industry": chosen[0],
        "industries": chosen,
        "address": row.address,
        "longitude": row.longitude,
        "latitude": row.latitude,
        "is_above_scale": row.is_above_scale,
        # 高危 follows the industry as the office maintains it, not a copy in the plan.
        "is_high_risk": chosen[0].high_risk,
        "has_major_hazard_source": row.has_major_hazard_source,
        "standardisation_grade": row.standardisation_grade,
        "employees": row.employees,
        "principal_name": row.principal_name,
        "principal_phone": row.principal_phone,
        "controller_name": row.controller_name,
        "controller_phone": row.controller_phone,
        "status": row.status,
    }


def _people(row: PlannedEnterprise) -> list[dict[str, Any]]:
    return [{"name": p.name, "role": p.role, "phone": p.phone, "title": p.title} for p in row.people]


def _new_rows(
    chunk: list[PlannedEnterprise], report: SeedReport, slots: dict[str, str]
) -> list[PlannedEnterprise]:
    for row in chunk:
        if row.slot:
            slots[row.slot] = row.key
    existing = _existing_keys(chunk)
    new = [r for r in chunk if r.key not in existing]
    report.enterprises_skipped += len(chunk) - len(new)
    return new


def _count(row: PlannedEnterprise, industries: dict[str, Industry], report: SeedReport) -> None:
    report.enterprises_added += 1
    report.people_added += len(row.people)
    report.by_township[row.township] += 1
    report.by_county[row.county] += 1
    report.by_industry[industries[row.industries[0]].name] += 1


def _add_one_by_one(
    chunk: list[PlannedEnterprise],
    regions: dict[str, Region],
    industries: dict[str, Industry],
    report: SeedReport,
    slots: dict[str, str],
    *,
    actor: Any,
) -> None:
    for row in _new_rows(chunk, report, slots):
        enterprise = create_enterprise(actor=actor, **_fields(row, regions, industries))
        for person in _people(row):
            create_person(actor=actor, enterprise=enterprise, **person)
        _count(row, industries, report)


def _add_in_bulk(
    chunk: list[PlannedEnterprise],
    regions: dict[str, Region],
    industries: dict[str, Industry],
    report: SeedReport,
    slots: dict[str, str],
    *,
    actor: Any,
) -> None:
    new = _new_rows(chunk, report, slots)
    if not new:
        return
    rows = [{**_fields(r, regions, industries), "people": _people(r)} for r in new]
    bulk_create_enterprises(rows, actor=actor, source=BULK_SOURCE)
    for row in new:
        _count(row, industries, report)
