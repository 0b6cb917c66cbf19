"""The plan of the demo hazard history: which units can have hazards, how many each year, found when and
how, and what happens to each (its fate), drawn from the run's seed before any service is called.
`hazard_history._History` then acts the plan out.
"""

from __future__ import annotations

import bisect
import datetime as dt
import itertools
import random
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from typing import Any

from django.conf import settings
from django.utils import timezone

from zhiben.accounts.models import User
from zhiben.accounts.roles import Role
from zhiben.accounts.services import assign_role, create_user
from zhiben.core.calendar import WorkCalendar
from zhiben.hazards import services
from zhiben.hazards.choices import STOCK_CUTOFF, Level, Source, SupervisionLevel
from zhiben.registry.choices import EnterpriseStatus
from zhiben.registry.models import Department, Enterprise, Industry
from zhiben.registry.scoping import industry_ids_of_department
from zhiben.standards.models import Clause

from .hazard_texts import (
    FAMILY_BY_INDUSTRY,
    LOCATIONS,
    TITLES,
    TRANSFERS,
    clause_candidates,
    clause_on,
    clauses_for,
    title_of,
)
from .personas import PERSONAS, Persona

HISTORY_START = dt.date(2023, 1, 1)
STOCK_DAY = dt.date.fromisoformat(STOCK_CUTOFF)
# Hazards per unit per year. A real district records about one per two units a year; every step here is a full
# audited service call (~15 ms on the reference machine), so the demo keeps one in five to stay near a minute
# for the district. The shape (shares, rates, timing) does not depend on this number.
RATE = 0.1
# Relative volume by year: the 2024 campaign start finds the most; 2026 runs to today.
YEAR_WEIGHTS = {2023: 1.0, 2024: 1.25, 2025: 1.0, 2026: 0.85}
# Share of 重大 among new hazards: fewer each year once the campaign works (seed §三: 2025 新增明显下降).
MAJOR_SHARE = {2023: 0.06, 2024: 0.065, 2025: 0.04, 2026: 0.02}
# Month weights of discovery: the 2023 special campaign (重大事故隐患专项排查整治2023行动) ran from May on.
MONTH_WEIGHTS = {
    2023: (1, 1, 1, 1, 2, 2, 2, 3, 3, 3, 3, 3),
    2024: (2, 2, 3, 3, 3, 3, 2, 2, 2, 2, 2, 2),
}
SOURCES_GENERAL = (
    (Source.SELF_CHECK, 46),
    (Source.INSPECTION, 26),
    (Source.EXPERT, 9),
    (Source.PEER, 4),
    (Source.UNDERCOVER, 5),
    (Source.TIP, 4),
    (Source.MONITORING, 3),
    (Source.ASSIGNED, 2),
    (Source.MEDIA, 1),
)
SOURCES_MAJOR = (
    (Source.INSPECTION, 34),
    (Source.EXPERT, 22),
    (Source.SELF_CHECK, 18),
    (Source.UNDERCOVER, 12),
    (Source.TIP, 6),
    (Source.ASSIGNED, 5),
    (Source.MONITORING, 3),
)
LATE_SHARE: dict[str, float] = {Level.GENERAL: 0.07, Level.MAJOR: 0.08}
EXTENSION_SHARE: dict[str, float] = {Level.GENERAL: 0.02, Level.MAJOR: 0.15}
RETURN_SHARE = 0.08  # 重大 hazards sent back once at 销号 review
WORKERS_REPORT_SHARE = 0.85  # 重大 hazards reported to the workers' congress (安全生产法 Art 41)
PERSONA_DEPARTMENTS = {p.department: p for p in PERSONAS if p.department}
# A persona department that may act for units of departments without a demo login, in this order.
COVER_ORDER = ("emergency", "fire", "market", "transport", "housing")
REVIEWER_SUFFIX = "_fuhe"


# ---- the plan ------------------------------------------------------------------------------------------------


@dataclass
class Unit:
    """A unit that can have hazards: its supervising department and who acts for it in the demo."""

    enterprise: Enterprise
    department: Department
    family: str
    user: User | None  # the unit's own login (qiye1…), if it has one
    weight: float
    clauses: list[Clause]


@dataclass
class Plan:
    """One planned hazard and what will happen to it."""

    key: int
    unit: Unit
    level: str
    source: str
    title: str
    discovered_on: dt.date
    registered_at: dt.datetime
    rng: random.Random
    clause: Clause | None = None
    location: str = ""
    fate: str = "closed"  # closed | rejected | open_extended | duplicate
    late: bool = False
    extension: bool = False
    returned: bool = False
    workers_report: bool = False
    supervision: str = ""
    transfer_to: Department | None = None
    transfer_reason: str = ""
    duplicate_of: int | None = None
    deadline: dt.date | None = None  # set by the department at 判定 (default: the deadline policy)
    finish: dt.date | None = None  # the day the unit asks for acceptance (default: drawn)


@dataclass
class HistoryReport:
    """What the hazard history added (隐患历史), for the printed summary and the audit row."""

    hazards: int = 0
    major: int = 0
    stock: int = 0
    stock_closed: int = 0
    closed: int = 0
    open: int = 0
    overdue: int = 0
    rejected: int = 0
    merged: int = 0
    transfers: int = 0
    extensions: int = 0
    progress_entries: int = 0
    escalations: int = 0
    escalation_runs: int = 0
    reviewers_added: list[str] = field(default_factory=list)
    units: int = 0
    units_without_officer: int = 0
    failures: list[str] = field(default_factory=list)
    seconds: float = 0.0

    def as_data(self) -> dict[str, Any]:
        return {
            "hazards": self.hazards,
            "major": self.major,
            "stock": self.stock,
            "closed": self.closed,
            "open": self.open,
            "overdue": self.overdue,
            "rejected": self.rejected,
            "merged": self.merged,
            "transfers": self.transfers,
            "extensions": self.extensions,
            "escalations": self.escalations,
            "reviewers": self.reviewers_added,
            "failures": len(self.failures),
        }

    def summary(self) -> str:
        cleared = f"{self.stock_closed / self.stock:.1%}" if self.stock else "—"
        return (
            f"隐患历史：新增隐患 {self.hazards:,} 条（重大 {self.major:,} 条，存量 {self.stock:,} 条、已清零 {cleared}），"
            f"已销号 {self.closed:,}，在办 {self.open:,}（其中逾期 {self.overdue:,}），不予认定 {self.rejected:,}，"
            f"合并 {self.merged:,}，移送 {self.transfers:,}，延期 {self.extensions:,}，"
            f"整改台账 {self.progress_entries:,} 条，逾期督办 {self.escalations:,} 次；用时 {self.seconds:.1f} 秒。"
            + (f"另有 {len(self.failures)} 个步骤被业务规则拒绝（见日志）。" if self.failures else "")
        )


class Workdays:
    """Working days of the simulated years as a sorted list, so adding n working days is index arithmetic."""

    def __init__(self, start: dt.date, end: dt.date) -> None:
        cal = WorkCalendar(start, end)
        days = (start + dt.timedelta(days=i) for i in range((end - start).days + 1))
        self.days = [d for d in days if cal.is_workday(d)]

    def index(self, day: dt.date) -> int:
        """Index of `day`, or of the next working day when `day` is not one."""
        return bisect.bisect_left(self.days, day)

    def add(self, day: dt.date, n: int) -> dt.date:
        """The n-th working day after `day` (before it when n < 0); n=0 is `day` or the next working day."""
        i = self.index(day)
        return self.days[max(0, min(len(self.days) - 1, i + n))]

    def between(self, start: dt.date, end: dt.date) -> list[dt.date]:
        return self.days[self.index(start) : self.index(end + dt.timedelta(days=1))]


# ---- the planning --------------------------------------------------------------------------------------------


class HistoryPlan:
    """A run's state, its acting users and clock, and the planning of its hazards (from the seed alone)."""

    def __init__(self, *, seed: int, now: dt.datetime, actor: Any, say: Callable[[str], None]) -> None:
        self.seed = seed
        self.rng = random.Random(f"hazard-history-{seed}")
        self.now = now
        self.today = now.date()
        self.tz = timezone.get_current_timezone()
        self.actor = actor
        self.say = say
        self.report = HistoryReport()
        self.workdays = Workdays(HISTORY_START - dt.timedelta(days=40), dt.date(self.today.year + 1, 12, 31))
        # The last working day before today: scripted end states are anchored on it, so they are all past.
        self.anchor = self.workdays.days[self.workdays.index(self.today) - 1]
        self.current = dt.datetime.combine(HISTORY_START, dt.time(0), tzinfo=self.tz)  # the simulated clock
        self.users = {
            u.username: u
            for u in User.objects.filter(username__in=[p.username for p in PERSONAS]).prefetch_related(
                "role_assignments"
            )
        }
        self.departments = {d.code: d for d in Department.objects.all()}
        self.hazard_ids: dict[int, int] = {}
        self.heap: list[tuple[dt.datetime, int, Iterator[dt.datetime]]] = []
        self.counter = itertools.count()
        self.reviewers: dict[str, User] = {}
        self.scopes: dict[str, frozenset[int]] = {}  # industries of each persona department (三管三必须)

    # -- acting users --------------------------------------------------------------------------------------------

    def officer(self, department: Department, industry_id: int) -> User:
        """The department's persona, or the persona department that co-supervises the industry."""
        persona = PERSONA_DEPARTMENTS.get(department.code)
        if persona is not None:
            return self.users[persona.username]
        for code in COVER_ORDER:
            if industry_id in self.scopes.get(code, frozenset()):
                return self.users[PERSONA_DEPARTMENTS[code].username]
        raise LookupError(department.code)  # excluded when planning

    def reviewer(self, officer: User) -> User:
        """复核员 of the officer's department: closes a 重大 hazard the officer helped rectify."""
        persona = next(p for p in PERSONAS if p.username == officer.username)
        return self.reviewers[persona.department]

    def unit_actor(self, plan: Plan, department: Department) -> User:
        """The unit's own login, or the department entering the unit's paperwork on its behalf."""
        return plan.unit.user or self.officer(department, plan.unit.enterprise.primary_industry_id)

    # -- time ----------------------------------------------------------------------------------------------------

    def moment(self, day: dt.date, rng: random.Random, start: float = 8.5, end: float = 17.5) -> dt.datetime:
        minutes = rng.randint(int(start * 60), int(end * 60))
        return dt.datetime.combine(day, dt.time(minutes // 60, minutes % 60), tzinfo=self.tz)

    def later(self, moment: dt.datetime, workdays: int, rng: random.Random) -> dt.datetime:
        """A moment `workdays` working days after `moment` (0: later the same day, or the next morning)."""
        if workdays <= 0:
            nxt = moment + dt.timedelta(minutes=rng.randint(10, 90))
            if nxt.hour < 18 and nxt.date() == moment.date():
                return nxt
            workdays = 1
        return self.moment(self.workdays.add(moment.date(), workdays), rng)

    # -- planning ------------------------------------------------------------------------------------------------

    def units(self) -> list[Unit]:
        self.scopes = {code: industry_ids_of_department(self.departments[code].pk) for code in COVER_ORDER}
        industries = {i.pk: i for i in Industry.objects.all()}
        lead: dict[int, Department] = {}
        slots = {
            a.enterprise_id: u
            for u in self.users.values()
            for a in u.role_assignments.all()
            if a.role == Role.ENTERPRISE and a.enterprise_id
        }
        clauses = clause_candidates()
        units = []
        # The demo acts for the whole district, so it reads every unit.
        enterprises = (
            Enterprise.objects.unrestricted("demo: the whole district")
            .filter(status__in=[EnterpriseStatus.OPERATING, EnterpriseStatus.SUSPENDED])
            .select_related("primary_industry", "region")
            .order_by("pk")
        )
        for e in enterprises:
            industry = industries[e.primary_industry_id]
            if industry.pk not in lead:
                lead[industry.pk] = services.supervising_department(industry)
            department = lead[industry.pk]
            try:
                self.officer(department, industry.pk)
            except LookupError:
                self.report.units_without_officer += 1
                continue
            root = industry
            while root.parent_id is not None:
                root = industries[root.parent_id]
            family = FAMILY_BY_INDUSTRY.get(root.code, "fire" if root.code != "INDTRADE" else "industry")
            weight = 1.0 + (2.0 if e.is_high_risk else 0.0) + min(e.employees or 0, 300) / 100
            units.append(
                Unit(
                    enterprise=e,
                    department=department,
                    family=family,
                    user=slots.get(e.pk),
                    weight=weight,
                    clauses=clauses_for(industry, industries, clauses),
                )
            )
        self.report.units = len(units)
        return units

    def plan(self, units: list[Unit]) -> list[Plan]:
        rng = self.rng
        plans: list[Plan] = []
        major_units = [u for u in units if u.clauses]
        general_weights = list(itertools.accumulate(u.weight for u in units))
        major_weights = list(
            itertools.accumulate(u.weight + (4.0 if u.enterprise.is_high_risk else 0.0) for u in major_units)
        )
        for year in range(HISTORY_START.year, self.today.year + 1):
            first, last = dt.date(year, 1, 1), min(dt.date(year, 12, 31), self.today - dt.timedelta(days=1))
            if last < first:
                break
            fraction = ((last - first).days + 1) / 365
            weight = YEAR_WEIGHTS.get(year, YEAR_WEIGHTS[max(YEAR_WEIGHTS)])
            count = round(RATE * len(units) * weight * fraction)
            majors = round(count * MAJOR_SHARE.get(year, MAJOR_SHARE[max(MAJOR_SHARE)])) if major_units else 0
            for i in range(count):
                major = i < majors
                pool, cum = (major_units, major_weights) if major else (units, general_weights)
                unit = rng.choices(pool, cum_weights=cum)[0]
                # The persona units' own history closes before today (a 重大 hazard may take 60 working days
                # and an extension); their open items are scripted.
                last_day = min(last, self.today - dt.timedelta(days=240)) if unit.user is not None else last
                if last_day < first:
                    continue
                # 重大 hazards are spread over the quarters, so each quarter has its year-on-year comparison.
                day = self.discovery_day(year, first, last_day, rng, quarter=i % 4 if major else None)
                plans.append(self.new_plan(len(plans), unit, Level.MAJOR if major else Level.GENERAL, day))
        plans.sort(key=lambda p: (p.registered_at, p.key))
        self.assign_fates(plans)
        plans += self.scripted(units, len(plans))
        return plans

    def discovery_day(
        self, year: int, first: dt.date, last: dt.date, rng: random.Random, quarter: int | None = None
    ) -> dt.date:
        months = list(range(first.month, last.month + 1))
        if quarter is not None:
            months = [m for m in months if (m - 1) // 3 == quarter] or months
        weights = MONTH_WEIGHTS.get(year, (1,) * 12)
        month = rng.choices(months, weights=[weights[m - 1] for m in months])[0]
        start = max(first, dt.date(year, month, 1))
        end = min(
            last, (dt.date(year, month, 28) + dt.timedelta(days=4)).replace(day=1) - dt.timedelta(days=1)
        )
        days = self.workdays.between(start, end) or [start]
        return rng.choice(days)

    def new_plan(
        self, key: int, unit: Unit, level: str, day: dt.date, *, source: str | None = None, title: str = ""
    ) -> Plan:
        rng = random.Random(f"hazard-history-{self.seed}-{key}")
        if source is None:
            sources = SOURCES_MAJOR if level == Level.MAJOR else SOURCES_GENERAL
            source = rng.choices([s for s, _ in sources], weights=[w for _, w in sources])[0]
        clause = None
        if level == Level.MAJOR:
            clause = clause_on(unit.clauses, day, rng)
            title = title or title_of(clause)
        title = title or rng.choice(TITLES[unit.family])
        # Found on the day it is registered, or (inspections) a day or two before the record is typed in.
        found = day if source == Source.SELF_CHECK else self.workdays.add(day, -rng.randint(0, 1))
        return Plan(
            key=key,
            unit=unit,
            level=level,
            source=source,
            title=title,
            discovered_on=min(found, day),
            registered_at=self.moment(day, rng),
            rng=rng,
            clause=clause,
            location=rng.choice(LOCATIONS[unit.family]),
            workers_report=level == Level.MAJOR and rng.random() < WORKERS_REPORT_SHARE,
            supervision=(
                (SupervisionLevel.CITY if rng.random() < 0.15 else SupervisionLevel.DISTRICT)
                if level == Level.MAJOR and rng.random() < 0.3
                else ""
            ),
        )

    def assign_fates(self, plans: list[Plan]) -> None:
        """Shares of each fate, with at least one of each kind even in a small district."""
        rng = self.rng
        n = len(plans)
        if not n:
            return
        for p in plans:
            p.late = p.rng.random() < LATE_SHARE[p.level]
            p.extension = not p.late and p.rng.random() < EXTENSION_SHARE[p.level]
            p.returned = p.level == Level.MAJOR and p.rng.random() < RETURN_SHARE
        # 不予认定: mostly tips and undercover visits that did not hold up.
        candidates = [p for p in plans if p.level == Level.GENERAL and p.unit.user is None]
        for p in rng.sample(candidates, min(len(candidates), max(1, round(n * 0.015)))):
            p.fate = "rejected"
            p.source = rng.choice([Source.TIP, Source.TIP, Source.UNDERCOVER, Source.MEDIA])
        # 移送: found by one department, supervised by another.
        moved = 0
        for p in rng.sample(plans, len(plans)):
            if moved >= max(1, round(n * 0.012)):
                break
            options = [t for t in TRANSFERS if t[0] == p.unit.department.code]
            if p.fate != "closed" or p.unit.user is not None or p.level != Level.GENERAL or not options:
                continue
            _, to, title, reason = rng.choice(options)
            p.transfer_to, p.title, p.transfer_reason = self.departments[to], title, reason
            p.source = Source.INSPECTION
            moved += 1
        # Stock that is still open today, under an approved extension (整体搬迁 and the like): about one in 100.
        stock = [
            p for p in plans if p.discovered_on <= STOCK_DAY and p.fate == "closed" and p.unit.user is None
        ]
        hardest = [p for p in stock if p.level == Level.MAJOR] or stock
        for p in rng.sample(hardest, min(len(hardest), round(len(stock) * 0.01))):
            p.fate, p.late, p.extension = "open_extended", False, False
        for flag in ("late", "extension"):
            if not any(getattr(p, flag) for p in plans if p.fate == "closed"):
                p = rng.choice([p for p in plans if p.fate == "closed"])
                p.late, p.extension = flag == "late", flag == "extension"
        # Duplicates (重复报告) of hazards registered while the first report was being judged.
        originals = [
            p
            for p in plans
            if p.fate == "closed"
            and p.unit.user is None
            and p.source != Source.SELF_CHECK
            and not p.transfer_to
            and p.registered_at.date() < self.today - dt.timedelta(days=10)
        ]
        for p in rng.sample(originals, min(len(originals), min(3, max(1, round(n / 250))))):
            day = self.workdays.add(p.registered_at.date(), 0)
            dup = self.new_plan(len(plans), p.unit, p.level, day, source=Source.TIP, title=p.title)
            dup.registered_at = p.registered_at + dt.timedelta(minutes=p.rng.randint(30, 200))
            dup.discovered_on, dup.clause, dup.fate, dup.duplicate_of = (
                p.discovered_on,
                p.clause,
                "duplicate",
                p.key,
            )
            plans.append(dup)

    def scripted(self, units: list[Unit], start: int) -> list[Plan]:
        """End states a visitor should find today, whatever the seed: see the module docstring."""
        by_slot = {u.user.username: u for u in units if u.user is not None}
        out: list[Plan] = []
        rng = random.Random(f"hazard-history-{self.seed}-scripted")

        def add(unit: Unit, level: str, back: int, **values: Any) -> Plan:
            day = self.workdays.add(self.anchor, -back)
            plan = self.new_plan(start + len(out), unit, level, day, source=values.pop("source", None))
            for k, v in values.items():
                setattr(plan, k, v)
            out.append(plan)
            return plan

        for unit in by_slot.values():
            # The persona units' own past: a hazard they found and closed themselves in each campaign year.
            for year in range(HISTORY_START.year + 1, self.today.year + 1):
                last = min(dt.date(year, 6, 30), self.today - dt.timedelta(days=120))
                if last >= dt.date(year, 1, 1):
                    day = self.discovery_day(year, dt.date(year, 1, 1), last, rng)
                    out.append(
                        self.new_plan(start + len(out), unit, Level.GENERAL, day, source=Source.SELF_CHECK)
                    )
        qiye1, qiye2 = by_slot.get("qiye1"), by_slot.get("qiye2")
        if qiye1 is not None and qiye1.clauses:
            # qiye1: a 重大 hazard in rectification, with two ledger entries, due well after today.
            add(
                qiye1,
                Level.MAJOR,
                30,
                source=Source.SELF_CHECK,
                fate="script_rectifying",
                workers_report=True,
            )
        if qiye1 is not None:
            # …and a 一般 hazard the department found yesterday: qiye1 has to submit the plan.
            add(qiye1, Level.GENERAL, 2, source=Source.INSPECTION, fate="script_confirmed")
        if qiye2 is not None and qiye2.clauses:
            # 应急管理局 has a 重大 hazard waiting for 销号 (rectified by qiye2, so yingji may close it).
            add(qiye2, Level.MAJOR, 45, source=Source.SELF_CHECK, fate="script_accepted", workers_report=True)
        plain = [u for u in units if u.user is None]
        majors = [u for u in plain if u.clauses]
        if majors:
            # A 重大 hazard nine working days past its deadline: 函告 and 通报 today.
            add(rng.choice(majors), Level.MAJOR, 70, source=Source.INSPECTION, fate="script_overdue")
        if plain:
            # 一般 hazards past their deadline: one long enough for a 函告, one only just.
            add(rng.choice(plain), Level.GENERAL, 18, source=Source.INSPECTION, fate="script_overdue")
            add(rng.choice(plain), Level.GENERAL, 13, source=Source.SELF_CHECK, fate="script_overdue")
            # A report from today's inspections still waiting for 判定.
            add(rng.choice(plain), Level.GENERAL, 0, source=Source.INSPECTION, fate="script_reported")
        if majors and self.today.year > HISTORY_START.year + 1:
            # Last June a 重大 hazard ran eleven working days late: 函告, 通报 and 约谈 at the month end.
            month_end = dt.date(self.today.year - 1, 6, 30)
            last = self.workdays.days[self.workdays.index(month_end + dt.timedelta(days=1)) - 1]
            deadline = self.workdays.add(last, -11)
            plan = self.new_plan(
                start + len(out),
                rng.choice(majors),
                Level.MAJOR,
                self.workdays.add(deadline, -62),
                source=Source.UNDERCOVER,
            )
            plan.deadline, plan.finish, plan.late = deadline, self.workdays.add(last, 3), True
            out.append(plan)
        if majors:
            # A 重大 report (举报) its department has left unjudged for eight working days: past its 判定
            # deadline, so the weekly job has sent the department its 函告 (the 清单's 待判定 tab shows it).
            add(rng.choice(majors), Level.MAJOR, 8, source=Source.TIP, fate="script_reported")
        return out

    def ensure_reviewers(self, plans: list[Plan]) -> None:
        """One 复核员 per persona department that has a 重大 hazard or an extension to decide on a unit's behalf."""
        needed: set[str] = set()
        for p in plans:
            if p.level == Level.MAJOR or p.extension or p.fate == "open_extended":
                department = p.transfer_to or p.unit.department
                officer = self.officer(department, p.unit.enterprise.primary_industry_id)
                needed.add(next(q.department for q in PERSONAS if q.username == officer.username))
        for code in sorted(needed):
            persona = PERSONA_DEPARTMENTS[code]
            username = persona.username + REVIEWER_SUFFIX
            user = User.objects.filter(username=username).first()
            if user is None:
                user = _create_reviewer(persona, username, actor=self.actor)
                self.report.reviewers_added.append(username)
            self.reviewers[code] = User.objects.prefetch_related("role_assignments").get(pk=user.pk)


def _create_reviewer(persona: Persona, username: str, *, actor: Any) -> User:
    """复核员 (demo only): a second user of the department, for 销号 by someone who did not rectify."""
    user = create_user(
        actor=actor,
        username=username,
        password=settings.DEMO_PASSWORD,
        display_name=persona.display_name.replace("监管员", "").replace("监督员", "") + "复核员",
        organisation=persona.organisation,
        phone=f"1390731{PERSONAS.index(persona):04d}",
        validate=False,
    )
    assign_role(
        user, actor=actor, role=Role.DEPARTMENT, department=Department.objects.get(code=persona.department)
    )
    return user
