"""The steps of one unit's part of a supervision item (core.loop), per assignee row:

    待签收 ──签收──► 办理中 ──办理（进展，附件）──► 办理中
                     办理中 ──反馈（结果，佐证）──► 待审核 ──办结──► 已办结
                                                   待审核 ──退回（理由）──► 办理中

The unit's own staff (a department's, or the township's officials) take 签收, 办理 and 反馈 (`handle`, scoped
to their own row); the issuer side — the office, or a leader — takes 办结 and 退回 (`review`). The item is
办结 when every assignee row is (services.finish)."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _

from zhiben.core.loop import Flow, Step

from .choices import AssigneeStatus as S
from .forms import AcceptForm, FinishForm, ProgressForm, ReportForm, ReturnForm
from .models import Assignee, AssigneeTransition

ISSUE = Step("issue", _("交办"), "review", frozenset(), S.ISSUED, "SUPERVISION_ASSIGNED")
ACCEPT = Step(
    "accept",
    _("签收"),
    "handle",
    frozenset({S.ISSUED}),
    S.WORKING,
    "SUPERVISION_ACCEPTED",
    AcceptForm,
    style="primary",
    icon="inbox",
    help=_("签收督办事项，开始办理。"),
)
PROGRESS = Step(
    "progress",
    _("办理"),
    "handle",
    frozenset({S.WORKING}),
    None,
    "SUPERVISION_PROGRESS",
    ProgressForm,
    multipart=True,
    icon="journal-plus",
    help=_("记录办理进展，可附照片或文件。"),
)
REPORT = Step(
    "report",
    _("反馈"),
    "handle",
    frozenset({S.WORKING}),
    S.REPORTED,
    "SUPERVISION_REPORTED",
    ReportForm,
    multipart=True,
    style="success",
    icon="send-check",
    help=_("反馈办理结果并附佐证材料，交办方审核办结或退回。"),
)
FINISH = Step(
    "finish",
    _("办结"),
    "review",
    frozenset({S.REPORTED}),
    S.DONE,
    "SUPERVISION_FINISHED",
    FinishForm,
    style="primary",
    icon="patch-check",
    help=_("审核通过，本单位承办部分办结；所有承办单位办结后督办事项办结。"),
)
RETURN = Step(
    "return",
    _("退回"),
    "review",
    frozenset({S.REPORTED}),
    S.WORKING,
    "SUPERVISION_RETURNED",
    ReturnForm,
    style="outline-danger",
    icon="arrow-counterclockwise",
    help=_("退回办理结果并说明理由，承办单位继续办理后重新反馈。"),
)

FLOW = Flow(
    model=Assignee,
    history=AssigneeTransition,
    steps=(ISSUE, ACCEPT, PROGRESS, REPORT, FINISH, RETURN),
    denied=_("您没有办理该督办事项的权限。"),
    out_of_scope=_("该督办事项不在您的职责范围内。"),
    stale=_("该督办事项已被他人处理，请刷新后重试。"),
)
