"""The pools of a 双随机 draw, built from the database once, at commitment time, and then frozen.

检查对象名录 (entity pool): operating units in the department's industries (三管三必须), narrowed by region,
industry, high-risk and standardisation grade; minus units inspected within `recent_days`, units already at
their yearly cap (国办发〔2024〕54号), and units for which fewer than `officers_per_check` officers are free of
回避 (they could never be staffed lawfully).

执法人员名录 (officer pool): the department's certified law-enforcement officers on the draw date (and on the
planned inspection date, when later): `Inspector.is_certified`.

回避 (excluded pairs): declared active conflicts (InspectorConflict), plus every officer–unit pair that met on an
inspection within `pair_days` (InspectionOfficer history; cancelled visits do not count).

风险权重 (optional, documented in docs/draw-algorithm.md §3): weight = 1 + 2 if high-risk + grade bonus
(未达标 2, 小微/三级 1, 二级/一级 0) + open-hazard bonus (any open 重大 hazard 3, else any open hazard 1).
"""

from __future__ import annotations

import datetime as dt
import math
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from typing import Any

from django.core.exceptions import ValidationError
from django.db.models import Count, Q
from django.utils.translation import gettext as _

from zhiben.core.scoping import unscoped
from zhiben.hazards.choices import OPEN_STATUSES, Level
from zhiben.hazards.models import Hazard
from zhiben.registry.choices import EnterpriseStatus, StandardisationGrade
from zhiben.registry.models import Department, Enterprise, Industry, Region
from zhiben.registry.scoping import industry_ids_of_department, with_descendants

from .choices import InspectionStatus, InspectorKind, RiskClass
from .draw_algorithm import MIN_OFFICERS_PER_CHECK
from .models import Inspection, InspectionOfficer, Inspector, InspectorConflict
from .services.caps import CapIndex, inspections_per_unit

HIGH_RISK_WEIGHT = 2
GRADE_WEIGHT: dict[str, int] = {
    StandardisationGrade.NONE: 2,
    StandardisationGrade.SMALL: 1,
    StandardisationGrade.GRADE_3: 1,
    StandardisationGrade.GRADE_2: 0,
    StandardisationGrade.GRADE_1: 0,
}
OPEN_MAJOR_HAZARD_WEIGHT = 3
OPEN_HAZARD_WEIGHT = 1
MAX_RECENT_DAYS = 3660
# Further terms of the weight from modules built above this one (e.g. the risk module's 重大风险点 + 2): each is
# `bonus(units queryset) -> {unit id: points}`, registered once from the module's ready().
WEIGHT_BONUSES: dict[str, Callable[[Any], dict[int, int]]] = {}


def register_weight_bonus(key: str, bonus: Callable[[Any], dict[int, int]]) -> None:
    """Add (or replace, on a reload) a term of the draw weight; docs/draw-algorithm.md §3 lists them."""
    WEIGHT_BONUSES[key] = bonus


@dataclass(frozen=True)
class DrawCriteria:
    """The conditions of a draw as the department entered them (stored in Draw.criteria)."""

    region: str = ""  # region code; the unit's region or any below it
    industry: str = ""  # industry code; the industry or any below it
    high_risk: bool | None = None
    grades: tuple[str, ...] = ()
    recent_days: int = 90  # exclude units inspected within this many days (0: do not exclude)
    count: int | None = None
    proportion: Decimal | None = None  # percent of the pool, rounded up
    officers_per_check: int = MIN_OFFICERS_PER_CHECK
    max_per_officer: int | None = None
    pair_days: int = 365  # 回避 an officer–unit pair that met within this many days (0: only declared)
    weighted: bool = False
    planned_on: dt.date | None = None

    def to_json(self) -> dict[str, Any]:
        return {
            "region": self.region,
            "industry": self.industry,
            "high_risk": self.high_risk,
            "grades": list(self.grades),
            "recent_days": self.recent_days,
            "count": self.count,
            "proportion": None if self.proportion is None else str(self.proportion),
            "officers_per_check": self.officers_per_check,
            "max_per_officer": self.max_per_officer,
            "pair_days": self.pair_days,
            "weighted": self.weighted,
            "planned_on": self.planned_on.isoformat() if self.planned_on else None,
        }

    @classmethod
    def from_json(cls, data: dict[str, Any] | None) -> DrawCriteria:
        """Read (and validate) criteria given as JSON: a stored draw's, or an API caller's."""
        data = dict(data or {})
        errors: dict[str, str] = {}

        def integer(name: str, default: int | None, low: int, high: int = 100_000) -> int | None:
            value: Any = data.get(name, default)
            if value is None or value == "":
                return None
            try:
                number = int(value)
                if isinstance(value, bool) or str(number) != str(value).strip():
                    raise ValueError
            except (TypeError, ValueError):
                errors[name] = _("应为整数。")
                return default
            if not low <= number <= high:
                errors[name] = _("应在 %(a)s–%(b)s 之间。") % {"a": low, "b": high}
            return number

        proportion = None
        if data.get("proportion") not in (None, ""):
            try:
                proportion = Decimal(str(data["proportion"]))
                if not proportion.is_finite() or not Decimal(0) < proportion <= Decimal(100):
                    raise InvalidOperation
            except InvalidOperation:
                errors["proportion"] = _("抽查比例应大于 0 且不超过 100。")
                proportion = None
        high_risk = data.get("high_risk")
        if high_risk in ("", None):
            high_risk = None
        elif high_risk in (True, "true", "1", 1):
            high_risk = True
        elif high_risk in (False, "false", "0", 0):
            high_risk = False
        else:
            errors["high_risk"] = _("应为 true、false 或留空。")
            high_risk = None
        grades = data.get("grades") or []
        if isinstance(grades, str) or not all(g in StandardisationGrade.values for g in grades):
            errors["grades"] = _("标准化等级无效。")
            grades = []
        planned_on = data.get("planned_on")
        if isinstance(planned_on, str) and planned_on:
            try:
                planned_on = dt.date.fromisoformat(planned_on)
            except ValueError:
                errors["planned_on"] = _("日期格式应为 YYYY-MM-DD。")
                planned_on = None
        elif not isinstance(planned_on, dt.date):
            planned_on = None
        criteria = cls(
            region=str(data.get("region") or "")[:12],
            industry=str(data.get("industry") or "")[:20],
            high_risk=high_risk,
            grades=tuple(sorted(set(grades))),
            recent_days=integer("recent_days", 90, 0, MAX_RECENT_DAYS) or 0,
            count=integer("count", None, 1),
            proportion=proportion,
            officers_per_check=integer(
                "officers_per_check", MIN_OFFICERS_PER_CHECK, MIN_OFFICERS_PER_CHECK, 10
            )
            or MIN_OFFICERS_PER_CHECK,
            max_per_officer=integer("max_per_officer", None, 1),
            pair_days=integer("pair_days", 365, 0, MAX_RECENT_DAYS) or 0,
            weighted=bool(data.get("weighted") in (True, "true", "1", 1, "on")),
            planned_on=planned_on,
        )
        if criteria.count is None and criteria.proportion is None and "count" not in errors:
            errors["count"] = _("请填写抽取数量或抽查比例。")
        if criteria.count is not None and criteria.proportion is not None:
            errors["proportion"] = _("抽取数量与抽查比例只填一项。")
        if criteria.region and not Region.objects.filter(code=criteria.region).exists():
            errors["region"] = _("行政区划代码不存在。")
        if errors:
            raise ValidationError(errors)
        return criteria

    def resolved_count(self, pool_size: int) -> int:
        if self.count is not None:
            return self.count
        assert self.proportion is not None
        return math.ceil(Decimal(pool_size) * self.proportion / 100)


@dataclass
class Pools:
    """The pools as built from the database, before freezing (all ids; sets for fast membership)."""

    entities: list[int]
    officers: list[int]
    pairs: set[tuple[int, int]]
    weights: dict[int, int] | None
    excluded: dict[str, int] = field(default_factory=dict)  # reason → units left out
    candidates: int = 0

    def count_for(self, criteria: DrawCriteria) -> int:
        return criteria.resolved_count(len(self.entities))


def certification_day(on: dt.date, criteria: DrawCriteria) -> dt.date:
    """Officers must be certified on the draw date and on the planned inspection date."""
    return max(on, criteria.planned_on or on)


def officer_pool(department: Department, on: dt.date) -> list[Inspector]:
    """The department's certified law-enforcement officers on `on` (experts and technicians only assist)."""
    people = Inspector.objects.unrestricted("the draw's department").filter(
        department=department, kind=InspectorKind.OFFICER, active=True
    )
    return sorted((p for p in people if p.is_certified(on)), key=lambda p: p.pk)


def candidate_units(department: Department, criteria: DrawCriteria, actor: Any = None) -> Any:
    """Operating units in the department's industries matching the filters (a queryset, not yet frozen)."""
    industries = industry_ids_of_department(department.pk)
    if criteria.industry:
        chosen = list(Industry.objects.filter(code=criteria.industry))
        industries = frozenset(industries & with_descendants({i.pk for i in chosen}))
    through = Enterprise.industries.through.objects.filter(industry_id__in=industries)
    qs = Enterprise.objects.filter(status=EnterpriseStatus.OPERATING, pk__in=through.values("enterprise_id"))
    if actor is not None:
        # A department user whose role is limited to part of the district draws only there.
        qs = qs.filter(pk__in=Enterprise.objects.restrict(actor, "view").values("pk"))
    if criteria.region:
        region = Region.objects.filter(code=criteria.region).first()
        prefix = region.scope_prefix if region else "__none__"
        qs = qs.filter(region__in=Region.objects.filter(code__startswith=prefix).values("pk"))
    high = Q(is_high_risk=True) | Q(primary_industry__high_risk=True)
    if criteria.high_risk is True:
        qs = qs.filter(high)
    elif criteria.high_risk is False:
        qs = qs.exclude(high)
    if criteria.grades:
        qs = qs.filter(standardisation_grade__in=criteria.grades)
    return qs


def _recently_inspected(since: dt.date) -> set[int]:
    rows = (
        Inspection.objects.enforcement()
        .exclude(status=InspectionStatus.CANCELLED)
        .filter(Q(started_at__date__gte=since) | Q(started_at__isnull=True, planned_on__gte=since))
        .values_list("enterprise_id", flat=True)
        .distinct()
    )
    return set(rows)


def _recent_pairs(officers: list[int], since: dt.date) -> set[tuple[int, int]]:
    rows = (
        InspectionOfficer.objects.filter(inspector_id__in=officers)
        .exclude(inspection__status=InspectionStatus.CANCELLED)
        .filter(
            Q(inspection__started_at__date__gte=since)
            | Q(inspection__started_at__isnull=True, inspection__planned_on__gte=since)
        )
        .values_list("inspector_id", "inspection__enterprise_id")
    )
    return set(rows)


def _hazard_bonus(units: Any) -> dict[int, int]:
    """Open-hazard weight per unit (one grouped query over the pool's units)."""
    rows = (
        Hazard.objects.filter(status__in=OPEN_STATUSES, enterprise__in=units)
        .values("enterprise_id")
        .annotate(n=Count("id"), major=Count("id", filter=Q(level=Level.MAJOR)))
    )
    return {
        r["enterprise_id"]: OPEN_MAJOR_HAZARD_WEIGHT if r["major"] else OPEN_HAZARD_WEIGHT
        for r in rows
        if r["n"]
    }


def risk_weight(high_risk: bool, grade: str, hazard_bonus: int) -> int:
    """The documented weight of one unit (docs/draw-algorithm.md §3): an integer ≥ 1 (1 to 8 from the terms
    here; `WEIGHT_BONUSES` may add more)."""
    return 1 + (HIGH_RISK_WEIGHT if high_risk else 0) + GRADE_WEIGHT.get(grade, 0) + hazard_bonus


@unscoped("draw pools: the department's, narrowed to the actor explicitly")
def build_pools(department: Department, criteria: DrawCriteria, on: dt.date, actor: Any = None) -> Pools:
    """Read the pools from the database as of `on` (a handful of queries whatever the district's size)."""
    officers = [o.pk for o in officer_pool(department, certification_day(on, criteria))]
    qs = candidate_units(department, criteria, actor)
    rows = list(
        qs.values_list(
            "pk",
            "primary_industry_id",
            "is_high_risk",
            "primary_industry__high_risk",
            "standardisation_grade",
        )
    )
    excluded: Counter[str] = Counter()
    recent = (
        _recently_inspected(on - dt.timedelta(days=criteria.recent_days)) if criteria.recent_days else set()
    )
    caps = CapIndex()
    used = inspections_per_unit(on.year)
    kept: list[tuple[int, bool, str]] = []
    for pk, industry_id, flagged, industry_high, grade in rows:
        high = bool(flagged or industry_high)
        if pk in recent:
            excluded["recently_inspected"] += 1
            continue
        limit = caps.limit(industry_id, RiskClass.HIGH if high else RiskClass.GENERAL, grade)
        if limit is not None and used.get(pk, 0) >= limit:
            excluded["at_cap"] += 1
            continue
        kept.append((pk, high, grade))
    units = {pk for pk, _h, _g in kept}
    pairs = {
        (o, e)
        for o, e in InspectorConflict.objects.filter(active=True, inspector_id__in=officers).values_list(
            "inspector_id", "enterprise_id"
        )
        if e in units
    }
    if criteria.pair_days:
        since = on - dt.timedelta(days=criteria.pair_days)
        pairs |= {(o, e) for o, e in _recent_pairs(officers, since) if e in units}
    # A unit with fewer free officers than a team needs could never be inspected lawfully by this department.
    blocked = Counter(e for _o, e in pairs)
    free_needed = criteria.officers_per_check
    staffed = [row for row in kept if len(officers) - blocked.get(row[0], 0) >= free_needed]
    if len(staffed) < len(kept) and officers:
        excluded["too_few_officers"] += len(kept) - len(staffed)
        units = {pk for pk, _h, _g in staffed}
        pairs = {(o, e) for o, e in pairs if e in units}
    elif not officers:
        staffed = kept
    weights = None
    if criteria.weighted:
        bonus = _hazard_bonus(qs)
        for extra in WEIGHT_BONUSES.values():
            for pk, points in extra(qs).items():
                bonus[pk] = bonus.get(pk, 0) + points
        weights = {pk: risk_weight(high, grade, bonus.get(pk, 0)) for pk, high, grade in staffed}
    return Pools(
        entities=sorted(pk for pk, _h, _g in staffed),
        officers=officers,
        pairs=pairs,
        weights=weights,
        excluded=dict(excluded),
        candidates=len(rows),
    )
