"""Three 生产安全事故 of 2025–2026 for the demo district, through the accident register's services.

* A 一般 accident with one death at a unit that, before it, missed its self-checks (应查未查) and left a 函告
  about an overdue hazard unanswered: its 责任倒查 shows both. Investigated, reported and 批复结案 with the
  responsibility findings (主要负责人, 实际控制人, the supervising department, the township) and 整改措施 (when it
  is old enough; otherwise still under investigation).
* An injury-only accident (高处坠落 at a construction unit) with a 续报 that adds an injured worker.
* A 瞒报 discovered through the demo's 瞒报 tip (tips_history.py): the unit hushed up an injury; it is
  registered from the verified tip, reported late and flagged 瞒报 by the office, linked to the tip, then
  investigated like the first.

Each step runs at the day it would have happened (never later than a few minutes ago). A rerun adds nothing
(skipped when any accident exists)."""

from __future__ import annotations

import datetime as dt
import random
from decimal import Decimal
from typing import Any

from django.db import transaction
from django.utils import timezone

from zhiben.accidents import services
from zhiben.accidents.models import Accident
from zhiben.accounts.models import User
from zhiben.hazards.models import Escalation
from zhiben.inspections.choices import OccurrenceStatus
from zhiben.inspections.models import DutyOccurrence
from zhiben.registry.models import Enterprise
from zhiben.tips.choices import Category
from zhiben.tips.models import Tip

from .hazard_walk import at

TZ = dt.timezone(dt.timedelta(hours=8))


def _moment(day: dt.date, hour: int, minute: int = 0) -> dt.datetime:
    return min(
        dt.datetime(day.year, day.month, day.day, hour, minute, tzinfo=TZ),
        timezone.now() - dt.timedelta(hours=2),
    )


def _first_accident(today: dt.date, rng: random.Random) -> tuple[Enterprise, dt.date] | None:
    """A unit with a missed self-check period and a 函告 still unanswered a few days later: the accident's day."""
    missed = DutyOccurrence.objects.unrestricted("demo: the whole register").filter(
        status=OccurrenceStatus.MISSED
    )
    ends: dict[int, list[dt.date]] = {}
    for ent, end in missed.values_list("enterprise_id", "period_end"):
        ends.setdefault(ent, []).append(end)
    letters = (
        Escalation.objects.unrestricted("demo: the whole register")
        .filter(kind="letter", hazard__enterprise_id__in=list(ends))
        .select_related("hazard__enterprise")
        .order_by("applied_on", "pk")
    )
    early, late = None, None
    for letter in letters:
        day = letter.applied_on + dt.timedelta(days=rng.randint(4, 12))
        h = letter.hazard
        open_then = h.closed_on is None or h.closed_on > day
        missed_before = any(end < day for end in ends[h.enterprise_id])
        if day.year < 2025 or day > today - dt.timedelta(days=10) or not (open_then and missed_before):
            continue
        if day <= today - dt.timedelta(days=80):
            early = early or (h.enterprise, day)  # old enough to be investigated and closed
        late = (h.enterprise, day)
    if early or late:
        return early or late
    # No 函告 fits: the unit that missed the most self-checks, a few days after its latest miss.
    if not ends:
        return None
    unit = max(ends, key=lambda pk: (len(ends[pk]), -pk))
    day = min(max(ends[unit]) + dt.timedelta(days=rng.randint(4, 12)), today - dt.timedelta(days=10))
    return Enterprise.objects.unrestricted("demo").get(pk=unit), day


CAUSES_DEATH = (
    "直接原因：设备检修清理未停机、未断电挂牌；间接原因：单位未按规定开展主要负责人带队自查，"
    "对逾期未整改的防护缺失隐患置之不理，监管部门函告后未督促落实。"
)
CAUSES_HUSHED = "直接原因：设备转动部位防护缺失；间接原因：单位安全管理混乱，事故发生后隐瞒不报。"


def _investigate(
    a: Accident, office: Any, rng: random.Random, today: dt.date, causes: str, start: dt.date | None = None
) -> None:
    """调查 → 调查报告 → 认定责任、整改措施 → 批复结案 → 整改跟踪, each step at its day (as far as today allows)."""
    ent = a.enterprise
    day = start or a.occurred_on
    with at(day + dt.timedelta(days=2), 15):
        services.start_investigation(
            a,
            actor=office,
            team="区应急管理局（牵头）、区公安分局、区总工会、属地乡镇，邀请安全生产专家参加",
            lead_unit="区应急管理局",
        )
    report_day = day + dt.timedelta(days=rng.randint(45, 55))
    if report_day > today - dt.timedelta(days=10):
        return
    with at(report_day, 16):
        services.submit_report(
            a,
            actor=office,
            causes=causes,
            report_summary="认定为一起一般生产安全责任事故，建议对相关责任人和责任单位依法依规处理。",
            submitted_on=report_day,
        )
        for kind, name, role, finding, measure in (
            (
                "person",
                ent.principal_name if ent else "主要负责人",
                "principal",
                "未组织开展自查，未督促整改事故隐患",
                "penalty",
            ),
            (
                "person",
                ent.controller_name if ent else "实际控制人",
                "controller",
                "对隐患整改投入不足，未落实监管要求",
                "judicial",
            ),
            (
                "unit",
                a.department.name if a.department else "监管部门",
                "department",
                "未跟踪督促隐患整改到位",
                "discipline",
            ),
        ):
            services.add_finding(
                a,
                actor=office,
                subject_kind=kind,
                name=name or "—",
                role=role,
                finding=finding,
                measure=measure,
            )
        services.add_rectification(
            a,
            actor=office,
            measure="设备危险部位全部加装联锁防护，检修执行停机断电挂牌制度",
            responsible=a.unit_name,
            due_on=report_day + dt.timedelta(days=30),
        )
    close_day = report_day + dt.timedelta(days=rng.randint(8, 14))
    if close_day > today:
        return
    with at(close_day, 10):
        services.close(
            a,
            actor=office,
            approval_number=f"屈政函〔{close_day.year}〕{rng.randint(20, 90)}号",
            closed_on=close_day,
        )
    follow_day = min(report_day + dt.timedelta(days=28), today)
    r = a.rectifications.first()
    if follow_day > close_day and r is not None:
        with at(follow_day, 15):
            services.follow_up(
                a,
                actor=office,
                rectification=r.pk,
                follow_up="现场复查：防护装置已加装，挂牌制度已执行",
                done=True,
                done_on=follow_day,
            )


@transaction.atomic
def seed_accident_history(*, seed: int, actor: Any = None, progress: Any = None) -> int | None:
    """生成事故演示数据: the number of accidents added, None when any exists (a rerun adds nothing)."""
    if Accident.objects.unrestricted("demo: idempotence").exists():
        return None
    office = User.objects.filter(username="anweiban").first()
    if office is None:
        return None
    rng = random.Random(seed * 7919 + 31)
    today = timezone.localdate()
    added = 0
    units = Enterprise.objects.unrestricted("demo: the whole register")

    # 1. 一般 accident with one death, after missed self-checks and an unanswered 函告.
    first = _first_accident(today, rng)
    if first is None:
        ent = (
            units.filter(primary_industry__code__startswith="INDTRADE").order_by("pk").first()
            or units.order_by("pk").first()
        )
        day = today - dt.timedelta(days=120)
        first = (ent, day) if ent is not None else None
    if first is not None:
        ent, day = first
        occurred = _moment(day, 9, 20)
        with at(day, 11):
            a = services.register_accident(
                actor=office,
                occurred_at=occurred,
                reported_at=occurred + dt.timedelta(minutes=45),
                place=f"{ent.name}生产车间",
                region=ent.region,
                industry=ent.primary_industry,
                enterprise=ent,
                accident_type="1986-03",  # 机械伤害
                deaths=1,
                serious_injuries=0,
                direct_loss=Decimal("1360000"),
                summary="操作工在设备运转中进入危险区域清理物料，被卷入设备，经抢救无效死亡。",
                reporter=ent.principal_name or "单位负责人",
            )
        added += 1
        _investigate(a, office, rng, today, CAUSES_DEATH)

    # 2. Injury-only: a fall at a construction unit, with a 续报.
    builder = units.filter(primary_industry__code__startswith="CONSTRUCTION").order_by("pk").first()
    if builder is not None:
        day = today - dt.timedelta(days=rng.randint(12, 20))
        occurred = _moment(day, 14, 35)
        with at(day, 16):
            b = services.register_accident(
                actor=office,
                occurred_at=occurred,
                reported_at=occurred + dt.timedelta(minutes=50),
                place=f"{builder.name}施工现场",
                region=builder.region,
                industry=builder.primary_industry,
                enterprise=builder,
                accident_type="1986-09",  # 高处坠落
                deaths=0,
                serious_injuries=2,
                direct_loss=Decimal("420000"),
                summary="作业人员在脚手架上作业时踏板断裂，两人坠落受伤。",
                reporter=builder.principal_name or "项目负责人",
            )
        added += 1
        with at(day + dt.timedelta(days=3), 10):
            services.supplement(
                b,
                actor=office,
                deaths=0,
                serious_injuries=3,
                missing=0,
                direct_loss=Decimal("560000"),
                note="经医院诊断，另一名被砸伤的地面人员为重伤，直接经济损失相应增加。",
            )
            services.start_investigation(
                b,
                actor=office,
                team="区住房和城乡建设局（牵头）、区应急管理局、属地乡镇",
                lead_unit="区住房和城乡建设局",
            )

    # 3. 瞒报 found through the demo's tip.
    tip = (
        Tip.objects.unrestricted("demo: the 瞒报 tip")
        .filter(category=Category.CONCEALED, enterprise__isnull=False)
        .order_by("pk")
        .first()
    )
    # Without a tip about a registered unit, the 瞒报 is found by the office itself at a 工贸 unit.
    hushed = tip.enterprise if tip is not None else None
    hushed = hushed or units.filter(primary_industry__code__startswith="INDTRADE").order_by("-pk").first()
    if hushed is not None:
        ent = hushed
        received = (
            timezone.localtime(tip.received_at).date() if tip is not None else today - dt.timedelta(days=40)
        )
        day = received - dt.timedelta(days=rng.randint(20, 30))
        found = min(received + dt.timedelta(days=4), today)
        occurred = _moment(day, 10, 10)
        how = "群众举报" if tip is not None else "监管部门暗访"
        with at(found, 15):
            c = services.register_accident(
                actor=office,
                occurred_at=occurred,
                reported_at=_moment(found, 14),
                place=f"{ent.name}车间",
                region=ent.region,
                industry=ent.primary_industry,
                enterprise=ent,
                accident_type="1986-03",
                deaths=0,
                serious_injuries=1,
                direct_loss=Decimal("85000"),
                summary=f"一名工人在设备旁作业时手臂被卷入受伤，单位私下赔偿后未报告，经{how}核查后登记。",
                reporter=f"{how}核查",
            )
            services.flag(
                c,
                actor=office,
                concealment="concealed",
                reason=f"事故发生后单位未按规定报告，私下赔偿并要求知情人员不得外传，经{how}核查属实。",
                tip=tip.pk if tip is not None else None,
            )
        added += 1
        _investigate(c, office, rng, today, CAUSES_HUSHED, start=found)
    if progress is not None:
        progress(f"  生产安全事故 {added} 起")
    return added
