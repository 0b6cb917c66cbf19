"""The steps of a plan, a cap exception, a 双随机 draw and an inspection, declared once (core.loop): the
services enforce them (`FLOW.require`, `FLOW.advance`), the pages read which statuses offer them, and the
transition tables are derived from them. None of these records has a history table: the audit row is their
history, and each step's label is its audit event's label (the names in events.py).

Permissions (accounts/roles.py): department — inspectionplan change, draw draw; district office —
inspectionplan approve, capexception approve; an inspection is worked on (checklist, photos) by the users of a
taking-part department and the members of its team, whatever their roles (`works_on`); its steps (开始, 完成,
取消) are for those users and the officers of the team, not for an assisting expert (`leads`). A township's
patrol (乡镇巡查) has no team: it is worked on and led by the township officials of its territory alone
(`patrols`), and they work on nothing else.
"""

from __future__ import annotations

from typing import Any

from django.utils.translation import gettext_lazy as _

from zhiben.accounts.roles import Role
from zhiben.core.errors import NotPermitted
from zhiben.core.loop import Flow, Step
from zhiben.core.scoping import can, grants_for

from . import events
from .choices import DrawStatus, ExceptionStatus, InspectionStatus, Mode, OfficerRole, PlanStatus
from .models import CapException, Draw, Inspection, InspectionPlan

# --- object rules (used by the pages and by the services alike) ----------------------------------------------


def department_ids_of(actor: Any) -> set[int]:
    """The departments the actor works for (its 监管部门 role assignments)."""
    return {
        int(g.extra["department_id"])
        for g in grants_for(actor)
        if g.role == Role.DEPARTMENT and g.extra.get("department_id")
    }


def township_prefixes(actor: Any, action: str = "change") -> list[str]:
    """The territories (region code prefixes) of the actor's 乡镇（街道） grants allowing `action` on inspections."""
    return [
        g.region_prefix
        for g in grants_for(actor)
        if g.role == Role.TOWNSHIP and g.region_prefix and g.allows(action, Inspection)
    ]


def patrols(actor: Any, inspection: Inspection) -> bool:
    """Whether the actor is a township official of the territory of this patrol (乡镇巡查)."""
    if inspection.mode != Mode.PATROL:
        return False
    code = inspection.region.code
    return any(code.startswith(prefix) for prefix in township_prefixes(actor))


def is_team_member(actor: Any, inspection: Inspection, *, assistants: bool = True) -> bool:
    """Whether the actor is on the visit's team (`assistants=False`: as an officer, not as an expert)."""
    if not getattr(actor, "is_authenticated", False):
        return False
    team = inspection.officers.filter(inspector__user=actor)
    if not assistants:
        team = team.exclude(role=OfficerRole.ASSISTANT)
    return team.exists()


def may_work_on(actor: Any, inspection: Inspection) -> bool:
    """Whether the actor may act on this visit: a user of a taking-part department, or one of the team."""
    if actor is None:
        return True
    if inspection.mode == Mode.PATROL:  # the township's own: the department sees it and judges its findings
        return patrols(actor, inspection)
    if can(actor, "change", Inspection):
        ids = department_ids_of(actor)
        if ids and inspection.departments.filter(department_id__in=ids).exists():
            return True
    return is_team_member(actor, inspection)


def works_on(actor: Any, inspection: Inspection) -> None:
    """The rule of working on a visit (filling its checklist): else 403 with the reason."""
    if not may_work_on(actor, inspection):
        raise NotPermitted(str(refusal(inspection)))


def refusal(inspection: Inspection) -> Any:
    """Why someone may not work on this visit (the pages and the services say the same)."""
    if inspection.mode == Mode.PATROL:
        return _("乡镇巡查由辖区乡镇（街道）的人员办理；监管部门查看巡查记录并判定发现的问题。")
    return _("只有参检部门的人员和检查组成员可以办理此检查。")


def may_lead(actor: Any, inspection: Inspection) -> bool:
    """Whether the actor may start, complete or cancel the visit: as `may_work_on`, but an assisting expert
    or technician is not the inspecting subject and may not."""
    if actor is None:
        return True
    if inspection.mode == Mode.PATROL:
        return patrols(actor, inspection)
    if can(actor, "change", Inspection):
        ids = department_ids_of(actor)
        if ids and inspection.departments.filter(department_id__in=ids).exists():
            return True
    return is_team_member(actor, inspection, assistants=False)


def leads(actor: Any, inspection: Inspection) -> None:
    """The object rule of the visit's steps: else 403 with the reason."""
    if not may_lead(actor, inspection):
        if inspection.mode == Mode.PATROL:
            raise NotPermitted(str(refusal(inspection)))
        raise NotPermitted(
            str(_("只有参检部门的人员和执法检查人员可以开始、完成或取消检查；专家协助填写检查表。"))
        )


# --- 年度监督检查计划 --------------------------------------------------------------------------------------------

SUBMIT_PLAN = Step(
    "submit",
    _("提交年度监督检查计划"),
    "change",
    frozenset({PlanStatus.DRAFT, PlanStatus.RETURNED}),
    PlanStatus.SUBMITTED,
    events.PLAN_SUBMITTED,
)
APPROVE_PLAN = Step(
    "approve",
    _("审批年度监督检查计划"),
    "approve",
    frozenset({PlanStatus.SUBMITTED}),
    PlanStatus.APPROVED,
    events.PLAN_APPROVED,
)
RETURN_PLAN = Step(
    "return",
    _("退回年度监督检查计划"),
    "approve",
    frozenset({PlanStatus.SUBMITTED}),
    PlanStatus.RETURNED,
    events.PLAN_RETURNED,
)

PLAN_FLOW = Flow(
    model=InspectionPlan,
    history=None,
    steps=(SUBMIT_PLAN, APPROVE_PLAN, RETURN_PLAN),
    stale=_("该记录已被他人修改，请刷新后重试。"),
)

# --- 超频次检查审批: no version; a second reviewer loses on the status ---------------------------------------

APPROVE_EXCEPTION = Step(
    "approve",
    _("审批超频次检查"),
    "approve",
    frozenset({ExceptionStatus.PENDING}),
    ExceptionStatus.APPROVED,
    events.CAP_EXCEPTION_DECIDED,
)
REJECT_EXCEPTION = Step(
    "reject",
    _("审批超频次检查"),
    "approve",
    frozenset({ExceptionStatus.PENDING}),
    ExceptionStatus.REJECTED,
    events.CAP_EXCEPTION_DECIDED,
)

CAP_EXCEPTION_FLOW = Flow(
    model=CapException,
    history=None,
    steps=(APPROVE_EXCEPTION, REJECT_EXCEPTION),
    stale=_("该申请已被审批。"),
)

# --- 双随机抽查 ------------------------------------------------------------------------------------------------

COMMIT_DRAW = Step(
    "commit",
    _("公布抽查承诺值"),
    "draw",
    frozenset({DrawStatus.DRAFT}),
    DrawStatus.COMMITTED,
    events.DRAW_COMMITTED,
)
PERFORM_DRAW = Step(
    "perform",
    _("执行双随机抽取"),
    "draw",
    frozenset({DrawStatus.COMMITTED}),
    DrawStatus.DRAWN,
    events.DRAW_PERFORMED,
)
PUBLISH_DRAW = Step(
    "publish",
    _("公开抽查结果"),
    "draw",
    frozenset({DrawStatus.DRAWN}),
    DrawStatus.PUBLISHED,
    events.DRAW_PUBLISHED,
)
# The old draw is superseded; the new one is committed (COMMIT_DRAW) and carries the audit row.
REDRAW = Step(
    "redraw",
    _("重新抽取"),
    "draw",
    frozenset({DrawStatus.COMMITTED, DrawStatus.DRAWN}),
    DrawStatus.SUPERSEDED,
    events.DRAW_REDRAWN,
)

DRAW_FLOW = Flow(
    model=Draw,
    history=None,
    steps=(COMMIT_DRAW, PERFORM_DRAW, PUBLISH_DRAW, REDRAW),
    denied=_("您无权办理双随机抽查。"),
    out_of_scope=_("该抽查不属于本部门。"),
    stale=_("该抽查已被他人处理（当前版本 %(v)s），请刷新后重试。"),
)

# --- 现场检查 ------------------------------------------------------------------------------------------------

START = Step(
    "start",
    _("开始现场检查"),
    None,
    frozenset({InspectionStatus.PLANNED}),
    InspectionStatus.IN_PROGRESS,
    events.INSPECTION_STARTED,
    rule=leads,
)
COMPLETE = Step(
    "complete",
    _("完成现场检查"),
    None,
    frozenset({InspectionStatus.IN_PROGRESS}),
    InspectionStatus.COMPLETED,
    events.INSPECTION_COMPLETED,
    rule=leads,
)
CANCEL = Step(
    "cancel",
    _("取消检查任务"),
    None,
    frozenset({InspectionStatus.PLANNED, InspectionStatus.IN_PROGRESS}),
    InspectionStatus.CANCELLED,
    events.INSPECTION_CANCELLED,
    rule=leads,
)

INSPECTION_FLOW = Flow(
    model=Inspection,
    history=None,
    steps=(START, COMPLETE, CANCEL),
    stale=_("该检查已被他人更新（当前版本 %(v)s），请刷新后重试。"),
)
