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
from zhiben.hazards.services import supervising_department
from zhiben.registry.choices import EnterpriseStatus
from zhiben.registry.models import Department, Enterprise, Industry, Region
from zhiben.tips.choices import RewardBasis
from zhiben.tips.models import InternalReport, Tip
from zhiben.tips.reminders import apply_tip_escalations, send_tip_reminders
from zhiben.tips.services import handling, rewards
from zhiben.tips.services import internal as services
from zhiben.tips.services.intake import submit_tip

from .hazard_history import _publish_calendar
from .hazard_texts import clause_candidates, clause_on, clauses_for
from .names import mobile_phone, person_name

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
    receipt: str = ""  # one closed tip's receipt code, for a visitor to try /tips/status/ (never audited)

    def summary(self) -> str:
        return (
            f"举报奖励：举报 {self.tips} 件（办结 {self.closed}，属实 {self.founded}，登记隐患 {self.hazards}，"
            f"立案 {self.cases}，奖励 {self.rewards}，逾期 {self.overdue}，待办 {self.waiting}），"
            f"企业内部举报 {self.internal} 件，用时 {self.seconds:.1f} 秒"
            + (f"；演示查询码 {self.receipt}（/tips/status/ 查看办理结果）" if self.receipt else "")
        )

    def as_data(self) -> dict[str, Any]:
        return {k: v for k, v in self.__dict__.items() if k not in ("notes", "receipt")}


@contextmanager
def _at(day: dt.date, hour: int = 10) -> Iterator[None]:
    """Act at `hour` on `day`, never later than a few minutes ago: today's steps must not be dated in the future
    (a seed run at 4 a.m. showed 办结 at 16:00)."""
    when = dt.datetime(day.year, day.month, day.day, hour, 0, tzinfo=TZ)
    latest = timezone.now() - dt.timedelta(minutes=5)
    with time_machine.travel(min(when, latest), tick=False):
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
        _publish_calendar(today, actor)
        seed_internal_reports(random.Random(seed * 7919 + 13), today, actor, report)
        _Year(rng=rng, today=today, actor=actor, report=report).run()
    report.seconds = time.perf_counter() - started
    return report


# ------------------------------------------------------------------------------------------------------- tips


@dataclass(frozen=True)
class Text:
    """One believable tip: the reporter's words (`original`, may say who they are), the custodian's 另行编辑 copy
    (`working`), the industries of the unit it is about, and how a check ends."""

    category: str
    industries: tuple[str, ...]  # industry code prefixes of the unit; () with `unit`: an unregistered one
    original: str
    working: str
    hazard: str = ""  # the hazard a founded check registers ("" for none)
    major: bool = False
    summary: str = ""  # the anonymised public summary of a founded one
    unit: str = ""  # an unregistered subject (非法违法)
    founded: float = 0.7  # the chance the check finds it founded


HAZARD, MAJOR, ILLEGAL, CONCEALED = "hazard", "major_hazard", "illegal", "concealed"

TEXTS: tuple[Text, ...] = (
    Text(
        HAZARD,
        ("FIRE-SMALL", "COMMERCE"),
        "我在{unit}隔壁开店，经常看到他们后厨的液化气钢瓶就放在灶台边上，连接的软管都老化开裂了，也没装燃气报警器，"
        "太吓人了，请你们管一管。",
        "反映{unit}后厨液化气钢瓶紧靠灶台存放，连接软管老化开裂，未安装可燃气体报警装置。",
        "后厨液化气钢瓶与灶具安全距离不足、软管老化",
        summary="某餐饮店后厨液化气钢瓶存放不规范、软管老化，已责令立即整改，现已更换软管并加装报警装置。",
    ),
    Text(
        HAZARD,
        ("COMMERCE", "FIRE-SMALL"),
        "{unit}二楼的安全出口被一堆货物堵死了，消防通道上停满了电动车，晚上关门后卷帘门直接上锁。我每天去买菜都看到。",
        "反映{unit}二楼安全出口被货物堵塞，消防通道被电动车占用，夜间卷帘门上锁。",
        "安全出口堵塞、消防通道被占用",
        summary="某市场安全出口堵塞、消防车通道被占用，已督促清理并建立每日巡查制度。",
    ),
    Text(
        HAZARD,
        ("CONSTRUCTION",),
        "我是{unit}工地上做钢筋的，四楼以上的临边没有防护栏杆，外架上干活的人安全带都不系，出了事谁负责？",
        "反映{unit}在建楼栋四层以上临边未设置防护栏杆，外脚手架作业人员未系挂安全带。",
        "楼层临边防护缺失、高处作业未系安全带",
        summary="某在建工地临边防护缺失、高处作业未系安全带，已责令限期整改，防护设施已补齐。",
    ),
    Text(
        HAZARD,
        ("INDTRADE",),
        "{unit}车间冲床的防护罩被拆了好久，新来的工人没培训就直接上机，我表弟手指就差点被压了。",
        "反映{unit}车间冲床安全防护装置被拆除，新员工未经安全培训即上岗操作。",
        "冲床安全防护装置缺失、员工未经培训上岗",
        summary="某机械加工企业冲床防护装置缺失、员工未经培训上岗，已责令整改并开展全员培训。",
    ),
    Text(
        HAZARD,
        ("WAREHOUSE", "FIRE-LABOUR", "COMMERCE"),
        "{unit}仓库里的货堆到顶棚了，灭火器都过期一年多，消火栓被货架挡着，根本打不开。",
        "反映{unit}仓库货物堆垛过高，灭火器过期，室内消火栓被货架遮挡。",
        "仓库消防设施失效、堆垛过高",
        summary="某仓库消防器材过期、消火栓被遮挡，已责令更换器材、清理通道。",
        founded=0.6,
    ),
    Text(
        HAZARD,
        ("SPECIAL-EQUIP", "COMMERCE", "FIRE-HIGHRISE"),
        "{unit}的电梯检验合格证过期大半年了，上个月还困过人，物业说没钱修。",
        "反映{unit}电梯超期未检验，曾发生困人。",
        "电梯超期未检验",
        summary="某场所电梯超期未检，已责令停用并完成定期检验。",
        founded=0.6,
    ),
    Text(
        HAZARD,
        ("ROAD",),
        "{unit}的货车天天超载，司机一开就是十几个小时不休息，GPS都被他们拔了。",
        "反映{unit}货运车辆超载，驾驶员疲劳驾驶，车载卫星定位装置被拆除。",
        "车辆动态监控装置被拆除、驾驶员疲劳驾驶",
        summary="某运输企业车辆动态监控失效、驾驶员疲劳驾驶，已责令整改并对企业约谈。",
        founded=0.5,
    ),
    Text(
        HAZARD,
        ("HAZCHEM-TRADE",),
        "{unit}加油站晚上卸油的时候没人看着，静电接地夹也不夹，我路过好几次都看到了。",
        "反映{unit}夜间卸油作业无人监护，未连接静电接地装置。",
        "卸油作业无人监护、未连接静电接地",
        summary="某加油站卸油作业管理不规范，已责令整改并加强作业监护。",
    ),
    Text(
        MAJOR,
        ("HAZCHEM",),
        "{unit}储罐区的可燃气体报警器坏了好几个月了，一直没人修，罐区旁边还经常有人抽烟。我在厂里上班，不敢实名说。",
        "反映{unit}储罐区可燃气体报警装置长期故障未修复，罐区周边有吸烟现象。",
        "储罐区可燃气体检测报警装置失效",
        major=True,
        summary="某化工企业储罐区可燃气体报警装置失效，经核查属实，已按重大事故隐患挂牌督办并立案处罚。",
    ),
    Text(
        MAJOR,
        ("GAS",),
        "{unit}给没有检验标识的钢瓶充气，过期的瓶子也照样充，还往小饭店送。",
        "反映{unit}为未经检验、超期未检的气瓶充装液化石油气并对外配送。",
        "为超期未检气瓶充装液化石油气",
        major=True,
        summary="某燃气经营单位违规充装超期未检气瓶，经核查属实，已立案处罚并责令停业整改。",
    ),
    Text(
        MAJOR,
        ("INDTRADE",),
        "{unit}抛光车间粉尘特别大，除尘器一直不开，车间里用的都是普通插座和电扇，我们都很担心会爆炸。",
        "反映{unit}抛光车间粉尘积聚，除尘系统停用，作业场所使用非防爆电气设备。",
        "粉尘作业场所除尘系统停用、使用非防爆电气",
        major=True,
        summary="某企业粉尘涉爆作业场所除尘系统停用，经核查属实，已责令停产整改并立案处罚。",
    ),
    Text(
        MAJOR,
        ("CONSTRUCTION",),
        "{unit}深基坑边上堆满了土方和钢筋，也没见有人做监测，坑壁已经开裂了，旁边就是马路。",
        "反映{unit}深基坑周边超载堆放土方和材料，未开展基坑监测，坑壁出现裂缝。",
        "深基坑周边超载堆载、未开展监测",
        major=True,
        summary="某在建项目深基坑超载堆载且未监测，经核查属实，已责令停工整改并立案查处。",
        founded=0.8,
    ),
    Text(
        MAJOR,
        ("FIRE-LABOUR", "INDTRADE-TEXTILE", "INDTRADE-LIGHT"),
        "{unit}厂房和员工宿舍在同一栋楼，宿舍只有一个楼梯能下去，晚上还上锁。我老婆就住那里。",
        "反映{unit}生产厂房与员工宿舍设在同一建筑内，宿舍仅有一部疏散楼梯且夜间上锁。",
        "员工宿舍与生产厂房设在同一建筑内",
        major=True,
        summary="某企业“三合一”场所违规住人，经核查属实，已责令搬离宿舍并立案处罚。",
    ),
    Text(
        MAJOR,
        ("FIREWORKS",),
        "{unit}仓库里的烟花爆竹堆得满满的，远远超过核定的量，库房边上就是住户。",
        "反映{unit}仓库超量储存烟花爆竹，库房与居民住宅距离不足。",
        "烟花爆竹仓库超量储存",
        major=True,
        summary="某烟花爆竹经营单位超量储存，经核查属实，已责令转移超量产品并立案处罚。",
    ),
    Text(
        ILLEGAL,
        (),
        "我们村路边有一个没挂牌子的仓库，里面全是烟花爆竹，晚上经常有面包车来拉货，离小学不到三百米。",
        "反映某村道路旁一处无标识仓库存放烟花爆竹，夜间有车辆装运。",
        unit="无证烟花爆竹储存点",
        summary="群众反映的无证储存烟花爆竹窝点经核查属实，已依法取缔，物品已收缴销毁。",
        founded=0.9,
    ),
    Text(
        ILLEGAL,
        (),
        "镇上那个废品收购站在院子里拆报废车，气割的火花到处飞，旁边还堆着轮胎和废油桶。",
        "反映某废品收购站在露天场地违规拆解报废机动车，动火作业周边堆放可燃物。",
        unit="路口废品收购站（无照）",
        summary="某废品收购站无资质拆解报废车辆，已责令停止违法行为并移送相关部门查处。",
    ),
    Text(
        ILLEGAL,
        ("HAZCHEM-TRADE", "COMMERCE"),
        "{unit}没有危化品经营许可证，店里偷偷卖油漆稀释剂和液化气，我买过。",
        "反映{unit}无危险化学品经营许可证销售稀释剂、液化石油气。",
        "无证经营危险化学品",
        summary="某商户无证经营危险化学品，经核查属实，已责令停止经营并立案处罚。",
        founded=0.6,
    ),
    Text(
        CONCEALED,
        ("INDTRADE",),
        "{unit}上个月有个工人在车间被机器卷伤，送到医院后单位私下赔了钱，叫大家不要往外说，一直没有上报。"
        "我是他工友，留个电话方便核实。",
        "反映{unit}上月发生一起机械伤害事故，一名工人受伤送医，单位私了未按规定报告。",
        "机械设备转动部位防护缺失",
        summary="某企业发生生产安全事故后未按规定报告，经核查属实，已依法立案查处。",
        founded=1.0,
    ),
)
UNFOUNDED_ANSWER = "经现场核查，您反映的问题未发现，举报不属实。感谢您对安全生产工作的关心和支持。"
UNFOUNDED_CONCLUSION = "承办人员到现场核查，未发现举报反映的问题，调阅相关记录和监控亦未见异常。"
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
        while stories:
            moment, n, story = heapq.heappop(stories)
            with time_machine.travel(moment, tick=False):
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
        if text.major and tip.enterprise is not None:
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
        """立案 on the tip's hazard, a fine decided the same week (the reward's basis), linked to the tip."""

        major = text.major
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
