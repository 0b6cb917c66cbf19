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

Dispatched and flexible workers (劳务派遣、灵活用工) sign in with the unit that directs their work: the
attendance's unit is that unit, so they count with it.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django.db.models import Q, QuerySet, Sum
from django.utils.translation import gettext as _

from zhiben.registry.choices import EnterpriseStatus, RegionLevel
from zhiben.registry.models import Department, Enterprise, Industry, Region
from zhiben.registry.scoping import industry_ids_of_department

from .choices import AttendeeRole, DrillStatus, OrganiserKind, SessionKind, SessionStatus
from .models import Attendance, Drill, DrillRule, TrainingRule, TrainingSession, TrainingTheme

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
    rules = {r.high_risk: r for r in TrainingRule.objects.unrestricted(REASON).filter(frequency="annual")}
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
    rules = {r.high_risk: r for r in DrillRule.objects.unrestricted(REASON)}
    if not rules:
        return []
    kinds = {k for r in rules.values() for k in r.kinds}
    held: dict[int, list[dt.date]] = defaultdict(list)
    for eid, on in (
        Drill.objects.unrestricted(REASON)
        .filter(status=DrillStatus.DONE, held_on__year=year, kind__in=kinds)
        .values_list("enterprise_id", "held_on")
    ):
        held[eid].append(on)
    out: list[DrillDue] = []
    for e in units.filter(status=EnterpriseStatus.OPERATING).select_related("region").order_by("name", "pk"):
        rule = rules.get(e.is_high_risk) or rules.get(False) or next(iter(rules.values()))
        for label, start, end in periods(year, rule.periods_per_year):
            if start > today:
                continue
            if any(start <= on <= end for on in held.get(e.pk, [])):
                continue
            out.append(DrillDue(e, label, start, end, end < today, rule.name))
    return out


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
