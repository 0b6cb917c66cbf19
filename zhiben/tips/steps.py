"""The steps of a tip, declared once (core.loop): the services enforce them, the pages offer them as buttons
and step pages, the API as POST actions; each step's label is its history entry and its audit event's label.

收到 (receive) is the internal first step: the public portal, the API, Open311 and the hotline desk all create
a tip through `services.intake.submit_tip`, which records it with this step (no actor: the public).

The handling loop (services/handling.py):

    待受理 ─受理─► 待转办 ─转办─► 核查中 ─办结─► 待反馈 ─答复─► 已办结
      │ 不予受理        │ 合并          │ 开展核查检查 / 登记隐患 / 关联案件 (status kept)
      ▼                ▼               │ 申请延期 → 审批延期 (once, ≤ 30 日)
    不予受理          已合并

Who: `intake` (the custodian) 受理/不予受理/合并/转办/答复; `verify` (the department and township the tip is
transferred to) the check, and the department alone 申请延期 and 办结; `supervise` (the office) 审批延期.
"""

from __future__ import annotations

from typing import Any

from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from zhiben.core.errors import NotPermitted
from zhiben.core.loop import Flow, Step
from zhiben.core.scoping import grants_for

from .choices import TipStatus
from .forms import handling as hf
from .models import Tip, TipTransition
from .routing import transfer_initial

S = TipStatus


def department_ids_of(actor: Any) -> set[int]:
    """The departments the actor works for (its 监管部门 role assignments)."""
    if actor is None:
        return set()
    return {
        int(g.extra["department_id"])
        for g in grants_for(actor)
        if g.role == "department" and g.extra.get("department_id")
    }


def of_tip_department(actor: Any, tip: Tip) -> None:
    """The check's own acts (检查, 延期, 办结) are the department the tip was transferred to."""
    if actor is not None and tip.department_id not in department_ids_of(actor):
        raise NotPermitted(str(_("此操作由承办部门办理。")))


def _has_unit(tip: Tip) -> None:
    if tip.enterprise_id is None:
        raise NotPermitted(str(_("被举报单位未登记，无法关联检查、隐患或案件：请先由受理人补登单位。")))


def _department_on_unit(actor: Any, tip: Tip) -> None:
    of_tip_department(actor, tip)
    _has_unit(tip)


def pending_extension(tip: Tip) -> bool:
    return tip.extensions.filter(approved__isnull=True).exists()


def may_request_extension(tip: Tip) -> bool:
    return not tip.extended and not tip.extensions.exists()


RECEIVE = Step("receive", _("收到举报"), "add", target=S.RECEIVED, event="TIP_RECEIVED")
ACCEPT = Step(
    "accept",
    _("受理"),
    "intake",
    frozenset({S.RECEIVED}),
    S.ACCEPTED,
    "TIP_ACCEPTED",
    hf.AcceptForm,
    initial=lambda t: {
        "working_text": t.working_text,
        "category": t.category,
        "enterprise": t.enterprise_id,
        "unit_name": t.unit_name,
        "industry": t.industry_id,
        "accepted_on": timezone.localdate(),
    },
    style="primary",
    icon="check2-square",
    help=_(
        "另行编辑举报内容（承办部门只见另行编辑件，原件不转出），核对类别和被举报单位；"
        "受理后核查期限自受理之日起计算。"
    ),
)
REJECT = Step(
    "reject",
    _("不予受理"),
    "intake",
    frozenset({S.RECEIVED}),
    S.REJECTED,
    "TIP_REJECTED",
    hf.ReasonForm,
    style="outline-danger",
    icon="x-circle",
    help=_("不属于安全生产举报范围、内容不具体无法核查等：写明理由，举报人凭查询码可见。"),
)
MERGE = Step(
    "merge",
    _("合并"),
    "intake",
    frozenset({S.RECEIVED, S.ACCEPTED}),
    S.MERGED,
    "TIP_MERGED",
    hf.MergeForm,
    style="outline-secondary",
    icon="union",
    help=_("同一事项的重复举报并入另一件办理；多人举报同一事项的，奖励首位受理的实名举报人。"),
)
TRANSFER = Step(
    "transfer",
    _("转办"),
    "intake",
    frozenset({S.ACCEPTED}),
    S.VERIFYING,
    "TIP_TRANSFERRED",
    hf.TransferForm,
    initial=lambda t: transfer_initial(t),
    style="primary",
    icon="send",
    help=_("按“三管三必须”转承办部门、按地点转属地乡镇（街道）核查；转办通知只含另行编辑件。"),
)
OPEN_INSPECTION = Step(
    "open_inspection",
    _("开展核查检查"),
    "verify",
    frozenset({S.VERIFYING}),
    None,
    "TIP_INSPECTION_OPENED",
    hf.InspectionForm,
    rule=_department_on_unit,
    when=lambda t: t.inspection_id is None,
    initial=lambda t: {"planned_on": timezone.localdate()},
    icon="clipboard-check",
    help=_("创建检查来源为“举报核查”的检查任务，检查发现的问题按隐患登记。"),
)
ADD_HAZARD = Step(
    "add_hazard",
    _("登记核查发现的隐患"),
    "verify",
    frozenset({S.VERIFYING}),
    None,
    "TIP_HAZARD_ADDED",
    hf.HazardForm,
    rule=lambda actor, tip: _has_unit(tip),
    initial=lambda t: {"discovered_on": timezone.localdate()},
    icon="exclamation-triangle",
    help=_("隐患来源记为“举报”，与本举报互相关联；重大事故隐患由监管部门判定。"),
)
LINK_CASE = Step(
    "link_case",
    _("关联执法案件"),
    "verify",
    frozenset({S.VERIFYING, S.CONCLUDED, S.CLOSED}),
    None,
    "TIP_CASE_LINKED",
    hf.CaseLinkForm,
    rule=_department_on_unit,
    icon="link-45deg",
    help=_("被举报单位因本举报被立案查处的，关联其执法案件（奖励按罚款计算）。"),
)
REQUEST_EXTENSION = Step(
    "request_extension",
    _("申请延期"),
    "verify",
    frozenset({S.VERIFYING}),
    None,
    "TIP_EXTENSION_REQUESTED",
    hf.ExtensionForm,
    rule=of_tip_department,
    when=may_request_extension,
    style="outline-warning",
    icon="hourglass-split",
    help=_("情况复杂、期限内不能办结的，可申请延期一次，不超过30日，理由将告知举报人。"),
)
DECIDE_EXTENSION = Step(
    "decide_extension",
    _("审批延期"),
    "supervise",
    frozenset({S.VERIFYING}),
    None,
    "TIP_EXTENSION_DECIDED",
    hf.DecideExtensionForm,
    when=pending_extension,
    style="warning",
    icon="calendar-check",
)
CONCLUDE = Step(
    "conclude",
    _("办结"),
    "verify",
    frozenset({S.VERIFYING}),
    S.CONCLUDED,
    "TIP_CONCLUDED",
    hf.ConcludeForm,
    rule=of_tip_department,
    initial=lambda t: {"concluded_on": timezone.localdate()},
    style="success",
    icon="check-circle",
    help=_("核查结论（属实、部分属实、不属实）和核查情况；答复草稿交受理人审定后答复举报人。"),
)
FEEDBACK = Step(
    "feedback",
    _("答复举报人"),
    "intake",
    frozenset({S.CONCLUDED}),
    S.CLOSED,
    "TIP_ANSWERED",
    hf.FeedbackForm,
    initial=lambda t: {"public_feedback": t.public_feedback, "public_summary": t.public_summary},
    style="success",
    icon="chat-left-text",
    help=_("举报人凭查询码查看答复；答复不写承办人姓名，不转述被举报单位的答复。"),
)
# The daily job's acts (no form): a reminder before a deadline, and each rung of the overdue ladder.
REMIND = Step("remind", _("到期提醒"), None, event="TIP_DEADLINE_REMINDED")
ESCALATE = Step("escalate", _("逾期督办"), None, event="TIP_ESCALATED")

FLOW = Flow(
    model=Tip,
    history=TipTransition,
    steps=(
        RECEIVE,
        ACCEPT,
        REJECT,
        MERGE,
        TRANSFER,
        OPEN_INSPECTION,
        ADD_HAZARD,
        LINK_CASE,
        REQUEST_EXTENSION,
        DECIDE_EXTENSION,
        CONCLUDE,
        FEEDBACK,
        REMIND,
        ESCALATE,
    ),
    denied=_("您没有办理举报的权限。"),
    out_of_scope=_("该举报未转交您办理。"),
    stale=_("该举报已被他人处理，请刷新后重试。"),
)
