"""Self-inspection indicators (企业负责人自查), read from the duty records (`inspections/models/duties.py`):
a unit is due in a quarter when one of its `DutyOccurrence` periods ends in it (quarterly, or monthly in
high-risk industries); it covered the quarter when it recorded a `SelfCheck` dated in it. 应查未查 is an
occurrence marked MISSED (its period ended with no check) whose period ends in the quarter — the same
records as the 应查未查 list.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from django.db.models import QuerySet
from django.utils.translation import gettext_lazy as _

from zhiben.inspections.choices import OccurrenceStatus
from zhiben.inspections.models import DutyOccurrence, SelfCheck
from zhiben.registry.models import Enterprise
from zhiben.registry.scoping import industry_ids_of_department

from ..registry import (
    COUNT,
    DEPARTMENT,
    DISTRICT,
    HIGHER,
    INDUSTRY,
    LOWER,
    RATIO,
    TOWNSHIP,
    Indicator,
    Parts,
    Scope,
    Window,
    register,
)

SOURCE = "inspections"
GROUP = str(_("企业自查自改"))
SCOPES = frozenset({DISTRICT, TOWNSHIP, DEPARTMENT, INDUSTRY})
REASON = "indicators: the scope is the indicator's, checked by the caller"


def unit_filter(scope: Scope, path: str = "") -> dict[str, Any]:
    """The filter putting a unit (at `path`, "" for Enterprise itself) in `scope`: its place (属地), the
    industries the department supervises (三管三必须), or the industry with its sub-industries."""
    if scope.kind == TOWNSHIP:
        return {f"{path}region__code__startswith": scope.region_prefix}
    if scope.kind == DEPARTMENT:
        ids = industry_ids_of_department(scope.department_id) if scope.department_id else frozenset()
        return {f"{path}industries__in": sorted(ids)}
    if scope.kind == INDUSTRY:
        return {f"{path}industries__in": sorted(scope.industry_ids or ())}
    return {}


def enterprises_in(scope: Scope) -> QuerySet[Any]:
    qs = Enterprise.objects.unrestricted(REASON)
    flt = unit_filter(scope)
    if not flt:
        return qs
    return qs.filter(pk__in=Enterprise.objects.unrestricted(REASON).filter(**flt).values("pk"))


def self_check_coverage(scope: Scope, w: Window) -> Parts:
    due_ids = DutyOccurrence.objects.unrestricted(REASON).filter(
        period_end__gte=w.start, period_end__lte=w.end
    )
    due = enterprises_in(scope).filter(pk__in=due_ids.values("enterprise_id"))
    checked = SelfCheck.objects.unrestricted(REASON).filter(checked_on__gte=w.start, checked_on__lte=w.end)
    return Parts(numerator=due.filter(pk__in=checked.values("enterprise_id")), denominator=due)


def missed(scope: Scope, w: Window) -> Parts:
    qs = DutyOccurrence.objects.unrestricted(REASON).filter(
        status=OccurrenceStatus.MISSED, period_end__gte=w.start, period_end__lte=w.end
    )
    if scope.kind != DISTRICT:
        qs = qs.filter(enterprise__in=enterprises_in(scope).values("pk"))
    return Parts(numerator=qs)


register(
    Indicator(
        id="inspections.self_check_coverage",
        name=str(_("企业自查覆盖率")),
        definition=str(
            _(
                "本季度有自查记录（检查日期在本季度内）的应自查单位 ÷ 本季度应自查的单位（有自查周期在本季度内结束的"
                "生产经营单位：每季度一次，高危行业每月一次）。"
            )
        ),
        numerator_label=str(_("已自查单位")),
        denominator_label=str(_("应自查单位")),
        unit="%",
        kind=RATIO,
        direction=HIGHER,
        source=SOURCE,
        target=Decimal(100),
        scopes=SCOPES,
        records=self_check_coverage,
        seed_ref="屈安发〔2024〕1号 三(三)5",
        group=GROUP,
        record_label=str(_("生产经营单位")),
    )
)
register(
    Indicator(
        id="inspections.missed",
        name=str(_("应查未查")),
        definition=str(_("周期在本季度内结束、到期仍无自查记录的自查任务数（应查未查清单中的任务）。")),
        numerator_label=str(_("应查未查任务")),
        denominator_label="",
        unit="个",
        kind=COUNT,
        direction=LOWER,
        source=SOURCE,
        target=Decimal(0),
        scopes=SCOPES,
        records=missed,
        seed_ref="屈安发〔2024〕1号 三(三)5",
        group=GROUP,
        record_label=str(_("自查任务")),
    )
)
