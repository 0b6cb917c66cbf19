"""Per-unit yearly inspection caps (国办发〔2024〕54号《关于严格规范涉企行政检查的意见》).

Caps are data (`InspectionCap`) by industry × risk class × standardisation grade; the most specific row
matching a unit applies. A joint inspection is one visit and counts once. Inspecting a unit beyond its cap
needs an approved `CapException` (申请 → 区安委办审批), and the inspection records which approval it used.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Count, Q
from django.utils.translation import gettext as _

from zhiben.core import audit
from zhiben.core.errors import Conflict, NotPermitted
from zhiben.core.scoping import can
from zhiben.core.workflow import compare_and_swap
from zhiben.registry.choices import StandardisationGrade
from zhiben.registry.models import Enterprise, Industry

from ..choices import ExceptionStatus, InspectionStatus, RiskClass
from ..events import CAP_CHANGED
from ..models import CapException, Inspection, InspectionCap


@dataclass(frozen=True)
class CapStatus:
    """Where a unit stands against its cap in one year."""

    cap: InspectionCap | None
    used: int

    @property
    def limit(self) -> int | None:
        return None if self.cap is None else self.cap.max_per_year

    @property
    def remaining(self) -> int | None:
        return None if self.limit is None else max(self.limit - self.used, 0)

    @property
    def reached(self) -> bool:
        return self.limit is not None and self.used >= self.limit


def grade_label(grade: str) -> str:
    """标准化等级 as words; blank means the row applies whatever the grade."""
    return str(StandardisationGrade(grade).label) if grade in StandardisationGrade.values else _("不限")


# Further reasons a unit counts as 高危 for its cap, from modules built above this one (the risk module: a 重大
# risk point). Each is `marked(unit ids) -> the ids it marks`, registered once from the module's ready().
HIGH_RISK_MARKS: dict[str, Callable[[list[int]], set[int]]] = {}


def register_high_risk_mark(key: str, marked: Callable[[list[int]], set[int]]) -> None:
    """Add (or replace, on a reload) a reason for the 高危 risk class of the caps."""
    HIGH_RISK_MARKS[key] = marked


def marked_high_risk(unit_ids: list[int]) -> set[int]:
    """The units any registered mark makes 高危 (one query per mark, whatever the number of units)."""
    found: set[int] = set()
    for marked in HIGH_RISK_MARKS.values():
        found |= marked(unit_ids)
    return found


def risk_class_of(enterprise: Enterprise, marked: set[int] | None = None) -> str:
    """高危 by the unit's flag, its industry, or a registered mark (`marked`: the marks, read in bulk)."""
    industry = enterprise.primary_industry
    if enterprise.is_high_risk or industry.high_risk:
        return RiskClass.HIGH
    if marked is None:
        marked = marked_high_risk([enterprise.pk])
    return RiskClass.HIGH if enterprise.pk in marked else RiskClass.GENERAL


def _industry_chain(industry: Industry) -> list[int]:
    """The industry and its ancestors, nearest first."""
    chain: list[int] = []
    node: Industry | None = industry
    while node is not None:
        chain.append(node.pk)
        node = node.parent
    return chain


def applicable_cap(enterprise: Enterprise, caps: list[InspectionCap] | None = None) -> InspectionCap | None:
    """The most specific cap matching the unit: nearest industry first, then risk class, then grade."""
    rows = caps if caps is not None else list(InspectionCap.objects.all())
    return _most_specific(
        rows,
        _industry_chain(enterprise.primary_industry),
        risk_class_of(enterprise),
        enterprise.standardisation_grade,
    )


def _most_specific(
    caps: list[InspectionCap], chain: list[int], risk: str, grade: str
) -> InspectionCap | None:
    best: tuple[int, int, int] | None = None
    chosen: InspectionCap | None = None
    for cap in caps:
        if cap.industry_id is not None and cap.industry_id not in chain:
            continue
        if cap.risk_class and cap.risk_class != risk:
            continue
        if cap.standardisation_grade and cap.standardisation_grade != grade:
            continue
        industry_rank = len(chain) - chain.index(cap.industry_id) if cap.industry_id is not None else 0
        key = (industry_rank, int(bool(cap.risk_class)), int(bool(cap.standardisation_grade)))
        if best is None or key > best:
            best, chosen = key, cap
    return chosen


def _year_q(year: int) -> Q:
    return Q(started_at__year=year) | Q(started_at__isnull=True, planned_on__year=year)


def inspections_in_year(enterprise_id: int, year: int, *, exclude_pk: int | None = None) -> int:
    """Visits to the unit that year (planned or done; cancelled ones and townships' patrols do not count)."""
    qs = (
        Inspection.objects.enforcement()
        .unrestricted("caps count the whole district")
        .filter(enterprise_id=enterprise_id)
        .exclude(status=InspectionStatus.CANCELLED)
    )
    if exclude_pk is not None:
        qs = qs.exclude(pk=exclude_pk)
    return qs.filter(_year_q(year)).count()


def cap_status(enterprise: Enterprise, year: int, *, exclude_pk: int | None = None) -> CapStatus:
    return CapStatus(
        applicable_cap(enterprise), inspections_in_year(enterprise.pk, year, exclude_pk=exclude_pk)
    )


def check_cap(
    enterprise: Enterprise,
    on: dt.date,
    *,
    cap_exception: CapException | None = None,
    exclude_pk: int | None = None,
) -> CapStatus:
    """Refuse one more inspection of a unit at its cap unless an approved exception for that year is given.

    Raises ValidationError on the `enterprise` field (a clear warning naming the cap and the approval path).
    """
    status = cap_status(enterprise, on.year, exclude_pk=exclude_pk)
    if not status.reached:
        return status
    if cap_exception is not None:
        if cap_exception.enterprise_id != enterprise.pk or cap_exception.year != on.year:
            raise ValidationError({"cap_exception": _("该超频次审批不属于此单位或此年度。")})
        if cap_exception.status != ExceptionStatus.APPROVED:
            raise ValidationError({"cap_exception": _("该超频次检查申请尚未获批准。")})
        return status
    raise ValidationError(
        {
            "enterprise": _(
                "%(name)s %(year)s 年已检查 %(used)s 次，已达年度检查频次上限 %(limit)s 次"
                "（%(source)s）。确需检查的，请先提交超频次检查申请，经区安委办批准后再安排。"
            )
            % {
                "name": enterprise.name,
                "year": on.year,
                "used": status.used,
                "limit": status.limit,
                "source": (status.cap.source if status.cap and status.cap.source else _("检查频次上限")),
            }
        }
    )


# --- in bulk, for draws: one pass over a whole pool ---------------------------------------------------------


class CapIndex:
    """The applicable cap of many units at once: caps are resolved per (industry, risk class, grade) key,
    of which a district has a few hundred, instead of per unit (200 000 at province scale)."""

    def __init__(self, caps: list[InspectionCap] | None = None) -> None:
        self.caps = caps if caps is not None else list(InspectionCap.objects.all())
        self._parents = dict(Industry.objects.values_list("pk", "parent_id"))
        self._memo: dict[tuple[int, str, str], int | None] = {}

    def _chain(self, industry_id: int) -> list[int]:
        chain: list[int] = []
        node: int | None = industry_id
        while node is not None and node not in chain:
            chain.append(node)
            node = self._parents.get(node)
        return chain

    def limit(self, industry_id: int, risk: str, grade: str) -> int | None:
        """The yearly limit for a unit of this primary industry, risk class and grade (None: no cap)."""
        key = (industry_id, risk, grade)
        if key not in self._memo:
            cap = _most_specific(self.caps, self._chain(industry_id), risk, grade)
            self._memo[key] = None if cap is None else cap.max_per_year
        return self._memo[key]


def inspections_per_unit(year: int) -> dict[int, int]:
    """Visits per unit in `year` across the district (planned or done, not cancelled, no patrol), for cap checks
    in bulk."""
    rows = (
        Inspection.objects.enforcement()
        .unrestricted("caps count the whole district")
        .exclude(status=InspectionStatus.CANCELLED)
        .filter(_year_q(year))
        .values_list("enterprise_id")
        .annotate(n=Count("id"))
    )
    return dict(rows)  # type: ignore[arg-type]


# --- editing the caps (区安委办) -------------------------------------------------------------------------------


def _require_cap_permission(actor: Any, action: str) -> None:
    if actor is not None and not can(actor, action, InspectionCap):
        raise NotPermitted(_("您无权维护检查频次上限。"))


def _clean_cap(
    *,
    industry: Industry | None,
    risk_class: str,
    standardisation_grade: str,
    max_per_year: int,
    exclude_pk: int | None = None,
) -> None:
    errors: dict[str, str] = {}
    if risk_class not in RiskClass.values:
        errors["risk_class"] = _("风险类别无效。")
    if standardisation_grade and standardisation_grade not in StandardisationGrade.values:
        errors["standardisation_grade"] = _("标准化等级无效。")
    if max_per_year is None or not 0 <= int(max_per_year) <= 366:
        errors["max_per_year"] = _("每年最多检查次数应在 0–366 之间。")
    same = InspectionCap.objects.filter(
        industry=industry, risk_class=risk_class, standardisation_grade=standardisation_grade
    )
    if exclude_pk is not None:
        same = same.exclude(pk=exclude_pk)
    if same.exists():
        errors["industry"] = _("已有相同行业、风险类别和标准化等级的上限，请直接修改该条。")
    if errors:
        raise ValidationError(errors)


def _cap_data(cap: InspectionCap) -> dict[str, Any]:
    return {
        "industry": cap.industry.code if cap.industry is not None else None,
        "risk_class": cap.risk_class,
        "standardisation_grade": cap.standardisation_grade,
        "max_per_year": cap.max_per_year,
        "source": cap.source,
        "verified": cap.verified,
    }


@transaction.atomic
def create_cap(
    *,
    actor: Any,
    industry: Industry | None,
    risk_class: str = "",
    standardisation_grade: str = "",
    max_per_year: int,
    source: str = "",
    verified: bool = False,
) -> InspectionCap:
    """新增检查频次上限: one more row of the cap table (区安委办)."""
    _require_cap_permission(actor, "add")
    _clean_cap(
        industry=industry,
        risk_class=risk_class,
        standardisation_grade=standardisation_grade,
        max_per_year=max_per_year,
    )
    cap = InspectionCap.objects.create(
        industry=industry,
        risk_class=risk_class,
        standardisation_grade=standardisation_grade,
        max_per_year=max_per_year,
        source=source.strip(),
        verified=verified,
    )
    audit.record(cap, CAP_CHANGED, actor=actor, data={"created": True, **_cap_data(cap)})
    return cap


@transaction.atomic
def update_cap(
    cap: InspectionCap, *, actor: Any, version: int | None = None, **changes: Any
) -> InspectionCap:
    """修改检查频次上限 (compare-and-swap on the version the editor read: a stale edit is a 409)."""
    _require_cap_permission(actor, "change")
    allowed = {"industry", "risk_class", "standardisation_grade", "max_per_year", "source", "verified"}
    unknown = set(changes) - allowed
    if unknown:
        raise ValidationError({k: _("不可修改的字段。") for k in unknown})
    if version is not None and int(version) != cap.version:
        raise Conflict()
    merged = {**_cap_data(cap), "industry": cap.industry, **changes}
    _clean_cap(
        industry=merged["industry"],
        risk_class=merged["risk_class"],
        standardisation_grade=merged["standardisation_grade"],
        max_per_year=merged["max_per_year"],
        exclude_pk=cap.pk,
    )
    before = _cap_data(cap)
    if "source" in changes:
        changes["source"] = str(changes["source"]).strip()
    compare_and_swap(cap, expected={}, changes=changes)
    after = _cap_data(cap)
    audit.record(
        cap, CAP_CHANGED, actor=actor, data={k: [before[k], v] for k, v in after.items() if before[k] != v}
    )
    return cap


@transaction.atomic
def delete_cap(cap: InspectionCap, *, actor: Any, version: int | None = None) -> None:
    """删除检查频次上限 (the units it covered fall back to a less specific row)."""
    _require_cap_permission(actor, "delete")
    if version is not None and int(version) != cap.version:
        raise Conflict()
    data = _cap_data(cap)
    if InspectionCap.objects.filter(pk=cap.pk, version=cap.version).delete()[0] != 1:
        raise Conflict()
    audit.record(
        None,
        CAP_CHANGED,
        actor=actor,
        object_type="inspections.inspectioncap",
        object_id=str(cap.pk),
        object_repr=str(cap),
        data={"deleted": True, **data},
    )
