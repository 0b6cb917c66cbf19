"""The steps of an alarm and of an on-site check task (core.loop):

    待确认 ──确认──► 已确认 ──处置──► 处置中 ──消警（误报/设备故障/真实险情已处置）──► 已消警
       │                 └──────────消警──────────────────────────────────────────────▲
       └── 确认时限已过: 超时升级 (notices); 红色 → 现场核查任务 (CheckTask: 待核查 ──核查──► 已核查)
    已确认/处置中 ──确认险情──► 处置中, with a hazard (source 监测预警) linked both ways
    离线 alarms are raised and cleared (设备恢复上报) by the system.

The enterprise's people and the supervising department take 确认/处置/消警/确认险情 (`handle`); the township
(属地) and the department take 核查 on a check task (`change`)."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _

from zhiben.core.loop import Flow, Step

from .choices import AlarmStatus as S
from .choices import TaskStatus as T
from .forms import AckForm, CheckForm, ClearForm, DangerForm, HandleForm
from .models import Alarm, AlarmTransition, CheckTask, CheckTaskTransition

RAISE = Step("raise", _("产生报警"), None, frozenset(), S.RAISED, "MONITORING_ALARM_RAISED")
ACK = Step(
    "ack",
    _("确认"),
    "handle",
    frozenset({S.RAISED}),
    S.ACKNOWLEDGED,
    "MONITORING_ALARM_ACKNOWLEDGED",
    AckForm,
    style="primary",
    icon="check2-circle",
    help=_("确认已知晓报警，开始核实处置。"),
)
HANDLE = Step(
    "handle",
    _("处置"),
    "handle",
    frozenset({S.ACKNOWLEDGED, S.HANDLING}),
    S.HANDLING,
    "MONITORING_ALARM_HANDLING",
    HandleForm,
    icon="tools",
    help=_("记录采取的处置措施。"),
)
DANGER = Step(
    "danger",
    _("确认险情"),
    "handle",
    frozenset({S.ACKNOWLEDGED, S.HANDLING}),
    S.HANDLING,
    "MONITORING_ALARM_DANGER",
    DangerForm,
    style="outline-danger",
    icon="exclamation-octagon",
    when=lambda alarm: alarm.hazard_id is None,
    help=_("核实为真实险情：登记为隐患（来源：监测预警），隐患与报警相互关联。"),
)
CLEAR = Step(
    "clear",
    _("消警"),
    "handle",
    frozenset({S.ACKNOWLEDGED, S.HANDLING}),
    S.CLEARED,
    "MONITORING_ALARM_CLEARED",
    ClearForm,
    style="success",
    icon="bell-slash",
    help=_("报警处置完毕，填写消警原因：误报、设备故障或真实险情已处置。"),
)
RECOVER = Step(
    "recover",
    _("设备恢复上报"),
    None,
    frozenset({S.RAISED, S.ACKNOWLEDGED, S.HANDLING}),
    S.CLEARED,
    "MONITORING_ALARM_RECOVERED",
)

FLOW = Flow(
    model=Alarm,
    history=AlarmTransition,
    steps=(RAISE, ACK, HANDLE, DANGER, CLEAR, RECOVER),
    denied=_("您没有处置该报警的权限。"),
    out_of_scope=_("该报警不在您的职责范围内。"),
    stale=_("该报警已被他人处理，请刷新后重试。"),
)

OPEN_TASK = Step("open", _("派发现场核查"), None, frozenset(), T.OPEN, "MONITORING_CHECK_OPENED")
CHECK = Step(
    "check",
    _("核查"),
    "change",
    frozenset({T.OPEN}),
    T.DONE,
    "MONITORING_CHECK_DONE",
    CheckForm,
    style="primary",
    icon="clipboard-check",
    help=_("到现场核查报警情况并记录核查结果。"),
)

TASK_FLOW = Flow(
    model=CheckTask,
    history=CheckTaskTransition,
    steps=(OPEN_TASK, CHECK),
    denied=_("您没有核查该任务的权限。"),
    out_of_scope=_("该核查任务不在您的职责范围内。"),
    stale=_("该核查任务已被他人处理，请刷新后重试。"),
)
