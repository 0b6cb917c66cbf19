"""The steps of the assessment's three records (core.loop):

季度考核   计算 ──► 待发布 ──发布──► 已发布                  (the office; 重新计算 keeps 待发布)
申诉       提出申诉 ──► 待决定 ──采纳──► 已采纳             (the assessed unit submits; the office decides)
                               ──不予采纳──► 不予采纳
约谈       列入名单 ──► 待约谈 ──记录约谈──► 已约谈 ──核查承诺──► 承诺跟踪中 ──办结──► 已办结
"""

from __future__ import annotations

from typing import Any

from django.utils.translation import gettext_lazy as _

from zhiben.core.errors import NotPermitted
from zhiben.core.loop import Flow, Step

from .choices import AppealStatus as A
from .choices import AssessmentStatus as S
from .choices import CommitmentStatus
from .choices import InterviewStatus as I
from .forms import AcceptAppealForm, CheckForm, HoldForm, NoteForm, RejectAppealForm
from .models import (
    Appeal,
    AppealTransition,
    Assessment,
    AssessmentTransition,
    Interview,
    InterviewTransition,
)

COMPUTE = Step("compute", _("计算考核"), "add", frozenset(), None, "ASSESSMENT_CREATED")
RECOMPUTE = Step("recompute", _("重新计算"), "add", frozenset({S.DRAFT}), None, "ASSESSMENT_RECOMPUTED")
PUBLISH = Step(
    "publish",
    _("发布"),
    "publish",
    frozenset({S.DRAFT}),
    S.PUBLISHED,
    "ASSESSMENT_PUBLISHED",
    NoteForm,
    style="primary",
    icon="megaphone",
    help=_("发布后排名向各被考核单位公开，得分不再随业务记录变化；被考核单位可在申诉期内申诉。"),
)

ASSESSMENT_FLOW = Flow(
    model=Assessment,
    history=AssessmentTransition,
    steps=(COMPUTE, RECOMPUTE, PUBLISH),
    denied=_("只有区安委办可以计算和发布季度考核。"),
    stale=_("该考核已被他人处理，请刷新后重试。"),
)

SUBMIT = Step("submit", _("提出申诉"), "add", frozenset(), None, "ASSESSMENT_APPEAL_SUBMITTED")
ACCEPT = Step(
    "accept",
    _("采纳"),
    "decide",
    frozenset({A.SUBMITTED}),
    A.ACCEPTED,
    "ASSESSMENT_APPEAL_ACCEPTED",
    AcceptAppealForm,
    initial=lambda a: {
        "points": a.requested_points if a.requested_points is not None else a.point.final_points
    },
    style="success",
    icon="check2-circle",
    help=_("采纳申诉：记录调整后的得分和理由，原得分保留可查，排名随之重排。"),
)
REJECT = Step(
    "reject",
    _("不予采纳"),
    "decide",
    frozenset({A.SUBMITTED}),
    A.REJECTED,
    "ASSESSMENT_APPEAL_REJECTED",
    RejectAppealForm,
    style="outline-danger",
    icon="x-circle",
    help=_("不予采纳申诉，须说明理由。"),
)

APPEAL_FLOW = Flow(
    model=Appeal,
    history=AppealTransition,
    steps=(SUBMIT, ACCEPT, REJECT),
    denied=_("您无权办理考核申诉。"),
    out_of_scope=_("该申诉不在您的职责范围内。"),
    stale=_("该申诉已被他人处理，请刷新后重试。"),
)


def all_commitments_done(actor: Any, interview: Interview) -> None:
    if interview.commitments.exclude(status=CommitmentStatus.DONE).exists():
        raise NotPermitted(str(_("还有未完成的整改承诺，不能办结。")))


LIST = Step("list", _("列入约谈名单"), "add", frozenset(), None, "ASSESSMENT_INTERVIEW_LISTED")
HOLD = Step(
    "hold",
    _("记录约谈"),
    "change",
    frozenset({I.PLANNED}),
    I.HELD,
    "ASSESSMENT_INTERVIEW_HELD",
    HoldForm,
    style="primary",
    icon="people",
    help=_("记录约谈的时间、地点、约谈人、被约谈人、指出的问题和整改承诺，生成约谈记录文书。"),
)
CHECK = Step(
    "check",
    _("核查承诺"),
    "change",
    frozenset({I.HELD, I.FOLLOWING}),
    {I.HELD: I.FOLLOWING},
    "ASSESSMENT_COMMITMENT_CHECKED",
    CheckForm,
    style="outline-primary",
    icon="clipboard-check",
    help=_("逐项核查整改承诺的完成情况。"),
)
CLOSE = Step(
    "close",
    _("办结"),
    "change",
    frozenset({I.FOLLOWING}),
    I.CLOSED,
    "ASSESSMENT_INTERVIEW_CLOSED",
    NoteForm,
    rule=all_commitments_done,
    style="success",
    icon="check2-all",
    help=_("全部承诺核查完成后办结。"),
)

INTERVIEW_FLOW = Flow(
    model=Interview,
    history=InterviewTransition,
    steps=(LIST, HOLD, CHECK, CLOSE),
    denied=_("只有区安委办可以办理约谈。"),
    out_of_scope=_("该约谈不在您的职责范围内。"),
    stale=_("该约谈已被他人处理，请刷新后重试。"),
)
