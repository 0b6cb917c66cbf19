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
import heapq
import random
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

import time_machine
from django.conf import settings
from django.contrib.auth.hashers import Argon2PasswordHasher
from django.db import transaction
from django.db.models import Q
from django.test.utils import override_settings
from django.utils import timezone

from zhiben.accounts.lookups import users_of_department
from zhiben.accounts.models import RoleAssignment, User
from zhiben.accounts.roles import Role
from zhiben.core.documents import sentence
from zhiben.core.errors import DomainError
from zhiben.enforcement import services as enforcement
from zhiben.enforcement.choices import MeasureKind
from zhiben.enforcement.models import DiscretionRule
from zhiben.hazards import services as hazard_services
from zhiben.hazards.choices import Level
from zhiben.hazards.choices import Status as HazardStatus
from zhiben.hazards.models import Hazard
from zhiben.hazards.services import supervising_department
from zhiben.registry.choices import EnterpriseStatus
from zhiben.registry.models import Department, Enterprise, Industry, Region
from zhiben.tips.choices import RewardBasis
from zhiben.tips.models import InternalReport, Tip
from zhiben.tips.reminders import apply_tip_escalations, send_tip_reminders
from zhiben.tips.services import handling, rewards
from zhiben.tips.services import internal as services
from zhiben.tips.services.intake import submit_tip

from .hazard_texts import clause_candidates, clause_on, clauses_for
from .hazard_walk import at as _at
from .hazard_walk import follow_up, publish_calendar
from .names import mobile_phone, person_name
from .tips_texts import (
    CONCEALED,
    HAZARD,
    ILLEGAL,
    INTERNAL_TEXTS,
    INTERNAL_UNFOUNDED,
    MAJOR,
    TEXTS,
    UNFOUNDED_ANSWER,
    UNFOUNDED_CONCLUSION,
    Text,
)

TZ = dt.timezone(dt.timedelta(hours=8))
# Of the founded tips that report a 重大事故隐患, the share the department judges 重大 (citing a clause).
MAJOR_CONFIRMED_SHARE = 0.05


@dataclass
class TipsReport:
    tips: int = 0
    closed: int = 0
    founded: int = 0
    hazards: int = 0
    hazards_closed: int = 0  # hazards of tips and internal reports rectified and closed (销号) by today
    cases: int = 0
    rewards: int = 0
    overdue: int = 0
    waiting: int = 0
    internal: int = 0
    seconds: float = 0.0
    notes: list[str] = field(default_factory=list)
    receipt: str = ""  # one closed tip's receipt code, for a visitor to try /tips/status/ (never audited)

    def summary(self) -> str:
        return (
            f"举报奖励：举报 {self.tips} 件（办结 {self.closed}，属实 {self.founded}，登记隐患 {self.hazards}，"
            f"立案 {self.cases}，奖励 {self.rewards}，逾期 {self.overdue}，待办 {self.waiting}），"
            f"企业内部举报 {self.internal} 件，举报和内部举报登记的隐患已整改销号 {self.hazards_closed} 条，用时 {self.seconds:.1f} 秒"
            + (f"；演示查询码 {self.receipt}（/tips/status/ 查看办理结果）" if self.receipt else "")
        )

    def as_data(self) -> dict[str, Any]:
        return {k: v for k, v in self.__dict__.items() if k not in ("notes", "receipt")}


# ------------------------------------------------------------------------------------------ internal reports


def seed_internal_reports(rng: random.Random, today: dt.date, actor: Any, report: TipsReport) -> None:
    """Internal reports at the persona units and a few others, recorded, verified and rewarded by each unit
    (its own login where it has one; the system otherwise)."""

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
            _judge_if_waiting(item, check + dt.timedelta(days=1))
            paid = min(check + dt.timedelta(days=rng.randint(3, 20)), today)
            if rng.random() < 0.8:
                with _at(paid, 11):
                    services.record_reward(
                        item,
                        actor=user,
                        amount=Decimal(rng.choice([100, 200, 200, 300, 500])),
                        rewarded_on=paid,
                    )


def _judge_if_waiting(item: InternalReport, day: dt.date) -> None:
    """A unit without a login of its own had its hazard registered by the system, so it waits for 判定: its
    supervising department judges it the next day (as it would on reading the report)."""
    item.refresh_from_db()
    hazard = item.hazard
    if hazard is None or hazard.status != HazardStatus.REPORTED:
        return
    staff = users_of_department(hazard.department_id)
    if staff:
        with _at(day, 10):
            hazard_services.confirm(hazard, actor=staff[0])


# ------------------------------------------------------------------------------------------------ entry point


def seed_tips_history(
    *, seed: int, actor: Any = None, progress: Callable[[str], None] | None = None
) -> TipsReport | None:
    """生成举报演示数据: None when tips or internal reports exist already (a rerun adds nothing)."""

    if (
        Tip.objects.unrestricted("demo: idempotence").exists()
        or InternalReport.objects.unrestricted("demo: idempotence").exists()
    ):
        return None
    started = time.perf_counter()
    report = TipsReport()
    today = timezone.localdate()
    rng = random.Random(seed * 7919 + 12)
    with transaction.atomic(), _cheap_receipts():
        # Deadlines in working days need the simulated years' calendars.
        publish_calendar(today, actor)
        seed_internal_reports(random.Random(seed * 7919 + 13), today, actor, report)
        _Year(rng=rng, today=today, actor=actor, report=report).run()
        # The units rectify what the tips and internal reports found; the departments close it (hazard_walk).
        found = (
            Hazard.objects.filter(Q(tips__isnull=False) | Q(internal_reports__isnull=False))
            .distinct()
            .select_related("enterprise", "department", "reported_by")
        )
        report.notes += follow_up(found, seed=seed, actor=actor).failures
        report.hazards_closed = found.filter(status=HazardStatus.CLOSED).count()
    report.seconds = time.perf_counter() - started
    return report


# ------------------------------------------------------------------------------------------------------- tips


CHANNELS = ("portal", "portal", "portal", "hotline", "hotline", "app", "letter", "open311")
# Persona departments (with demo logins) → their login: only tips their department supervises are sent to them.
DEPARTMENT_LOGINS = {
    "emergency": "yingji",
    "housing": "zhujian",
    "transport": "jiaotong",
    "fire": "xiaofang",
    "market": "shichang",
}
TOWNSHIP_LOGINS = {"天问街道": "tianwen", "营田镇": "yingtian", "河市镇": "heshi", "凤凰乡": "fenghuang"}
Story = Iterator[dt.datetime]


def _workday(day: dt.date) -> dt.date:
    while day.weekday() >= 5:
        day += dt.timedelta(days=1)
    return day


def _moment(day: dt.date, hour: int) -> dt.datetime:
    return dt.datetime(day.year, day.month, day.day, hour, 0, tzinfo=TZ)


class DemoReceiptHasher(Argon2PasswordHasher):
    """Argon2 at the lowest cost, for the demo's receipt codes only: synthetic tips whose codes nobody keeps
    (one is printed for a visitor), while the production parameters cost a fifth of a second per tip. The
    encoded hash carries its own parameters, so the platform's Argon2 hasher checks it like any other."""

    time_cost = 1
    memory_cost = 1024
    parallelism = 1


@contextmanager
def _cheap_receipts() -> Iterator[None]:
    hashers = [f"{__name__}.DemoReceiptHasher", *settings.PASSWORD_HASHERS]
    with override_settings(PASSWORD_HASHERS=hashers):
        yield


class _Year:
    """The tips of the year: each one a story (received → … → closed, and its reward), run interleaved in time
    order under time-machine so that every row carries the day it would have had."""

    def __init__(self, *, rng: random.Random, today: dt.date, actor: Any, report: TipsReport) -> None:
        self.rng = rng
        self.today = today
        self.actor = actor
        self.report = report
        self.users = {u.username: u for u in User.objects.all()}
        self.townships = {r.name: r for r in Region.objects.filter(level=4).order_by("code")}
        self.units = self._units()
        self.clauses: tuple[Any, Any] | None = None

    # ------------------------------------------------------------------------------------------ the pool
    def _units(self) -> dict[str, list[tuple[Enterprise, Any]]]:
        """Units by industry code whose supervising department has a demo login: (unit, department)."""

        pool: dict[str, list[tuple[Enterprise, Any]]] = {}
        departments: dict[int, Any] = {}
        units = (
            Enterprise.objects.filter(status=EnterpriseStatus.OPERATING)
            .select_related("primary_industry", "region")
            .order_by("pk")
        )
        for unit in units:
            industry = unit.primary_industry
            if industry.pk not in departments:
                try:
                    departments[industry.pk] = supervising_department(industry)
                except DomainError:
                    departments[industry.pk] = None
            department = departments[industry.pk]
            if department is None or department.code not in DEPARTMENT_LOGINS:
                continue
            pool.setdefault(industry.code, []).append((unit, department))
        return pool

    def _candidates(self, text: Text) -> list[tuple[Enterprise, Any]]:
        return [
            u for code, units in sorted(self.units.items()) if code.startswith(text.industries) for u in units
        ]

    def _pick(self, text: Text) -> tuple[Enterprise, Any] | None:
        candidates = self._candidates(text) if text.industries else []
        return self.rng.choice(candidates) if candidates else None

    def _township(self, region: Region) -> Region | None:
        for town in self.townships.values():
            if region.code.startswith(town.code[:9]):
                return town
        return None

    # ------------------------------------------------------------------------------------------ the plan
    def run(self) -> None:

        # Only what could be about a unit of the district (or an unregistered subject).
        usable = [t for t in TEXTS if t.unit or self._candidates(t)]
        # Mostly 一般隐患 and 重大事故隐患 (weighted 4:3); three 非法违法 and the one 瞒报 at drawn places.
        texts = [t for t in usable if t.category in (HAZARD, MAJOR)]
        weights = [4 if t.category == HAZARD else 3 for t in texts]
        illegal = [t for t in usable if t.category == ILLEGAL]
        concealed = [t for t in usable if t.category == CONCEALED]
        count = self.rng.randint(44, 52)
        days = sorted(self.today - dt.timedelta(days=self.rng.randint(3, 360)) for _ in range(count))
        plans: list[tuple[dt.date, Text, str]] = []
        special = self.rng.sample(range(count - 2), 4)
        for n, day in enumerate(days):
            if n == special[0] and concealed:
                text = concealed[0]
            elif n in special[1:] and illegal:
                text = illegal[special.index(n) % len(illegal)]
            else:
                text = self.rng.choices(texts, weights)[0]
            plans.append((day, text, "closed"))
        # The last weeks: two waiting for 受理, two being checked; one overdue; one refused.
        for day, role in (
            (self.today - dt.timedelta(days=1), "received"),
            (self.today - dt.timedelta(days=2), "received"),
            (self.today - dt.timedelta(days=12), "verifying"),
            (self.today - dt.timedelta(days=25), "verifying"),
            (self.today - dt.timedelta(days=95), "overdue"),
            (self.today - dt.timedelta(days=150), "rejected"),
        ):
            plans.append((day, self.rng.choices(texts, weights)[0], role))
        stories: list[tuple[dt.datetime, int, Story]] = []
        for n, (day, text, role) in enumerate(sorted(plans, key=lambda p: p[0])):
            story = self._story(n, day, text, role)
            first = next(story, None)
            if first is not None:
                heapq.heappush(stories, (first, n, story))
        # Today's steps are never dated in the future (as in `_at`): a seed at 6 a.m. showed 判定 at 10:00.
        latest = timezone.now() - dt.timedelta(minutes=5)
        while stories:
            moment, n, story = heapq.heappop(stories)
            with time_machine.travel(min(moment, latest), tick=False):
                following = next(story, None)
            if following is not None:
                heapq.heappush(stories, (max(following, moment), n, story))
        self._today()

    def _today(self) -> None:
        """The daily reminder and escalation jobs once today, so the overdue tip shows its rung."""

        send_tip_reminders(today=self.today)
        apply_tip_escalations(today=self.today)

    # ------------------------------------------------------------------------------------------ a story
    def _story(self, n: int, day: dt.date, text: Text, role: str) -> Story:
        """One tip's life; yields the moment of each next step (the first: its receipt)."""

        rng = random.Random(self.rng.random())
        picked = None if text.unit else self._pick(text)
        if picked is None and not text.unit:
            return
        unit, department = picked if picked is not None else (None, None)
        if unit is None:
            town = rng.choice(list(self.townships.values()))
            villages = list(Region.objects.filter(parent=town).order_by("code")) or [town]
            place = rng.choice(villages)
            department = _department("emergency")
        else:
            place = unit.region
            town = self._township(unit.region)
        name = unit.name if unit is not None else text.unit
        real = rng.random() < 0.55 or text.category == CONCEALED
        identity = None
        if real:
            # A worker of the unit reports a concealed accident (and some a 重大 hazard); others give no employer.
            insider = unit is not None and (
                text.category == CONCEALED or (text.category == MAJOR and rng.random() < 0.5)
            )
            identity = {
                "name": person_name(rng),
                "phone": mobile_phone(rng),
                "employer": name if insider else "",
                "works_there": insider,
            }
        yield _moment(day, rng.choice((9, 10, 14, 16, 20)))
        tip, receipt = submit_tip(
            category=text.category,
            text=text.original.format(unit=name),
            channel=rng.choice(CHANNELS),
            enterprise=unit,
            unit_name="" if unit is not None else text.unit,
            place=place,
            address=(unit.address if unit is not None else f"{place.name}路边") or place.name,
            identity=identity,
        )
        self.report.tips += 1
        if role == "received":
            self.report.waiting += 1
            return
        custodian = self.users.get("jubao")
        accept_day = _workday(day + dt.timedelta(days=rng.randint(0, 3)))
        if role == "rejected":
            yield _moment(accept_day, 9)
            handling.reject(
                tip,
                actor=custodian,
                rejection_reason="举报内容未提供具体单位和地点，无法核查；如有新的线索，欢迎补充后重新举报。",
            )
            return
        yield _moment(accept_day, 9)
        tip.refresh_from_db()
        handling.accept(
            tip,
            actor=custodian,
            working_text=text.working.format(unit=name),
            category=text.category,
            enterprise=unit,
            unit_name="" if unit is not None else text.unit,
            accepted_on=accept_day,
        )
        yield _moment(accept_day, 11)
        tip.refresh_from_db()
        handling.transfer(tip, actor=custodian, department=department, township=town, note="请依法核查办理。")
        handler = self.users.get(DEPARTMENT_LOGINS.get(department.code, ""))
        if role == "verifying":
            self.report.waiting += 1
            return
        if role == "overdue":
            self.report.overdue += 1
            return
        founded = rng.random() < text.founded
        check = min(_workday(accept_day + dt.timedelta(days=rng.randint(7, 40))), self.today)
        hazard = None
        if founded and unit is not None and text.hazard:
            yield _moment(check, 10)
            tip.refresh_from_db()
            hazard = self._hazard(tip, text, handler, check, rng)
        case = None
        if founded and unit is not None and (text.major or text.category == CONCEALED or rng.random() < 0.3):
            yield _moment(check, 15)
            case = self._case(tip, unit, hazard, handler, department, text, check, rng)
        done = min(_workday(check + dt.timedelta(days=rng.randint(1, 10))), self.today)
        yield _moment(done, 16)
        tip.refresh_from_db()
        outcome = ("founded" if rng.random() < 0.85 else "partly") if founded else "unfounded"
        handling.conclude(
            tip,
            actor=handler,
            outcome=outcome,
            conclusion=(
                f"经现场核查，{text.working.format(unit=name)[2:]}情况属实，已责令整改。"
                if founded
                else UNFOUNDED_CONCLUSION
            ),
            draft_answer="经核查，您反映的问题属实，已依法处理。感谢您的监督。"
            if founded
            else UNFOUNDED_ANSWER,
            concluded_on=done,
        )
        answer = min(done + dt.timedelta(days=rng.randint(1, 6)), self.today)
        yield _moment(answer, 10)
        tip.refresh_from_db()
        handling.feedback(
            tip,
            actor=custodian,
            public_feedback=tip.public_feedback,
            public_summary=text.summary if founded else "群众反映的问题经核查不属实。",
        )
        self.report.closed += 1
        self.report.founded += founded
        if founded and receipt and not self.report.receipt:
            self.report.receipt = receipt
        # Rewards by the fine: 重大事故隐患 and 非法违法 (the shipped rules; 瞒报 is rewarded per concealed death).
        if case is not None and real and text.category in (MAJOR, ILLEGAL):
            yield from self._reward(tip, answer, rng)

    # ------------------------------------------------------------------------------------------ steps
    def _hazard(self, tip: Any, text: Text, handler: Any, day: dt.date, rng: random.Random) -> Any:
        """登记核查发现的隐患 (source 举报), then the department's 判定: 重大 with a clause of the unit's
        standards when the tip says so and a clause is there to cite, else 一般."""

        hazard = handling.add_hazard(
            tip,
            actor=handler,
            level=Level.GENERAL,
            title=text.hazard,
            discovered_on=day,
            description=f"举报核查发现：{text.working.format(unit=tip.unit_name)}",
        )
        self.report.hazards += 1
        clause = None
        # Most 重大 reports turn out, on checking, to be 一般 hazards: few meet a judgement clause.
        if text.major and tip.enterprise is not None and rng.random() < MAJOR_CONFIRMED_SHARE:
            if self.clauses is None:
                self.clauses = (clause_candidates(), {i.pk: i for i in Industry.objects.all()})
            candidates, industries = self.clauses
            found = clauses_for(tip.enterprise.primary_industry, industries, candidates)
            clause = clause_on(found, day, rng) if found else None
        try:
            with transaction.atomic():
                hazard = hazard_services.confirm(
                    hazard, actor=handler, level=Level.MAJOR if clause else Level.GENERAL, clause=clause
                )
        except Exception as exc:  # left waiting for 判定
            self.report.notes.append(f"{tip.code}: 隐患未判定（{exc}）")
        return hazard

    def _case(
        self,
        tip: Any,
        unit: Enterprise,
        hazard: Any,
        handler: Any,
        department: Any,
        text: Text,
        day: dt.date,
        rng: random.Random,
    ) -> Any:
        """立案 on the tip's hazard, a fine decided the same week (the reward's basis), linked to the tip: 较重
        when the hazard was judged 重大 (or, without a hazard, the tip said so)."""

        major = hazard.level == Level.MAJOR if hazard is not None else text.major
        rule = DiscretionRule.objects.filter(code="AQ102-3" if major else "AQ102-2", active=True).first()
        try:
            with transaction.atomic():
                if hazard is not None and hazard.status == HazardStatus.REPORTED:
                    hazard = hazard_services.confirm(hazard, actor=handler)
                case = enforcement.file_case(
                    actor=handler,
                    department=department,
                    violation=sentence(
                        f"{unit.name}存在事故隐患：{text.hazard or '违法行为'}，经群众举报核查属实"
                    ),
                    filed_on=day,
                    enterprise=unit,
                    hazard=hazard,
                    discretion_rule=rule,
                    involves_major_hazard=major,
                )
                case = enforcement.start_investigation(case, actor=handler, note="根据群众举报立案调查。")
                enforcement.add_measure(
                    case,
                    actor=handler,
                    kind=MeasureKind.FINE,
                    amount=Decimal(rng.choice([20000, 30000, 35000] if major else [10000, 15000, 20000])),
                    details="依法处以罚款。",
                )
                case.refresh_from_db()
                case = enforcement.notify_case(case, actor=handler, notified_on=day)
                case = enforcement.decide_case(case, actor=handler, decided_on=day)
                tip.refresh_from_db()
                handling.link_case(tip, actor=handler, case=case)
        except (
            Exception
        ) as exc:  # the demo stays whole when a case cannot be made (no discretion rules loaded)
            self.report.notes.append(f"{tip.code}: 未立案（{exc}）")
            return None
        self.report.cases += 1
        return case

    def _reward(self, tip: Any, day: dt.date, rng: random.Random) -> Story:
        """拟定 by the office, 审批 by the custodian (a second person), 告知, 申领, 发放 — the most recent one is
        left approved and waiting for the reporter's claim."""

        office, custodian = self.users.get("anweiban"), self.users.get("jubao")
        propose = min(_workday(day + dt.timedelta(days=rng.randint(2, 8))), self.today)
        yield _moment(propose, 9)
        tip.refresh_from_db()
        try:
            reward = rewards.propose_reward(
                tip, actor=office, basis=RewardBasis.FINE, note="按罚款金额计奖。"
            )
        except Exception as exc:
            self.report.notes.append(f"{tip.code}: 未拟定奖励（{exc}）")
            return
        self.report.rewards += 1
        approve = min(_workday(propose + dt.timedelta(days=rng.randint(1, 5))), self.today)
        yield _moment(approve, 10)
        reward.refresh_from_db()
        rewards.approve_reward(reward, actor=custodian, note="经审核，同意奖励。")
        reward.refresh_from_db()
        rewards.notify_reward(reward, actor=custodian, note="已电话告知举报人。")
        claim = approve + dt.timedelta(days=rng.randint(3, 15))
        if claim > self.today:
            return  # waiting for the reporter's claim
        yield _moment(_workday(claim), 10)
        reward.refresh_from_db()
        rewards.record_claim(reward, actor=custodian, note="举报人持查询码和身份证明申领。")
        paid = min(_workday(claim + dt.timedelta(days=rng.randint(1, 7))), self.today)
        yield _moment(paid, 15)
        reward.refresh_from_db()
        rewards.pay_reward(
            reward,
            actor=custodian,
            payment_method="银行转账",
            payment_reference=f"JL{paid:%Y%m%d}{rng.randint(100, 999)}",
            paid_on=paid,
        )


def _department(code: str) -> Any:

    return Department.objects.get(code=code)
