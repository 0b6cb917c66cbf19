"""The steps of an accident (core.loop), declared once: the services enforce them, the accident page offers
them as buttons, the API as POST actions.

    登记 ─► 已登记 ──组织调查──► 调查中 ──提交调查报告──► 调查报告已提交 ──批复结案──► 已批复结案
             续报 (inside the 补报 window or after it, flagged late) · 认定瞒报谎报迟报 (the office, any time)
             延长调查期限 (once, ≤ 60 日) · 认定责任 / 整改措施 (on the report) · 整改跟踪 (after it)

Permissions (accounts/roles.py): `add` 登记 (the office, departments, townships, the unit itself), `report` 续报,
`supervise` 认定瞒报谎报迟报 (the office), `investigate` 调查 to 结案 (the office for the district government),
`follow` 整改跟踪 (the office and the supervising department)."""

from __future__ import annotations

from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from zhiben.core.loop import Flow, Step

from .choices import OPEN_STATUSES
from .choices import Status as S
from .forms import (
    CloseForm,
    ExtendForm,
    FindingForm,
    FlagForm,
    FollowUpForm,
    InvestigateForm,
    RectificationForm,
    ReportForm,
    SupplementForm,
)
from .models import Accident, AccidentTransition

ALL = frozenset(S.values)

REGISTER = Step("register", _("登记事故"), "add", frozenset(), S.REGISTERED, "ACCIDENT_REGISTERED", None)
SUPPLEMENT = Step(
    "supplement",
    _("续报"),
    "report",
    frozenset(OPEN_STATUSES),
    None,
    "ACCIDENT_SUPPLEMENTED",
    SupplementForm,
    style="primary",
    icon="telephone-forward",
    help=_("伤亡人数、直接经济损失发生变化时续报（补报）：填写续报时的总数，系统按493号令重新确定等级。"),
)
FLAG = Step(
    "flag",
    _("认定瞒报谎报迟报"),
    "supervise",
    ALL,
    None,
    "ACCIDENT_FLAGGED",
    FlagForm,
    style="outline-danger",
    icon="flag",
    help=_("区安委办认定事故存在瞒报、谎报或迟报，写明理由；经举报发现的关联该举报（不显示举报人信息）。"),
)
INVESTIGATE = Step(
    "investigate",
    _("组织调查"),
    "investigate",
    frozenset({S.REGISTERED}),
    S.INVESTIGATING,
    "ACCIDENT_INVESTIGATION_STARTED",
    InvestigateForm,
    style="primary",
    icon="search",
    help=_("成立事故调查组，明确牵头单位；一般事故调查报告期限自事故发生之日起60日（待核实）。"),
)
EXTEND = Step(
    "extend",
    _("延长调查期限"),
    "investigate",
    frozenset({S.INVESTIGATING}),
    None,
    "ACCIDENT_INVESTIGATION_EXTENDED",
    ExtendForm,
    when=lambda a: not a.extension_reason,
    icon="calendar-plus",
    help=_("特殊情况下经批准延长，最长不超过60日，只能延长一次（待核实）。"),
)
SUBMIT_REPORT = Step(
    "submit_report",
    _("提交调查报告"),
    "investigate",
    frozenset({S.INVESTIGATING}),
    S.REPORTED,
    "ACCIDENT_REPORT_SUBMITTED",
    ReportForm,
    style="primary",
    icon="file-earmark-text",
    initial=lambda a: {"submitted_on": timezone.localdate()},
)
ADD_FINDING = Step(
    "add_finding",
    _("认定责任"),
    "investigate",
    frozenset({S.REPORTED}),
    None,
    "ACCIDENT_FINDING_ADDED",
    FindingForm,
    icon="person-exclamation",
    help=_("逐一认定责任人或责任单位：身份、责任、处理建议（行政处罚、党纪政务处分、移送司法等）。"),
)
ADD_RECTIFICATION = Step(
    "add_rectification",
    _("整改措施"),
    "investigate",
    frozenset({S.REPORTED, S.CLOSED}),
    None,
    "ACCIDENT_RECTIFICATION_ADDED",
    RectificationForm,
    icon="list-check",
)
FOLLOW_UP = Step(
    "follow_up",
    _("整改跟踪"),
    "follow",
    frozenset({S.REPORTED, S.CLOSED}),
    None,
    "ACCIDENT_RECTIFICATION_FOLLOWED",
    FollowUpForm,
    when=lambda a: a.rectifications.filter(status="open").exists(),
    icon="clipboard-check",
)
CLOSE = Step(
    "close",
    _("批复结案"),
    "investigate",
    frozenset({S.REPORTED}),
    S.CLOSED,
    "ACCIDENT_CLOSED",
    CloseForm,
    style="success",
    icon="check2-circle",
    initial=lambda a: {"closed_on": timezone.localdate()},
    help=_("政府批复调查报告后结案；须至少有一条责任认定。"),
)

FLOW = Flow(
    model=Accident,
    history=AccidentTransition,
    steps=(
        REGISTER,
        SUPPLEMENT,
        FLAG,
        INVESTIGATE,
        EXTEND,
        SUBMIT_REPORT,
        ADD_FINDING,
        ADD_RECTIFICATION,
        FOLLOW_UP,
        CLOSE,
    ),
    denied=_("您没有办理生产安全事故的权限。"),
    out_of_scope=_("该事故不在您的职责范围内。"),
    stale=_("该事故已被他人处理，请刷新后重试。"),
)
