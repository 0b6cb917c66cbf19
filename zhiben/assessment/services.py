"""The write path of the assessment: schemes (draft, new version, in force), the quarter's computation from the
frozen snapshot, publishing, 申诉 and their decisions, the quarter's 约谈 list, 约谈 records and commitments,
and the ranking 通报.

Each function is one transaction: permission (403), the version pin (409), the rows, history and audit rows
through the flows, and the notices (outbox, after commit). The computation reads only `IndicatorSnapshot`
rows (never the live records), so a published ranking does not move when records change afterwards."""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from decimal import Decimal
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Count, F, Q
from django.db.models.functions import Substr
from django.utils import timezone
from django.utils.translation import gettext as _

from zhiben.accounts.lookups import users_of_department, users_of_office, users_of_township
from zhiben.accounts.roles import Role
from zhiben.campaign.choices import EscalationKind as TaskEscalationKind
from zhiben.campaign.models import TaskEscalation
from zhiben.core import audit
from zhiben.core.calendar import quarter_end
from zhiben.core.documents import chinese_date, issue_document
from zhiben.core.errors import NotPermitted
from zhiben.core.loop import pin
from zhiben.core.outbox import notify_users
from zhiben.core.scoping import can, grants_for
from zhiben.hazards.choices import EscalationKind
from zhiben.hazards.models import Escalation
from zhiben.indicators import registry, snapshots
from zhiben.indicators.models import IndicatorSnapshot
from zhiben.registry.models import Department, Region

from . import events, scoring, steps
from .choices import (
    AppealStatus,
    AssessmentStatus,
    CommitmentStatus,
    InterviewRuleKind,
    InterviewStatus,
    SchemeStatus,
    UnitKind,
)
from .forms import parse_commitments
from .models import (
    Appeal,
    Assessment,
    Commitment,
    Interview,
    InterviewRule,
    Result,
    RulePoint,
    Scheme,
)

SCOPE_KIND = {UnitKind.TOWNSHIP: registry.TOWNSHIP, UnitKind.DEPARTMENT: registry.DEPARTMENT}
TOWNSHIP_PREFIX = 9  # Region.scope_prefix of a township: its code's first 9 digits


def period_of(year: int, quarter: int) -> str:
    return f"{year}Q{quarter}"


def period_label(year: int, quarter: int) -> str:
    return f"{year}年第{quarter}季度"


def _office(actor: Any, permission: str, model: Any, message: str) -> None:
    if actor is not None and not can(actor, permission, model):
        raise NotPermitted(message)


# --- schemes ------------------------------------------------------------------------------------------------


def scheme_in_force(year: int, kind: str) -> Scheme | None:
    return (
        Scheme.objects.unrestricted("schemes are read whole")
        .filter(year=year, kind=kind, status=SchemeStatus.ACTIVE)
        .order_by("-number")
        .first()
    )


@transaction.atomic
def new_scheme_version(scheme: Scheme, *, actor: Any) -> Scheme:
    """新版本: a draft copy of `scheme` with the next version number (one draft per year and kind)."""
    _office(actor, "change", Scheme, _("只有区安委办可以编辑考核方案。"))
    siblings = Scheme.objects.unrestricted("versions of one scheme").filter(
        year=scheme.year, kind=scheme.kind
    )
    draft = siblings.filter(status=SchemeStatus.DRAFT).first()
    if draft is not None:
        return draft
    number = (siblings.order_by("-number").values_list("number", flat=True).first() or 0) + 1
    copy = Scheme.objects.create(
        year=scheme.year,
        kind=scheme.kind,
        number=number,
        status=SchemeStatus.DRAFT,
        name=scheme.name,
        rules=scheme.rules,
        tie_breaks=scheme.tie_breaks,
        floor=scheme.floor,
        appeal_days=scheme.appeal_days,
        source=scheme.source,
        verified=False,
        note=scheme.note,
        edited_by=actor,
    )
    audit.record(
        copy, events.SCHEME_SAVED, actor=actor, data={"from_version": scheme.number, "version": number}
    )
    return copy


@transaction.atomic
def save_scheme(
    scheme: Scheme,
    *,
    actor: Any,
    name: str,
    rules: Any,
    tie_breaks: Any,
    floor: Decimal,
    appeal_days: int,
    note: str = "",
    version: int | str | None = None,
) -> Scheme:
    """Save a draft scheme's rules (a scheme in force or replaced is never edited)."""
    _office(actor, "change", Scheme, _("只有区安委办可以编辑考核方案。"))
    pin(scheme, version, _("该方案已被他人修改（当前版本 %(v)s），请刷新后重试。"))
    if scheme.status != SchemeStatus.DRAFT:
        raise ValidationError(_("只能编辑草稿；施行中的方案请先“新建版本”。"))
    errors = scoring.check_rules(rules, tie_breaks)
    if errors:
        raise ValidationError(errors)
    Scheme.objects.unrestricted("the row being saved").filter(pk=scheme.pk, version=scheme.version).update(
        name=name.strip(),
        rules=rules,
        tie_breaks=tie_breaks,
        floor=floor,
        appeal_days=appeal_days,
        note=note,
        edited_by=actor,
        version=F("version") + 1,
        updated_at=timezone.now(),
    )
    scheme.refresh_from_db()
    audit.record(
        scheme, events.SCHEME_SAVED, actor=actor, data={"version": scheme.number, "rules": len(rules)}
    )
    return scheme


@transaction.atomic
def activate_scheme(scheme: Scheme, *, actor: Any) -> Scheme:
    """施行: the draft becomes the scheme in force; the previous version is kept (results computed with it keep
    pointing at it)."""
    _office(actor, "change", Scheme, _("只有区安委办可以施行考核方案。"))
    if scheme.status != SchemeStatus.DRAFT:
        raise ValidationError(_("该方案不是草稿。"))
    errors = scoring.check_rules(scheme.rules, scheme.tie_breaks)
    if errors:
        raise ValidationError(errors)
    Scheme.objects.unrestricted("versions of one scheme").filter(
        year=scheme.year, kind=scheme.kind, status=SchemeStatus.ACTIVE
    ).update(status=SchemeStatus.SUPERSEDED)
    scheme.status = SchemeStatus.ACTIVE
    scheme.save(update_fields=["status", "updated_at"])
    audit.record(scheme, events.SCHEME_ACTIVATED, actor=actor, data={"version": scheme.number})
    return scheme


# --- computation --------------------------------------------------------------------------------------------


def units_of(kind: str) -> list[tuple[registry.Scope, Region | None, Department | None]]:
    if kind == UnitKind.TOWNSHIP:
        return [(registry.Scope.township(r), r, None) for r in registry.townships()]
    return [(registry.Scope.department(d), None, d) for d in registry.departments()]


def frozen_of(indicator_id: str, period: str, scope_kind: str) -> dict[str, scoring.Frozen]:
    """scope key → the frozen value of one indicator (absent: 未接入 — not registered, not available, or not
    frozen for the quarter)."""
    if indicator_id not in registry.ids() or not registry.get(indicator_id).available:
        return {}
    rows = IndicatorSnapshot.objects.filter(
        indicator=indicator_id, period=period, scope_kind=scope_kind, available=True
    )
    return {r.scope_key: scoring.Frozen(r.value, r.numerator, r.denominator) for r in rows}


def lower_is_better(indicator_id: str) -> bool:
    return indicator_id in registry.ids() and registry.get(indicator_id).direction == registry.LOWER


def _refuse_unfrozen(year: int, quarter: int, today: dt.date) -> None:
    period = period_of(year, quarter)
    if quarter_end(period) >= today:
        raise ValidationError(
            {"quarter": _("%(p)s尚未结束，季度结束后才能考核。") % {"p": period_label(year, quarter)}}
        )
    if not snapshots.is_frozen(period):
        raise ValidationError(
            {
                "quarter": _("%(p)s的指标快照尚未冻结，不能考核。请先冻结该季度的指标数据。")
                % {"p": period_label(year, quarter)}
            }
        )


@transaction.atomic
def freeze_quarter(year: int, quarter: int, *, actor: Any, today: dt.date | None = None) -> int:
    """冻结季度指标快照 (the snapshot service), for the office before it assesses the quarter."""
    _office(actor, "add", Assessment, _("只有区安委办可以冻结季度指标。"))
    try:
        return snapshots.freeze(period_of(year, quarter), actor=actor, today=today)
    except ValueError:
        raise ValidationError(
            {"quarter": _("%(p)s尚未结束，不能冻结。") % {"p": period_label(year, quarter)}}
        ) from None


@transaction.atomic
def compute(year: int, quarter: int, kind: str, *, actor: Any, today: dt.date | None = None) -> Assessment:
    """计算考核: every unit of `kind` scored with the scheme in force from the quarter's frozen snapshot, ranked
    with the scheme's tie-breaks. A draft is recomputed (its results replaced); a published one is refused."""
    _office(actor, "add", Assessment, _("只有区安委办可以计算季度考核。"))
    today = today or timezone.localdate()
    if kind not in UnitKind.values:
        raise ValidationError({"kind": _("请选择考核对象。")})
    if quarter not in (1, 2, 3, 4):
        raise ValidationError({"quarter": _("季度应为1至4。")})
    _refuse_unfrozen(year, quarter, today)
    scheme = scheme_in_force(year, kind)
    if scheme is None:
        raise ValidationError({"year": _("%(y)s年度没有施行中的考核方案。") % {"y": year}})
    existing = (
        Assessment.objects.unrestricted("one assessment per quarter and kind")
        .select_for_update()
        .filter(year=year, quarter=quarter, kind=kind)
        .first()
    )
    if existing is not None and existing.status != AssessmentStatus.DRAFT:
        raise ValidationError(_("%(a)s已发布，不能重新计算。") % {"a": existing})
    if existing is None:
        assessment = Assessment.objects.create(
            year=year, quarter=quarter, kind=kind, scheme=scheme, computed_at=timezone.now()
        )
        steps.ASSESSMENT_FLOW.record_created(
            assessment, steps.COMPUTE, actor=actor, data={"period": assessment.period, "scheme": scheme.pk}
        )
    else:
        assessment = existing
        assessment.results.all().delete()
        steps.ASSESSMENT_FLOW.advance(
            assessment,
            steps.RECOMPUTE,
            actor=actor,
            changes={"scheme": scheme, "computed_at": timezone.now()},
            data={"scheme": scheme.pk},
        )
    _score_units(assessment, scheme)
    audit.record(
        assessment,
        events.ASSESSMENT_COMPUTED,
        actor=actor,
        data={"period": assessment.period, "kind": kind, "scheme_version": scheme.number},
    )
    return assessment


def _score_units(assessment: Assessment, scheme: Scheme) -> None:
    period = assessment.period
    scope_kind = SCOPE_KIND[UnitKind(assessment.kind)]
    rules = list(scheme.rules)
    frozen = {r["code"]: frozen_of(r["indicator"], period, scope_kind) for r in rules}
    lower = {r["code"]: lower_is_better(r["indicator"]) for r in rules}
    entries: list[scoring.Entry] = []
    rows: dict[int, tuple[Result, list[RulePoint]]] = {}
    for index, (scope, township, department) in enumerate(units_of(assessment.kind)):
        points = [
            scoring.score_rule(r, frozen[r["code"]].get(scope.key), lower=lower[r["code"]]) for r in rules
        ]
        total, vetoed = scoring.total(points, rules, scheme.floor)
        deducted = -sum(
            (p.points for p, r in zip(points, rules, strict=True) if r["type"] == "deduct"), Decimal(0)
        )
        result = Result(
            assessment=assessment,
            township=township,
            department=department,
            score=total,
            final_score=total,
            rank=0,
            final_rank=0,
            vetoed=vetoed,
            deducted=scoring.q(deducted),
        )
        point_rows = []
        for order, (rule, p) in enumerate(zip(rules, points, strict=True)):
            f = frozen[rule["code"]].get(scope.key)
            point_rows.append(
                RulePoint(
                    code=rule["code"],
                    name=rule["name"],
                    indicator=rule["indicator"],
                    rule_type=rule["type"],
                    max_points=p.max_points,
                    available=p.available,
                    value=f.value if f else None,
                    numerator=f.numerator if f else None,
                    denominator=f.denominator if f else None,
                    points=p.points,
                    vetoed=p.vetoed,
                    explanation=p.explanation[:300],
                    sort_order=order,
                )
            )
        rows[index] = (result, point_rows)
        entries.append(
            scoring.Entry(
                index,
                total,
                scoring.q(deducted),
                {r["code"]: p.points for r, p in zip(rules, points, strict=True)},
            )
        )
    ranks = scoring.rank(entries, scheme.tie_breaks)
    for index, (result, point_rows) in rows.items():
        result.rank = result.final_rank = ranks[index]
        result.save()
        for row in point_rows:
            row.result = result
        RulePoint.objects.bulk_create(point_rows)


def rerank(assessment: Assessment) -> None:
    """Final scores and ranks from the points after accepted 申诉 (the computed ones stay as they were)."""
    scheme = assessment.scheme
    rules = {r["code"]: r for r in scheme.rules}
    results = list(
        Result.objects.unrestricted("the whole ranking is re-ranked")
        .filter(assessment=assessment)
        .prefetch_related("points")
    )
    entries = []
    for result in results:
        pts = list(result.points.all())
        vetoed = next((p for p in pts if p.vetoed and p.adjusted_points is None), None)
        if vetoed is not None:
            final = scoring.q(rules.get(vetoed.code, {}).get("score", 0))
        else:
            final = max(scoring.q(scheme.floor), scoring.q(sum((p.final_points for p in pts), Decimal(0))))
        deducted = -sum((p.final_points for p in pts if p.rule_type == "deduct"), Decimal(0))
        result.final_score = final
        entries.append(
            scoring.Entry(result.pk, final, scoring.q(deducted), {p.code: p.final_points for p in pts})
        )
    ranks = scoring.rank(entries, scheme.tie_breaks)
    for result in results:
        result.final_rank = ranks[result.pk]
        Result.objects.unrestricted("re-rank").filter(pk=result.pk).update(
            final_score=result.final_score, final_rank=result.final_rank, version=F("version") + 1
        )


@steps.PUBLISH.implements
@transaction.atomic
def publish(
    assessment: Assessment, *, actor: Any, note: str = "", version: int | str | None = None
) -> Assessment:
    """发布: the ranking is published to the assessed units; the 申诉 window opens."""
    steps.ASSESSMENT_FLOW.require(actor, steps.PUBLISH, assessment)
    pin(assessment, version, _("该考核已被他人处理（当前版本 %(v)s），请刷新后重试。"))
    steps.ASSESSMENT_FLOW.check(assessment, steps.PUBLISH)
    now = timezone.now()
    steps.ASSESSMENT_FLOW.advance(
        assessment, steps.PUBLISH, actor=actor, note=note, changes={"published_at": now}
    )
    recipients: list[Any] = []
    for r in (
        Result.objects.unrestricted("every assessed unit is told")
        .filter(assessment=assessment)
        .select_related("township")
    ):
        recipients += (
            users_of_township(r.township.code) if r.township else users_of_department(r.department_id or 0)
        )
    notify_users(
        recipients,
        subject=_("%(a)s结果已发布") % {"a": assessment},
        body=_("%(a)s结果已发布，对得分有异议的可在%(d)s日内提出申诉。")
        % {"a": assessment, "d": assessment.scheme.appeal_days},
        url=assessment.get_absolute_url(),
        topic="assessment_published",
        obj=assessment,
    )
    return assessment


# --- 申诉 ---------------------------------------------------------------------------------------------------


def is_assessed_unit(actor: Any, result: Result) -> bool:
    """Whether the actor works for the assessed unit: its township's officials, or the department's staff."""
    for grant in grants_for(actor):
        if (
            grant.role == Role.TOWNSHIP
            and result.township_id
            and grant.region_prefix
            and result.township.code.startswith(grant.region_prefix)  # type: ignore[union-attr]
        ):
            return True
        if (
            grant.role == Role.DEPARTMENT
            and result.department_id
            and grant.extra.get("department_id") == result.department_id
        ):
            return True
    return False


def appeal_deadline(assessment: Assessment) -> dt.date | None:
    if assessment.published_at is None:
        return None
    return timezone.localtime(assessment.published_at).date() + dt.timedelta(
        days=assessment.scheme.appeal_days
    )


@transaction.atomic
def submit_appeal(
    result: Result,
    *,
    actor: Any,
    point: RulePoint | int,
    reason: str,
    evidence: str,
    requested_points: Decimal | None = None,
    today: dt.date | None = None,
) -> Appeal:
    """提出申诉: the assessed unit objects to one rule's points, within the window after publishing."""
    if actor is not None and not can(actor, "add", Appeal):
        raise NotPermitted(_("您无权提出考核申诉。"))
    if actor is not None and not is_assessed_unit(actor, result):
        raise NotPermitted(_("只有被考核单位本身可以对其得分提出申诉。"))
    assessment = result.assessment
    today = today or timezone.localdate()
    if assessment.status != AssessmentStatus.PUBLISHED:
        raise ValidationError(_("考核结果尚未发布，不能申诉。"))
    deadline = appeal_deadline(assessment)
    if deadline is not None and today > deadline:
        raise ValidationError(
            _("申诉期已于%(d)s届满（发布后%(n)s日），不能再提出申诉。")
            % {"d": chinese_date(deadline), "n": assessment.scheme.appeal_days}
        )
    point_id = point.pk if isinstance(point, RulePoint) else point
    target = result.points.filter(pk=point_id).first()
    errors: dict[str, str] = {}
    if target is None:
        errors["point"] = _("请选择本单位考核结果中的一项。")
    if not (reason or "").strip():
        errors["reason"] = _("请填写申诉理由。")
    if not (evidence or "").strip():
        errors["evidence"] = _("请提供证据材料。")
    if errors:
        raise ValidationError(errors)
    assert target is not None
    if target.appeals.filter(status=AppealStatus.SUBMITTED).exists():
        raise ValidationError({"point": _("该项已有待决定的申诉。")})
    appeal = Appeal.objects.create(
        result=result,
        point=target,
        reason=reason.strip(),
        evidence=evidence.strip(),
        requested_points=requested_points,
        submitted_by=actor if getattr(actor, "is_authenticated", False) else None,
    )
    steps.APPEAL_FLOW.record_created(
        appeal,
        steps.SUBMIT,
        actor=actor,
        note=reason.strip()[:200],
        data={"point": target.code, "requested": str(requested_points or "")},
    )
    notify_users(
        users_of_office(),
        subject=_("考核申诉待决定：%(u)s") % {"u": result.unit_name},
        body=_("%(u)s对%(a)s“%(p)s”的得分提出申诉，请决定。")
        % {"u": result.unit_name, "a": assessment, "p": target.name},
        url=appeal.get_absolute_url(),
        topic="assessment_appeal",
        obj=appeal,
    )
    return appeal


def _appeal_locked(appeal: Appeal, version: int | str | None) -> None:
    pin(appeal, version, _("该申诉已被他人处理（当前版本 %(v)s），请刷新后重试。"))


@steps.ACCEPT.implements
@transaction.atomic
def accept_appeal(
    appeal: Appeal, *, actor: Any, points: Decimal, reason: str, version: int | str | None = None
) -> Appeal:
    """采纳: the point's adjusted points are recorded (the computed ones stay), and the ranking re-ranks."""
    steps.APPEAL_FLOW.require(actor, steps.ACCEPT, appeal)
    _appeal_locked(appeal, version)
    steps.APPEAL_FLOW.check(appeal, steps.ACCEPT)
    if not (reason or "").strip():
        raise ValidationError({"reason": _("请填写采纳理由。")})
    point = appeal.point
    top = point.max_points
    if point.rule_type in ("linear", "threshold") and not (Decimal(0) <= points <= top):
        raise ValidationError({"points": _("调整后得分应在0到%(m)s分之间。") % {"m": top}})
    if point.rule_type == "deduct" and points > 0:
        raise ValidationError({"points": _("扣分项调整后得分应为0或负数。")})
    before = point.final_points
    RulePoint.objects.unrestricted("the appealed point").filter(pk=point.pk).update(adjusted_points=points)
    steps.APPEAL_FLOW.advance(
        appeal,
        steps.ACCEPT,
        actor=actor,
        note=reason.strip()[:200],
        changes={
            "decided_by": actor if getattr(actor, "is_authenticated", False) else None,
            "decided_at": timezone.now(),
            "decision_reason": reason.strip(),
            "points_before": before,
            "points_after": points,
        },
    )
    rerank(appeal.result.assessment)
    _tell_unit(appeal, _("已采纳"))
    return appeal


@steps.REJECT.implements
@transaction.atomic
def reject_appeal(appeal: Appeal, *, actor: Any, reason: str, version: int | str | None = None) -> Appeal:
    """不予采纳, with the reason."""
    steps.APPEAL_FLOW.require(actor, steps.REJECT, appeal)
    _appeal_locked(appeal, version)
    steps.APPEAL_FLOW.check(appeal, steps.REJECT)
    if not (reason or "").strip():
        raise ValidationError({"reason": _("请填写不予采纳的理由。")})
    steps.APPEAL_FLOW.advance(
        appeal,
        steps.REJECT,
        actor=actor,
        note=reason.strip()[:200],
        changes={
            "decided_by": actor if getattr(actor, "is_authenticated", False) else None,
            "decided_at": timezone.now(),
            "decision_reason": reason.strip(),
        },
    )
    _tell_unit(appeal, _("不予采纳"))
    return appeal


def _tell_unit(appeal: Appeal, outcome: str) -> None:
    result = appeal.result
    users = (
        users_of_township(result.township.code)
        if result.township
        else users_of_department(result.department_id or 0)
    )
    notify_users(
        users,
        subject=_("考核申诉%(o)s：%(p)s") % {"o": outcome, "p": appeal.point.name},
        body=_("您单位对“%(p)s”得分的申诉%(o)s：%(r)s")
        % {"p": appeal.point.name, "o": outcome, "r": appeal.decision_reason},
        url=appeal.get_absolute_url(),
        topic="assessment_appeal",
        obj=appeal,
    )


# --- 约谈 ---------------------------------------------------------------------------------------------------


def _letters(year: int, quarter: int) -> dict[tuple[str, str], int]:
    """(township code | department id, kind) → 函告 of hazards + 督促函 of campaign tasks applied in the quarter."""

    period = period_of(year, quarter)
    start, end = registry.Window.of(period).start, quarter_end(period)
    prefixes = {r.scope_prefix: r.code for r in registry.townships()}
    counts: dict[tuple[str, str], int] = defaultdict(int)
    letters = Escalation.objects.unrestricted("约谈 rules count across the district").filter(
        kind=EscalationKind.LETTER, applied_on__gte=start, applied_on__lte=end
    )
    for row in (
        letters.annotate(g=Substr("hazard__region__code", 1, TOWNSHIP_PREFIX))
        .values("g")
        .annotate(n=Count("pk"))
        .order_by()
    ):
        if row["g"] in prefixes:
            counts[(prefixes[row["g"]], UnitKind.TOWNSHIP)] += row["n"]
    for row in (
        letters.exclude(hazard__department=None)
        .values("hazard__department")
        .annotate(n=Count("pk"))
        .order_by()
    ):
        counts[(str(row["hazard__department"]), UnitKind.DEPARTMENT)] += row["n"]
    urges = TaskEscalation.objects.filter(
        kind=TaskEscalationKind.URGE, applied_on__gte=start, applied_on__lte=end
    )
    for row in (
        urges.exclude(task__township=None).values("task__township__code").annotate(n=Count("pk")).order_by()
    ):
        counts[(row["task__township__code"], UnitKind.TOWNSHIP)] += row["n"]
    for row in (
        urges.exclude(task__lead_department=None)
        .values("task__lead_department")
        .annotate(n=Count("pk"))
        .order_by()
    ):
        counts[(str(row["task__lead_department"]), UnitKind.DEPARTMENT)] += row["n"]
    return counts


def interview_candidates(year: int, quarter: int) -> dict[tuple[str, str], list[dict[str, str]]]:
    """(unit key, kind) → the reasons the active 约谈 rules give for the quarter (township: region code;
    department: its id)."""
    period = period_of(year, quarter)
    found: dict[tuple[str, str], list[dict[str, str]]] = defaultdict(list)
    letters: dict[tuple[str, str], int] | None = None
    for rule in (
        InterviewRule.objects.unrestricted("rules are read whole").filter(active=True).order_by("code")
    ):
        for kind in rule.applies_to:
            if kind not in UnitKind.values:
                continue
            if rule.kind == InterviewRuleKind.BOTTOM:
                assessment = (
                    Assessment.objects.unrestricted("the published ranking")
                    .filter(year=year, quarter=quarter, kind=kind, status=AssessmentStatus.PUBLISHED)
                    .first()
                )
                if assessment is None:
                    continue
                results = list(
                    Result.objects.unrestricted("the published ranking")
                    .filter(assessment=assessment)
                    .select_related("township", "department")
                    .order_by("-final_rank")
                )
                if not results:
                    continue
                threshold = results[min(rule.n, len(results)) - 1].final_rank
                for r in results:
                    if r.final_rank >= threshold:
                        key = r.township.code if r.township else str(r.department_id)
                        text = _("%(reason)s（第%(rank)s名，%(score)s分）") % {
                            "reason": rule.reason,
                            "rank": r.final_rank,
                            "score": r.final_score,
                        }
                        found[(key, kind)].append({"rule": rule.code, "text": text})
            elif rule.kind == InterviewRuleKind.INDICATOR:
                for key, f in frozen_of(rule.indicator, period, SCOPE_KIND[UnitKind(kind)]).items():
                    if f.numerator and f.numerator > 0:
                        unit = registry.get(rule.indicator).unit
                        amount = f"{f.numerator.normalize():f}"
                        text = rule.reason if unit == "个" else f"{rule.reason}（{amount}{unit}）"
                        found[(key, kind)].append({"rule": rule.code, "text": text})
            elif rule.kind == InterviewRuleKind.LETTERS:
                letters = letters if letters is not None else _letters(year, quarter)
                for (key, k), times in letters.items():
                    if k == kind and times >= rule.n:
                        found[(key, kind)].append({"rule": rule.code, "text": f"{rule.reason}（{times}次）"})
    return found


@transaction.atomic
def list_interviews(year: int, quarter: int, *, actor: Any, today: dt.date | None = None) -> list[Interview]:
    """生成约谈名单: one 约谈 per unit the rules name for the quarter, with its reasons (idempotent: a unit
    already listed keeps its record)."""
    _office(actor, "add", Interview, _("只有区安委办可以生成约谈名单。"))
    today = today or timezone.localdate()
    _refuse_unfrozen(year, quarter, today)
    townships = {r.code: r for r in registry.townships()}
    departments = {str(d.pk): d for d in registry.departments()}
    made = []
    for (key, kind), reasons in sorted(interview_candidates(year, quarter).items()):
        township = townships.get(key) if kind == UnitKind.TOWNSHIP else None
        department = departments.get(key) if kind == UnitKind.DEPARTMENT else None
        if township is None and department is None:
            continue
        existing = Interview.objects.unrestricted("one 约谈 per unit and quarter").filter(
            year=year, quarter=quarter, township=township, department=department
        )
        if existing.exists():
            continue
        interview = Interview.objects.create(
            year=year, quarter=quarter, township=township, department=department, reasons=reasons
        )
        steps.INTERVIEW_FLOW.record_created(
            interview, steps.LIST, actor=actor, data={"reasons": [r["text"] for r in reasons]}
        )
        made.append(interview)
    audit.record(
        None,
        events.INTERVIEWS_LISTED,
        actor=actor,
        object_type="assessment.interview",
        object_id=period_of(year, quarter),
        object_repr=_("%(p)s约谈名单") % {"p": period_label(year, quarter)},
        data={"period": period_of(year, quarter), "added": len(made)},
    )
    return made


@steps.HOLD.implements
@transaction.atomic
def hold_interview(
    interview: Interview,
    *,
    actor: Any,
    held_at: dt.datetime,
    place: str,
    leaders: str,
    attendees: str,
    issues: str,
    minutes: str,
    commitments: str,
    version: int | str | None = None,
) -> Interview:
    """记录约谈: when, where, who, the issues, the minutes and the commitments; the 约谈记录 is issued as a
    numbered document."""
    steps.INTERVIEW_FLOW.require(actor, steps.HOLD, interview)
    pin(interview, version, _("该约谈已被他人处理（当前版本 %(v)s），请刷新后重试。"))
    steps.INTERVIEW_FLOW.check(interview, steps.HOLD)
    errors: dict[str, str] = {}
    if held_at > timezone.now():
        errors["held_at"] = _("约谈时间不能晚于现在：约谈举行后再记录。")
    for name, value, label in (
        ("place", place, _("约谈地点")),
        ("leaders", leaders, _("约谈人")),
        ("attendees", attendees, _("被约谈人")),
        ("issues", issues, _("指出的问题")),
        ("minutes", minutes, _("约谈情况")),
    ):
        if not (value or "").strip():
            errors[name] = _("请填写%(l)s。") % {"l": label}
    try:
        rows = parse_commitments(commitments)
        if not rows:
            errors["commitments"] = _("请至少填写一条整改承诺。")
    except ValidationError as exc:
        errors["commitments"] = exc.messages[0]
    if errors:
        raise ValidationError(errors)
    from zhiben.hazards.services.interviews import interview_time_text  # the hazard 约谈's time words

    Commitment.objects.bulk_create(
        [Commitment(interview=interview, text=text, due_on=due) for due, text in rows]
    )
    document = issue_document(
        "assessment_interview_minutes",
        context={
            "unit": interview.unit_name,
            "held_time": interview_time_text(held_at),
            "place": place.strip(),
            "leaders": leaders.strip(),
            "attendees": attendees.strip(),
            "reasons": interview.reasons_text,
            "issues": issues.strip(),
            "minutes": minutes.strip(),
            "commitments": [{"text": t, "due": chinese_date(d)} for d, t in rows],
        },
        actor=actor,
        obj=interview,
        on=timezone.localtime(held_at).date(),
        defer_files=True,
    )
    steps.INTERVIEW_FLOW.advance(
        interview,
        steps.HOLD,
        actor=actor,
        note=issues.strip()[:200],
        changes={
            "held_at": held_at,
            "place": place.strip(),
            "leaders": leaders.strip(),
            "attendees": attendees.strip(),
            "issues": issues.strip(),
            "minutes": minutes.strip(),
            "document": document,
        },
        data={"commitments": len(rows), "document": document.number},
    )
    return interview


@steps.CHECK.implements
@transaction.atomic
def check_commitment(
    interview: Interview,
    *,
    actor: Any,
    commitment: int,
    done: bool,
    note: str,
    version: int | str | None = None,
    today: dt.date | None = None,
) -> Commitment:
    """核查承诺: the office records whether one commitment is done."""
    steps.INTERVIEW_FLOW.require(actor, steps.CHECK, interview)
    pin(interview, version, _("该约谈已被他人处理（当前版本 %(v)s），请刷新后重试。"))
    steps.INTERVIEW_FLOW.check(interview, steps.CHECK)
    row = interview.commitments.filter(pk=commitment).first()
    if row is None:
        raise ValidationError({"commitment": _("请选择本次约谈的一项承诺。")})
    if not (note or "").strip():
        raise ValidationError({"note": _("请填写核查情况。")})
    row.status = CommitmentStatus.DONE if done else CommitmentStatus.OPEN
    row.checked_on = today or timezone.localdate()
    row.note = note.strip()
    row.save(update_fields=["status", "checked_on", "note"])
    steps.INTERVIEW_FLOW.advance(
        interview,
        steps.CHECK,
        actor=actor,
        note=f"{row.text}：{row.get_status_display()}，{row.note}"[:200],
        data={"commitment": row.pk, "done": bool(done)},
    )
    return row


@steps.CLOSE.implements
@transaction.atomic
def close_interview(
    interview: Interview, *, actor: Any, note: str = "", version: int | str | None = None
) -> Interview:
    """办结: every commitment checked done."""
    steps.INTERVIEW_FLOW.require(actor, steps.CLOSE, interview)
    pin(interview, version, _("该约谈已被他人处理（当前版本 %(v)s），请刷新后重试。"))
    steps.INTERVIEW_FLOW.check(interview, steps.CLOSE)
    steps.INTERVIEW_FLOW.advance(interview, steps.CLOSE, actor=actor, note=note)
    return interview


# --- 通报 ---------------------------------------------------------------------------------------------------


@transaction.atomic
def issue_ranking_bulletin(assessment: Assessment, *, actor: Any, on: dt.date | None = None) -> Any:
    """季度考核排名通报: a numbered document of the published ranking, figures read from the stored results."""
    _office(actor, "publish", Assessment, _("只有区安委办可以印发排名通报。"))
    if assessment.status != AssessmentStatus.PUBLISHED:
        raise ValidationError(_("考核结果发布后才能印发排名通报。"))
    if assessment.bulletin_id is not None:
        raise ValidationError(_("该季度的排名通报已经印发（%(n)s）。") % {"n": assessment.bulletin.number})  # type: ignore[union-attr]
    results = (
        Result.objects.unrestricted("the published ranking")
        .filter(assessment=assessment)
        .select_related("township", "department")
        .order_by("final_rank", "pk")
    )
    rows = [
        {
            "rank": r.final_rank,
            "name": r.unit_name,
            "score": f"{r.final_score}",
            "vetoed": r.vetoed,
            "adjusted": r.adjusted,
            "original": f"{r.score}",
        }
        for r in results
    ]
    document = issue_document(
        "assessment_ranking",
        context={
            "period": period_label(assessment.year, assessment.quarter),
            "kind": assessment.get_kind_display(),
            "scheme": assessment.scheme.name,
            "count": len(rows),
            "rows": rows,
            "appeal_days": assessment.scheme.appeal_days,
        },
        actor=actor,
        obj=assessment,
        on=on,
        defer_files=True,
    )
    Assessment.objects.unrestricted("the row being updated").filter(pk=assessment.pk).update(
        bulletin=document, version=F("version") + 1
    )
    assessment.refresh_from_db()
    audit.record(assessment, events.RANKING_BULLETIN, actor=actor, data={"number": document.number})
    return document


def open_commitments(q: Q | None = None) -> Any:
    qs = Commitment.objects.filter(
        status=CommitmentStatus.OPEN, interview__status__in=[InterviewStatus.HELD, InterviewStatus.FOLLOWING]
    )
    return qs.filter(q) if q is not None else qs
