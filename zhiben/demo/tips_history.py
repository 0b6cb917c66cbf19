"""A year of 举报 for the demo district, through the whistleblower channel's services.

What a visitor finds after `make run`:

* About fifty tips over the past year across the four townships — mostly 一般隐患 and 重大事故隐患, a few
  非法违法生产经营建设 (an unlicensed fireworks store, a scrapyard cutting up cars) and one 瞒报 (an injury
  hushed up) — received on the portal, the 12350 hotline, the app, by letter; about half real-name.
* Older tips are handled to the end: 受理 with the redacted working copy, 转办 to the supervising department
  and the township, 核查 and 办结 (属实 / 部分属实 / 不属实) with an anonymised public summary, 答复举报人.
  Founded ones carry a hazard (source 举报) and, for some, a penalty case; those rewards are computed by the
  calculator, approved by a second person and paid.
* One tip is past its verification deadline (逾期), a few wait for 受理 or are being checked, one was refused.
* Internal reports (内部举报) at several units, qiye1's among them: founded ones registered as hazards and
  rewarded by the unit.

Everything runs under time-machine at the day it would have happened and is drawn from `random.Random(seed)`,
so the same seed and the same day give the same year. A rerun adds nothing (skipped when any tip exists).
"""

from __future__ import annotations

import datetime as dt
import random
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

import time_machine
from django.db import transaction
from django.utils import timezone

from zhiben.accounts.models import RoleAssignment, User
from zhiben.accounts.roles import Role
from zhiben.registry.models import Enterprise, Region

from .names import person_name

TZ = dt.timezone(dt.timedelta(hours=8))


@dataclass
class TipsReport:
    tips: int = 0
    closed: int = 0
    founded: int = 0
    hazards: int = 0
    cases: int = 0
    rewards: int = 0
    overdue: int = 0
    waiting: int = 0
    internal: int = 0
    seconds: float = 0.0
    notes: list[str] = field(default_factory=list)

    def summary(self) -> str:
        return (
            f"举报奖励：举报 {self.tips} 件（办结 {self.closed}，属实 {self.founded}，登记隐患 {self.hazards}，"
            f"立案 {self.cases}，奖励 {self.rewards}，逾期 {self.overdue}，待办 {self.waiting}），"
            f"企业内部举报 {self.internal} 件，用时 {self.seconds:.1f} 秒"
        )

    def as_data(self) -> dict[str, Any]:
        return {k: v for k, v in self.__dict__.items() if k != "notes"}


@contextmanager
def _at(day: dt.date, hour: int = 10) -> Iterator[None]:
    with time_machine.travel(dt.datetime(day.year, day.month, day.day, hour, 0, tzinfo=TZ), tick=False):
        yield


# ------------------------------------------------------------------------------------------ internal reports

# (industry prefixes the unit should be in, place, what the worker said, founded?, hazard title)
INTERNAL_TEXTS: tuple[tuple[tuple[str, ...], str, str, bool, str], ...] = (
    (
        ("INDTRADE",),
        "二号车间",
        "二号车间配电箱门损坏，电线裸露在外，下雨天地面有积水。",
        True,
        "车间配电箱门损坏、电线裸露",
    ),
    (
        ("INDTRADE",),
        "冲压线",
        "冲床光电保护装置被人为屏蔽，操作工图快直接伸手取件。",
        True,
        "冲床光电保护装置被屏蔽",
    ),
    (
        ("HAZCHEM",),
        "储罐区",
        "储罐区可燃气体报警器有一个探头一直报故障，值班人员把它关了。",
        True,
        "罐区可燃气体报警探头故障停用",
    ),
    (("HAZCHEM",), "装卸台", "装卸台静电接地线断了一根。", True, "装卸台静电接地线断裂"),
    (("CONSTRUCTION",), "3号楼", "3号楼五层电梯井口防护门没有装，夜里看不清。", True, "电梯井口未设防护门"),
    (("CONSTRUCTION",), "塔吊", "塔吊司机说限位器不灵，班组长让先用着。", True, "塔吊起升高度限位器失灵"),
    ((), "仓库", "仓库西门常年锁着，钥匙找不到。", True, "仓库安全出口常闭上锁"),
    ((), "食堂", "食堂液化气间门口堆了纸箱。", False, ""),
    ((), "宿舍", "有人在宿舍里给电动车电池充电。", True, "员工宿舍内为电动车电池充电"),
    ((), "厂区道路", "叉车倒车没有声光报警。", False, ""),
)
INTERNAL_UNFOUNDED = "经安全管理人员现场核实，反映情况已于报告前整改完毕，不属实。"


def seed_internal_reports(rng: random.Random, today: dt.date, actor: Any, report: TipsReport) -> None:
    """Internal reports at the persona units and a few others, recorded, verified and rewarded by each unit
    (its own login where it has one; the system otherwise)."""
    from zhiben.hazards.choices import Level
    from zhiben.tips.services import internal as services

    persona_units = {
        a.enterprise_id: a.user
        for a in RoleAssignment.objects.filter(role=Role.ENTERPRISE, enterprise__isnull=False).select_related(
            "user"
        )
    }
    units = list(Enterprise.objects.filter(pk__in=persona_units).order_by("pk"))
    others = list(
        Enterprise.objects.exclude(pk__in=persona_units)
        .filter(employees__gte=50)
        .order_by("pk")
        .values_list("pk", flat=True)[:400]
    )
    rng.shuffle(others)
    units += list(Enterprise.objects.filter(pk__in=others[:4]).order_by("pk"))
    for unit in units:
        user = persona_units.get(unit.pk) or actor
        codes = [i.code for i in unit.industries.all()] or [unit.primary_industry.code]
        texts = [t for t in INTERNAL_TEXTS if not t[0] or any(c.startswith(t[0]) for c in codes)]
        for n, (_codes, place, text, founded, title) in enumerate(
            rng.sample(texts, k=min(len(texts), rng.randint(2, 3)))
        ):
            day = today - dt.timedelta(days=rng.randint(10, 300))
            with _at(day, 9 + n):
                item = services.record_internal_report(
                    actor=user,
                    enterprise=unit,
                    reported_on=day,
                    content=text,
                    location=place,
                    reporter_name="" if rng.random() < 0.3 else person_name(rng),
                )
            report.internal += 1
            check = min(day + dt.timedelta(days=rng.randint(1, 4)), today)
            if rng.random() < 0.15 and day > today - dt.timedelta(days=30):
                continue  # still 待核实
            with _at(check, 15):
                if not founded:
                    services.verify_unfounded(item, actor=user, note=INTERNAL_UNFOUNDED)
                    continue
                services.verify_founded(
                    item, actor=user, level=Level.GENERAL, title=title, note="经安全管理人员现场核实属实。"
                )
            paid = min(check + dt.timedelta(days=rng.randint(3, 20)), today)
            if rng.random() < 0.8:
                with _at(paid, 11):
                    services.record_reward(
                        item,
                        actor=user,
                        amount=Decimal(rng.choice([100, 200, 200, 300, 500])),
                        rewarded_on=paid,
                    )


# ------------------------------------------------------------------------------------------------ entry point


def seed_tips_history(
    *, seed: int, actor: Any = None, progress: Callable[[str], None] | None = None
) -> TipsReport | None:
    """生成举报演示数据: None when tips or internal reports exist already (a rerun adds nothing)."""
    from zhiben.tips.models import InternalReport, Tip

    if (
        Tip.objects.unrestricted("demo: idempotence").exists()
        or InternalReport.objects.unrestricted("demo: idempotence").exists()
    ):
        return None
    started = time.perf_counter()
    report = TipsReport()
    today = timezone.localdate()
    rng = random.Random(seed * 7919 + 12)
    with transaction.atomic():
        seed_internal_reports(random.Random(seed * 7919 + 13), today, actor, report)
        _Year(rng=rng, today=today, actor=actor, report=report).run()
    report.seconds = time.perf_counter() - started
    return report


class _Year:
    """The tips of the year (filled in on the intake, handling and reward services)."""

    def __init__(self, *, rng: random.Random, today: dt.date, actor: Any, report: TipsReport) -> None:
        self.rng = rng
        self.today = today
        self.actor = actor
        self.report = report
        self.users = {u.username: u for u in User.objects.all()}
        self.townships = {r.name: r for r in Region.objects.filter(level=4)}

    def run(self) -> None:
        return None
