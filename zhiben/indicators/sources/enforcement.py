"""Enforcement indicators (严格执法), with the enforcement statistics' own definitions and query helpers
(`enforcement/stats.py`, docs/enforcement-statistics.md): an inspection is a completed 执法检查 of the period
(a 乡镇巡查 is not), a penalty decision is a measure of PENALTY_KINDS decided in the period on a case not
withdrawn, a measure "taken" is any decided measure on a case linked to the inspection.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from django.db.models import Exists, OuterRef, Q, QuerySet
from django.utils.translation import gettext_lazy as _

from zhiben.enforcement.choices import PENALTY_KINDS, CaseStatus
from zhiben.enforcement.models import CaseMeasure
from zhiben.enforcement.stats import Period, _completed, _measures_of_inspection, _taken_measures
from zhiben.inspections.models import Finding, Inspection, InspectionDepartment
from zhiben.registry.models import Department

from ..registry import (
    COUNT,
    DEPARTMENT,
    DISTRICT,
    HIGHER,
    LOWER,
    RATIO,
    TOWNSHIP,
    Indicator,
    Parts,
    Scope,
    Window,
    register,
)

SOURCE = "enforcement"
GROUP = str(_("严格执法"))
REASON = "indicators: the scope is the indicator's, checked by the caller"


def _period(w: Window) -> Period:
    return Period(w.start, w.end, w.period)


def _inspections(w: Window) -> QuerySet[Any]:
    return _completed(Inspection.objects.unrestricted(REASON), _period(w))


def zero_penalty(scope: Scope, w: Window) -> Parts:
    """Departments with inspections in the quarter (lead or taking part) and no penalty decision in it."""
    period = _period(w)
    joined = _completed(InspectionDepartment.objects.unrestricted(REASON), period, "inspection__").values(
        "department_id"
    )
    led = _inspections(w).values("department_id")
    penalised = (
        CaseMeasure.objects.unrestricted(REASON)
        .filter(kind__in=PENALTY_KINDS, decided_on__gte=w.start, decided_on__lte=w.end)
        .exclude(case__status=CaseStatus.WITHDRAWN)
        .values("case__department_id")
    )
    active = Department.objects.filter(Q(pk__in=joined) | Q(pk__in=led))
    if scope.kind == DEPARTMENT:
        active = active.filter(pk=scope.department_id)
    return Parts(numerator=active.exclude(pk__in=penalised), denominator=active)


def handled_rate(scope: Scope, w: Window) -> Parts:
    """Inspections with findings, and those of them followed by a measure (1 − 只检查不处罚率)."""
    inspections = _inspections(w)
    if scope.kind == DEPARTMENT:
        # The statistics' per-department rule: the inspections with a finding routed to the department,
        # handled when a measure sits on a case of the inspection handled by it or opened on its finding.
        dept = scope.department_id
        found = inspections.filter(
            Exists(Finding.objects.filter(inspection_id=OuterRef("pk"), department_id=dept))
        )
        handled = Exists(
            _taken_measures()
            .filter(Q(case__inspection_id=OuterRef("pk")) | Q(case__finding__inspection_id=OuterRef("pk")))
            .filter(Q(case__department_id=dept) | Q(case__finding__department_id=dept))
        )
        return Parts(numerator=found.filter(handled), denominator=found)
    if scope.kind == TOWNSHIP:
        inspections = inspections.filter(region__code__startswith=scope.region_prefix)
    found = inspections.filter(Exists(Finding.objects.filter(inspection_id=OuterRef("pk"))))
    return Parts(numerator=found.filter(Exists(_measures_of_inspection("pk"))), denominator=found)


register(
    Indicator(
        id="enforcement.zero_penalty_departments",
        name=str(_("零处罚部门")),
        definition=str(
            _(
                "本季度有监督检查（牵头或参加，已完成的执法检查）、但本季度没有作出任何处罚决定（罚款、按日连续处罚、"
                "停产停业整顿、暂扣或吊销证照、提请关闭取缔、行业禁入）的部门数；分母为本季度有检查的部门数。"
                "与执法统计的“零处罚”同一口径。"
            )
        ),
        numerator_label=str(_("零处罚部门")),
        denominator_label=str(_("有检查的部门")),
        unit="个",
        kind=COUNT,
        direction=LOWER,
        source=SOURCE,
        target=Decimal(0),
        scopes=frozenset({DISTRICT, DEPARTMENT}),
        records=zero_penalty,
        seed_ref="屈安发〔2024〕1号 三(四)8",
        group=GROUP,
        record_label=str(_("部门")),
    )
)
register(
    Indicator(
        id="enforcement.inspection_penalty_rate",
        name=str(_("检查处罚率")),
        definition=str(
            _(
                "本季度已完成、发现问题的执法检查中，已采取措施（关联案件上任一已作出决定的措施，含责令限期整改）的"
                "检查 ÷ 发现问题的检查，即 1 − 只检查不处罚率。按部门时以该部门承办的问题和办理的案件计。"
            )
        ),
        numerator_label=str(_("已采取措施的检查")),
        denominator_label=str(_("发现问题的检查")),
        unit="%",
        kind=RATIO,
        direction=HIGHER,
        source=SOURCE,
        target=None,
        scopes=frozenset({DISTRICT, TOWNSHIP, DEPARTMENT}),
        records=handled_rate,
        seed_ref="屈安发〔2024〕1号 三(四)8",
        group=GROUP,
        record_label=str(_("检查")),
    )
)
