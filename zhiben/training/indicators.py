"""The indicators of 培训演练, declared with the indicator registry:

* `training.theme_coverage` 年度主题培训覆盖率: units of the year's theme audience whose named role attended a
  started session of the theme ÷ the audience's units (the year of the window's end).
* `training.certified_rate` 关键岗位持证率: the registry's 主要负责人, 安全管理人员 and 特种作业人员 of high-risk units
  holding a certificate valid on the day ÷ those people.
* `training.drill_coverage` 疏散逃生演练覆盖率: operating units with a counted drill held in the year up to the
  day ÷ operating units.
* `training.worker_coverage` 从业人员岗前培训达标率: workers on the rosters (在岗, hired by the day) trained to the
  pre-job hours of their unit's rule (高危 72, others 24 学时, 待核实) ÷ those workers; dispatched and flexible
  workers count with the unit that directs them (they are on its roster).
* `training.inspectors_trained` 执法人员轮训完成率: active inspectors trained within the three-year round ÷ active
  inspectors (district and department only: the roster belongs to departments).

Cut by township (the unit's place), department (三管三必须: the industries it supervises) or the district.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from django.db.models import Q, QuerySet

from zhiben.indicators import registry
from zhiben.indicators.registry import DEPARTMENT, DISTRICT, HIGHER, RATIO, TOWNSHIP, Parts, Scope, Window
from zhiben.inspections.models import Inspector
from zhiben.registry.models import Enterprise, Person
from zhiben.registry.scoping import industry_ids_of_department

from .choices import DrillStatus, SessionKind, SessionStatus, WorkerStatus
from .duties import industry_ids, pre_job_trained, round_of
from .models import Attendance, Certificate, Drill, DrillRule, TrainingTheme, Worker

REASON = "indicators: the scope is the indicator's, checked by the caller"
SCOPES = frozenset({DISTRICT, TOWNSHIP, DEPARTMENT})
GROUP = "培训演练"


def units_in(scope: Scope) -> QuerySet[Any]:
    qs = Enterprise.objects.unrestricted(REASON).operating()
    if scope.kind == TOWNSHIP:
        return qs.filter(region__code__startswith=scope.region_prefix)
    if scope.kind == DEPARTMENT:
        ids = industry_ids_of_department(scope.department_id) if scope.department_id else frozenset()
        return qs.filter(
            pk__in=Enterprise.objects.unrestricted(REASON).filter(industries__in=ids).values("pk")
        )
    return qs


def theme_coverage(scope: Scope, w: Window) -> Parts:
    theme = TrainingTheme.objects.unrestricted(REASON).filter(year=w.as_of.year).first()
    units = units_in(scope)
    if theme is None:
        return Parts(numerator=units.none(), denominator=units.none())
    audience = Q()
    for entry in theme.audience:
        audience |= Q(industries__in=industry_ids(entry.get("industries", [])))
    due = units.filter(pk__in=Enterprise.objects.unrestricted(REASON).filter(audience).values("pk"))
    attended = Attendance.objects.unrestricted(REASON).filter(
        ~Q(session__status=SessionStatus.PLANNED),
        session__theme=theme,
        session__held_on__lte=w.as_of,
        enterprise__isnull=False,
    )
    return Parts(numerator=due.filter(pk__in=attended.values("enterprise_id")), denominator=due)


def certified_rate(scope: Scope, w: Window) -> Parts:
    people = Person.objects.unrestricted(REASON).filter(
        role__in=("principal", "safety_manager", "special_operator"),
        enterprise__in=units_in(scope).filter(is_high_risk=True).values("pk"),
    )
    valid = Certificate.objects.unrestricted(REASON).filter(valid_from__lte=w.as_of, valid_to__gte=w.as_of)
    holding = people.filter(Q(pk__in=valid.filter(person__isnull=False).values("person_id")))
    return Parts(numerator=holding, denominator=people)


def drill_coverage(scope: Scope, w: Window) -> Parts:
    kinds = {k for r in DrillRule.objects.unrestricted(REASON) for k in r.kinds}
    units = units_in(scope)
    held = Drill.objects.unrestricted(REASON).filter(
        status=DrillStatus.DONE, held_on__year=w.as_of.year, held_on__lte=w.as_of, kind__in=kinds
    )
    return Parts(numerator=units.filter(pk__in=held.values("enterprise_id")), denominator=units)


def inspectors_trained(scope: Scope, w: Window) -> Parts:
    roster = Inspector.objects.unrestricted(REASON).filter(active=True)
    if scope.kind == DEPARTMENT:
        roster = roster.filter(department_id=scope.department_id)
    first, _last = round_of(w.as_of.year)
    trained = Attendance.objects.unrestricted(REASON).filter(
        ~Q(session__status=SessionStatus.PLANNED),
        session__kind=SessionKind.INSPECTORS,
        session__held_on__year__gte=first,
        session__held_on__lte=w.as_of,
        inspector__isnull=False,
    )
    return Parts(numerator=roster.filter(pk__in=trained.values("inspector_id")), denominator=roster)


def worker_coverage(scope: Scope, w: Window) -> Parts:
    roster = Worker.objects.unrestricted(REASON).filter(
        enterprise__in=units_in(scope).values("pk"), status=WorkerStatus.ON, hired_on__lte=w.as_of
    )
    return Parts(numerator=roster.filter(pk__in=pre_job_trained(roster, w.as_of)), denominator=roster)


def _register(
    id: str, name: str, definition: str, num: str, den: str, records: Any, seed_ref: str, **kw: Any
) -> None:
    registry.register(
        registry.Indicator(
            id=id,
            name=name,
            definition=definition,
            numerator_label=num,
            denominator_label=den,
            unit="%",
            kind=RATIO,
            direction=HIGHER,
            source="training",
            target=Decimal(100),
            scopes=kw.pop("scopes", SCOPES),
            records=records,
            seed_ref=seed_ref,
            group=GROUP,
            **kw,
        )
    )


def register_indicators() -> None:
    _register(
        "training.theme_coverage",
        "年度主题培训覆盖率",
        "统计年度的年度培训主题所列对象单位（按行业领域）中，其主要负责人（消防安全责任人）已参加该主题培训（已开始签到的培训场次）"
        "的单位数 ÷ 对象单位数 × 100%。",
        "已参训的对象单位",
        "年度主题对象单位",
        theme_coverage,
        "屈安发〔2024〕1号 三（七）17",
        record_label="生产经营单位",
    )
    _register(
        "training.certified_rate",
        "高危企业关键岗位持证率",
        "高危企业人员台账中的主要负责人、安全管理人员和特种作业人员，在统计日持有有效证书的人数 ÷ 上述人员总数 × 100%。",
        "持有效证书的人员",
        "高危企业关键岗位人员",
        certified_rate,
        "屈安发〔2024〕1号 三（七）18",
        record_label="人员",
    )
    _register(
        "training.drill_coverage",
        "疏散逃生演练覆盖率",
        "在营生产经营单位中，统计年度内（截至统计日）已实施疏散逃生或综合演练的单位数 ÷ 在营单位数 × 100%。",
        "已演练的单位",
        "在营单位",
        drill_coverage,
        "屈安发〔2024〕1号 三（八）20",
        record_label="生产经营单位",
    )
    _register(
        "training.inspectors_trained",
        "执法人员集中轮训完成率",
        "执法检查人员名录库中在库人员，在本轮（2024—2026年为一轮）内参加过执法人员集中轮训的人数 ÷ 在库人数 × 100%。",
        "已轮训的执法人员",
        "在库执法人员",
        inspectors_trained,
        "屈安发〔2024〕1号 三（四）11",
        record_label="执法检查人员",
        scopes=frozenset({DISTRICT, DEPARTMENT}),
    )
    _register(
        "training.worker_coverage",
        "从业人员岗前培训达标率",
        "从业人员名册中在岗人员（含接受本单位作业指令的劳务派遣、灵活用工人员），岗前培训学时达到所在单位行业要求"
        "（高危行业不少于72学时，其他不少于24学时，待核实）的人数 ÷ 在岗人数 × 100%。",
        "岗前培训达标的从业人员",
        "在岗从业人员",
        worker_coverage,
        "屈安发〔2024〕1号 三（八）19",
        record_label="从业人员",
    )
