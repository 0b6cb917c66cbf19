"""The steps of a risk point and of a 动工卡 (core.loop):

风险点:  登记 ──► 待评估 ──风险评估──► 已评估 ──(巡查不符合)──► 待重新评估 ──风险评估──► 已评估
动工卡:  申请 ──► 待确认 ──确认动工（另一人，逐项确认安全措施）──► 作业中 ──完工──► 已完工
"""

from __future__ import annotations

from typing import Any

from django.utils.translation import gettext_lazy as _

from zhiben.core.errors import NotPermitted
from zhiben.core.loop import Flow, Step

from .choices import PermitStatus, PointStatus
from .forms import AssessForm, ConfirmForm, FinishForm
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

PERMIT_FLOW = Flow(
    model=WorkPermit,
    history=WorkPermitTransition,
    steps=(APPLY, CONFIRM, FINISH),
    denied=_("您没有办理动工卡的权限。"),
    out_of_scope=_("该动工卡不在您的职责范围内。"),
    stale=_("该动工卡已被他人处理，请刷新后重试。"),
)
