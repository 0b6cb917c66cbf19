"""The steps of a training session and of a drill (core.loop).

    培训: 登记 ──► 计划中 ──开始签到──► 签到中 ──结束培训──► 已结束 ──发放结业证书──► 已结束
    演练: 登记计划 ──► 计划 ──记录实施（日期、人数、评估、改进、照片）──► 已实施
          登记已实施的演练 ──► 已实施

The organiser (whoever may change the session: its department, township or unit, the office) opens and closes
the sign-in and issues the certificates of completion to those who passed; the unit (or its township or
department) records its drills."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _

from zhiben.core.loop import Flow, Step

from .choices import DrillStatus as D
from .choices import SessionStatus as S
from .forms import NoteForm, RecordDrillForm
from .models import Drill, DrillTransition, SessionTransition, TrainingSession

CREATE = Step("create", _("登记培训"), "add", frozenset(), S.PLANNED, "TRAINING_SESSION_CREATED")
OPEN = Step(
    "open",
    _("开始签到"),
    "change",
    frozenset({S.PLANNED}),
    S.OPEN,
    "TRAINING_SESSION_OPENED",
    NoteForm,
    style="primary",
    icon="qr-code",
    help=_("开放扫码签到：参训人员用手机扫描签到码，每人每场只能签到一次。"),
)
CLOSE = Step(
    "close",
    _("结束培训"),
    "change",
    frozenset({S.OPEN}),
    S.CLOSED,
    "TRAINING_SESSION_CLOSED",
    NoteForm,
    style="success",
    icon="check2-circle",
    help=_("结束签到；之后可登记考核成绩并发放结业证书。"),
)
CERTIFY = Step(
    "certify",
    _("发放结业证书"),
    "change",
    frozenset({S.CLOSED}),
    None,
    "TRAINING_CERTIFICATES_ISSUED",
    NoteForm,
    icon="award",
    help=_("为考核合格（或未组织考核的全部签到人员）尚未发证的参训人员各出具一份结业证书。"),
)

SESSION_FLOW = Flow(
    model=TrainingSession,
    history=SessionTransition,
    history_fk="session",
    steps=(CREATE, OPEN, CLOSE, CERTIFY),
    denied=_("您没有办理该培训的权限。"),
    out_of_scope=_("该培训不在您的职责范围内。"),
    stale=_("该培训已被他人处理，请刷新后重试。"),
)

PLAN_DRILL = Step("plan", _("登记演练计划"), "add", frozenset(), D.PLANNED, "TRAINING_DRILL_PLANNED")
RECORD_DONE = Step("record_done", _("登记已实施演练"), "add", frozenset(), D.DONE, "TRAINING_DRILL_RECORDED")
RECORD = Step(
    "record",
    _("记录实施"),
    "change",
    frozenset({D.PLANNED}),
    D.DONE,
    "TRAINING_DRILL_DONE",
    RecordDrillForm,
    style="primary",
    icon="clipboard-check",
    multipart=True,
    help=_("记录演练实施日期、参演人数、评估结论和改进措施，可附现场照片。"),
)

DRILL_FLOW = Flow(
    model=Drill,
    history=DrillTransition,
    steps=(PLAN_DRILL, RECORD_DONE, RECORD),
    denied=_("您没有办理该演练的权限。"),
    out_of_scope=_("该演练不在您的职责范围内。"),
    stale=_("该演练已被他人处理，请刷新后重试。"),
)
