"""年度监督检查计划 and 超频次检查审批: the services of plans and cap exceptions (every write goes through here).

A department drafts its plan for a year (key units inspected in full + a 双随机 ratio for the general units),
submits it, and the committee office (区安委办) approves it or returns it with a note; an approved plan may be
made public (一公开). A department asks to inspect a unit beyond its yearly cap (国办发〔2024〕54号) with a
reason; the office approves or rejects it, and `create_inspection` accepts only an approved exception.

Permissions (accounts/roles.py): department — inspectionplan add/change, planunit add/delete, capexception
add; district office — inspectionplan approve, capexception approve.
"""

from __future__ import annotations

import datetime as dt
import math
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _

from zhiben.accounts.lookups import users_of_department, users_of_office
from zhiben.core import audit
from zhiben.core.errors import Conflict, DomainError, NotPermitted
from zhiben.core.loop.records import pin
from zhiben.core.outbox import notify_users
from zhiben.core.scoping import can, grants_for, unscoped
from zhiben.core.workflow import compare_and_swap
from zhiben.registry.models import Department, Enterprise
from zhiben.registry.scoping import industry_ids_of_department

from .. import events, steps
from ..choices import DrawStatus, ExceptionStatus, InspectionStatus, PlanStatus, PlanUnitKind
from ..events import CAP_EXCEPTION_REQUESTED, PLAN_SAVED
from ..models import CapException, DrawAssignment, Inspection, InspectionPlan, PlanUnit
from .caps import CapIndex, inspections_per_unit, marked_high_risk, risk_class_of


class PlanError(DomainError):
    """A rule of plans or cap exceptions refused the action."""


PLAN_TRANSITIONS = steps.PLAN_FLOW.transitions
EDITABLE = (PlanStatus.DRAFT, PlanStatus.RETURNED)
PLAN_FIELDS = ("title", "random_ratio", "notes")


# --- helpers -------------------------------------------------------------------------------------------------


def acting_departments(actor: Any, action: str, model: type) -> set[int]:
    """The departments for which the actor may do `action` on `model` (a department role's department)."""
    ids: set[int] = set()
    for grant in grants_for(actor):
        if grant.allows(action, model) and grant.department_ids:
            ids |= set(grant.department_ids)
    return ids


def default_department(actor: Any, action: str, model: type) -> Department | None:
    ids = sorted(acting_departments(actor, action, model))
    return Department.objects.filter(pk=ids[0]).first() if ids else None


def _require(actor: Any, action: str, model: type, obj: Any = None) -> None:
    """The actor holds `action` on the model and (for an object) on this one: else 403."""
    if actor is None:  # system jobs and the demo generator
        return
    if not can(actor, action, model):
        raise NotPermitted()
    if obj is not None and not model.objects.restrict(actor, action).filter(pk=obj.pk).exists():  # type: ignore[attr-defined]
        raise NotPermitted(_("该记录不在您的职责范围内。"))


def _require_department(actor: Any, action: str, model: type, department: Department) -> None:
    _require(actor, action, model)
    if actor is not None and department.pk not in acting_departments(actor, action, model):
        raise NotPermitted(_("只能以本部门名义办理。"))


def in_department_scope(department: Department) -> Any:
    """Operating and other units whose industries the department supervises (三管三必须)."""
    industries = industry_ids_of_department(department.pk)
    through = Enterprise.industries.through.objects.filter(industry_id__in=industries)
    return Enterprise.objects.unrestricted("department-wide").filter(pk__in=through.values("enterprise_id"))


# --- plans ---------------------------------------------------------------------------------------------------


def _clean_plan(year: int | None, title: str, random_ratio: Any) -> dict[str, Any]:
    errors: dict[str, str] = {}
    if year is not None and not 2000 <= int(year) <= 2100:
        errors["year"] = _("年度无效。")
    if not (title or "").strip():
        errors["title"] = _("请填写计划名称。")
    try:
        ratio = Decimal(str(random_ratio))
    except Exception:
        ratio = Decimal(-1)
    if not Decimal(0) <= ratio <= Decimal(100):
        errors["random_ratio"] = _("抽查比例应在 0–100 之间。")
    if errors:
        raise ValidationError(errors)
    return {"title": title.strip(), "random_ratio": ratio}


@transaction.atomic
def create_plan(
    *,
    actor: Any,
    department: Department,
    year: int,
    title: str,
    random_ratio: Any = 5,
    notes: str = "",
) -> InspectionPlan:
    """编制年度监督检查计划: a department's draft plan for one year."""
    _require_department(actor, "add", InspectionPlan, department)
    clean = _clean_plan(year, title, random_ratio)
    if (
        InspectionPlan.objects.unrestricted("service: one per year")
        .filter(department=department, year=year)
        .exists()
    ):
        raise ValidationError({"year": _("本部门 %(y)s 年度的计划已存在。") % {"y": year}})
    try:
        with transaction.atomic():
            plan = InspectionPlan.objects.create(
                department=department, year=year, notes=notes, status=PlanStatus.DRAFT, **clean
            )
    except IntegrityError:  # created concurrently
        raise ValidationError({"year": _("本部门 %(y)s 年度的计划已存在。") % {"y": year}})
    audit.record(
        plan,
        PLAN_SAVED,
        actor=actor,
        data={"year": year, "title": plan.title, "ratio": str(clean["random_ratio"])},
    )
    return plan


@transaction.atomic
def update_plan(
    plan: InspectionPlan, *, actor: Any, version: int | None = None, **changes: Any
) -> InspectionPlan:
    """修改计划 while it is being drafted or after it was returned."""
    _require(actor, "change", InspectionPlan, plan)
    pin(plan, version, steps.PLAN_FLOW.stale)
    unknown = set(changes) - set(PLAN_FIELDS)
    if unknown:
        raise ValidationError({k: _("不可修改的字段。") for k in unknown})
    if plan.status not in EDITABLE:
        raise PlanError(_("计划已提交或已批准，不能修改。"))
    merged = {f: getattr(plan, f) for f in PLAN_FIELDS} | changes
    clean = _clean_plan(None, merged["title"], merged["random_ratio"])
    values = {**changes, **{k: v for k, v in clean.items() if k in changes}}
    before = {k: str(getattr(plan, k)) for k in values}
    compare_and_swap(plan, expected={"status": plan.status}, changes=values)
    audit.record(
        plan,
        PLAN_SAVED,
        actor=actor,
        data={k: [before[k], str(v)] for k, v in values.items() if before[k] != str(v)},
    )
    return plan


@transaction.atomic
def add_plan_unit(
    plan: InspectionPlan,
    *,
    actor: Any,
    enterprise: Enterprise,
    planned_quarter: int | None = None,
    kind: str = PlanUnitKind.KEY,
) -> PlanUnit:
    """列入重点检查单位: a key unit the plan covers in full (双随机 units join when a draw is published)."""
    _require(actor, "change", InspectionPlan, plan)
    if actor is not None and not can(actor, "add", PlanUnit):
        raise NotPermitted()
    if plan.status not in EDITABLE:
        raise PlanError(_("计划已提交或已批准，不能修改。"))
    errors: dict[str, str] = {}
    if not in_department_scope(plan.department).filter(pk=enterprise.pk).exists():
        errors["enterprise"] = _("该单位不属于本部门监管的行业领域。")
    elif (
        PlanUnit.objects.unrestricted("service: once per plan")
        .filter(plan=plan, enterprise=enterprise)
        .exists()
    ):
        errors["enterprise"] = _("该单位已在计划中。")
    if planned_quarter is not None and planned_quarter not in (1, 2, 3, 4):
        errors["planned_quarter"] = _("计划季度应为 1–4。")
    if kind not in PlanUnitKind.values:
        errors["kind"] = _("类别无效。")
    if errors:
        raise ValidationError(errors)
    compare_and_swap(
        plan, expected={"status": plan.status}, changes={}
    )  # the plan changed: its version moves
    unit = PlanUnit.objects.create(
        plan=plan, enterprise=enterprise, kind=kind, planned_quarter=planned_quarter
    )
    audit.record(
        plan,
        events.PLAN_UNIT_ADDED,
        actor=actor,
        data={"enterprise": enterprise.pk, "name": enterprise.name, "kind": kind, "quarter": planned_quarter},
    )
    return unit


@transaction.atomic
def remove_plan_unit(unit: PlanUnit, *, actor: Any) -> None:
    """移出计划 (only while the plan is editable)."""
    plan = unit.plan
    _require(actor, "change", InspectionPlan, plan)
    if actor is not None and not can(actor, "delete", PlanUnit):
        raise NotPermitted()
    if plan.status not in EDITABLE:
        raise PlanError(_("计划已提交或已批准，不能修改。"))
    compare_and_swap(plan, expected={"status": plan.status}, changes={})
    data = {"enterprise": unit.enterprise_id, "name": unit.enterprise.name}
    unit.delete()
    audit.record(plan, events.PLAN_UNIT_REMOVED, actor=actor, data=data)


@steps.SUBMIT_PLAN.implements
@transaction.atomic
def submit_plan(plan: InspectionPlan, *, actor: Any, version: int | None = None) -> InspectionPlan:
    """提交审批: the department sends the plan to the committee office."""
    steps.PLAN_FLOW.require(actor, steps.SUBMIT_PLAN, plan)
    pin(plan, version, steps.PLAN_FLOW.stale)
    steps.PLAN_FLOW.advance(
        plan,
        steps.SUBMIT_PLAN,
        actor=actor,
        changes={"submitted_at": timezone.now()},
        audit_data={"from": plan.status, "to": PlanStatus.SUBMITTED},
    )
    notify_users(
        users_of_office(),
        subject=_("年度监督检查计划待审批：%(t)s") % {"t": plan.title},
        url=plan.get_absolute_url(),
        topic="plan",
        obj=plan,
    )
    return plan


@steps.APPROVE_PLAN.implements
@transaction.atomic
def approve_plan(
    plan: InspectionPlan, *, actor: Any, note: str = "", version: int | None = None
) -> InspectionPlan:
    """批准: the committee office approves a submitted plan."""
    steps.PLAN_FLOW.require(actor, steps.APPROVE_PLAN, plan)
    pin(plan, version, steps.PLAN_FLOW.stale)
    steps.PLAN_FLOW.advance(
        plan,
        steps.APPROVE_PLAN,
        actor=actor,
        changes={"approved_by": actor, "approved_at": timezone.now(), "review_note": note.strip()},
        audit_data={"to": PlanStatus.APPROVED, "note": note.strip()},
    )
    _notify_department(plan, _("年度监督检查计划已批准：%(t)s") % {"t": plan.title})
    return plan


@steps.RETURN_PLAN.implements
@transaction.atomic
def return_plan(plan: InspectionPlan, *, actor: Any, note: str, version: int | None = None) -> InspectionPlan:
    """退回修改: the committee office sends a submitted plan back with what to change."""
    steps.PLAN_FLOW.require(actor, steps.RETURN_PLAN, plan)
    pin(plan, version, steps.PLAN_FLOW.stale)
    if not (note or "").strip():
        raise ValidationError({"note": _("退回时请写明修改意见。")})
    steps.PLAN_FLOW.advance(
        plan,
        steps.RETURN_PLAN,
        actor=actor,
        changes={"review_note": note.strip()},
        audit_data={"to": PlanStatus.RETURNED, "note": note.strip()},
    )
    _notify_department(plan, _("年度监督检查计划被退回：%(t)s") % {"t": plan.title}, body=note.strip())
    return plan


def _notify_department(plan: InspectionPlan, subject: str, body: str = "") -> None:
    notify_users(
        users_of_department(plan.department_id),
        subject=subject,
        body=body,
        url=plan.get_absolute_url(),
        topic="plan",
        obj=plan,
    )


@transaction.atomic
def set_plan_public(
    plan: InspectionPlan, *, actor: Any, public: bool, version: int | None = None
) -> InspectionPlan:
    """向社会公开 (一公开): an approved plan is shown on the public page, or withdrawn from it."""
    _require(actor, "change", InspectionPlan, plan)
    pin(plan, version, steps.PLAN_FLOW.stale)
    if public and plan.status != PlanStatus.APPROVED:
        raise PlanError(_("计划经批准后方可公开。"))
    compare_and_swap(plan, expected={"status": plan.status}, changes={"is_public": bool(public)})
    audit.record(plan, events.PLAN_PUBLICITY_CHANGED, actor=actor, data={"is_public": bool(public)})
    return plan


# --- progress ------------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class PlanProgress:
    """进度: key units inspected against planned, 双随机 checks drawn and completed against the ratio's target."""

    key_planned: int
    key_inspected: int
    general_units: int
    random_target: int
    draws_published: int
    draws_open: int
    random_drawn: int
    random_completed: int

    @property
    def planned(self) -> int:
        return self.key_planned + max(self.random_target, self.random_drawn)

    @property
    def completed(self) -> int:
        return self.key_inspected + self.random_completed

    @property
    def percent(self) -> int:
        return round(100 * self.completed / self.planned) if self.planned else 0

    @property
    def key_percent(self) -> int:
        return round(100 * self.key_inspected / self.key_planned) if self.key_planned else 0

    @property
    def random_percent(self) -> int:
        target = max(self.random_target, self.random_drawn)
        return round(100 * self.random_completed / target) if target else 0


@unscoped("plan progress: the plan's department")
def plan_progress(plan: InspectionPlan) -> PlanProgress:
    key_ids = set(plan.units.filter(kind=PlanUnitKind.KEY).values_list("enterprise_id", flat=True))
    done = (
        Inspection.objects.enforcement()
        .filter(
            Q(department=plan.department) | Q(departments__department=plan.department),
            status=InspectionStatus.COMPLETED,
        )
        .filter(Q(finished_at__year=plan.year) | Q(finished_at__isnull=True, planned_on__year=plan.year))
    )
    key_inspected = len(set(done.filter(enterprise_id__in=key_ids).values_list("enterprise_id", flat=True)))
    general = in_department_scope(plan.department).operating().exclude(pk__in=key_ids).count()
    draws = plan.draws.exclude(status=DrawStatus.SUPERSEDED)
    assignments = DrawAssignment.objects.filter(draw__plan=plan, draw__status=DrawStatus.PUBLISHED)
    return PlanProgress(
        key_planned=len(key_ids),
        key_inspected=key_inspected,
        general_units=general,
        random_target=math.ceil(general * plan.random_ratio / 100),
        draws_published=draws.filter(status=DrawStatus.PUBLISHED).count(),
        draws_open=draws.exclude(status=DrawStatus.PUBLISHED).count(),
        random_drawn=assignments.count(),
        random_completed=assignments.filter(inspection__status=InspectionStatus.COMPLETED).count(),
    )


@dataclass(frozen=True)
class UnitCap:
    """A plan row's cap: the yearly limit, the visits so far, and whether it is reached."""

    limit: int | None
    used: int

    @property
    def reached(self) -> bool:
        return self.limit is not None and self.used >= self.limit


def unit_caps(enterprises: list[Enterprise], year: int) -> dict[int, UnitCap]:
    """The cap of each unit of a plan page, resolved in bulk (a few queries whatever the number of rows)."""
    index = CapIndex()
    used = inspections_per_unit(year)
    marked = marked_high_risk([e.pk for e in enterprises])
    return {
        e.pk: UnitCap(
            index.limit(e.primary_industry_id, risk_class_of(e, marked), e.standardisation_grade),
            used.get(e.pk, 0),
        )
        for e in enterprises
    }


# --- cap exceptions ------------------------------------------------------------------------------------------


@transaction.atomic
def request_cap_exception(
    *, actor: Any, enterprise: Enterprise, department: Department, year: int, reason: str
) -> CapException:
    """申请超频次检查: a department asks to inspect a unit beyond its yearly cap, saying why."""
    _require_department(actor, "add", CapException, department)
    errors: dict[str, str] = {}
    if not (reason or "").strip():
        errors["reason"] = _("请说明超频次检查的理由（如举报核查、事故调查）。")
    if not 2000 <= int(year) <= 2100:
        errors["year"] = _("年度无效。")
    if actor is not None and not Enterprise.objects.restrict(actor, "view").filter(pk=enterprise.pk).exists():
        errors["enterprise"] = _("生产经营单位不存在或不在您的职责范围内。")
    elif (
        CapException.objects.unrestricted("service: one pending")
        .filter(enterprise=enterprise, department=department, year=year, status=ExceptionStatus.PENDING)
        .exists()
    ):
        errors["enterprise"] = _("该单位本年度已有待审批的超频次检查申请。")
    if errors:
        raise ValidationError(errors)
    exception = CapException.objects.create(
        enterprise=enterprise,
        department=department,
        year=year,
        reason=reason.strip(),
        requested_by=actor,
        status=ExceptionStatus.PENDING,
    )
    audit.record(
        exception,
        CAP_EXCEPTION_REQUESTED,
        actor=actor,
        data={"enterprise": enterprise.pk, "year": year, "reason": exception.reason},
    )
    notify_users(
        users_of_office(),
        subject=_("超频次检查申请待审批：%(e)s") % {"e": enterprise.name},
        body=exception.reason,
        url=exception.get_absolute_url(),
        topic="cap_exception",
        obj=exception,
    )
    return exception


@steps.APPROVE_EXCEPTION.implements
@steps.REJECT_EXCEPTION.implements
@transaction.atomic
def decide_cap_exception(
    exception: CapException, *, actor: Any, approve: bool, note: str = ""
) -> CapException:
    """批准或不予批准超频次检查 (the committee office); a rejection says why."""
    step = steps.APPROVE_EXCEPTION if approve else steps.REJECT_EXCEPTION
    steps.CAP_EXCEPTION_FLOW.require(actor, step, exception)
    note = (note or "").strip()
    if not approve and not note:
        raise ValidationError({"note": _("不予批准时请写明理由。")})
    if exception.status != ExceptionStatus.PENDING:
        raise Conflict(str(steps.CAP_EXCEPTION_FLOW.stale))
    now = timezone.now()
    # Compare-and-swap on the status (no version): two reviewers deciding at once → the second gets a 409.
    steps.CAP_EXCEPTION_FLOW.advance(
        exception,
        step,
        actor=actor,
        changes={"decided_by": actor, "decided_at": now, "decision_note": note, "updated_at": now},
        audit_data={"status": step.target, "note": note},
    )
    notify_users(
        users_of_department(exception.department_id),
        subject=_("超频次检查申请%(r)s：%(e)s")
        % {"r": _("已批准") if approve else _("不予批准"), "e": exception.enterprise.name},
        body=note,
        url=exception.get_absolute_url(),
        topic="cap_exception",
        obj=exception,
    )
    return exception


def today() -> dt.date:
    return timezone.localdate()
