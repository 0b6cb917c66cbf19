"""Demo 源头管控 (district scale): standardisation certificates, safety-fee accounts and spending, construction
projects with the 建设单位's 50 % payment, 建设项目 in every 三同时 stage (one refused against the catalogue, old
projects in 安全设计诊断), and the 变型拖拉机 淘汰 (due end-2025, a few still overdue).

* Every unit the generator graded gets a certificate of that grade (so the registry grade and the certificates
  agree); a few 规上工贸 units' certificates have expired (grade cleared), a few expire within 60 days.
* Certificates, accounts, spending and 淘汰 items are bulk-inserted (fast); projects go through the services, so
  their steps leave history and audit rows.

Dates are relative to today. Idempotent: skipped when any certificate exists.
"""

from __future__ import annotations

import datetime as dt
import random
from collections.abc import Callable
from decimal import Decimal
from typing import Any

from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import transaction
from django.utils import timezone

from zhiben.demo.campaign_history import PDF
from zhiben.registry.choices import EnterpriseStatus, RegionLevel, StandardisationGrade
from zhiben.registry.models import Enterprise, Industry, Region
from zhiben.sourcecontrol import fees, reference, services
from zhiben.sourcecontrol.choices import CertificateStatus, PhaseOutKind, PhaseOutStatus, ProjectKind
from zhiben.sourcecontrol.models import (
    FeeAccount,
    FeeSpending,
    PhaseOutItem,
    ProjectStage,
    SourceProject,
    SourceProjectTransition,
    StandardisationCertificate,
)
from zhiben.sourcecontrol.steps import STAGE_OF_STEP

REASON = "demo history"
ISSUERS = {
    StandardisationGrade.GRADE_1: "湖南省应急管理厅",
    StandardisationGrade.GRADE_2: "岳阳市应急管理局",
    StandardisationGrade.GRADE_3: "屈原管理区应急管理局",
    StandardisationGrade.SMALL: "屈原管理区应急管理局",
}
ISSUER_SHORT = {"1": "湘", "2": "岳", "3": "屈", "small": "屈"}
# Primary industry → the rate table's revenue sector (units of other industries keep no demo account).
SECTOR_OF = {
    "HAZCHEM-PROD": "hazchem",
    "HAZCHEM-TRADE": "hazchem",
    "FIREWORKS": "fireworks",
    "INDTRADE-METAL": "metallurgy",
    "INDTRADE-NONFERROUS": "metallurgy",
    "INDTRADE-MACHINE": "machinery",
    "ROAD": "transport_special",
    "POWER": "power",
}
SPEND_TEXTS = {
    "facilities": "车间防护栏杆和安全联锁装置维护",
    "emergency": "应急物资补充及综合应急演练",
    "risk": "重大危险源在线监测系统运维",
    "inspection": "安全生产标准化复评咨询",
    "ppe": "更换劳动防护用品",
    "training": "全员安全教育培训",
    "testing": "特种设备定期检验",
    "insurance": "安全生产责任保险保费",
}


def seed_sourcecontrol(
    *, seed: int, actor: Any = None, progress: Callable[[str], None] | None = None
) -> dict[str, int] | None:
    if StandardisationCertificate.objects.unrestricted("demo: anything there yet?").exists():
        return None
    rng = random.Random(seed * 7919 + 15)
    today = timezone.localdate()
    report: dict[str, int] = {}
    with transaction.atomic():
        report["certificates"] = _certificates(rng, today)
        report["fee_accounts"] = _fee_accounts(rng, today)
        report["projects"] = _projects(rng, today)
        report["construction"] = _construction(rng, today)
        report["phase_out"] = _phase_out(rng, today)
    if progress:
        progress(
            "源头管控：标准化证书 {certificates} 张，安全费用台账 {fee_accounts} 本，建设项目 {projects} 个，"
            "建设工程 {construction} 个，淘汰对象 {phase_out} 台".format(**report)
        )
    return report


def _units() -> Any:
    return Enterprise.objects.unrestricted(REASON).filter(status=EnterpriseStatus.OPERATING)


def _certificates(rng: random.Random, today: dt.date) -> int:
    graded = list(
        _units()
        .exclude(standardisation_grade=StandardisationGrade.NONE)
        .values_list("pk", "standardisation_grade", "is_above_scale")
        .order_by("pk")
    )
    rows, lapsed = [], []
    for n, (pk, grade, above) in enumerate(graded, start=1):
        years = 3
        issued = today - dt.timedelta(days=rng.randint(30, 3 * 365 - 70))
        valid_to = issued + dt.timedelta(days=years * 365)
        status = CertificateStatus.VALID
        roll = rng.random()
        if above and roll < 0.05:  # a few expired: the grade is cleared
            valid_to = today - dt.timedelta(days=rng.randint(5, 90))
            issued = valid_to - dt.timedelta(days=years * 365)
            status = CertificateStatus.EXPIRED
            lapsed.append(pk)
        elif roll < 0.10:  # a few expiring within 60 days
            valid_to = today + dt.timedelta(days=rng.randint(5, 55))
            issued = valid_to - dt.timedelta(days=years * 365)
        rows.append(
            StandardisationCertificate(
                enterprise_id=pk,
                grade=grade,
                number=f"（{ISSUER_SHORT.get(grade, '屈')}）安标证字〔{issued.year}〕{n:04d}号",
                issuer=ISSUERS.get(grade, "屈原管理区应急管理局"),
                valid_from=issued,
                valid_to=valid_to,
                next_review=issued + dt.timedelta(days=365 * ((today - issued).days // 365 + 1)),
                is_benchmark=grade in (StandardisationGrade.GRADE_1, StandardisationGrade.GRADE_2)
                and rng.random() < 0.15,
                status=status,
            )
        )
    StandardisationCertificate.objects.bulk_create(rows, batch_size=500)
    _units().filter(pk__in=lapsed).update(standardisation_grade=StandardisationGrade.NONE)
    return len(rows)


def _fee_accounts(rng: random.Random, today: dt.date) -> int:
    table = reference.fee_table()
    units = list(
        _units()
        .filter(is_above_scale=True, primary_industry__code__in=sorted(SECTOR_OF))
        .values_list("pk", "primary_industry__code")
        .order_by("pk")
    )
    accounts = []
    for pk, code in units:
        sector = table.find(SECTOR_OF[code])
        assert sector is not None
        basis = Decimal(rng.randrange(20_000_000, 300_000_000, 100_000))
        annual = fees.calculate(sector, basis).annual
        previous = fees.money(annual * Decimal(rng.choice(("0.9", "0.95", "1.0"))))
        opening = fees.money(previous * Decimal(rng.choice(("0.1", "0.3", "0.5", "3.2"))))  # a few paused
        accounts.append(
            FeeAccount(
                enterprise_id=pk,
                year=today.year,
                sector=sector.code,
                table_version=table.version,
                basis=basis,
                annual=annual,
                opening_balance=opening,
                previous_annual=previous,
            )
        )
    FeeAccount.objects.bulk_create(accounts, batch_size=500)
    saved = FeeAccount.objects.unrestricted(REASON).filter(year=today.year).values_list("pk", "annual")
    spend = []
    codes = list(SPEND_TEXTS)
    for pk, annual in saved:
        for _ in range(rng.randint(3, 6)):
            code = rng.choice(codes)
            spend.append(
                FeeSpending(
                    account_id=pk,
                    category=code,
                    amount=fees.money(annual * Decimal(rng.randint(3, 12)) / 100),
                    spent_on=dt.date(today.year, 1, 1)
                    + dt.timedelta(days=rng.randint(0, max(0, today.timetuple().tm_yday - 1))),
                    description=SPEND_TEXTS[code],
                )
            )
    FeeSpending.objects.bulk_create(spend, batch_size=1000)
    return len(accounts)


def _unit_of(industry_codes: tuple[str, ...], rng: random.Random) -> Enterprise | None:
    units = list(_units().filter(primary_industry__code__in=industry_codes).order_by("pk")[:50])
    return rng.choice(units) if units else None


def _projects(rng: random.Random, today: dt.date) -> int:
    def day(n: int) -> dt.date:
        return today - dt.timedelta(days=n)

    plans = [
        # (industries, name, kind, activity, stages done, days ago registered)
        (("HAZCHEM-PROD",), "年产2万吨水性涂料扩建项目", ProjectKind.EXPAND, "", 5, 420),
        (("INDTRADE-MACHINE",), "农机零部件智能化生产线新建项目", ProjectKind.NEW, "", 4, 300),
        (("INDTRADE-LIGHT",), "米粉加工车间改建项目", ProjectKind.REBUILD, "", 3, 200),
        (("INDTRADE-NONFERROUS",), "铝型材抛光车间改建项目", ProjectKind.REBUILD, "限1", 2, 120),
        (("HAZCHEM-TRADE",), "成品油储罐扩建项目", ProjectKind.EXPAND, "限2", 1, 60),
        (("INDTRADE-BUILDMAT",), "商品混凝土搅拌站新建项目", ProjectKind.NEW, "", 0, 10),
        (("FIREWORKS", "HAZCHEM-TRADE"), "烟花爆竹生产线新建项目", ProjectKind.NEW, "禁1", -1, 90),
        (("HAZCHEM-PROD",), "2008年建成的合成氨装置", ProjectKind.OLD, "", 1, 250),
        (("INDTRADE-MACHINE",), "2012年建成的铸造车间", ProjectKind.OLD, "", 0, 40),
    ]
    steps = [
        ("approve", None),
        ("pre_assess", ("安全预评价报告", "湖南安泰安全评价有限公司", "符合安全条件，同意建设。")),
        ("design_review", ("安全设施设计审查意见书", "屈原管理区应急管理局", "安全设施设计符合要求。")),
        ("trial_run", ("试运行方案及试运行情况报告", "", "试运行期间各项安全设施运行正常。")),
        ("accept", ("安全设施竣工验收意见", "建设单位组织专家组", "安全设施竣工验收合格。")),
    ]
    made = 0
    for industries, name, kind, activity, done, ago in plans:
        unit = _unit_of(industries, rng)
        if unit is None:
            continue
        project = services.register_project(
            actor=None,
            enterprise=unit,
            name=name,
            kind=kind,
            activity=activity,
            description=name.replace("项目", "") + "，占地约20亩。",
            investment=Decimal(rng.randint(800, 12000)),
            registered_on=day(ago),
        )
        made += 1
        if kind == ProjectKind.OLD:
            if done > 0:
                services.record_diagnosis(
                    project,
                    actor=None,
                    done_on=day(ago - 30),
                    document="安全设计诊断报告",
                    organisation="湖南安泰安全评价有限公司",
                    conclusion="提出整改建议6条，已全部整改。",
                )
            continue
        if done < 0:
            services.refuse_project(project, actor=None, reason="", on=day(ago - 7))
            continue
        gap = max(1, (ago - 5) // max(1, done))
        for i, (step, doc) in enumerate(steps[:done]):
            on = day(ago - 5 - i * gap)
            if step == "approve":
                services.approve_project(project, actor=None, conditions_met=bool(activity), on=on)
                continue
            fn = {
                "pre_assess": services.record_pre_assessment,
                "design_review": services.record_design_review,
                "trial_run": services.record_trial_run,
                "accept": services.record_acceptance,
            }[step]
            assert doc is not None
            fn(
                project,
                actor=None,
                done_on=on,
                document=doc[0],
                organisation=doc[1],
                conclusion=doc[2],
                document_number=f"屈应急审〔{on.year}〕{rng.randint(1, 60)}号"
                if step == "design_review"
                else "",
                files=[SimpleUploadedFile(f"{doc[0]}.pdf", PDF)] if step != "trial_run" else [],
            )
    _date_history()
    return made


def _date_history() -> None:
    """Move each step's history row to the day its stage was done (the steps stamp today)."""
    action_of = {v: k for k, v in STAGE_OF_STEP.items() if k != "refuse"}
    for stage in ProjectStage.objects.select_related("project").order_by("pk"):
        action = (
            "refuse"
            if stage.project.status == "refused" and stage.stage == "review"
            else action_of[stage.stage]
        )
        at = timezone.make_aware(dt.datetime.combine(stage.done_on, dt.time(10, 0)))
        SourceProjectTransition.objects.filter(project_id=stage.project_id, action=action).update(at=at)
    for project in SourceProject.objects.unrestricted(REASON).all():
        at = timezone.make_aware(dt.datetime.combine(project.registered_on, dt.time(9, 0)))
        SourceProjectTransition.objects.filter(project=project, action="register").update(at=at)


def _construction(rng: random.Random, today: dt.date) -> int:
    builders = list(_units().filter(primary_industry__code="CONSTRUCTION").order_by("pk")[:8])
    industry = Industry.objects.get(code="CONSTRUCTION")
    if not builders:
        return 0
    plans = [
        ("屈原管理区人民医院门诊综合楼", "construction_building", 86_000_000, 120, True),
        ("营田镇安置小区三期", "construction_building", 45_000_000, 75, True),
        ("河市镇污水处理厂提标改造", "construction_municipal", 23_000_000, 50, False),  # overdue
        ("凤凰乡农村公路提质改造", "construction_municipal", 12_000_000, 10, False),  # within its month
        ("天问街道10kV配电工程", "construction_water", 6_500_000, 200, True),
    ]
    made = 0
    for n, (name, kind, cost, ago, paid) in enumerate(plans):
        builder = builders[n % len(builders)]
        contractor = builders[(n + 1) % len(builders)] if len(builders) > 1 else None
        project = services.register_construction(
            actor=None,
            name=name,
            builder=builder,
            contractor=contractor,
            industry=industry,
            township=services._township_of(builder),
            cost=Decimal(cost),
            engineering_kind=kind,
            location=services._township_of(builder).name,
            start_date=today - dt.timedelta(days=ago),
        )
        if paid:
            half = fees.money(services.construction_provision(project) * Decimal("0.6"))
            services.record_payment(
                project,
                actor=None,
                fee_paid=half,
                paid_on=today - dt.timedelta(days=ago - rng.randint(5, 25)),
            )
        made += 1
    return made


def _phase_out(rng: random.Random, today: dt.date) -> int:
    towns = list(Region.objects.filter(level=RegionLevel.TOWNSHIP).order_by("code"))
    agri = Industry.objects.filter(code="AGRI-MACHINE").first()
    if not towns or agri is None:
        return 0
    due = dt.date(2025, 12, 31)  # 屈安发〔2024〕1号 三（六）15: 2025 年底前变型拖拉机全部淘汰退出
    surnames = "王李张刘陈杨黄赵周吴"
    rows = []
    for n in range(36):
        town = towns[n % len(towns)]
        done = n % 9 != 0  # four still not retired, now overdue
        done_on = due - dt.timedelta(days=rng.randint(10, 400)) if done else None
        rows.append(
            PhaseOutItem(
                kind=PhaseOutKind.CONVERTED_TRACTOR,
                name=rng.choice(("东风-12 变型拖拉机", "常发-15 变型拖拉机", "时风-18 变型拖拉机")),
                identifier=f"湘06-{rng.randint(10000, 99999)}",
                owner=f"{surnames[n % len(surnames)]}某",
                industry=agri,
                township=town,
                due_on=due,
                status=PhaseOutStatus.DONE if done else PhaseOutStatus.REGISTERED,
                done_on=done_on,
                method=rng.choice(("报废拆解", "注销登记", "以旧换新")) if done else "",
            )
        )
    PhaseOutItem.objects.bulk_create(rows)
    return len(rows)
