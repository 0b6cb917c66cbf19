"""Demo 培训演练 (2024 to today): the year's theme sessions with their attendance (a few audience units missing,
so 应训未训 has names), the inspectors' round, 开工第一课 for this year's construction projects, certificates of the
high-risk units' key people (a few expiring within 90 days, a few expired), drills (a few units overdue), emergency
plans, two rescue teams with members and supplies, township depots and 宣传 activities, and the 从业人员名册 of a
handful of units (a few dispatched, flexible and contractor workers; a few short of pre-job or annual hours).

Sessions and a few drills go through the services (history, audit rows); the many attendance, certificate and
drill rows are bulk-created. Dates are relative to today (the themes' years are the plan's 2024–2026).
Idempotent: skipped when any training session exists."""

from __future__ import annotations

import datetime as dt
import random
from collections.abc import Callable
from decimal import Decimal
from typing import Any

from django.db import transaction
from django.utils import timezone

from zhiben.accounts.models import User
from zhiben.core.crypto import blind_index
from zhiben.inspections.models import Inspector
from zhiben.registry.choices import PersonRole
from zhiben.registry.models import Department, Enterprise, Person, Region
from zhiben.sourcecontrol.models import ConstructionProject
from zhiben.training import duties
from zhiben.training.choices import (
    AttendeeRole,
    DrillKind,
    DrillStatus,
    Employment,
    OrganiserKind,
    PlanLevel,
    PublicityKind,
    SessionKind,
    SignIn,
    SupplyCategory,
    TeamLevel,
    WorkerTrainingKind,
)
from zhiben.training.models import (
    Attendance,
    Certificate,
    CertificateType,
    Drill,
    EmergencyPlan,
    EmergencySupply,
    PublicityActivity,
    TeamMember,
    TrainingSession,
    TrainingTheme,
    Worker,
    WorkerTraining,
)
from zhiben.training.services import drills, resources, sessions
from zhiben.training.services.sessions import person_key
from zhiben.training.services.workers import _CHECK, _WEIGHTS

REASON = "demo history"
SURNAMES = "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗"
GIVEN = ("建华", "国强", "志明", "海燕", "秀英", "立新", "春生", "红梅", "德胜", "桂兰", "永红", "晓东")


def _name(rng: random.Random) -> str:
    return rng.choice(SURNAMES) + rng.choice(GIVEN)


def _at(day: dt.date, hour: int = 9) -> dt.datetime:
    return timezone.make_aware(dt.datetime.combine(day, dt.time(hour, 0)))


def _session(actor: Any, *, day: dt.date, close: bool = True, **data: Any) -> TrainingSession:
    s = sessions.create_session(actor=actor, held_on=day, **data)
    sessions.open_session(s, actor=actor)
    if close:
        sessions.close_session(s, actor=actor)
    s.history.update(at=_at(day))
    return s


def _attend(
    session: TrainingSession, units: list[tuple[Enterprise, str]], rng: random.Random, exam: bool
) -> int:
    rows = []
    for i, (e, role) in enumerate(units):
        name = e.principal_name if role == AttendeeRole.PRINCIPAL and e.principal_name else _name(rng)
        score = rng.randint(72, 98) if exam else None
        rows.append(
            Attendance(
                session=session,
                enterprise=e,
                name=name,
                role=role,
                person_key=person_key(enterprise=e, name=f"{name}#{i}"),
                signed_at=_at(session.held_on, 8),
                via=SignIn.QR,
                score=score,
                passed=(score >= 80) if score is not None else None,
            )
        )
    Attendance.objects.bulk_create(rows)
    return len(rows)


def seed_training(
    *, seed: int, actor: Any = None, progress: Callable[[str], None] | None = None
) -> dict[str, int] | None:
    if TrainingSession.objects.unrestricted(REASON).exists():
        return None
    users = {u.username: u for u in User.objects.filter(username__in=["anweiban", "yingji", "xiaofang"])}
    if len(users) < 3:
        return None
    say = progress or (lambda message: None)
    rng = random.Random(seed * 16 + 7)
    today = timezone.localdate()
    dept = {d.code: d for d in Department.objects.all()}
    towns = list(Region.objects.filter(level=4).order_by("code"))
    units = Enterprise.objects.unrestricted(REASON).operating()
    counts = {"sessions": 0, "attendance": 0, "certificates": 0, "drills": 0}
    with transaction.atomic():
        # --- the year's theme sessions: most of the audience attends, a few do not (应训未训) ---------------------
        for theme in TrainingTheme.objects.unrestricted(REASON).filter(year__lte=today.year).order_by("year"):
            day = min(dt.date(theme.year, 5, 16), today - dt.timedelta(days=7))
            audience = duties.audience_units(theme, units)
            if not audience:
                continue
            organiser = dept["fire"] if "消防" in theme.name and theme.year > 2024 else dept["emergency"]
            s = _session(
                users["xiaofang"] if organiser.code == "fire" else users["yingji"],
                day=day,
                title=f"{theme.year}年{theme.name}",
                kind=SessionKind.THEME,
                theme=theme,
                organiser_kind=OrganiserKind.DEPARTMENT,
                department=organiser,
                hours=Decimal(8),
                place="屈原管理区应急指挥中心",
                content="安全生产法律法规；主要负责人安全生产职责；重大事故隐患判定标准及典型案例；事故警示教育。",
                covers_major_hazard=True,
                exam=True,
            )
            counts["sessions"] += 1
            attending = [(e, role) for e, role, _label in audience if rng.random() < 0.85]
            counts["attendance"] += _attend(s, attending, rng, exam=True)

        # --- the inspectors' round (2024–2026) ----------------------------------------------------------------------
        roster = list(Inspector.objects.unrestricted(REASON).filter(active=True).order_by("pk"))
        if roster:
            day = min(dt.date(2025, 9, 18), today - dt.timedelta(days=7))
            s = _session(
                users["anweiban"],
                day=day,
                title="全区安全监管执法人员集中轮训（第一轮）",
                kind=SessionKind.INSPECTORS,
                organiser_kind=OrganiserKind.BODY,
                body_name="岳阳市应急管理培训中心",
                department=dept["emergency"],
                hours=Decimal(24),
                content="重大事故隐患判定标准；执法文书制作；行政处罚自由裁量基准；现场检查实务。",
                covers_major_hazard=True,
            )
            trained = [i for i in roster if rng.random() < 0.7]
            Attendance.objects.bulk_create(
                Attendance(
                    session=s,
                    inspector=i,
                    name=i.name,
                    role=AttendeeRole.INSPECTOR,
                    person_key=person_key(inspector=i),
                    signed_at=_at(day, 8),
                    via=SignIn.QR,
                )
                for i in trained
            )
            counts["sessions"] += 1
            counts["attendance"] += len(trained)

        # --- 开工第一课 for this year's construction projects (most of them) ----------------------------------------
        projects = list(
            ConstructionProject.objects.unrestricted(REASON)
            .filter(start_date__year=today.year, start_date__lte=today)
            .select_related("builder")
            .order_by("pk")[:12]
        )
        for p in projects[: max(len(projects) - 2, 0)]:
            s = _session(
                users["anweiban"],
                day=p.start_date,
                title=f"{p.name}开工第一课",
                kind=SessionKind.FIRST_LESSON,
                organiser_kind=OrganiserKind.ENTERPRISE,
                enterprise=p.builder,
                project=p,
                hours=Decimal(2),
                content="施工现场安全风险、重大事故隐患判定标准（房屋市政工程）、应急疏散。",
                covers_major_hazard=True,
            )
            counts["sessions"] += 1
            counts["attendance"] += _attend(
                s, [(p.builder, AttendeeRole.WORKER)] * rng.randint(3, 8), rng, exam=False
            )
            PublicityActivity.objects.create(
                kind=PublicityKind.FIRST_LESSON,
                title=f"{p.name}开工第一课讲安全",
                held_on=p.start_date,
                township=p.township,
                enterprise=p.builder,
                reach=rng.randint(40, 160),
                description="项目负责人讲授开工第一课，全体进场作业人员参加。",
            )

        # --- certificates of the high-risk units' key people ------------------------------------------------------
        types = {t.code: t for t in CertificateType.objects.unrestricted(REASON)}
        high = list(units.filter(is_high_risk=True).order_by("pk")[:150])
        certs: list[Certificate] = []
        serial = 0
        managers: dict[int, Person] = {}
        for person in (
            Person.objects.unrestricted(REASON)
            .filter(enterprise__in=high, role=PersonRole.SAFETY_MANAGER)
            .order_by("pk")
        ):
            managers.setdefault(person.enterprise_id, person)
        for e in high:
            manager = managers.get(e.pk)
            if manager is not None and rng.random() < 0.1:
                manager = None  # a few safety managers hold no certificate: 无证 in the unit's file
            for code, holder, person in (
                ("principal", e.principal_name or _name(rng), None),
                ("safety_manager", manager.name if manager else _name(rng), manager),
            ):
                if code == "safety_manager" and manager is None and e.pk in managers:
                    continue
                serial += 1
                start = today - dt.timedelta(days=rng.randint(30, 3 * 365 - 30))
                certs.append(
                    Certificate(
                        enterprise=e,
                        person=person,
                        holder_name=holder,
                        kind=types[code],
                        number=f"43067{today.year % 100:02d}{serial:06d}",
                        issuer=types[code].issuer,
                        valid_from=start,
                        valid_to=start + dt.timedelta(days=3 * 365),
                    )
                )
            if rng.random() < 0.6:
                serial += 1
                ct = types["special_operation"]
                start = today - dt.timedelta(days=rng.randint(60, 6 * 365 - 60))
                certs.append(
                    Certificate(
                        enterprise=e,
                        holder_name=_name(rng),
                        kind=ct,
                        operation=rng.choice(ct.operations),
                        number=f"6{serial:08d}43067",
                        issuer=ct.issuer,
                        valid_from=start,
                        valid_to=start + dt.timedelta(days=6 * 365),
                        review_due=start + dt.timedelta(days=3 * 365),
                    )
                )
        # A few expiring within 90 days and a few expired, whatever the draw gave.
        for c, days in zip(certs[:6], (12, 25, 48, 75, -20, -140), strict=False):
            c.valid_to = today + dt.timedelta(days=days)
            c.valid_from = c.valid_to - dt.timedelta(days=3 * 365)
        Certificate.objects.bulk_create(certs)
        counts["certificates"] = len(certs)

        # --- drills: this year's and last year's, a few units overdue --------------------------------------------
        rows: list[Drill] = []
        for e in units.order_by("pk"):
            for year in (today.year - 1, today.year):
                for _label, start, end in duties.periods(year, 2 if e.is_high_risk else 1):
                    if start > today or rng.random() < (0.12 if year == today.year else 0.05):
                        continue
                    span = (min(end, today) - start).days
                    on = start + dt.timedelta(days=rng.randint(0, max(span, 0)))
                    rows.append(
                        Drill(
                            enterprise=e,
                            kind=DrillKind.EVACUATION if rng.random() < 0.8 else DrillKind.COMPREHENSIVE,
                            scenario=rng.choice(
                                (
                                    "火灾疏散逃生",
                                    "危险化学品泄漏处置",
                                    "有限空间中毒窒息救援",
                                    "触电事故现场处置",
                                )
                            )
                            if e.is_high_risk
                            else "火灾疏散逃生",
                            planned_on=on,
                            held_on=on,
                            participants=rng.randint(12, 180),
                            evaluation="疏散有序，用时符合预案要求；个别岗位人员对集合点不熟悉。",
                            improvements="加强新员工应急疏散培训，增设疏散指示标志。",
                            status=DrillStatus.DONE,
                        )
                    )
        Drill.objects.bulk_create(rows, batch_size=500)
        counts["drills"] = len(rows)
        # Two planned ones through the service (their page shows the 记录实施 step).
        for e in high[:2]:
            drills.plan_drill(
                actor=None,
                enterprise=e,
                kind=DrillKind.SPECIAL,
                scenario="储罐区泄漏专项演练",
                planned_on=today + dt.timedelta(days=20),
            )

        # --- emergency plans of high-risk units ------------------------------------------------------------------
        plans = []
        for i, e in enumerate(high[:60]):
            filed = today - dt.timedelta(days=rng.randint(200, 3 * 365 - 10)) if i % 7 else None
            due = drills.review_due(filed, None, today)
            plans.append(
                EmergencyPlan(
                    enterprise=e,
                    name=f"{e.name}生产安全事故综合应急预案",
                    level=PlanLevel.COMPREHENSIVE,
                    filed_on=filed,
                    filing_number=f"屈应急预备〔{filed.year}〕{i + 1}号" if filed else "",
                    filed_with=dept["emergency"] if filed else None,
                    review_due=due if filed else today + dt.timedelta(days=30),
                )
            )
        EmergencyPlan.objects.bulk_create(plans)

        # --- rescue teams, members, supplies ---------------------------------------------------------------------
        district = resources.save_team(
            None,
            actor=None,
            name="屈原管理区危险化学品应急救援队",
            level=TeamLevel.DISTRICT,
            department=dept["emergency"],
            speciality="危险化学品泄漏、火灾爆炸处置",
            leader="周海涛",
            phone="13907301101",
            equipment="防化服 20 套、正压式空气呼吸器 16 具、堵漏工具 4 套、气体检测仪 6 台、抢险救援车 2 辆",
        )
        yingtian = next((t for t in towns if t.name == "营田镇"), towns[0] if towns else None)
        township_team = resources.save_team(
            None,
            actor=None,
            name=f"{yingtian.name}防汛抢险救援队" if yingtian else "乡镇防汛抢险救援队",
            level=TeamLevel.TOWNSHIP,
            township=yingtian,
            speciality="防汛抢险、水上救援",
            leader="罗志刚",
            phone="13907301102",
            equipment="冲锋舟 2 艘、救生衣 60 件、排水泵 4 台",
        )
        for team, names in ((district, 8), (township_team, 6)):
            TeamMember.objects.bulk_create(
                TeamMember(
                    team=team,
                    name=_name(rng),
                    duty="队长" if i == 0 else "队员",
                    certificate="应急救援员（四级）" if i % 2 == 0 else "",
                    certificate_valid_to=today + dt.timedelta(days=rng.randint(100, 1000))
                    if i % 2 == 0
                    else None,
                )
                for i in range(names)
            )
        supplies = []
        for t in towns:
            supplies += [
                EmergencySupply(
                    name="救生衣",
                    category=SupplyCategory.DRAINAGE,
                    quantity=rng.randint(40, 120),
                    unit="件",
                    township=t,
                    location=f"{t.name}应急物资储备点",
                    keeper=_name(rng),
                ),
                EmergencySupply(
                    name="手抬机动泵",
                    category=SupplyCategory.DRAINAGE,
                    quantity=rng.randint(2, 6),
                    unit="台",
                    township=t,
                    location=f"{t.name}应急物资储备点",
                    keeper=_name(rng),
                ),
                EmergencySupply(
                    name="灭火器",
                    category=SupplyCategory.FIRE,
                    quantity=rng.randint(30, 90),
                    unit="具",
                    township=t,
                    location=f"{t.name}微型消防站",
                ),
            ]
        if yingtian is not None:
            supplies.append(
                EmergencySupply(
                    name="冲锋舟",
                    category=SupplyCategory.RESCUE,
                    quantity=2,
                    unit="艘",
                    township=yingtian,
                    location="营田镇防汛仓库",
                    team=township_team,
                )
            )
        district_depot = towns[0] if towns else None
        if district_depot is not None:
            supplies.append(
                EmergencySupply(
                    name="防化服",
                    category=SupplyCategory.PROTECTION,
                    quantity=20,
                    unit="套",
                    township=district_depot,
                    location="区应急物资储备库",
                    team=district,
                )
            )
        EmergencySupply.objects.bulk_create(supplies)

        counts["workers"] = _seed_workers(units, rng, today)

        # --- 宣传 ----------------------------------------------------------------------------------------------------
        acts = []
        for year in range(2024, today.year + 1):
            for t in towns:
                june = dt.date(year, 6, rng.randint(3, 26))
                if june <= today:
                    acts.append(
                        PublicityActivity(
                            kind=PublicityKind.SAFETY_MONTH,
                            title=f"{year}年“安全生产月”{t.name}咨询日",
                            held_on=june,
                            township=t,
                            reach=rng.randint(300, 2500),
                            description="设咨询台、发放宣传资料、播放警示教育片。",
                        )
                    )
                nov = dt.date(year, 11, rng.randint(3, 26))
                if nov <= today:
                    acts.append(
                        PublicityActivity(
                            kind=PublicityKind.FIRE_MONTH,
                            title=f"{year}年消防宣传月{t.name}进社区",
                            held_on=nov,
                            township=t,
                            department=dept["fire"],
                            reach=rng.randint(200, 1800),
                            description="消防安全知识讲座、灭火器使用演示。",
                        )
                    )
                knock = dt.date(year, 3, rng.randint(4, 28))
                if knock <= today:
                    acts.append(
                        PublicityActivity(
                            kind=PublicityKind.KNOCK,
                            title=f"{year}年{t.name}安全生产“敲门行动”",
                            held_on=knock,
                            township=t,
                            reach=rng.randint(80, 600),
                            description="走访沿街门店、九小场所，逐户宣讲消防和用气安全。",
                        )
                    )
        PublicityActivity.objects.bulk_create(acts)
    say(
        f"  培训演练：培训 {counts['sessions']} 场、签到 {counts['attendance']} 人次、证书 {counts['certificates']} 本、"
        f"演练 {counts['drills']} 次、宣传活动 {len(acts)} 次、从业人员 {counts['workers']} 人"
    )
    return counts


HIGH_RISK_POSTS = ("中控操作员", "罐区操作工", "装卸工", "充装工", "电工", "巡检员", "化验员")
GENERAL_POSTS = ("操作工", "装配工", "仓管员", "叉车司机", "电工", "保安", "包装工")
LABOUR_FIRMS = ("岳阳众力劳务派遣有限公司", "屈原管理区人力资源服务有限公司")
CONTRACTORS = ("湖南建安机电安装有限公司", "岳阳楚天防腐保温工程有限公司")
THREE_LEVEL = "三级安全教育（公司级、车间级、班组级）"


def _id_number(rng: random.Random, seq: int) -> str:
    born = dt.date(1970, 1, 1) + dt.timedelta(days=rng.randint(0, 34 * 365))
    first = f"430671{born:%Y%m%d}{seq % 1000:03d}"
    return first + _CHECK[sum(int(c) * w for c, w in zip(first, _WEIGHTS, strict=True)) % 11]


def _seed_workers(units: Any, rng: random.Random, today: dt.date) -> int:
    """从业人员名册 of three high-risk and three other units: most trained to hours, a few short — a dispatched
    worker with half his pre-job hours, a new hire not yet trained, an old hand short of this year's 再培训."""
    rules = duties.worker_rules()
    chosen = list(units.filter(is_high_risk=True).order_by("pk")[:3]) + list(
        units.filter(is_high_risk=False).order_by("pk")[:3]
    )
    industries: dict[int, set[int]] = {}
    for eid, iid in Enterprise.industries.through.objects.filter(
        enterprise_id__in=[e.pk for e in chosen]
    ).values_list("enterprise_id", "industry_id"):
        industries.setdefault(eid, set()).add(iid)
    workers: list[Worker] = []
    for e in chosen:
        high = rules.is_high_risk(industries.get(e.pk, set()))
        posts = HIGH_RISK_POSTS if e.is_high_risk else GENERAL_POSTS
        for _i in range(rng.randint(8, 14)):
            roll = rng.random()
            employment = (
                Employment.DISPATCHED
                if roll < 0.15
                else Employment.FLEXIBLE
                if roll < 0.23
                else Employment.CONTRACTOR
                if roll < 0.28
                else Employment.INTERN
                if roll < 0.31
                else Employment.REGULAR
            )
            employer = (
                rng.choice(LABOUR_FIRMS)
                if employment == Employment.DISPATCHED
                else rng.choice(CONTRACTORS)
                if employment == Employment.CONTRACTOR
                else ""
            )
            number = _id_number(rng, len(workers) + 1)
            w = Worker(
                enterprise=e,
                name=_name(rng),
                id_number=number,
                id_key=blind_index(number),
                post=rng.choice(posts),
                hired_on=today - dt.timedelta(days=rng.randint(20, 3 * 365)),
                employment=employment,
                employer=employer,
            )
            w.high_risk = high  # type: ignore[attr-defined]  # for the hours below
            workers.append(w)
    Worker.objects.bulk_create(workers)
    records: list[WorkerTraining] = []
    for w in workers:
        high = w.high_risk  # type: ignore[attr-defined]
        pre = rules.pre_job_rule(high)
        need = pre.hours if pre else Decimal(24)
        outsourced = w.employment != Employment.REGULAR
        short = rng.random() < (0.35 if outsourced else 0.08)
        hours = (need / 2).quantize(Decimal(1)) if short else need
        if not (short and rng.random() < 0.3):  # a few new hires with no record at all
            records.append(
                WorkerTraining(
                    worker=w,
                    kind=WorkerTrainingKind.PRE_JOB,
                    held_on=min(w.hired_on + dt.timedelta(days=1), today),
                    hours=hours,
                    content=THREE_LEVEL,
                )
            )
        annual = rules.annual_rule(high)
        for year in range(w.hired_on.year + 1, today.year + 1):
            if annual is None or (year == today.year and rng.random() < 0.15):
                continue  # this year's 再培训 not yet done
            day = min(dt.date(year, rng.randint(3, 11), rng.randint(1, 28)), today)
            records.append(
                WorkerTraining(
                    worker=w,
                    kind=WorkerTrainingKind.ANNUAL,
                    held_on=day,
                    hours=annual.hours,
                    content=f"{year}年度从业人员安全再培训（岗位操作规程、应急处置）",
                )
            )
    WorkerTraining.objects.bulk_create(records)
    return len(workers)
