"""The demo district's inspection and enforcement year, acted out through the services.

What a visitor finds after `make run`:

* 执法检查人员名录库: each persona department's officers (the persona and its 复核员 with logins, plus officers
  without logins), an expert linked to 专家 zhuanjia, a few declared 回避 relations.
* 检查表 per department built from the judgement clauses of its sector plus custom items.
* Self-inspection duties for this year: most units checked every period; a few skipped, so the 应查未查 list
  has rows — among them qiye2 (河市化工, high-risk), which skipped last month.
* Approved annual plans for the persona departments (key units), a published 双随机 draw of 应急管理局 whose
  inspections are planned for the coming days, and a second draw with only its commitment published.
* Completed inspections through the year (四不两直, 暗访, 明查 …) with findings in the hazard ledger, a joint
  inspection of qiye3 by 住建局 and 消防救援大队, and checks planned for today for 住建局's inspector.
* Cases with fines and corrective orders (some closed, some open), one typical case; 市场监管局 inspects but
  never penalises, so the statistics flag it 零处罚.
* 打非治违 records of two townships, one of them converted into a registered unit.
* 乡镇巡查: each township persona (tianwen, yingtian, heshi, fenghuang) patrols a few units of its territory
  through the year — the unit's checklist, a problem now and then handed to the supervising department, which
  judges it — and has one patrol planned for today.

Everything runs under time-machine at the date it would have happened and is drawn from `random.Random(seed)`.
"""

from __future__ import annotations

import datetime as dt
import random
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from zhiben.accounts.models import RoleAssignment, User
from zhiben.accounts.roles import Role
from zhiben.core.documents import clause_text, sentence
from zhiben.enforcement import operations
from zhiben.enforcement import services as enforcement_services
from zhiben.enforcement.choices import MeasureKind, OperationKind
from zhiben.enforcement.models import DiscretionRule
from zhiben.hazards import services as hazard_services
from zhiben.hazards.choices import Status as HazardStatus
from zhiben.hazards.escalation import apply_escalations
from zhiben.hazards.models import Hazard
from zhiben.inspections.choices import Answer, FindingHandling, InspectorKind, Mode, OccurrenceStatus, Origin
from zhiben.inspections.draw_pools import DrawCriteria
from zhiben.inspections.models import DutyOccurrence, Inspection, Inspector, InspectorConflict, SelfCheck
from zhiben.inspections.services import draws, duties, plans, records
from zhiben.inspections.services.duty_reminders import send_duty_reminders
from zhiben.inspections.services.records import create_inspection
from zhiben.inspections.services.roster import declare_conflict, save_inspector
from zhiben.inspections.services.selfchecks import record_self_check
from zhiben.registry.choices import EnterpriseStatus
from zhiben.registry.models import Department, Enterprise, Industry, Region
from zhiben.registry.scoping import industry_ids_of_department
from zhiben.standards.checklists import create_checklist
from zhiben.standards.models import Clause

from .checklists import INDUSTRY_LISTS, MAIN_LIST_INDUSTRY
from .hazard_walk import at as _at
from .hazard_walk import follow_up
from .names import person_name

# Persona department → (login, the standards its checklist is built from, custom items).
DEPARTMENTS: dict[str, tuple[str, tuple[str, ...], tuple[str, ...]]] = {
    "emergency": (
        "yingji",
        ("indtrade", "hazchem"),
        ("安全生产责任制和规章制度建立落实情况", "从业人员安全教育培训记录"),
    ),
    "housing": ("zhujian", ("construction",), ("施工现场临边洞口防护", "起重机械安装验收手续")),
    "fire": (
        "xiaofang",
        ("fire",),
        ("疏散通道、安全出口畅通", "消防设施、器材完好有效", "电动自行车违规停放充电"),
    ),
    "market": ("shichang", ("special-equipment",), ("特种设备使用登记和定期检验",)),
    "transport": ("jiaotong", ("road",), ("车辆动态监控和驾驶员管理",)),
}
# A visit finds one item 不符合 this often; of those findings, this share is on a judgement clause (重大).
FINDING_SHARE = 0.55
MAJOR_FINDING_SHARE = 0.02


@dataclass
class InspectionReport:
    inspectors: int = 0
    checklists: int = 0
    occurrences: int = 0
    self_checks: int = 0
    missed: int = 0
    plans: int = 0
    draws: int = 0
    inspections: int = 0
    findings: int = 0
    judged: int = 0  # reports of the visits judged by their departments
    hazards_closed: int = 0  # of those, rectified and closed (销号) by today
    cases: int = 0
    operations: int = 0
    seconds: float = 0.0
    notes: list[str] = field(default_factory=list)

    def summary(self) -> str:
        return (
            f"检查执法：检查人员 {self.inspectors} 名，检查表 {self.checklists} 张，自查任务 {self.occurrences} 项"
            f"（已自查 {self.self_checks}，应查未查 {self.missed}），年度计划 {self.plans} 份，双随机 {self.draws} 次，"
            f"现场检查 {self.inspections} 次（发现问题 {self.findings} 项，判定交办 {self.judged} 项，已销号 {self.hazards_closed} 项），执法案件 {self.cases} 件，"
            f"打非治违 {self.operations} 起，用时 {self.seconds:.1f} 秒"
        )

    def as_data(self) -> dict[str, Any]:
        return {k: v for k, v in self.__dict__.items() if k != "notes"}


def seed_inspection_history(
    *, seed: int, actor: Any = None, progress: Callable[[str], None] | None = None
) -> InspectionReport | None:
    """生成检查执法演示数据: None when inspections exist already (a rerun adds nothing)."""
    if Inspection.objects.unrestricted("demo: idempotence").exists() or Inspector.objects.exists():
        return None
    started = time.perf_counter()
    say = progress or (lambda message: None)
    report = InspectionReport()
    with transaction.atomic():
        _Year(seed=seed, actor=actor, report=report, say=say).run()
    report.seconds = time.perf_counter() - started
    return report


class _Year:
    def __init__(
        self, *, seed: int, actor: Any, report: InspectionReport, say: Callable[[str], None]
    ) -> None:
        self.seed = seed
        self.rng = random.Random(seed * 7919 + 4)
        self.actor = actor
        self.report = report
        self.say = say
        self.today = timezone.localdate()
        self.users = {u.username: u for u in User.objects.all()}
        self.departments = {d.code: d for d in Department.objects.filter(code__in=DEPARTMENTS)}
        self.inspectors: dict[str, list[Inspector]] = {}
        self.checklists: dict[str, Any] = {}
        self.units: dict[str, list[Enterprise]] = {}

    # ------------------------------------------------------------------------------------------ the year
    def run(self) -> None:
        self._inspectors()
        self._checklists()
        self._duties()
        self._plans()
        self._inspections()
        self._joint_inspection()
        self._draws()
        self._operations()
        self._patrols()
        self._follow_up()
        self._escalate_today()

    def _follow_up(self) -> None:
        """The units rectify what the year's visits and patrols found and the departments close it (销号), each
        step dated as time passed from its 判定 (hazard_walk); the recent ones are still open today."""
        found = Hazard.objects.filter(inspection_finding__isnull=False).select_related(
            "enterprise", "department", "reported_by"
        )
        walked = follow_up(found, seed=self.seed, actor=self.actor)
        self.report.notes += walked.failures
        self.report.hazards_closed = found.filter(status=HazardStatus.CLOSED).count()

    def _escalate_today(self) -> None:
        """The daily 逾期督办 job once more today, over the register as this year left it (both ladders), so
        whatever the year leaves late shows its rung in its history rather than sitting there silently."""
        apply_escalations(today=self.today)

    def user(self, name: str) -> User | None:
        return self.users.get(name)

    def persona_units(self) -> dict[str, Enterprise]:
        return {
            a.user.username: a.enterprise
            for a in RoleAssignment.objects.filter(
                role=Role.ENTERPRISE, enterprise__isnull=False
            ).select_related("user", "enterprise")
        }

    # ------------------------------------------------------------------------------------------ roster
    def _inspectors(self) -> None:
        valid_until = dt.date(self.today.year + 2, 12, 31)
        for index, (code, (login, _standards, _custom)) in enumerate(DEPARTMENTS.items(), start=1):
            department = self.departments.get(code)
            if department is None:
                continue
            people: list[tuple[str, User | None]] = []
            for username in (login, f"{login}_fuhe"):
                user = self.user(username)
                if user is not None:
                    people.append((user.display_name or username, user))
            while len(people) < 6:
                people.append((person_name(self.rng), None))
            team = []
            for n, (name, user) in enumerate(people, start=1):
                team.append(
                    save_inspector(
                        None,
                        actor=self.actor,
                        name=name,
                        department=department,
                        kind=InspectorKind.OFFICER,
                        certificate_no=f"43067{index:02d}{n:05d}",
                        certificate_valid_until=valid_until,
                        user=user,
                    )
                )
            self.inspectors[code] = team
            self.report.inspectors += len(team)
            units = self._units_of(department)
            self.units[code] = units
            # Two declared conflicts per department (a relative works there, a former employer).
            for inspector, reason in zip(
                team[2:4], ("近亲属在该单位任职", "曾在该单位任职未满三年"), strict=False
            ):
                if units:
                    declare_conflict(
                        inspector=inspector,
                        actor=self.actor,
                        enterprise=self.rng.choice(units),
                        reason=reason,
                        declared_on=dt.date(self.today.year, 1, 6),
                    )
        expert_user = self.user("zhuanjia")
        emergency = self.departments.get("emergency")
        if emergency is not None:
            expert = save_inspector(
                None,
                actor=self.actor,
                name=(expert_user.display_name if expert_user else "安全生产专家"),
                department=emergency,
                kind=InspectorKind.EXPERT,
                specialty="危险化学品",
                user=expert_user,
            )
            self.inspectors.setdefault("experts", []).append(expert)
            self.report.inspectors += 1

    def _units_of(self, department: Department) -> list[Enterprise]:
        industries = industry_ids_of_department(department.pk)
        return list(
            Enterprise.objects.filter(status=EnterpriseStatus.OPERATING, primary_industry_id__in=industries)
            .select_related("region", "primary_industry")
            .order_by("pk")
        )

    # ------------------------------------------------------------------------------------------ checklists
    def _checklists(self) -> None:
        """Each department's main list (住建局's is for construction sites) and its industry lists (住建局's
        经营性自建房 list): an inspection brings the one of the unit's kind and industry (checklist_for)."""
        industries = {i.code: i for i in Industry.objects.all()}
        for code, (_login, standards, custom) in DEPARTMENTS.items():
            department = self.departments.get(code)
            if department is None:
                continue
            clauses = list(
                Clause.objects.filter(
                    version__standard__code__in=standards, version__is_current=True
                ).order_by("version__standard__code", "sort_order")[:12]
            )
            industry = industries.get(MAIN_LIST_INDUSTRY.get(code, ""))
            short = department.short_name or department.name
            self.checklists[code] = create_checklist(
                actor=self.actor,
                name=f"{short}{industry.name if industry else ''}重大事故隐患检查表",
                clauses=clauses,
                custom_items=custom,
                description="依据行业重大事故隐患判定标准逐条检查，另加本部门日常检查项。",
                department=department,
                industry=industry,
            )
            self.report.checklists += 1
        for extra in INDUSTRY_LISTS:
            department = self.departments.get(extra.department)
            if department is None or extra.industry not in industries:
                continue
            create_checklist(
                actor=self.actor,
                name=extra.name,
                custom_items=[item.line() for item in extra.items],
                description=extra.description,
                department=department,
                industry=industries[extra.industry],
            )
            self.report.checklists += 1

    # ------------------------------------------------------------------------------------------ duties
    def _duties(self) -> None:
        year = self.today.year
        counts = duties.generate_occurrences(
            actor=self.actor, year=year, today=dt.date(year, 1, 1), owed_from=dt.date(year, 1, 1)
        )
        self.report.occurrences = counts.get("created", 0)
        persona = self.persona_units()
        skipper = persona.get("qiye2")  # high-risk; skips last month (the 应查未查 story)
        last_month_start = (self.today.replace(day=1) - dt.timedelta(days=1)).replace(day=1)
        past = list(
            DutyOccurrence.objects.filter(period_end__lt=self.today, status=OccurrenceStatus.PENDING)
            .select_related("enterprise")
            .order_by("pk")
        )
        # Background units: bulk rows (one per fulfilled period), as a clerk's back-entry would be; the persona
        # units below go through the service.
        checks: list[SelfCheck] = []
        fulfilled: list[DutyOccurrence] = []
        persona_ids = {e.pk for e in persona.values()}
        for occ in past:
            if occ.enterprise_id in persona_ids:
                continue
            if self.rng.random() < 0.04:
                continue  # skipped: 应查未查
            span = (occ.period_end - occ.period_start).days
            checked_on = occ.period_start + dt.timedelta(days=self.rng.randint(0, span))
            checks.append(
                SelfCheck(
                    enterprise=occ.enterprise,
                    checked_on=checked_on,
                    led_by_name=occ.enterprise.principal_name or person_name(self.rng),
                    led_by_title="主要负责人",
                    summary="主要负责人带队对本单位重大事故隐患排查整治情况进行检查，未发现重大事故隐患。",
                )
            )
            fulfilled.append(occ)
        SelfCheck.objects.bulk_create(checks, batch_size=2000)
        for occ, check in zip(fulfilled, checks, strict=True):
            occ.status = OccurrenceStatus.DONE
            occ.self_check = check
        DutyOccurrence.objects.bulk_update(fulfilled, ["status", "self_check"], batch_size=2000)
        self.report.self_checks += len(checks)
        # The persona units record theirs through the service (with the checklist of their sector).
        for login, unit in sorted(persona.items()):
            actor = self.user(login)
            for occ in [o for o in past if o.enterprise_id == unit.pk]:
                if unit == skipper and occ.period_start >= last_month_start:
                    continue
                day = min(occ.period_end, occ.period_start + dt.timedelta(days=10))
                with _at(day):
                    duties_record(actor, unit, day)
                self.report.self_checks += 1
        self.report.missed = duties.mark_missed(self.today, actor=self.actor)
        # Today's run of the reminder job: the units are told of what they missed last month and the township
        # officials of their territory's 应查未查 list, one digest each.
        send_duty_reminders(self.today, actor=self.actor)

    # ------------------------------------------------------------------------------------------ plans
    def _plans(self) -> None:
        office = self.user("anweiban")
        year = self.today.year
        start = dt.date(year, 1, 8)
        self.plans: dict[str, Any] = {}
        for code, (login, _s, _c) in DEPARTMENTS.items():
            department, user = self.departments.get(code), self.user(login)
            if department is None or user is None:
                continue
            with _at(start):
                plan = plans.create_plan(
                    actor=user,
                    department=department,
                    year=year,
                    title=f"{department.name}{year}年度安全生产监督检查计划",
                    random_ratio=5,
                    notes="重点生产经营单位年度全覆盖，一般单位按比例双随机抽查。",
                )
                key_units = [u for u in self.units.get(code, []) if u.is_high_risk][:12]
                for n, unit in enumerate(key_units):
                    plans.add_plan_unit(plan, actor=user, enterprise=unit, planned_quarter=n % 4 + 1)
                plans.submit_plan(plan, actor=user)
            with _at(start + dt.timedelta(days=3)):
                plan.refresh_from_db()
                plans.approve_plan(plan, actor=office, note="同意。")
                plan.refresh_from_db()
                plans.set_plan_public(plan, actor=user, public=True)
            self.plans[code] = plan
            self.report.plans += 1

    # ------------------------------------------------------------------------------------------ inspections
    def _team(self, code: str, unit: Enterprise, day: dt.date) -> list[Inspector]:
        conflicted = set(
            InspectorConflict.objects.filter(enterprise=unit, active=True).values_list(
                "inspector_id", flat=True
            )
        )
        team = [i for i in self.inspectors.get(code, []) if i.pk not in conflicted and i.is_certified(day)]
        if len(team) < 2:
            return []
        lead = next((i for i in team if i.user_id), team[0])  # the persona leads, so it sees the task
        rest = [i for i in team if i is not lead]
        return [lead, self.rng.choice(rest)]

    def _inspections(self) -> None:
        modes = [Mode.ROUTINE, Mode.UNANNOUNCED, Mode.OPEN, Mode.UNDERCOVER, Mode.CROSS_AREA, Mode.REMOTE]
        weights = [4, 3, 2, 1, 1, 1]
        months = list(range(1, self.today.month + 1))
        penalising = {"emergency", "housing", "fire"}  # 市场监管局 inspects but never penalises (零处罚)
        for code, (login, _s, _c) in DEPARTMENTS.items():
            user = self.user(login)
            units = [u for u in self.units.get(code, []) if u.region_id]
            if user is None or not units or code == "transport":
                continue
            for month in months:
                for _n in range(2 if code == "emergency" else 1):
                    day = _workday(dt.date(self.today.year, month, self.rng.randint(3, 24)))
                    if day >= self.today:
                        continue
                    unit = self.rng.choice(units)
                    mode = self.rng.choices(modes, weights)[0]
                    self._one_inspection(
                        code,
                        user,
                        unit,
                        day,
                        mode,
                        Origin.KEY_UNIT if unit.is_high_risk else Origin.SPECIAL,
                        penalise=code in penalising,
                    )
            # Today's tasks for the persona inspector ("my checks"); 应急局's take the expert along (专家
            # zhuanjia's 待办).
            experts = tuple(self.inspectors.get("experts", [])) if code == "emergency" else ()
            for unit in self.rng.sample(units, min(2, len(units))):
                self._create(code, user, unit, self.today, Mode.ROUTINE, Origin.KEY_UNIT, assistants=experts)

    def _create(
        self,
        code: str,
        user: User,
        unit: Enterprise,
        day: dt.date,
        mode: str,
        origin: str,
        departments: tuple[str, ...] = (),
        assistants: tuple[Inspector, ...] = (),
    ) -> Inspection | None:
        team = self._team(code, unit, day)
        if len(team) < 2:
            return None
        try:
            with _at(day, 9):
                inspection = create_inspection(
                    actor=user,
                    enterprise=unit,
                    department=self.departments[code],
                    mode=mode,
                    origin=origin,
                    planned_on=day,
                    officers=team,
                    assistants=assistants,
                    departments=[self.departments[c] for c in departments],
                    subject="重大事故隐患排查整治",  # each department brings its list for the unit
                )
        except ValidationError as exc:  # e.g. the unit is at its yearly cap
            self.report.notes.append(f"{unit.name}: {exc}")
            return None
        self.report.inspections += 1
        return inspection

    def _one_inspection(
        self, code: str, user: User, unit: Enterprise, day: dt.date, mode: str, origin: str, *, penalise: bool
    ) -> None:
        inspection = self._create(code, user, unit, day, mode, origin)
        if inspection is None:
            return
        with _at(day, 10):
            inspection = records.start_inspection(inspection, actor=user, location=unit.address)
            failed = None
            items = [
                item
                for dept_row in inspection.departments.all()
                if dept_row.checklist is not None
                for item in dept_row.checklist.items.all()
            ]
            failing = self._failing_item(items)
            for item in items:
                bad = item == failing
                answer, _proposal = records.answer_item(
                    inspection, actor=user, item=item, result=Answer.FAIL if bad else Answer.PASS
                )
                if bad:
                    failed = answer
            findings = []
            if failed is not None:
                major = failed.item.clause_id is not None
                handling = (
                    FindingHandling.HAZARD_AND_CASE
                    if penalise and (major or self.rng.random() < 0.5)
                    else FindingHandling.HAZARD
                )
                findings.append(
                    records.record_finding(
                        inspection,
                        actor=user,
                        handling=handling,
                        answer=failed,
                        title=failed.item.text[:60],
                        description="现场检查发现，已拍照取证。",
                    )
                )
            if self.rng.random() < 0.35:
                findings.append(
                    records.record_finding(
                        inspection,
                        actor=user,
                        handling=FindingHandling.ON_SITE,
                        department=self.departments[code],
                        level="general",
                        title=self.rng.choice(
                            ["灭火器过期未更换", "安全警示标志缺失", "作业人员未正确佩戴劳动防护用品"]
                        ),
                        description="责令当场整改，已整改完毕。",
                    )
                )
            inspection.refresh_from_db()
            records.complete_inspection(
                inspection,
                actor=user,
                summary="检查组对该单位重大事故隐患排查整治、安全管理制度和现场作业情况进行了检查。",
                conclusion="发现的问题已责令整改，重大事故隐患依法登记交办。" if findings else "未发现问题。",
                unit_representative=unit.principal_name or "现场负责人",
            )
        self.report.findings += len(findings)
        for finding in findings:
            if finding.handling in (FindingHandling.CASE, FindingHandling.HAZARD_AND_CASE):
                self._case(code, user, unit, finding, day)
            else:
                self._judge(user, finding, day)

    def _failing_item(self, items: list[Any]) -> Any:
        """The one item a visit finds 不符合, if any: most visits find nothing or a 一般 problem on one of the
        department's own items; a judgement clause (a 重大事故隐患) fails rarely, so the year's new 重大
        hazards stay below last year's as the campaign intends (hazard_plan.MAJOR_SHARE)."""
        if self.rng.random() >= FINDING_SHARE:
            return None
        general = [i for i in items if i.clause_id is None]
        major = [i for i in items if i.clause_id is not None]
        if major and self.rng.random() < MAJOR_FINDING_SHARE:
            return self.rng.choice(major)
        return self.rng.choice(general) if general else None

    def _joint_inspection(self) -> None:
        persona = self.persona_units()
        unit, lead = persona.get("qiye3"), self.user("zhujian")
        fire = self.user("xiaofang")
        if unit is None or lead is None or fire is None or "housing" not in self.checklists:
            return
        day = _workday(self.today - dt.timedelta(days=20))
        inspection = self._create(
            "housing", lead, unit, day, Mode.JOINT, Origin.SPECIAL, departments=("fire",)
        )
        if inspection is None:
            return
        with _at(day, 10):
            inspection = records.start_inspection(inspection, actor=lead, location=unit.address)
            found = []
            for code, user, title in (
                ("housing", lead, "塔吊附着装置未按方案设置"),
                ("fire", fire, "施工现场消防通道被建材堵塞"),
            ):
                finding = records.record_finding(
                    inspection,
                    actor=user,
                    handling=FindingHandling.HAZARD,
                    department=self.departments[code],
                    level="general",
                    title=title,
                    description="住建、消防联合检查发现。",
                )
                found.append((user, finding))
                self.report.findings += 1
            inspection.refresh_from_db()
            records.complete_inspection(
                inspection,
                actor=lead,
                summary="住建局、消防救援大队联合检查，一次入企，分别检查施工安全和消防安全。",
                conclusion="发现问题分别纳入住建局、消防救援大队隐患台账，责令限期整改。",
                unit_representative=unit.principal_name or "项目负责人",
            )
        for user, finding in found:
            self._judge(user, finding, day)

    def _judge(self, user: User, finding: Any, day: dt.date) -> None:
        """判定 within its period: the department judges what its visit registered one to three days later,
        unless the visit is so recent that the report may still wait (it is then on the 待判定 tab, inside
        its 判定 deadline). No report is left past its deadline."""
        if finding.hazard_id is None:
            return
        hazard = Hazard.objects.get(pk=finding.hazard_id)
        if hazard.status != HazardStatus.REPORTED or hazard.judge_deadline is None:
            return
        if hazard.judge_deadline >= self.today:
            return
        on = min(_workday(day + dt.timedelta(days=self.rng.randint(1, 3))), hazard.judge_deadline)
        with _at(on, 11):
            hazard_services.confirm(hazard, actor=user, note="经现场复核，判定交办")
        self.report.judged += 1

    # ------------------------------------------------------------------------------------------ patrols
    def _patrols(self) -> None:
        """乡镇巡查: each township official patrols three units of its territory this year and one today. Only
        units a persona department supervises, so each problem found is judged in time (no report waits
        past its deadline)."""
        judges = {code: self.user(login) for code, (login, _s, _c) in DEPARTMENTS.items()}
        officials = RoleAssignment.objects.filter(role=Role.TOWNSHIP).exclude(region_code="")
        for assignment in officials.select_related("user").order_by("user__username"):
            user = assignment.user
            units = []
            for unit in (
                Enterprise.objects.filter(
                    status=EnterpriseStatus.OPERATING, region__code__startswith=assignment.region_code
                )
                .select_related("region", "primary_industry")
                .order_by("pk")[:300]
            ):
                try:
                    code = hazard_services.supervising_department(unit.primary_industry).code
                except hazard_services.HazardError:
                    continue
                if judges.get(code) is not None:
                    units.append((unit, judges[code]))
            if not units:
                continue
            picked = self.rng.sample(units, min(4, len(units)))
            days = sorted(
                _workday(self.today - dt.timedelta(days=self.rng.randint(7, 120))) for _ in picked[:-1]
            )
            companions = "、".join(person_name(self.rng) for _ in range(self.rng.randint(0, 2)))
            for (unit, judge), day in zip(picked, days, strict=False):
                self._one_patrol(user, unit, judge, day, companions)
            unit, _judge = picked[-1]
            records.create_patrol(
                actor=user,
                enterprise=unit,
                planned_on=self.today,
                subject="网格化安全生产巡查",
                companions=companions,
            )
            self.report.inspections += 1

    def _one_patrol(self, user: User, unit: Enterprise, judge: User, day: dt.date, companions: str) -> None:
        with _at(day, 9):
            patrol = records.create_patrol(
                actor=user,
                enterprise=unit,
                planned_on=day,
                subject=self.rng.choice(["网格化安全生产巡查", "汛期安全巡查", "节前安全巡查"]),
                companions=companions,
            )
        self.report.inspections += 1
        with _at(day, 10):
            patrol = records.start_inspection(patrol, actor=user, location=unit.address)
            found = None
            row = patrol.departments.first()
            items = list(row.checklist.items.all()[:8]) if row is not None and row.checklist else []
            for item in items:
                # A patrol looks at what it can see; a 重大 clause is for the department's own inspection.
                bad = found is None and item.clause_id is None and self.rng.random() < 0.3
                answer, _proposal = records.answer_item(
                    patrol, actor=user, item=item, result=Answer.FAIL if bad else Answer.PASS
                )
                if bad:
                    found = records.record_finding(
                        patrol,
                        actor=user,
                        handling=FindingHandling.HAZARD,
                        answer=answer,
                        title=item.text[:60],
                        description="乡镇巡查发现，已告知单位整改，移交监管部门判定。",
                    )
            patrol.refresh_from_db()
            records.complete_inspection(
                patrol,
                actor=user,
                summary="巡查人员对该单位安全出口、消防器材、作业现场和安全管理台账进行了巡查。",
                conclusion="发现的问题已告知单位立即整改，并移交监管部门判定。" if found else "未发现问题。",
                unit_representative=unit.principal_name or "现场负责人",
            )
        if found is not None:
            self.report.findings += 1
            self._judge(judge, found, day)

    # ------------------------------------------------------------------------------------------ cases
    def _case(self, code: str, user: User, unit: Enterprise, finding: Any, day: dt.date) -> None:
        department = self.departments[code]
        major = finding.level == "major"
        # 未采取措施消除事故隐患 (安全生产法第一百零二条): 较重 for a 重大 hazard, 一般 otherwise; its articles are
        # what the 告知 and the 决定书 cite, and the fine is drawn inside its range.
        rule = DiscretionRule.objects.filter(code="AQ102-3" if major else "AQ102-2", active=True).first()
        if rule is None:
            return
        with _at(day, 15):
            hazard = finding.hazard
            if hazard is not None and hazard.status == HazardStatus.REPORTED:
                hazard = hazard_services.confirm(hazard, actor=user)  # a penalty rests on a judged hazard
                self.report.judged += 1
            what = "重大事故隐患" if major else "事故隐患"
            case = enforcement_services.file_case(
                actor=user,
                department=department,
                violation=sentence(f"{unit.name}存在{what}：{clause_text(finding.title)}，未采取措施消除"),
                filed_on=day,
                enterprise=unit,
                finding=finding,
                hazard=hazard,
                discretion_rule=rule,
                involves_major_hazard=major,
            )
            self.report.cases += 1
        steps = self.rng.random()
        later = _workday(min(day + dt.timedelta(days=5), self.today))
        with _at(later, 10):
            case = enforcement_services.start_investigation(
                case, actor=user, note="调取监控、询问现场负责人，制作询问笔录。"
            )
            enforcement_services.add_measure(
                case,
                actor=user,
                kind=MeasureKind.ORDER_RECTIFY,
                end_on=later + dt.timedelta(days=30),
                details="责令限期整改所发现的事故隐患。",
            )
            case.refresh_from_db()
            if steps < 0.25:
                return
            enforcement_services.add_measure(
                case,
                actor=user,
                kind=MeasureKind.FINE,
                amount=Decimal(self.rng.choice([20000, 30000, 35000] if major else [10000, 15000, 20000])),
                details=f"依据{rule.penalty_basis}处以罚款。",
            )
            case.refresh_from_db()
            case = enforcement_services.notify_case(case, actor=user, notified_on=later)
        decided = _workday(min(later + dt.timedelta(days=7), self.today))
        if steps < 0.4:
            return
        with _at(decided, 10):
            case.refresh_from_db()
            case = enforcement_services.decide_case(case, actor=user, decided_on=decided)
            if steps > 0.6:
                case = enforcement_services.start_execution(case, actor=user, note="当事人已缴纳罚款。")
                case = enforcement_services.close_case(
                    case, actor=user, closed_on=decided, note="罚款已缴纳，隐患整改完毕。"
                )
            if steps > 0.9:
                enforcement_services.mark_typical(
                    case, actor=user, typical=True, summary="检查发现重大事故隐患，依法立案处罚并责令整改。"
                )

    # ------------------------------------------------------------------------------------------ draws
    def _draws(self) -> None:
        user, department = self.user("yingji"), self.departments.get("emergency")
        if user is None or department is None:
            return
        plan = getattr(self, "plans", {}).get("emergency")
        day = _workday(self.today - dt.timedelta(days=3))
        planned = _workday(self.today + dt.timedelta(days=2))
        with _at(day, 9):
            criteria = self._criteria(draws, department, user, high_risk=False, count=6, planned_on=planned)
            if criteria is None:
                return
            draw = draws.create_draw(
                actor=user,
                department=department,
                title=f"{self.today.year}年工贸企业“双随机”抽查",
                subject="重大事故隐患排查整治情况",
                criteria=criteria,
                plan=plan,
            )
            draw = draws.commit_draw(draw, actor=user)
        with _at(day, 10):
            draw = draws.perform_draw(draw, actor=user)
            draws.publish_draw(draw, actor=user)
        self.report.draws += 1
        # A second draw whose commitment is public and whose drawing is still to come.
        planned = _workday(self.today + dt.timedelta(days=10))
        criteria = self._criteria(draws, department, user, high_risk=True, count=4, planned_on=planned)
        if criteria is None:
            return
        pending = draws.create_draw(
            actor=user,
            department=department,
            title=f"{self.today.year}年危险化学品企业“双随机”抽查",
            subject="危险化学品重大危险源管控",
            criteria=criteria,
            plan=plan,
        )
        draws.commit_draw(pending, actor=user)
        self.report.draws += 1

    def _criteria(self, draws: Any, department: Department, user: User, **values: Any) -> Any:
        """The draw's conditions, widened when a small district has no such unit, and the count cut to the
        pool."""
        for wider in ({"recent_days": 30}, {"recent_days": 0, "high_risk": None}):
            criteria = DrawCriteria(**{**values, **wider})
            size = len(draws.preview_pools(department, criteria, actor=user).entities)
            if size:
                return DrawCriteria(**{**values, **wider, "count": min(values["count"], size)})
        return None

    # ------------------------------------------------------------------------------------------ 打非治违
    def _operations(self) -> None:
        rows = (
            (
                "yingtian",
                "营田镇",
                "无名烟花爆竹储存点",
                OperationKind.ILLEGAL_STORAGE,
                "民房内违规储存烟花爆竹约200箱",
            ),
            (
                "yingtian",
                "营田镇",
                "王某液化气充装点",
                OperationKind.NO_LICENCE,
                "无燃气经营许可证擅自充装液化气钢瓶",
            ),
            (
                "heshi",
                "河市镇",
                "河市无证砂石加工点",
                OperationKind.NO_LICENCE,
                "未取得相关证照擅自从事砂石加工",
            ),
        )
        converted = None
        for n, (login, town, name, kind, text) in enumerate(rows):
            user, region = self.user(login), Region.objects.filter(name=town).first()
            if user is None or region is None:
                continue
            day = _workday(self.today - dt.timedelta(days=40 - n * 9))
            with _at(day):
                op = operations.record_operation(
                    actor=user,
                    subject_name=name,
                    kind=kind,
                    region=region,
                    address=f"{town}{region.children.order_by('code').first() or ''}",
                    description=text,
                    discovered_on=day,
                )
            self.report.operations += 1
            if n == 2:
                converted = (op, user)
        if converted is not None:
            op, user = converted
            industry = Industry.objects.filter(code="INDTRADE").first()
            with _at(_workday(self.today - dt.timedelta(days=5))):
                operations.stop_operation(op, actor=user, note="责令停止生产，限期办理证照。")
                op.refresh_from_db()
                operations.convert_operation(
                    op,
                    actor=user,
                    name="屈原河市砂石加工有限公司",
                    primary_industry=industry,
                    principal_name=person_name(self.rng),
                    note="已办理营业执照和相关许可，纳入日常监管。",
                )


def duties_record(actor: Any, unit: Enterprise, day: dt.date) -> None:
    record_self_check(
        actor=actor,
        enterprise=unit,
        checked_on=day,
        led_by_name=unit.principal_name or "主要负责人",
        led_by_title="主要负责人",
        participants="安全管理人员、车间主任",
        summary="主要负责人带队检查重大事故隐患排查整治情况，未发现重大事故隐患。",
    )


def _workday(day: dt.date) -> dt.date:
    while day.weekday() >= 5:
        day -= dt.timedelta(days=1)
    return day
