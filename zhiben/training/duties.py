"""Duties and the gaps they leave (read only; no writes): 应训未训 and 应练未练.

* Theme (`theme_gaps`): each unit of the year's theme audience (its industries, with their sub-industries)
  owes one attendance per audience role at a started session of that theme; a unit without one is a gap.
* Annual refresher (`refresher_gaps`): each operating unit's 主要负责人 owes the refresher hours of its rule
  (高危 or not) in the year, summed over the started sessions they attended.
* 开工第一课 (`first_lesson_gaps`): each construction project started in the year owes a session of that kind.
* Inspectors (`inspector_gaps`): each active inspector of the roster owes one attendance at an inspectors'
  session within the three-year round (2024–2026, then every three years).
* Drills (`drill_dues`): each operating unit owes one counted drill per period of its rule — the year, or each
  half-year for 高危 units; a period that has ended without one is 逾期未练, the current one 待演练.

* Workers (`worker_shortfalls`): each worker on a unit's roster (从业人员名册) owes the pre-job hours of the rule
  for the unit's industries (高危 ≥ 72, others ≥ 24) from the hire date (plus the grace days of the data), and
  from the year after the hire the annual 再培训 hours (20 / 12), summed over their training records.

Dispatched and flexible workers (劳务派遣、灵活用工) sign in with, and are on the roster of, the unit that directs
their work: the attendance's unit and the roster's unit are that unit, so they count with it.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django.db.models import Count, DecimalField, Exists, OuterRef, Q, QuerySet, Subquery, Sum, Value
from django.db.models.functions import Coalesce
from django.utils.translation import gettext as _

from zhiben.registry.choices import EnterpriseStatus, RegionLevel
from zhiben.registry.models import Department, Enterprise, Industry, Region
from zhiben.registry.scoping import industry_ids_of_department

from .choices import (
    AttendeeRole,
    DrillStatus,
    Employment,
    OrganiserKind,
    SessionKind,
    SessionStatus,
    WorkerStatus,
    WorkerTrainingKind,
)
from .models import (
    Attendance,
    Drill,
    DrillRule,
    TrainingRule,
    TrainingSession,
    TrainingTheme,
    Worker,
    WorkerTraining,
)
from .reference import data

REASON = "duties: the caller passes the units in its scope"
ROUND_START = 2024  # the first three-year round of inspector training (屈安发〔2024〕1号: 2024–2026)


@dataclass(frozen=True)
class Gap:
    enterprise: Enterprise
    role: str
    label: str
    detail: str = ""

    @property
    def role_label(self) -> str:
        return str(AttendeeRole(self.role).label)


def industry_ids(codes: Iterable[str], tree: Sequence[tuple[int, str, int | None]] | None = None) -> set[int]:
    """The industries named by code, with all their sub-industries (`tree`: the rows, when already read)."""
    rows = tree if tree is not None else list(Industry.objects.values_list("pk", "code", "parent_id"))
    wanted = set(codes)
    result = {pk for pk, code, _parent in rows if code in wanted}
    children: dict[int | None, list[int]] = defaultdict(list)
    for pk, _code, parent in rows:
        children[parent].append(pk)
    frontier = list(result)
    while frontier:
        for child in children.get(frontier.pop(), []):
            if child not in result:
                result.add(child)
                frontier.append(child)
    return result


def audience_units(theme: TrainingTheme, units: QuerySet[Enterprise]) -> list[tuple[Enterprise, str, str]]:
    """(unit, role, audience label) for every unit of `units` the theme's audience names."""
    out: list[tuple[Enterprise, str, str]] = []
    seen: set[tuple[int, str]] = set()
    tree = list(Industry.objects.values_list("pk", "code", "parent_id"))
    for entry in theme.audience:
        ids = industry_ids(entry.get("industries", []), tree)
        chosen = units.filter(industries__in=ids).distinct().select_related("region").order_by("name", "pk")
        for e in chosen:
            for role in entry.get("roles", []):
                if (e.pk, role) not in seen:
                    seen.add((e.pk, role))
                    out.append((e, role, str(entry.get("label", ""))))
    return out


def signin_units(session: TrainingSession | None) -> QuerySet[Enterprise]:
    """The units a sign-in may name: a unit's own session its unit; a theme session its audience; a 开工第一课
    its project's builder and contractor; a township's session its territory's units; else every unit."""
    qs = Enterprise.objects.unrestricted("sign-in: the session decides which units are offered").filter(
        status=EnterpriseStatus.OPERATING
    )
    if session is None:
        return qs.none()
    if session.enterprise_id:
        return qs.filter(pk=session.enterprise_id)
    project, theme, township = session.project, session.theme, session.township
    if project is not None:
        return qs.filter(pk__in=[i for i in (project.builder_id, project.contractor_id) if i])
    if theme is not None and session.kind == SessionKind.THEME:
        return qs.filter(pk__in=[e.pk for e, _role, _label in audience_units(theme, qs)])
    if session.organiser_kind == OrganiserKind.TOWNSHIP and township is not None:
        return qs.filter(region__code__startswith=township.scope_prefix)
    return qs


def started() -> Q:
    return ~Q(session__status=SessionStatus.PLANNED)


def theme_gaps(theme: TrainingTheme, units: QuerySet[Enterprise]) -> list[Gap]:
    """应训未训 of the theme: audience (unit, role) pairs with no attendance at a started session of it."""
    due = audience_units(theme, units.filter(status=EnterpriseStatus.OPERATING))
    attended = set(
        Attendance.objects.unrestricted(REASON)
        .filter(started(), session__theme=theme, enterprise__isnull=False)
        .values_list("enterprise_id", "role")
    )
    return [
        Gap(e, role, label, e.principal_name if role == AttendeeRole.PRINCIPAL else "")
        for e, role, label in due
        if (e.pk, role) not in attended
    ]


def refresher_gaps(year: int, units: QuerySet[Enterprise]) -> list[Gap]:
    """主要负责人 whose hours in the year fall short of their rule (高危 or not)."""
    rules = {
        r.high_risk: r
        for r in TrainingRule.objects.unrestricted(REASON).filter(frequency="annual")
        if AttendeeRole.PRINCIPAL in r.roles
    }
    if not rules:
        return []
    hours: dict[int, Decimal] = defaultdict(Decimal)
    for row in (
        Attendance.objects.unrestricted(REASON)
        .filter(started(), session__held_on__year=year, role=AttendeeRole.PRINCIPAL, enterprise__isnull=False)
        .values("enterprise_id")
        .annotate(h=Sum("session__hours"))
    ):
        hours[row["enterprise_id"]] = row["h"] or Decimal(0)
    out = []
    for e in units.filter(status=EnterpriseStatus.OPERATING).order_by("name", "pk"):
        rule = rules.get(e.is_high_risk) or rules.get(False) or next(iter(rules.values()))
        got = hours.get(e.pk, Decimal(0))
        if got < rule.hours:
            out.append(
                Gap(
                    e,
                    AttendeeRole.PRINCIPAL,
                    rule.name,
                    _("已参训 %(got)s 学时，应不少于 %(need)s 学时")
                    % {"got": f"{got.normalize():f}", "need": f"{rule.hours.normalize():f}"},
                )
            )
    return out


def first_lesson_gaps(year: int, projects: QuerySet[Any]) -> list[Any]:
    """Construction projects started in the year with no started 开工第一课 session."""
    done = (
        TrainingSession.objects.unrestricted(REASON)
        .filter(kind=SessionKind.FIRST_LESSON, project__isnull=False)
        .exclude(status=SessionStatus.PLANNED)
    )
    return list(
        projects.filter(start_date__year=year)
        .exclude(pk__in=done.values("project_id"))
        .select_related("builder", "township")
        .order_by("start_date", "pk")
    )


def round_of(year: int) -> tuple[int, int]:
    first = ROUND_START + ((year - ROUND_START) // 3) * 3
    return first, first + 2


def inspector_gaps(year: int, inspectors: QuerySet[Any]) -> list[Any]:
    """Active inspectors with no attendance at an inspectors' session within the round holding `year`."""
    first, last = round_of(year)
    trained = Attendance.objects.unrestricted(REASON).filter(
        started(),
        session__kind=SessionKind.INSPECTORS,
        session__held_on__year__gte=first,
        session__held_on__year__lte=last,
        inspector__isnull=False,
    )
    return list(
        inspectors.filter(active=True)
        .exclude(pk__in=trained.values("inspector_id"))
        .select_related("department")
        .order_by("department__sort_order", "name", "pk")
    )


# --- workers (从业人员) ----------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class WorkerRules:
    """The workers' rules of the data: pre-job and annual, each for 高危 industries and for the others."""

    pre_job: dict[bool, TrainingRule]
    annual: dict[bool, TrainingRule]
    high_risk_industries: frozenset[int]
    grace_days: int

    def is_high_risk(self, industries: set[int]) -> bool:
        return bool(industries & self.high_risk_industries)

    def pre_job_rule(self, high: bool) -> TrainingRule | None:
        return self.pre_job.get(high) or self.pre_job.get(False)

    def annual_rule(self, high: bool) -> TrainingRule | None:
        return self.annual.get(high) or self.annual.get(False)


def worker_rules() -> WorkerRules:

    rules = [
        r
        for r in TrainingRule.objects.unrestricted(REASON)
        if AttendeeRole.WORKER in r.roles and r.frequency in ("once", "annual")
    ]
    tree = list(Industry.objects.values_list("pk", "code", "parent_id"))
    high = frozenset(industry_ids([c for r in rules if r.high_risk for c in r.industries], tree))
    grace = int(data().get("worker_pre_job_grace_days", {}).get("value", 0))
    return WorkerRules(
        pre_job={r.high_risk: r for r in rules if r.frequency == "once"},
        annual={r.high_risk: r for r in rules if r.frequency == "annual"},
        high_risk_industries=high,
        grace_days=grace,
    )


@dataclass(frozen=True)
class Shortfall:
    """One worker short of one duty's hours (岗前 or 某年再培训)."""

    worker: Worker
    kind: str  # WorkerTrainingKind
    need: Decimal
    got: Decimal
    rule: str
    high_risk: bool

    @property
    def missing(self) -> Decimal:
        return self.need - self.got

    @property
    def kind_label(self) -> str:
        return str(WorkerTrainingKind(self.kind).label)

    @property
    def detail(self) -> str:
        return _("已培训 %(got)s 学时，应不少于 %(need)s 学时，差 %(miss)s 学时") % {
            "got": _num(self.got),
            "need": _num(self.need),
            "miss": _num(self.missing),
        }


def _num(d: Decimal) -> str:
    return f"{d.normalize():f}"


def worker_shortfalls(
    workers: QuerySet[Worker], year: int, today: dt.date, rules: WorkerRules | None = None
) -> list[Shortfall]:
    """Workers of `workers` on the roster (在岗) short of their pre-job hours (due from the hire date plus the grace
    days) or of the year's 再培训 hours (due from the year after the hire). Counted by the roster's unit — the unit
    that directs the work, so dispatched and flexible workers count with it."""
    on = list(
        workers.filter(status=WorkerStatus.ON)
        .select_related("enterprise__region")
        .order_by("enterprise__name", "enterprise_id", "name", "pk")
    )
    if not on:
        return []
    rules = rules or worker_rules()
    ids = [w.pk for w in on]
    industries: dict[int, set[int]] = defaultdict(set)
    through = Enterprise.industries.through.objects.filter(enterprise_id__in={w.enterprise_id for w in on})
    for eid, iid in through.values_list("enterprise_id", "industry_id"):
        industries[eid].add(iid)
    pre: dict[int, Decimal] = defaultdict(Decimal)
    annual: dict[int, Decimal] = defaultdict(Decimal)
    records = WorkerTraining.objects.unrestricted(REASON).filter(worker_id__in=ids, held_on__lte=today)
    for row in records.filter(kind=WorkerTrainingKind.PRE_JOB).values("worker_id").annotate(h=Sum("hours")):
        pre[row["worker_id"]] = row["h"] or Decimal(0)
    for row in (
        records.filter(kind=WorkerTrainingKind.ANNUAL, held_on__year=year)
        .values("worker_id")
        .annotate(h=Sum("hours"))
    ):
        annual[row["worker_id"]] = row["h"] or Decimal(0)
    out: list[Shortfall] = []
    for w in on:
        high = rules.is_high_risk(industries.get(w.enterprise_id, set()))
        rule = rules.pre_job_rule(high)
        if rule is not None and w.hired_on + dt.timedelta(days=rules.grace_days) <= today:
            got = pre.get(w.pk, Decimal(0))
            if got < rule.hours:
                out.append(Shortfall(w, WorkerTrainingKind.PRE_JOB, rule.hours, got, rule.name, high))
        rule = rules.annual_rule(high)
        if rule is not None and w.hired_on.year < year and dt.date(year, 1, 1) <= today:
            got = annual.get(w.pk, Decimal(0))
            if got < rule.hours:
                out.append(Shortfall(w, WorkerTrainingKind.ANNUAL, rule.hours, got, rule.name, high))
    return out


def pre_job_short_count(workers: QuerySet[Worker], today: dt.date, rules: WorkerRules | None = None) -> int:
    """How many workers of `workers` `worker_shortfalls` lists short of their pre-job hours, counted in the
    database in one statement (the workbench's figure: no worker rows are built)."""
    rules = rules or worker_rules()
    owed = {high: rules.pre_job_rule(high) for high in (True, False)}
    if not any(owed.values()):
        return 0
    got = Subquery(
        WorkerTraining.objects.unrestricted(REASON)
        .filter(worker_id=OuterRef("pk"), kind=WorkerTrainingKind.PRE_JOB, held_on__lte=today)
        .values("worker_id")
        .annotate(h=Sum("hours"))
        .values("h")
    )
    high = Exists(
        Enterprise.industries.through.objects.filter(
            enterprise_id=OuterRef("enterprise_id"), industry_id__in=rules.high_risk_industries
        )
    )
    short = Q(pk__in=[])
    for is_high, rule in owed.items():
        if rule is not None:
            short |= Q(high=is_high, got__lt=rule.hours)
    return (
        workers.filter(status=WorkerStatus.ON, hired_on__lte=today - dt.timedelta(days=rules.grace_days))
        .annotate(got=Coalesce(got, Value(Decimal(0)), output_field=DecimalField()), high=high)
        .filter(short)
        .count()
    )


def pre_job_trained(workers: QuerySet[Worker], today: dt.date, rules: WorkerRules | None = None) -> list[int]:
    """Ids of the workers on the roster (hired by `today`) trained to their pre-job hours."""
    due = list(workers.filter(status=WorkerStatus.ON, hired_on__lte=today).values_list("pk", flat=True))
    short = {
        s.worker.pk
        for s in worker_shortfalls(
            Worker.objects.unrestricted(REASON).filter(pk__in=due), today.year, today, rules
        )
        if s.kind == WorkerTrainingKind.PRE_JOB
    }
    return [pk for pk in due if pk not in short]


@dataclass
class UnitShortfall:
    """One unit of the workers' gap list: its roster and how many are short, dispatched/flexible among them."""

    enterprise: Enterprise
    on_roster: int = 0
    pre_job: int = 0
    annual: int = 0
    outsourced: int = 0  # 劳务派遣、灵活用工、承包商人员 short of hours

    @property
    def workers_short(self) -> int:
        return self.pre_job + self.annual


OUTSOURCED = (Employment.DISPATCHED, Employment.FLEXIBLE, Employment.CONTRACTOR)


def units_short(workers: QuerySet[Worker], shortfalls: list[Shortfall]) -> list[UnitShortfall]:
    """The units with at least one worker short, with their roster counts (workers on the roster, 在岗)."""
    by_unit: dict[int, UnitShortfall] = {}
    outsourced: dict[int, set[int]] = defaultdict(set)
    for s in shortfalls:
        u = by_unit.setdefault(s.worker.enterprise_id, UnitShortfall(s.worker.enterprise))
        if s.kind == WorkerTrainingKind.PRE_JOB:
            u.pre_job += 1
        else:
            u.annual += 1
        if s.worker.employment in OUTSOURCED:
            outsourced[u.enterprise.pk].add(s.worker.pk)
    if not by_unit:
        return []
    counts = dict(
        workers.filter(status=WorkerStatus.ON, enterprise_id__in=by_unit)
        .values("enterprise_id")
        .annotate(n=Count("pk"))
        .values_list("enterprise_id", "n")
    )
    for pk, u in by_unit.items():
        u.on_roster = counts.get(pk, 0)
        u.outsourced = len(outsourced.get(pk, set()))
    return sorted(by_unit.values(), key=lambda u: (-u.workers_short, u.enterprise.name, u.enterprise.pk))


# --- drills ----------------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class DrillDue:
    enterprise: Enterprise
    period: str  # 2026 / 2026上半年 / 2026下半年
    start: dt.date
    end: dt.date
    overdue: bool
    rule: str

    @property
    def status_label(self) -> str:
        return _("逾期未练") if self.overdue else _("待演练")


def periods(year: int, per_year: int) -> list[tuple[str, dt.date, dt.date]]:
    if per_year >= 2:
        return [
            (f"{year}年上半年", dt.date(year, 1, 1), dt.date(year, 6, 30)),
            (f"{year}年下半年", dt.date(year, 7, 1), dt.date(year, 12, 31)),
        ]
    return [(f"{year}年", dt.date(year, 1, 1), dt.date(year, 12, 31))]


def drill_dues(year: int, units: QuerySet[Enterprise], today: dt.date) -> list[DrillDue]:
    """应练未练: each (unit, period) of the year that has begun, holds no counted drill, by the unit's rule."""
    chosen = units.filter(status=EnterpriseStatus.OPERATING).select_related("region").order_by("name", "pk")
    return [
        DrillDue(e, label, start, end, end < today, rule)
        for e, label, start, end, rule in _open_periods(
            year, ((e, e.pk, e.is_high_risk) for e in chosen), today
        )
    ]


def drill_due_counts(year: int, units: QuerySet[Enterprise], today: dt.date) -> tuple[int, int]:
    """(overdue, due) of `drill_dues` without building the units (the workbench's figures)."""
    rows = units.filter(status=EnterpriseStatus.OPERATING).values_list("pk", "pk", "is_high_risk")
    overdue = due = 0
    for _pk, _label, _start, end, _rule in _open_periods(year, rows, today):
        overdue, due = (overdue + 1, due) if end < today else (overdue, due + 1)
    return overdue, due


def _open_periods(
    year: int, units: Iterable[tuple[Any, int, bool]], today: dt.date
) -> Iterator[tuple[Any, str, dt.date, dt.date, str]]:
    """(unit, period label, start, end, rule name) for each begun period without a counted drill; `units` are
    (what to yield for the unit, its id, whether it is 高危)."""
    rules = {r.high_risk: r for r in DrillRule.objects.unrestricted(REASON)}
    if not rules:
        return
    kinds = {k for r in rules.values() for k in r.kinds}
    held: dict[int, list[dt.date]] = defaultdict(list)
    for eid, on in (
        Drill.objects.unrestricted(REASON)
        .filter(status=DrillStatus.DONE, held_on__year=year, kind__in=kinds)
        .values_list("enterprise_id", "held_on")
    ):
        held[eid].append(on)
    fallback = rules.get(False) or next(iter(rules.values()))
    begun = {
        high_risk: [p for p in periods(year, rule.periods_per_year) if p[1] <= today]
        for high_risk, rule in rules.items()
    }
    for unit, pk, high_risk in units:
        rule = rules.get(high_risk) or fallback
        for label, start, end in begun[rule.high_risk]:
            if any(start <= on <= end for on in held.get(pk, [])):
                continue
            yield unit, label, start, end, rule.name


# --- grouping ---------------------------------------------------------------------------------------------------


def townships() -> list[Region]:
    return list(Region.objects.unrestricted(REASON).filter(level=RegionLevel.TOWNSHIP).order_by("code"))


def township_for(region: Region, towns: list[Region]) -> Region | None:
    """The township whose territory holds `region` (by code prefix, no queries)."""
    for town in towns:
        if region.code.startswith(town.scope_prefix):
            return town
    return None


def counts_by_township(enterprises: Iterable[Enterprise]) -> list[tuple[Region, int]]:
    towns = townships()
    counts: dict[int, int] = defaultdict(int)
    for e in enterprises:
        town = township_for(e.region, towns)
        if town is not None:
            counts[town.pk] += 1
    return [(t, counts[t.pk]) for t in towns if counts.get(t.pk)]


def counts_by_department(enterprises: Iterable[Enterprise]) -> list[tuple[Department, int]]:
    """Each department (三管三必须: the industries it leads or co-supervises) with the units it supervises."""
    units = list(enterprises)
    if not units:
        return []
    industries: dict[int, set[int]] = defaultdict(set)
    through = Enterprise.industries.through.objects.filter(enterprise_id__in={e.pk for e in units})
    for eid, iid in through.values_list("enterprise_id", "industry_id"):
        industries[eid].add(iid)
    out = []
    for d in Department.objects.unrestricted(REASON).order_by("sort_order", "code"):
        ids = industry_ids_of_department(d.pk)
        n = sum(1 for e in units if industries.get(e.pk, set()) & ids)
        if n:
            out.append((d, n))
    return out
