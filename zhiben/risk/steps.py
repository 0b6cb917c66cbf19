"""The steps of a risk point and of a 动工卡 (core.loop):

风险点:  登记 ──► 待评估 ──风险评估──► 已评估 ──(巡查不符合)──► 待重新评估 ──风险评估──► 已评估
动工卡:  申请 ──► 待确认 ──确认动工（另一人，逐项确认安全措施）──► 作业中 ──完工──► 已完工
                   │  ▲
            退回（确认人）│  └─修改后重新提交（申请人）── 已退回
                   └──────────────────────────────►┘
         待确认 / 已退回 ──作废（申请人或本单位安全管理人员）──► 已作废
"""

from __future__ import annotations

from typing import Any

from django.utils.translation import gettext_lazy as _

from zhiben.core.errors import NotPermitted
from zhiben.core.loop import Flow, Step

from .choices import PermitStatus, PointStatus
from .forms import AssessForm, CancelForm, ConfirmForm, FinishForm, ResubmitForm, ReturnForm
from .models import RiskPoint, RiskPointTransition, WorkPermit, WorkPermitTransition

P = PointStatus
REGISTER = Step("register", _("登记风险点"), "add", frozenset(), P.NEW, "RISK_POINT_CREATED")
ASSESS = Step(
    "assess",
    _("风险评估"),
    "assess",
    frozenset({P.NEW, P.ASSESSED, P.REASSESS}),
    {P.NEW: P.ASSESSED, P.REASSESS: P.ASSESSED},  # a re-assessment of an assessed point keeps its status
    "RISK_POINT_ASSESSED",
    AssessForm,
    style="primary",
    icon="speedometer2",
    help=_("按 LEC（D=L×E×C）或 LS（R=L×S）评估，按所在区域采用的分级表定级；原评估记录保留。"),
)
FLAG = Step("flag", _("标记待重新评估"), "patrol", frozenset({P.ASSESSED}), P.REASSESS, "RISK_POINT_FLAGGED")

POINT_FLOW = Flow(
    model=RiskPoint,
    history=RiskPointTransition,
    steps=(REGISTER, ASSESS, FLAG),
    denied=_("您没有评估该风险点的权限。"),
    out_of_scope=_("该风险点不在您的职责范围内。"),
    stale=_("该风险点已被他人修改，请刷新后重试。"),
)


def not_the_applicant(actor: Any, permit: WorkPermit) -> None:
    if actor is not None and permit.applicant_id == getattr(actor, "pk", None):
        raise NotPermitted(str(_("动工卡须由申请人以外的安全管理人员确认。")))


S = PermitStatus
APPLY = Step("apply", _("申请动工卡"), "add", frozenset(), S.APPLIED, "RISK_PERMIT_CREATED")
CONFIRM = Step(
    "confirm",
    _("确认动工"),
    "confirm",
    frozenset({S.APPLIED}),
    S.CONFIRMED,
    "RISK_PERMIT_CONFIRMED",
    ConfirmForm,
    rule=not_the_applicant,
    style="primary",
    icon="check2-square",
    help=_("逐项确认安全措施已落实后方可动工；申请人不能自己确认。"),
)
FINISH = Step(
    "finish",
    _("完工"),
    "change",
    frozenset({S.CONFIRMED}),
    S.FINISHED,
    "RISK_PERMIT_FINISHED",
    FinishForm,
    style="success",
    icon="flag",
    help=_("作业结束，现场清理完毕。"),
)

RETURN = Step(
    "return",
    _("退回"),
    "confirm",
    frozenset({S.APPLIED}),
    S.RETURNED,
    "RISK_PERMIT_RETURNED",
    ReturnForm,
    rule=not_the_applicant,
    style="outline-danger",
    icon="arrow-counterclockwise",
    help=_("安全措施或作业内容不符合要求时退回申请人并说明理由；申请人修改后重新提交。"),
)


def the_applicant(actor: Any, permit: WorkPermit) -> None:
    if actor is not None and permit.applicant_id not in (None, getattr(actor, "pk", None)):
        raise NotPermitted(str(_("退回的动工卡由申请人修改后重新提交。")))


def _permit_fields(permit: WorkPermit) -> dict[str, Any]:
    return {
        "kind": permit.kind,
        "location": permit.location,
        "description": permit.description,
        "work_on": permit.work_on,
    }


RESUBMIT = Step(
    "resubmit",
    _("修改后重新提交"),
    "change",
    frozenset({S.RETURNED}),
    S.APPLIED,
    "RISK_PERMIT_RESUBMITTED",
    ResubmitForm,
    rule=the_applicant,
    initial=_permit_fields,
    style="primary",
    icon="arrow-repeat",
    help=_("按退回理由修改后重新提交，由安全管理人员重新逐项确认。"),
)


def _cancel_permission(actor: Any, permit: WorkPermit) -> str:
    """The applicant cancels with the unit's 修改 permission; anyone else must be a safety manager who may
    confirm permits (确认动工)."""
    return "change" if permit.applicant_id == getattr(actor, "pk", None) else "confirm"


CANCEL = Step(
    "cancel",
    _("作废"),
    "change",
    frozenset({S.APPLIED, S.RETURNED}),
    S.CANCELLED,
    "RISK_PERMIT_CANCELLED",
    CancelForm,
    permission_rule=_cancel_permission,
    style="outline-secondary",
    icon="x-octagon",
    help=_("作业取消时作废尚未确认或已退回的动工卡并说明理由；作废后不能再确认动工。"),
)

PERMIT_FLOW = Flow(
    model=WorkPermit,
    history=WorkPermitTransition,
    steps=(APPLY, CONFIRM, RETURN, RESUBMIT, CANCEL, FINISH),
    denied=_("您没有办理动工卡的权限。"),
    out_of_scope=_("该动工卡不在您的职责范围内。"),
    stale=_("该动工卡已被他人处理，请刷新后重试。"),
)
