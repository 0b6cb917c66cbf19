"""Per-unit yearly inspection caps (国办发〔2024〕54号《关于严格规范涉企行政检查的意见》).

Caps are data (`InspectionCap`) by industry × risk class × standardisation grade; the most specific row
matching a unit applies. A joint inspection is one visit and counts once. Inspecting a unit beyond its cap
needs an approved `CapException` (申请 → 区安委办审批), and the inspection records which approval it used.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.core.exceptions import ValidationError
from django.db.models import Q
from django.utils.translation import gettext as _

from zhiben.registry.models import Enterprise, Industry

from .choices import ExceptionStatus, InspectionStatus, RiskClass
from .models import CapException, Inspection, InspectionCap


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


def risk_class_of(enterprise: Enterprise) -> str:
    industry = enterprise.primary_industry
    return RiskClass.HIGH if enterprise.is_high_risk or industry.high_risk else RiskClass.GENERAL


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
    chain = _industry_chain(enterprise.primary_industry)
    risk = risk_class_of(enterprise)
    grade = enterprise.standardisation_grade
    rows = caps if caps is not None else list(InspectionCap.objects.all())
    best: tuple[int, int, int] | None = None
    chosen: InspectionCap | None = None
    for cap in rows:
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
    """Visits to the unit that year (planned or done; cancelled ones do not count)."""
    qs = Inspection.objects.filter(enterprise_id=enterprise_id).exclude(status=InspectionStatus.CANCELLED)
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
