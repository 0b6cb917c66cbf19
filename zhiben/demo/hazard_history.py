"""Three years of hazard history for the demo district (2023 stock through today), through the hazard services.

Every planned hazard is a *story*: a generator that makes one real service call per step (so history, audit,
outbox and the statistics tally are written exactly as in use) and yields the moment of its next step. The
stories run interleaved in time order under time-machine, so each row carries the date it would have had, and
the escalation job runs at every month end against the register as it stood that day.

The shape follows the campaign (seed §三): hazards found in 2023 are the stock and are cleared during 2024; the
number of new 重大 hazards falls in 2025 and 2026; most hazards close on time, some late, a few are rejected,
merged, transferred or extended; today a handful are open, some of them overdue and on the escalation ladder.
qiye1 has a 重大 hazard in rectification and a 一般 hazard waiting for its plan, and 应急管理局 has a 重大
hazard waiting for 销号.

Everything is drawn from `random.Random` seeded with the run's seed, so the same seed and the same day give
the same history. Units whose supervising department has no demo login (and no persona department covering
their industry) get no hazards: nobody could act on them.
"""

from __future__ import annotations

import bisect
import datetime as dt
import heapq
import itertools
import logging
import random
import time
from collections.abc import Callable, Generator, Iterator
from contextlib import contextmanager, suppress
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any, cast

import time_machine
from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from zhiben.accounts.models import User
from zhiben.accounts.roles import Role
from zhiben.accounts.services import assign_role, create_user
from zhiben.core.calendar import CalendarUnavailable, WorkCalendar, publish_calendar_year
from zhiben.core.errors import DomainError
from zhiben.core.models.calendar import CalendarYear
from zhiben.hazards import services
from zhiben.hazards.choices import STOCK_CUTOFF, Level, Source, Status, SupervisionLevel
from zhiben.hazards.models import (
    DeadlineExtension,
    Escalation,
    EscalationRule,
    Hazard,
    HazardProgress,
    HazardQuerySet,
    HazardTransfer,
)
from zhiben.registry.choices import EnterpriseStatus
from zhiben.registry.models import Department, Enterprise, Industry, Region
from zhiben.registry.scoping import industry_ids_of_department
from zhiben.standards.models import Clause, Standard

from .personas import PERSONAS, Persona

log = logging.getLogger(__name__)

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
# A story yields the moment of its next step; a sub-story returns the moment of its last one.
Story = Generator[dt.datetime, None, Any]
ESCALATION_HOUR = 20


# ---- text pools ----------------------------------------------------------------------------------------------

TITLES: dict[str, tuple[str, ...]] = {
    "fire": (
        "灭火器压力不足或超过维修期限",
        "疏散通道堆放杂物",
        "安全出口锁闭",
        "应急照明灯、疏散指示标志损坏",
        "电气线路私拉乱接",
        "电动自行车在室内停放充电",
        "室内消火栓被遮挡",
        "住宿与经营场所未采取有效防火分隔",
        "燃气软管老化未更换",
        "消防控制室值班人员未持证上岗",
        "防火门闭门器损坏",
        "彩钢板搭建的库房未做防火处理",
    ),
    "industry": (
        "设备转动部位防护罩缺失",
        "作业场所安全警示标志缺失",
        "配电箱未上锁，未安装漏电保护装置",
        "有限空间未设置警示标识",
        "作业人员未佩戴劳动防护用品",
        "叉车未按期检验",
        "安全教育培训记录不全",
        "应急预案未按规定组织演练",
        "粉尘清扫制度未落实，积尘较多",
        "隐患排查治理台账不完整",
        "行车吊钩防脱装置失效",
    ),
    "chemical": (
        "储罐区防火堤破损",
        "可燃气体报警仪未按期检定",
        "静电接地线断开",
        "安全阀超期未校验",
        "动火作业票填写不规范",
        "防爆电气设备密封损坏",
        "危险化学品储存未分区分类",
    ),
    "construction": (
        "楼层临边防护栏杆缺失",
        "脚手架连墙件设置不足",
        "安全平网破损未更换",
        "施工临时用电未按三级配电两级保护设置",
        "塔式起重机力矩限制器失灵",
        "基坑边缘1米内堆放材料",
        "作业人员未正确佩戴安全帽",
        "卸料平台未设置限载标识",
    ),
    "gas": (
        "燃气管道走向标识不清",
        "调压箱锈蚀",
        "餐饮用户未安装可燃气体报警器",
        "液化石油气钢瓶超期未检",
        "入户安检记录不全",
    ),
    "transport": (
        "车辆动态监控不在线",
        "驾驶员连续驾驶超过4小时",
        "车载灭火器失效",
        "危险货物运输车辆标志不全",
        "车辆安全例检记录缺失",
    ),
    "equipment": (
        "电梯维护保养超期",
        "锅炉水位计损坏",
        "压力容器安全阀未校验",
        "起重机械限位器失效",
    ),
}
FAMILY_BY_INDUSTRY = {
    "INDTRADE": "industry",
    "WAREHOUSE": "industry",
    "POSTAL": "industry",
    "HAZCHEM": "chemical",
    "FIREWORKS": "chemical",
    "CONSTRUCTION": "construction",
    "GAS": "gas",
    "ROAD": "transport",
    "WATERWAY": "transport",
    "SPECIAL-EQUIP": "equipment",
}
# 工贸 judgement clauses are grouped by sub-sector: cite those of the unit's own sub-sector (or the general ones).
INDTRADE_ARTICLES = {
    "INDTRADE-METAL": "冶金",
    "INDTRADE-NONFERROUS": "有色",
    "INDTRADE-BUILDMAT": "建材",
    "INDTRADE-MACHINE": "机械",
    "INDTRADE-LIGHT": "轻工",
    "INDTRADE-TEXTILE": "纺织",
    "INDTRADE-DUST": "粉尘",
    "INDTRADE-CONFINED": "有限空间",
}
LOCATIONS = {
    "fire": ("营业大厅", "后厨", "仓库", "楼梯间", "二楼住宿区", "配电间"),
    "industry": ("一号生产车间", "二号生产车间", "原料仓库", "配电房", "成品库", "污水处理池"),
    "chemical": ("储罐区", "装卸区", "甲类仓库", "生产装置区", "控制室"),
    "construction": ("3号楼施工现场", "基坑东侧", "塔吊作业区", "钢筋加工场", "生活区"),
    "gas": ("门站", "调压站", "用户端", "钢瓶储存间"),
    "transport": ("停车场", "车辆维修间", "调度室", "营运车辆"),
    "equipment": ("锅炉房", "电梯机房", "空压机房"),
}
# 移送: a hazard found by one department that another supervises; (from, to, title, reason).
TRANSFERS = (
    (
        "fire",
        "market",
        "液化石油气钢瓶超期未检仍在使用",
        "气瓶属特种设备，由市场监管局依法监管，移送处理",
    ),
    (
        "emergency",
        "fire",
        "员工宿舍设置在生产车间内（“三合一”）",
        "属消防安全问题，移送消防救援大队依法处理",
    ),
    ("fire", "emergency", "车间内堆放油漆稀释剂超过一日用量", "涉及危险化学品储存，移送应急管理局处理"),
)
PLAN_MEASURES = (
    "立即停止相关作业，组织专人限期整改，整改后由单位负责人复查",
    "采购更换相关设备设施，完善管理制度并组织全员培训",
    "委托有资质的单位实施整改，整改期间设置警戒区域",
    "按规范重新设置，落实日常巡查责任人",
)
MAJOR_MEASURES = (
    "制定专项治理方案，停产停业整改，委托有资质单位设计施工，整改完成后组织专家验收",
    "对相关装置实施改造，整改期间停用相关设备，落实专人24小时值守",
    "拆除违规设施，重新设计布局，整改后报请监管部门复核",
)
PROGRESS_STEPS = (
    (30, "已制定整改方案并落实资金，相关材料设备已采购"),
    (60, "整改施工过半，已完成主要设施更换"),
    (90, "整改基本完成，正在组织自查"),
)
REJECT_REASONS = (
    "经现场核查，反映的问题不存在，不构成事故隐患",
    "经核查，相关设施符合标准要求，不予认定",
    "举报所涉场所已停业拆除，不构成事故隐患",
)
RETURN_REASONS = ("复核发现整改不彻底，相关设施仍未达到标准要求，退回继续整改",)
EXTENSION_REASONS = (
    "整改需更换关键设备，供货周期较长，申请延期",
    "整改涉及停产改造，需与生产计划衔接，申请延期",
)
STOCK_EXTENSION_REASON = "整改需整体搬迁改造，施工周期长，申请延期至搬迁完成"
LONG_WORKS_PROGRESS = "搬迁改造工程按计划推进，整改期间安全防范措施落实到位"


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


# ---- entry point ---------------------------------------------------------------------------------------------


def seed_hazard_history(
    *, seed: int, actor: Any = None, progress: Callable[[str], None] | None = None
) -> HistoryReport | None:
    """生成隐患历史: None when the register already has hazards (a rerun adds nothing)."""
    if Hazard.objects.unrestricted("demo: idempotence").exists():  # idempotence is about the whole register
        return None
    started = time.perf_counter()
    say = progress or (lambda message: None)
    # One transaction: every step is still its own audited service call (a savepoint), SQLite syncs once, and
    # a run that fails leaves no half history behind for the rerun to skip.
    with transaction.atomic():
        _load_rules(actor)
        now = timezone.localtime()
        _publish_calendar(now.date(), actor)
        history = _History(seed=seed, now=now, actor=actor, say=say)
        with _quiet("zhiben.hazards.escalation"):
            history.run()
        report = history.report
        _count(report, now.date())
    report.seconds = time.perf_counter() - started
    return report


def _load_rules(actor: Any) -> None:
    """Judgement standards, deadline policies and the escalation ladder, unless `load_reference` already did
    (each loader writes an audit row per run, so they are not run twice)."""
    try:
        from zhiben.standards.reference import load_standards
    except ImportError:  # pragma: no cover - the standards loader ships with the standards app
        pass
    else:
        if not Standard.objects.exists():
            load_standards(actor=actor)
    try:
        from zhiben.hazards.reference import load_hazard_rules
    except ImportError:  # pragma: no cover
        pass
    else:
        if not EscalationRule.objects.exists():
            load_hazard_rules(actor=actor)


def _publish_calendar(today: dt.date, actor: Any) -> None:
    """Deadlines set late this year fall next year: the demo publishes each simulated year that neither the
    chinesecalendar package nor the office has, as Monday–Friday and marked for checking."""
    have = set(CalendarYear.objects.values_list("year", flat=True))
    for year in range(HISTORY_START.year, today.year + 2):
        if year in have:
            continue
        with suppress(CalendarUnavailable):  # raised when the package already has the year
            publish_calendar_year(
                year,
                actor=actor,
                source=f"演示：{year}年节假日安排待国务院办公厅发布后核实（暂按周一至周五）",
            )


@contextmanager
def _quiet(name: str) -> Iterator[None]:
    """The escalation job logs one INFO line per run; the demo runs it at every month end."""
    logger = logging.getLogger(name)
    level = logger.level
    logger.setLevel(logging.WARNING)
    try:
        yield
    finally:
        logger.setLevel(level)


def _count(report: HistoryReport, today: dt.date) -> None:
    hazards = cast(HazardQuerySet, Hazard.objects.unrestricted("the demo reports on the whole register"))
    counted = hazards.exclude(status__in=[Status.REJECTED, Status.MERGED])
    report.hazards = hazards.count()
    report.major = counted.filter(level=Level.MAJOR).count()
    report.stock = counted.filter(is_stock=True).count()
    report.stock_closed = counted.filter(is_stock=True, status=Status.CLOSED).count()
    report.closed = counted.filter(status=Status.CLOSED).count()
    report.open = hazards.open().count() + hazards.filter(status=Status.REPORTED).count()
    report.overdue = hazards.overdue(today).count()
    report.rejected = hazards.filter(status=Status.REJECTED).count()
    report.merged = hazards.filter(status=Status.MERGED).count()
    report.transfers = HazardTransfer.objects.unrestricted("demo: the whole register").count()
    report.extensions = DeadlineExtension.objects.unrestricted("demo: the whole register").count()
    report.progress_entries = HazardProgress.objects.unrestricted("demo: the whole register").count()
    report.escalations = Escalation.objects.unrestricted("demo: the whole register").count()


# ---- the simulation ------------------------------------------------------------------------------------------


class _History:
    """One run: plans the hazards from the seed, then plays their stories in time order."""

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

    def run(self) -> None:
        units = self.units()
        if not units:
            return
        plans = self.plan(units)
        self.ensure_reviewers(plans)
        for plan in plans:
            self.schedule(self.story(plan))
        if _escalation_job() is not None:
            self.schedule(self.escalation_story())
        self.simulate()

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
        clauses = _clause_candidates()
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
                    clauses=_clauses_for(industry, industries, clauses),
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
            clause = _clause_on(unit.clauses, day, rng)
            title = title or _title_of(clause)
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

    # -- the scheduler -------------------------------------------------------------------------------------------

    def schedule(self, story: Iterator[dt.datetime]) -> None:
        try:
            when = next(story)
        except StopIteration:
            return
        # The clock never runs backwards: a step planned for earlier the same day happens now instead.
        when = max(when, self.current)
        if when <= self.now:
            heapq.heappush(self.heap, (when, next(self.counter), story))

    def simulate(self) -> None:
        if not self.heap:
            return
        self.current = self.heap[0][0]
        traveller = time_machine.travel(self.current, tick=False)
        clock = traveller.start()
        year = self.heap[0][0].year
        started = time.perf_counter()
        try:
            while self.heap:
                when, _, story = heapq.heappop(self.heap)
                if when.year != year:
                    self.say(f"  隐患历史：{year} 年已生成（{time.perf_counter() - started:.1f} 秒）")
                    year = when.year
                clock.move_to(when)
                self.current = when
                self.schedule(story)
        finally:
            traveller.stop()

    # -- stories -------------------------------------------------------------------------------------------------

    def story(self, plan: Plan) -> Iterator[dt.datetime]:
        """Run one planned hazard; a step a rule refuses ends the story and is reported (the tests expect none)."""
        steps = self.steps(plan)
        while True:
            try:
                yield next(steps)
            except StopIteration:
                return
            except (DomainError, ValidationError) as exc:
                message = getattr(exc, "message", None) or "; ".join(getattr(exc, "messages", [str(exc)]))
                self.report.failures.append(f"#{plan.key} {plan.title}: {message}")
                log.warning("demo hazard %s stopped: %s", plan.key, message)
                return

    def load(self, plan: Plan) -> Hazard:
        # Reloaded at every step: the escalation job and decide_extension change the row behind our back.
        return Hazard.objects.select_related("enterprise", "department").get(pk=self.hazard_ids[plan.key])

    def steps(self, p: Plan) -> Story:
        rng, unit = p.rng, p.unit
        industry_id = unit.enterprise.primary_industry_id
        department = unit.department
        officer = self.officer(department, industry_id)
        t = p.registered_at
        yield t
        if p.fate == "script_reported":
            registrar = self.users[_township_persona(unit)]
        elif p.source == Source.SELF_CHECK and unit.user is not None:
            registrar = unit.user
        else:
            registrar = officer
        hazard = services.register_hazard(
            actor=registrar,
            enterprise=unit.enterprise,
            level=p.level,
            title=p.title,
            discovered_on=p.discovered_on,
            source=p.source,
            clause=p.clause,
            description=_description(p),
            location=p.location,
            finder=_finder(p, registrar),
        )
        self.hazard_ids[p.key] = hazard.pk
        rectifiers = {registrar.pk}
        if p.fate == "script_reported":
            return
        if p.fate == "duplicate":
            t = self.later(t, 0, rng)
            yield t
            services.merge(
                self.load(p),
                actor=officer,
                into=Hazard.objects.get(pk=self.hazard_ids[p.duplicate_of or 0]),
                note="与已登记隐患为同一问题，合并处理",
            )
            return
        if p.fate == "rejected":
            t = self.later(t, rng.randint(1, 4), rng)
            yield t
            services.reject(self.load(p), actor=officer, reason=rng.choice(REJECT_REASONS))
            return
        if p.transfer_to is not None:
            t = self.later(t, rng.randint(0, 1), rng)
            yield t
            services.transfer(
                self.load(p), actor=officer, to_department=p.transfer_to, reason=p.transfer_reason
            )
            department = p.transfer_to
            officer = self.officer(department, industry_id)
        if hazard.status == Status.REPORTED:
            t = self.later(t, 1 if p.fate.startswith("script") else rng.randint(0, 2), rng)
            yield t
            services.confirm(
                self.load(p),
                actor=officer,
                deadline=p.deadline or (self.stock_deadline(p, t) if p.discovered_on <= STOCK_DAY else None),
                supervision_level=p.supervision,
                note="纳入存量隐患清零台账" if p.discovered_on <= STOCK_DAY else "",
            )
        if p.fate == "script_confirmed":
            return
        hazard = self.load(p)
        deadline = hazard.deadline
        assert deadline is not None
        doer = self.unit_actor(p, department)
        rectifiers.add(doer.pk)
        t = self.later(t, 0 if p.fate.startswith("script") else rng.randint(0, 2), rng)
        yield t
        if p.workers_report:
            services.record_workers_report(hazard, actor=doer, reported_on=t.date())
            hazard = self.load(p)
        plan_deadline = max(t.date(), self.workdays.add(deadline, -rng.randint(0, 2)))
        services.submit_plan(hazard, **_plan_values(p, plan_deadline, rng), actor=doer)
        planned = t
        # When the unit finishes, and how many ledger entries it writes on the way.
        if p.fate == "script_rectifying":
            finish = None
            entries = [self.moment(self.workdays.add(self.anchor, -back), rng) for back in (20, 8)]
        elif p.fate == "script_overdue":
            finish = None
            entries = [self.later(planned, 4, rng)]
        elif p.fate == "script_accepted":
            finish = self.workdays.add(self.anchor, -3)
            entries = [self.moment(self.workdays.add(self.anchor, -back), rng) for back in (30, 15)]
        elif p.fate == "open_extended":
            finish = None
            entries = []
        else:
            finish = p.finish or self.finish_day(p, planned.date(), deadline, rng)
            n = rng.randint(1, 3) if p.level == Level.MAJOR else (1 if rng.random() < 0.4 else 0)
            span = self.workdays.between(self.workdays.add(planned.date(), 1), self.workdays.add(finish, -1))
            entries = [self.moment(d, rng) for d in sorted(rng.sample(span, min(n, len(span))))]
        if p.extension or p.fate == "open_extended":
            t = yield from self.extend(p, planned, deadline, doer, officer, rng)
            deadline = self.load(p).deadline or deadline
            if finish is not None:
                finish = self.finish_day(p, t.date(), deadline, rng, late=False)
                span = self.workdays.between(self.workdays.add(t.date(), 1), self.workdays.add(finish, -1))
                entries = [
                    self.moment(d, rng) for d in sorted(rng.sample(span, min(len(entries), len(span))))
                ]
            else:
                # Still open today: a ledger entry about every two months while the works go on.
                step = self.workdays.add(t.date(), 40)
                while step < self.today:
                    entries.append(self.moment(step, rng))
                    step = self.workdays.add(step, 40)
        for i, at in enumerate(entries):
            t = max(at, self.later(t, 0, rng))
            yield t
            if p.fate == "open_extended":
                percent, content = min(90, 10 + 8 * i), LONG_WORKS_PROGRESS
            else:
                percent, content = PROGRESS_STEPS[min(i, len(PROGRESS_STEPS) - 1)]
            services.record_progress(
                self.load(p),
                actor=doer,
                content=content,
                percent=percent,
                entry_on=t.date(),
                funds_spent=_spent(p, percent),
            )
        if finish is None:
            return
        t = yield from self.accept(p, max(self.later(t, 0, rng), self.moment(finish, rng, 9, 12)), doer, rng)
        if p.fate == "script_accepted":
            return
        if p.returned:
            t = self.later(t, rng.randint(1, 2), rng)
            yield t
            services.return_for_rectification(self.load(p), actor=officer, reason=rng.choice(RETURN_REASONS))
            t = self.later(t, rng.randint(2, 4), rng)
            yield t
            services.record_progress(
                self.load(p), actor=doer, content="按复核意见完成补充整改", percent=100, entry_on=t.date()
            )
            t = yield from self.accept(p, self.later(t, 1, rng), doer, rng)
        t = self.later(t, rng.randint(0, 2) if not p.late else 1, rng)
        if not p.late and t.date() > deadline:
            # Reviewed on the deadline day itself (the unit accepted by then; the clock never runs back).
            t = self.moment(deadline, rng, 15, 17.5)
        yield t
        hazard = self.load(p)
        if p.level == Level.MAJOR and officer.pk in rectifiers:
            closer = self.reviewer(officer)  # 销号 by someone who neither registered nor rectified it
        elif p.level == Level.GENERAL and unit.user is not None and registrar.pk == unit.user.pk:
            closer = unit.user  # a 一般 hazard the unit found itself is its own to close
        else:
            closer = officer
        services.close(hazard, actor=closer, note="经复核，整改到位，同意销号")

    def accept(self, p: Plan, at: dt.datetime, doer: User, rng: random.Random) -> Story:
        t = at
        yield t
        services.request_acceptance(self.load(p), actor=doer, note="整改完成，申请验收")
        t = self.later(t, 0 if rng.random() < 0.6 else 1, rng)
        yield t
        principal = p.unit.enterprise.principal_name or "单位负责人"
        services.self_accept(self.load(p), actor=doer, acceptor=principal, accepted_on=t.date())
        return t

    def extend(
        self,
        p: Plan,
        planned: dt.datetime,
        deadline: dt.date,
        doer: User,
        officer: User,
        rng: random.Random,
    ) -> Story:
        """申请延期 a few days before the deadline, and the department's approval."""
        asked = max(self.later(planned, 1, rng).date(), self.workdays.add(deadline, -rng.randint(3, 8)))
        t = self.moment(min(asked, deadline), rng)
        yield t
        if p.fate == "open_extended":
            requested = dt.date(self.today.year + 1, rng.choice((3, 6)), 30)
            reason = STOCK_EXTENSION_REASON
        else:
            requested = self.workdays.add(
                deadline, rng.randint(20, 40) if p.level == Level.MAJOR else rng.randint(5, 10)
            )
            reason = rng.choice(EXTENSION_REASONS)
        ext = services.request_extension(
            self.load(p), actor=doer, requested_deadline=requested, reason=reason
        )
        t = self.later(t, rng.randint(1, 2), rng)
        yield t
        decider = self.reviewer(officer) if doer.pk == officer.pk else officer
        services.decide_extension(ext, actor=decider, approve=True, note="情况属实，同意延期")
        return t

    def finish_day(
        self, p: Plan, planned: dt.date, deadline: dt.date, rng: random.Random, *, late: bool | None = None
    ) -> dt.date:
        """The day the unit asks for acceptance: before the deadline, or a few working days after it."""
        if p.late if late is None else late:
            return self.workdays.add(deadline, rng.randint(1, 6 if p.level == Level.MAJOR else 8))
        days = self.workdays.between(self.workdays.add(planned, 1), self.workdays.add(deadline, -1))
        if not days:
            return self.workdays.add(planned, 1)
        # Most units finish in the second half of the period; the department needs a day or two to review.
        return days[min(len(days) - 1, int(len(days) * rng.triangular(0.3, 0.95, 0.8)))]

    def stock_deadline(self, p: Plan, confirmed: dt.datetime) -> dt.date | None:
        """Stock found in 2023 goes on the campaign's clearance ledger with a 2024 deadline (seed §三)."""
        normal = services.default_deadline(p.level, confirmed.date())
        if p.level == Level.GENERAL and p.discovered_on.month <= 6 and p.rng.random() < 0.35:
            return normal  # rectified in 2023 as usual; the rest waits for the 2024 clearance
        month = p.rng.choice((3, 4, 5, 6, 6, 8, 9, 10, 11))
        day = self.workdays.add(dt.date(STOCK_DAY.year + 1, month, 28), 0)
        return max(day, normal)

    def escalation_story(self) -> Iterator[dt.datetime]:
        """The daily escalation job, run at each month end and once today."""
        apply = _escalation_job()
        assert apply is not None
        month = HISTORY_START
        while True:
            end = (month.replace(day=28) + dt.timedelta(days=4)).replace(day=1) - dt.timedelta(days=1)
            at = dt.datetime.combine(end, dt.time(ESCALATION_HOUR), tzinfo=self.tz)
            if at >= self.now:
                break
            yield at
            self._escalate(apply, end)
            month = end + dt.timedelta(days=1)
        yield self.now
        self._escalate(apply, self.today)

    def _escalate(self, apply: Callable[..., dict[str, int]], day: dt.date) -> None:
        counts = apply(today=day, actor=None)
        self.report.escalation_runs += 1
        if counts.get("failed"):
            self.report.failures.append(f"escalation {day}: {counts}")


# ---- helpers -------------------------------------------------------------------------------------------------


def _escalation_job() -> Callable[..., dict[str, int]] | None:
    try:
        from zhiben.hazards.escalation import apply_escalations
    except ImportError:  # pragma: no cover - the ladder ships with the hazards app
        return None
    return apply_escalations


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


def _township_persona(unit: Unit) -> str:
    region: Region | None = unit.enterprise.region
    names = {p.township: p.username for p in PERSONAS if p.township}
    while region is not None:
        if region.name in names:
            return names[region.name]
        region = region.parent
    return "yingtian"


def _clause_candidates() -> list[tuple[Clause, frozenset[int]]]:
    """Every clause with the industries its standard applies to, in a stable order."""
    clauses = (
        Clause.objects.select_related("version__standard")
        .prefetch_related("version__standard__industries")
        .order_by("version__standard__code", "version__label", "sort_order", "code")
    )
    return [(c, frozenset(i.pk for i in c.version.standard.industries.all())) for c in clauses]


def _clauses_for(
    industry: Industry, industries: dict[int, Industry], candidates: list[tuple[Clause, frozenset[int]]]
) -> list[Clause]:
    """Clauses of the standards for the unit's industry (or a parent industry); 工贸 by sub-sector."""
    chain = []
    node: Industry | None = industry
    while node is not None:
        chain.append(node.pk)
        node = industries.get(node.parent_id) if node.parent_id else None
    matching = [c for c, ids in candidates if any(pk in ids for pk in chain)]
    keyword = INDTRADE_ARTICLES.get(industry.code)
    if keyword:
        # The 通则 item (monitoring and alarm devices must work) is a rule of reading, not a hazard to cite.
        own = [c for c in matching if keyword in c.article or "通用" in c.article]
        matching = own or matching
    return matching


def _clause_on(clauses: list[Clause], day: dt.date, rng: random.Random) -> Clause:
    """A clause of a version in force on `day` if there is one, else of any version that has clauses."""

    def in_force(c: Clause) -> bool:
        v = c.version
        return (v.effective_from is None or v.effective_from <= day) and (
            v.effective_to is None or day < v.effective_to
        )

    return rng.choice([c for c in clauses if in_force(c)] or clauses)


def _title_of(clause: Clause | None) -> str:
    """A hazard named after the clause it meets: its first phrase, without the legal ending."""
    if clause is None:
        return "重大事故隐患"
    text = clause.text.strip().rstrip("。").removesuffix("的")
    for stop in ("；", "。"):
        text = text.split(stop)[0]
    if len(text) > 120:
        cut = text.rfind("，", 0, 120)
        text = text[: cut if cut > 20 else 120]
    return text.removesuffix("的")


def _description(p: Plan) -> str:
    source = Source(p.source).label
    if p.clause is not None:
        return f"{source}发现：{p.title}。判定依据：{p.clause.citation}。"
    return f"{source}发现：{p.title}。"


def _finder(p: Plan, registrar: User) -> str:
    if p.source == Source.SELF_CHECK:
        return "单位安全管理人员"
    return registrar.display_name or registrar.username


def _plan_values(p: Plan, plan_deadline: dt.date, rng: random.Random) -> dict[str, Any]:
    responsible = p.unit.enterprise.principal_name or "单位负责人"
    if p.level == Level.GENERAL:
        return {
            "measures": rng.choice(PLAN_MEASURES),
            "responsible": responsible,
            "plan_deadline": plan_deadline,
            "funds": Decimal(rng.randint(1, 40)) / 10 if rng.random() < 0.5 else None,
        }
    return {
        "goal": f"消除“{p.title}”重大事故隐患，经验收达到判定标准要求",
        "measures": rng.choice(MAJOR_MEASURES),
        "responsible": responsible,
        "plan_deadline": plan_deadline,
        "funds": Decimal(rng.randint(20, 800)) / 10,
        "contingency": "已制定专项应急处置方案，明确应急救援队伍、物资和疏散路线",
        "interim_measures": "隐患区域设置警戒，停止相关作业，安排专人现场监护",
        "stop_production": rng.random() < 0.4,
    }


def _spent(p: Plan, percent: int) -> Decimal | None:
    if p.level != Level.MAJOR:
        return None
    return Decimal(percent * p.rng.randint(5, 60)) / 100
