"""The handling loop of a tip (issue 12 §4), one service per step, each one transaction:
`FLOW.require` (permission, scope, the step's object rule; 403) → version pin (409) → the step's own checks
(field errors, 400) → `FLOW.advance` (compare-and-swap, history row, audit row) → notices.

Confidentiality (R13): what leaves the custodian's desk is the 另行编辑 `working_text` only. Notices carry the
tip's code, category and working copy; never `original_text`, the identity, or the receipt. The answer to the
reporter (`public_feedback`) must not name the handlers.

What other areas call lives below the steps: `tips.duplicates` (`find_duplicates`, `first_rewardable`) and
`tips.routing` (`supervising_department_for`, `township_for`, `transfer_initial`).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _

from zhiben.accounts.lookups import users_of_department, users_of_office, users_of_township, users_with_role
from zhiben.accounts.roles import Role
from zhiben.core.errors import DomainError, NotPermitted
from zhiben.core.loop import pin
from zhiben.core.outbox import notify_users
from zhiben.core.scoping import can
from zhiben.enforcement.models import Case
from zhiben.hazards.choices import Source
from zhiben.hazards.models import Hazard
from zhiben.hazards.services import register_hazard
from zhiben.inspections.choices import Origin
from zhiben.inspections.models import Inspection, Inspector
from zhiben.inspections.services.records import create_inspection
from zhiben.registry.choices import RegionLevel
from zhiben.registry.models import Department, Enterprise, Industry, Region

from .. import deadlines, steps
from ..choices import FINAL_TIP_STATUSES, OPEN_TIP_STATUSES, Category, Outcome, TipStatus
from ..duplicates import _normal, root_of
from ..models import Tip, TipExtension

STALE = _("该举报已被他人处理（当前版本 %(v)s），请刷新后重试。")
PREVIEW = 120  # characters of the working copy a notice quotes


class TipError(DomainError):
    """A rule of the handling loop refused the action."""


def today() -> dt.date:
    return timezone.localdate()


def _tips(reason: str) -> Any:
    return Tip.objects.unrestricted(reason)


def _in_status(tip: Tip, step: Any) -> None:
    """A step that keeps the status (检查, 隐患, 案件, 延期) is still taken only in its statuses."""
    if tip.status not in step.statuses:
        raise TipError(
            _("举报处于“%(s)s”状态，不能%(a)s。") % {"s": tip.get_status_display(), "a": step.label}
        )


def _preview(tip: Tip) -> str:
    text = " ".join(tip.working_text.split())
    return text[:PREVIEW] + ("…" if len(text) > PREVIEW else "")


def _notify(users: Iterable[Any], tip: Tip, subject: str, body: str, topic: str = "tip") -> None:
    """A notice about a tip: its code, category and working copy only (never the original or the identity)."""
    notify_users(users, subject=subject, body=body, url=tip.get_absolute_url(), topic=topic, obj=tip)


def _handlers(tip: Tip) -> list[Any]:
    users: list[Any] = []
    if tip.department_id:
        users += users_of_department(tip.department_id)
    if tip.township_id:
        users += users_of_township(tip.township.code)  # type: ignore[union-attr]
    return users


def _custodians() -> list[Any]:
    return users_with_role(Role.TIP_CUSTODIAN)


# --- 受理 / 不予受理 / 合并 --------------------------------------------------------------------------------------


@steps.ACCEPT.implements
@transaction.atomic
def accept(
    tip: Tip,
    *,
    actor: Any,
    working_text: str,
    category: str,
    enterprise: Enterprise | None = None,
    unit_name: str = "",
    industry: Industry | None = None,
    accepted_on: dt.date | None = None,
    version: int | str | None = None,
) -> Tip:
    """受理: the custodian writes the 另行编辑 copy and fixes the category and the unit; the 60 日 of 核查 run from
    the day of acceptance."""
    steps.FLOW.require(actor, steps.ACCEPT, tip)
    pin(tip, version, STALE)
    steps.FLOW.check(tip, steps.ACCEPT)
    errors: dict[str, str] = {}
    text = (working_text or "").strip()
    if not text:
        errors["working_text"] = _("请填写另行编辑件：承办部门只见此件。")
    elif _normal(text) == _normal(tip.original_text):
        errors["working_text"] = _("另行编辑件不能照搬举报原件：请去除可识别举报人的内容后重新撰写。")
    if category not in Category.values:
        errors["category"] = _("举报类别无效。")
    unit_name = (unit_name or "").strip()
    if enterprise is None and not unit_name:
        errors["enterprise"] = _("请选择被举报单位，或填写未登记单位的名称。")
    accepted_on = accepted_on or today()
    if accepted_on > today():
        errors["accepted_on"] = _("受理日期不能晚于今天。")
    elif accepted_on < timezone.localdate(tip.received_at):
        errors["accepted_on"] = _("受理日期不能早于收到举报的日期。")
    if errors:
        raise ValidationError(errors)
    if industry is None and enterprise is not None:
        industry = enterprise.primary_industry
    changes: dict[str, Any] = {
        "working_text": text,
        "category": category,
        "enterprise": enterprise,
        "unit_name": (enterprise.name if enterprise is not None and not unit_name else unit_name)[:200],
        "industry": industry,
        "accepted_on": accepted_on,
        "verify_deadline": deadlines.verify_deadline_for(accepted_on),
    }
    steps.FLOW.advance(
        tip,
        steps.ACCEPT,
        actor=actor,
        changes=changes,
        # The audit row names what was set, not the working text itself (kept on the tip).
        audit_data={
            "from": TipStatus.RECEIVED,
            "to": TipStatus.ACCEPTED,
            "category": category,
            "enterprise": enterprise.pk if enterprise is not None else None,
            "industry": industry.pk if industry is not None else None,
            "accepted_on": accepted_on.isoformat(),
            "verify_deadline": changes["verify_deadline"].isoformat(),
        },
    )
    return tip


@steps.REJECT.implements
@transaction.atomic
def reject(tip: Tip, *, actor: Any, rejection_reason: str, version: int | str | None = None) -> Tip:
    """不予受理, with the reason the reporter reads by receipt code."""
    steps.FLOW.require(actor, steps.REJECT, tip)
    pin(tip, version, STALE)
    steps.FLOW.check(tip, steps.REJECT)
    reason = (rejection_reason or "").strip()
    if not reason:
        raise ValidationError({"rejection_reason": _("请写明不予受理的理由（将告知举报人）。")})
    steps.FLOW.advance(tip, steps.REJECT, actor=actor, note=reason, changes={"rejection_reason": reason})
    return tip


@steps.MERGE.implements
@transaction.atomic
def merge(tip: Tip, *, actor: Any, into: Tip, note: str = "", version: int | str | None = None) -> Tip:
    """合并: a duplicate joins another open tip, which is handled (and rewarded) for both."""
    steps.FLOW.require(actor, steps.MERGE, tip)
    pin(tip, version, STALE)
    steps.FLOW.check(tip, steps.MERGE)
    if into.pk == tip.pk:
        raise ValidationError({"into": _("不能合并到本举报自身。")})
    if into.status in FINAL_TIP_STATUSES or into.status not in OPEN_TIP_STATUSES:
        raise ValidationError({"into": _("只能合并到正在办理的举报。")})
    if root_of(into).pk == tip.pk:
        raise ValidationError({"into": _("该举报已并入本举报，不能反向合并。")})
    steps.FLOW.advance(
        tip,
        steps.MERGE,
        actor=actor,
        note=(note or "").strip() or _("并入 %(c)s 办理") % {"c": into.code},
        changes={"merged_into": into},
        data={"into": into.code},
    )
    # Tips merged into this one follow it.
    _tips("re-point the merged group").filter(merged_into=tip).update(merged_into=into)
    return tip


# --- 转办 ---------------------------------------------------------------------------------------------------


@steps.TRANSFER.implements
@transaction.atomic
def transfer(
    tip: Tip,
    *,
    actor: Any,
    department: Department,
    township: Region | None = None,
    note: str = "",
    version: int | str | None = None,
) -> Tip:
    """转办 to the supervising department and the township: from then on they see the tip (scope) and check it.
    The notice carries the working copy only."""
    steps.FLOW.require(actor, steps.TRANSFER, tip)
    pin(tip, version, STALE)
    steps.FLOW.check(tip, steps.TRANSFER)
    if township is not None and township.level != RegionLevel.TOWNSHIP:
        raise ValidationError({"township": _("请选择乡镇（街道）。")})
    if not tip.working_text.strip():
        raise ValidationError({"department": _("尚无另行编辑件，不能转办：请先受理并另行编辑。")})
    steps.FLOW.advance(
        tip,
        steps.TRANSFER,
        actor=actor,
        note=(note or "").strip(),
        changes={"department": department, "township": township},
    )
    subject = _("举报转办：%(c)s（%(k)s）") % {"c": tip.code, "k": tip.get_category_display()}
    body = _("请在%(d)s前核查办结。举报内容（另行编辑件）：%(t)s") % {
        "d": _date(tip.verify_deadline),
        "t": _preview(tip),
    }
    _notify(_handlers(tip), tip, subject, body)
    return tip


def _date(day: dt.date | None) -> str:
    return f"{day.year}年{day.month}月{day.day}日" if day else _("规定期限")


# --- 核查 ---------------------------------------------------------------------------------------------------


@steps.OPEN_INSPECTION.implements
@transaction.atomic
def open_inspection(
    tip: Tip,
    *,
    actor: Any,
    planned_on: dt.date,
    mode: str,
    lead_officer: Inspector,
    second_officer: Inspector,
    version: int | str | None = None,
) -> Inspection:
    """开展核查检查: the department's inspection of the unit, origin 举报核查, linked to the tip."""
    steps.FLOW.require(actor, steps.OPEN_INSPECTION, tip)
    pin(tip, version, STALE)
    _in_status(tip, steps.OPEN_INSPECTION)
    if tip.inspection_id is not None:
        raise TipError(_("该举报已有核查检查。"))
    if lead_officer.pk == second_officer.pk:
        raise ValidationError({"second_officer": _("主办和协办执法人员不能是同一人。")})
    assert tip.enterprise is not None and tip.department is not None  # the step's rule
    inspection = create_inspection(
        actor=actor,
        enterprise=tip.enterprise,
        department=tip.department,
        mode=mode,
        origin=Origin.TIP,
        planned_on=planned_on,
        officers=[lead_officer, second_officer],
        subject=_("举报核查（%(c)s）") % {"c": tip.code},
    )
    steps.FLOW.advance(
        tip,
        steps.OPEN_INSPECTION,
        actor=actor,
        changes={"inspection": inspection},
        data={"inspection": inspection.code},
    )
    return inspection


@steps.ADD_HAZARD.implements
@transaction.atomic
def add_hazard(
    tip: Tip,
    *,
    actor: Any,
    level: str,
    title: str,
    discovered_on: dt.date,
    description: str = "",
    location: str = "",
    version: int | str | None = None,
) -> Hazard:
    """登记核查发现的隐患: a hazard with source 举报 in the tip's department's ledger, linked both ways
    (`tip.hazards`, `hazard.tips`)."""
    steps.FLOW.require(actor, steps.ADD_HAZARD, tip)
    pin(tip, version, STALE)
    _in_status(tip, steps.ADD_HAZARD)
    assert tip.enterprise is not None  # the step's rule
    hazard = register_hazard(
        actor=actor,
        enterprise=tip.enterprise,
        level=level,
        title=title,
        discovered_on=discovered_on,
        source=Source.TIP,
        description=description,
        location=location,
        industry=tip.industry,
        department=tip.department,
        visit=tip.inspection,
    )
    tip.hazards.add(hazard)
    steps.FLOW.advance(
        tip,
        steps.ADD_HAZARD,
        actor=actor,
        note=_("登记隐患 %(c)s") % {"c": hazard.code},
        data={"hazard": hazard.code},
    )
    return hazard


@transaction.atomic
def link_hazard(tip: Tip, *, actor: Any, hazard: Hazard, version: int | str | None = None) -> Tip:
    """Link a hazard already registered (by the inspection's findings) to the tip (no form of its own: the
    inspection's findings become hazards through the inspection pages)."""
    steps.FLOW.require(actor, steps.ADD_HAZARD, tip)
    pin(tip, version, STALE)
    _in_status(tip, steps.ADD_HAZARD)
    if actor is not None and not Hazard.objects.restrict(actor, "view").filter(pk=hazard.pk).exists():
        raise ValidationError({"hazard": _("隐患不存在或不在您的职责范围内。")})
    if hazard.enterprise_id != tip.enterprise_id:
        raise ValidationError({"hazard": _("隐患不属于被举报单位。")})
    tip.hazards.add(hazard)
    steps.FLOW.advance(
        tip,
        steps.ADD_HAZARD,
        actor=actor,
        note=_("关联隐患 %(c)s") % {"c": hazard.code},
        data={"hazard": hazard.code},
    )
    return tip


@steps.LINK_CASE.implements
@transaction.atomic
def link_case(tip: Tip, *, actor: Any, case: Case, version: int | str | None = None) -> Tip:
    """关联执法案件: a case of the tip's unit, one the department may see (the reward rests on its fine)."""
    steps.FLOW.require(actor, steps.LINK_CASE, tip)
    pin(tip, version, STALE)
    _in_status(tip, steps.LINK_CASE)
    if actor is not None and not Case.objects.restrict(actor, "view").filter(pk=case.pk).exists():
        raise ValidationError({"case": _("案件不存在或不在您的职责范围内。")})
    if case.enterprise_id != tip.enterprise_id:
        raise ValidationError({"case": _("该案件的当事人不是被举报单位。")})
    if tip.cases.filter(pk=case.pk).exists():
        raise ValidationError({"case": _("该案件已关联。")})
    tip.cases.add(case)
    steps.FLOW.advance(
        tip,
        steps.LINK_CASE,
        actor=actor,
        note=_("关联案件 %(c)s") % {"c": case.code},
        data={"case": case.code},
    )
    return tip


# --- 延期 ---------------------------------------------------------------------------------------------------


@steps.REQUEST_EXTENSION.implements
@transaction.atomic
def request_extension(
    tip: Tip, *, actor: Any, days: int, reason: str, version: int | str | None = None
) -> TipExtension:
    """申请延期: once, at most the rule's days (30 日), with a reason the reporter is told; the office decides."""
    steps.FLOW.require(actor, steps.REQUEST_EXTENSION, tip)
    pin(tip, version, STALE)
    _in_status(tip, steps.REQUEST_EXTENSION)
    if actor is not None and not can(actor, "add", TipExtension):
        raise NotPermitted(_("延期由承办部门申请。"))
    if tip.extended or tip.extensions.exists():
        raise TipError(_("核查期限只能延期一次，本举报已申请过延期。"))
    limit = deadlines.max_extension_days()
    errors: dict[str, str] = {}
    if not 1 <= int(days) <= limit:
        errors["days"] = _("延长天数应为1至%(n)s日。") % {"n": limit}
    if not (reason or "").strip():
        errors["reason"] = _("请写明延期理由（将告知举报人）。")
    if errors:
        raise ValidationError(errors)
    extension = TipExtension.objects.create(
        tip=tip, days=int(days), reason=reason.strip(), requested_by=actor
    )
    steps.FLOW.advance(
        tip,
        steps.REQUEST_EXTENSION,
        actor=actor,
        note=_("申请延期 %(n)s 日：%(r)s") % {"n": days, "r": reason.strip()},
        data={"days": int(days)},
    )
    _notify(
        users_of_office(),
        tip,
        _("举报核查延期待审批：%(c)s") % {"c": tip.code},
        _("承办部门申请延期 %(n)s 日，理由：%(r)s") % {"n": days, "r": reason.strip()},
    )
    return extension


@steps.DECIDE_EXTENSION.implements
@transaction.atomic
def decide_extension(
    tip: Tip, *, actor: Any, approve: bool, note: str = "", version: int | str | None = None
) -> Tip:
    """审批延期 (the office): approved, the 核查期限 moves by the days asked and a new overdue cycle begins."""
    steps.FLOW.require(actor, steps.DECIDE_EXTENSION, tip)
    if actor is not None and not can(actor, "approve", TipExtension):
        raise NotPermitted(_("延期由区安委办审批。"))
    pin(tip, version, STALE)
    _in_status(tip, steps.DECIDE_EXTENSION)
    extension = tip.extensions.filter(approved__isnull=True).order_by("pk").first()
    if extension is None:
        raise TipError(_("没有待审批的延期申请。"))
    if actor is not None and extension.requested_by_id == actor.pk:
        raise NotPermitted(_("申请人不能审批自己的延期申请。"))
    now = timezone.now()
    TipExtension.objects.filter(pk=extension.pk).update(
        approved=bool(approve), decided_by=actor, decided_at=now
    )
    changes: dict[str, Any] = {}
    if approve:
        assert tip.verify_deadline is not None
        changes = {
            "verify_deadline": tip.verify_deadline + dt.timedelta(days=extension.days),
            "extended": True,
            "escalation": "",
        }
    steps.FLOW.advance(
        tip,
        steps.DECIDE_EXTENSION,
        actor=actor,
        note=(_("批准延期 %(n)s 日") if approve else _("不予批准延期")) % {"n": extension.days}
        + (f"：{note.strip()}" if (note or "").strip() else ""),
        changes=changes,
        data={"approved": bool(approve), "days": extension.days},
    )
    _notify(
        users_of_department(tip.department_id) if tip.department_id else [],
        tip,
        (_("举报核查延期已批准：%(c)s") if approve else _("举报核查延期未获批准：%(c)s")) % {"c": tip.code},
        _("核查期限：%(d)s") % {"d": _date(tip.verify_deadline)},
    )
    return tip


# --- 办结 / 答复 ---------------------------------------------------------------------------------------------


@steps.CONCLUDE.implements
@transaction.atomic
def conclude(
    tip: Tip,
    *,
    actor: Any,
    outcome: str,
    conclusion: str,
    draft_answer: str,
    concluded_on: dt.date | None = None,
    version: int | str | None = None,
) -> Tip:
    """办结 (the department): the outcome, the internal account of the check, and a draft of the answer the
    custodian reviews; the 反馈 deadline (10 日) runs from the day of 办结."""
    steps.FLOW.require(actor, steps.CONCLUDE, tip)
    pin(tip, version, STALE)
    steps.FLOW.check(tip, steps.CONCLUDE)
    errors: dict[str, str] = {}
    if outcome not in Outcome.values:
        errors["outcome"] = _("核查结论无效。")
    if not (conclusion or "").strip():
        errors["conclusion"] = _("请填写核查情况。")
    if not (draft_answer or "").strip():
        errors["draft_answer"] = _("请拟写答复举报人的内容。")
    concluded_on = concluded_on or today()
    if concluded_on > today():
        errors["concluded_on"] = _("办结日期不能晚于今天。")
    elif tip.accepted_on and concluded_on < tip.accepted_on:
        errors["concluded_on"] = _("办结日期不能早于受理日期。")
    if errors:
        raise ValidationError(errors)
    feedback_deadline = deadlines.feedback_deadline_for(concluded_on)
    steps.FLOW.advance(
        tip,
        steps.CONCLUDE,
        actor=actor,
        changes={
            "outcome": outcome,
            "conclusion": conclusion.strip(),
            "public_feedback": draft_answer.strip(),
            "concluded_on": concluded_on,
            "feedback_deadline": feedback_deadline,
            "escalation": "",
        },
        audit_data={
            "from": TipStatus.VERIFYING,
            "to": TipStatus.CONCLUDED,
            "outcome": outcome,
            "concluded_on": concluded_on.isoformat(),
            "feedback_deadline": feedback_deadline.isoformat(),
        },
    )
    _notify(
        _custodians(),
        tip,
        _("举报已办结待答复：%(c)s") % {"c": tip.code},
        _("核查结论：%(o)s。请在%(d)s前答复举报人。")
        % {"o": Outcome(outcome).label, "d": _date(feedback_deadline)},
    )
    return tip


def handler_names(tip: Tip) -> set[str]:
    """The names of the people who acted on the tip (the answer to the reporter must not name them)."""
    names: set[str] = set()
    for transition in tip.transitions.select_related("actor"):
        user = transition.actor
        if user is None:
            continue
        for name in (getattr(user, "display_name", ""), user.username):
            if name and len(name) >= 2:
                names.add(name)
    return names


@steps.FEEDBACK.implements
@transaction.atomic
def feedback(
    tip: Tip, *, actor: Any, public_feedback: str, public_summary: str, version: int | str | None = None
) -> Tip:
    """答复举报人 (the custodian): the answer the reporter reads by receipt code, and the anonymised summary for
    the public page. Neither names a handler; the summary names neither the unit nor a person."""
    steps.FLOW.require(actor, steps.FEEDBACK, tip)
    pin(tip, version, STALE)
    steps.FLOW.check(tip, steps.FEEDBACK)
    answer, summary = (public_feedback or "").strip(), (public_summary or "").strip()
    errors: dict[str, str] = {}
    names = handler_names(tip)
    if not answer:
        errors["public_feedback"] = _("请填写答复举报人的内容。")
    elif any(n in answer for n in names):
        errors["public_feedback"] = _("答复不得出现承办人姓名或账号。")
    if not summary:
        errors["public_summary"] = _("请填写公开摘要。")
    else:
        unit = tip.enterprise.name if tip.enterprise_id else tip.unit_name  # type: ignore[union-attr]
        if (unit and _normal(unit) in _normal(summary)) or any(n in summary for n in names):
            errors["public_summary"] = _("公开摘要应匿名化：不得出现被举报单位名称或个人姓名。")
    if errors:
        raise ValidationError(errors)
    steps.FLOW.advance(
        tip,
        steps.FEEDBACK,
        actor=actor,
        changes={"public_feedback": answer, "public_summary": summary[:300], "feedback_on": today()},
        audit_data={"from": TipStatus.CONCLUDED, "to": TipStatus.CLOSED, "feedback_on": today().isoformat()},
    )
    return tip


# --- reads for pages --------------------------------------------------------------------------------------------


def visible_tips(user: Any) -> Any:
    return Tip.objects.restrict(user, "view")


def tips_about(enterprise: Enterprise, user: Any) -> Any:
    """The tips about a unit that `user` may see (一企一档)."""
    return visible_tips(user).filter(Q(enterprise=enterprise))
