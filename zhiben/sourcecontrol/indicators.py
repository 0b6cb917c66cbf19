"""The indicators of 源头管控, declared with the indicator registry:

* `projects.three_simultaneous` 新进项目安全“三同时”完成率 (the id the campaign plan's goal G-2026-SANTONGSHI
  names): new, rebuilt and expanded projects that passed 安全审查 by the day the clock stands at, and of them those
  whose 竣工验收 is recorded (三同时 complete).
* `sourcecontrol.design_diagnosis` 老旧项目安全设计诊断完成率: old projects registered ÷ those diagnosed.
* `sourcecontrol.tractor_phase_out` 变型拖拉机淘汰完成率 and `sourcecontrol.phase_out_overdue` 逾期未淘汰数.

规上工贸企业标准化 stays `campaign.above_scale_standardisation` (registry grade): certificates set and clear that
grade (services.issue_certificate, expire_certificates), so there is one number, not two.
Cut by township (the unit's place), department (the industries it supervises), industry, or the district.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from django.db.models import Q, QuerySet

from zhiben.indicators import registry
from zhiben.indicators.registry import (
    COUNT,
    DEPARTMENT,
    DISTRICT,
    HIGHER,
    INDUSTRY,
    LOWER,
    RATIO,
    TOWNSHIP,
    Parts,
    Scope,
    Window,
)
from zhiben.indicators.sources.inspections import enterprises_in, unit_filter

from .choices import NEW_KINDS, PhaseOutKind, PhaseOutStatus, ProjectKind, ProjectStatus, Stage
from .models import PhaseOutItem, ProjectStage, SourceProject

SCOPES = frozenset({DISTRICT, TOWNSHIP, DEPARTMENT, INDUSTRY})
REASON = "indicators: the scope is the indicator's, checked by the caller"
GROUP = "源头管控"
SEED = "屈安发〔2024〕1号 三（三）4"


def projects(scope: Scope) -> QuerySet[Any]:
    qs = SourceProject.objects.unrestricted(REASON)
    if scope.kind == DISTRICT:
        return qs
    return qs.filter(enterprise__in=enterprises_in(scope).values("pk"))


def _stage_done(stage: str, w: Window) -> QuerySet[Any]:
    return ProjectStage.objects.filter(stage=stage, done_on__lte=w.as_of).values("project_id")


def three_simultaneous_parts(scope: Scope, w: Window) -> Parts:
    approved = (
        projects(scope)
        .filter(kind__in=sorted(NEW_KINDS), pk__in=_stage_done(Stage.REVIEW, w))
        .exclude(status=ProjectStatus.REFUSED)
    )
    return Parts(numerator=approved.filter(pk__in=_stage_done(Stage.ACCEPTANCE, w)), denominator=approved)


def diagnosis_parts(scope: Scope, w: Window) -> Parts:
    old = projects(scope).filter(kind=ProjectKind.OLD, registered_on__lte=w.as_of)
    return Parts(numerator=old.filter(pk__in=_stage_done(Stage.DIAGNOSIS, w)), denominator=old)


def items(scope: Scope) -> QuerySet[Any]:
    qs = PhaseOutItem.objects.unrestricted(REASON)
    if scope.kind == TOWNSHIP:
        return qs.filter(township__code__startswith=scope.region_prefix)
    if scope.kind == DISTRICT:
        return qs
    flt = unit_filter(scope)
    ids = flt.get("industries__in", [])
    return qs.filter(Q(industry_id__in=ids) | Q(enterprise__in=enterprises_in(scope).values("pk"))).distinct()


def tractor_parts(scope: Scope, w: Window) -> Parts:
    due = items(scope).filter(kind=PhaseOutKind.CONVERTED_TRACTOR)
    done = due.filter(status=PhaseOutStatus.DONE, done_on__lte=w.as_of)
    return Parts(numerator=done, denominator=due)


def overdue_parts(scope: Scope, w: Window) -> Parts:
    late = items(scope).filter(due_on__lt=w.as_of).filter(Q(done_on__isnull=True) | Q(done_on__gt=w.as_of))
    return Parts(numerator=late)


def register_indicators() -> None:
    registry.register(
        registry.Indicator(
            id="projects.three_simultaneous",
            name="新进项目安全“三同时”完成率",
            definition=(
                "通过安全审查的新建、改建、扩建项目中，安全设施已竣工验收（安全预评价、设计审查、试运行、竣工验收"
                "四个环节均有记录）的 ÷ 通过安全审查的新建、改建、扩建项目 × 100%。"
            ),
            numerator_label="三同时完成的项目",
            denominator_label="通过安全审查的新进项目",
            unit="%",
            kind=RATIO,
            direction=HIGHER,
            source="sourcecontrol",
            target=Decimal(100),
            scopes=SCOPES,
            records=three_simultaneous_parts,
            seed_ref=SEED,
            group=GROUP,
            note="在建项目尚未竣工验收时计入分母，完成率随验收上升。",
            verified=False,
            record_label="建设项目",
        )
    )
    registry.register(
        registry.Indicator(
            id="sourcecontrol.design_diagnosis",
            name="老旧项目安全设计诊断完成率",
            definition="已完成安全设计诊断的老旧项目 ÷ 登记的老旧项目 × 100%。",
            numerator_label="已诊断的老旧项目",
            denominator_label="登记的老旧项目",
            unit="%",
            kind=RATIO,
            direction=HIGHER,
            source="sourcecontrol",
            target=Decimal(100),
            scopes=SCOPES,
            records=diagnosis_parts,
            seed_ref=SEED,
            group=GROUP,
            verified=False,
            record_label="建设项目",
        )
    )
    registry.register(
        registry.Indicator(
            id="sourcecontrol.tractor_phase_out",
            name="变型拖拉机淘汰完成率",
            definition="已淘汰的变型拖拉机 ÷ 登记的变型拖拉机 × 100%（2025年底前全部淘汰退出）。",
            numerator_label="已淘汰",
            denominator_label="登记的变型拖拉机",
            unit="%",
            kind=RATIO,
            direction=HIGHER,
            source="sourcecontrol",
            target=Decimal(100),
            scopes=SCOPES,
            records=tractor_parts,
            seed_ref="屈安发〔2024〕1号 三（六）15",
            group=GROUP,
            record_label="淘汰对象",
        )
    )
    registry.register(
        registry.Indicator(
            id="sourcecontrol.phase_out_overdue",
            name="逾期未淘汰的落后设备和车辆",
            definition="截至统计日，已超过淘汰时限仍未淘汰完成的落后设备和车辆数。",
            numerator_label="逾期未淘汰",
            denominator_label="",
            unit="台",
            kind=COUNT,
            direction=LOWER,
            source="sourcecontrol",
            target=Decimal(0),
            scopes=SCOPES,
            records=overdue_parts,
            seed_ref="屈安发〔2024〕1号 三（六）15",
            group=GROUP,
            record_label="淘汰对象",
        )
    )
