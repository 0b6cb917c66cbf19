"""The steps of a case, of a 打非治违 record and of a 提请关闭 proposal, declared once (core.loop): the services
enforce them, the pages offer them as buttons and step pages, the API as POST actions, and each step's label
is its history entry and its audit event's label.
"""

from __future__ import annotations

from typing import Any

from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from zhiben.core.loop import Flow, Step
from zhiben.core.scoping import can
from zhiben.registry.models import Enterprise

from . import forms as ef
from .choices import (
    OPEN_CASE_STATUSES,
    PROPOSING_STATUSES,
    CaseStatus,
    MeasureKind,
    OperationStatus,
    ProposalStatus,
)
from .models import Case, CaseTransition, ClosureProposal, IllegalOperation, IllegalOperationTransition


def _has_proposed(case: Case) -> bool:
    return case.measures.filter(decided_on__isnull=True).exists()


def _remove_measure(case: Case, data: dict[str, Any], actor: Any) -> tuple[Any, dict[str, Any]]:
    return case, {"measure_id": data["measure"], "version": data.get("version")}


def _measure_initial(case: Case) -> dict[str, Any]:
    rule = case.discretion_rule
    kinds = [k for k in (rule.measures if rule else []) if k in MeasureKind.values]
    return {"kind": kinds[0] if kinds else MeasureKind.ORDER_RECTIFY}


def may_register_units(user: Any) -> bool:
    """纳入监管 registers the subject as a unit: it needs the right to register one (乡镇、街道)."""
    return can(user, "add", Enterprise)


# --- cases ---------------------------------------------------------------------------------------------------

FILE = Step("file", _("立案"), "add", target=CaseStatus.FILED, event="CASE_FILED")
INVESTIGATE = Step(
    "investigate",
    _("调查取证"),
    "change",
    frozenset({CaseStatus.FILED}),
    CaseStatus.INVESTIGATING,
    "CASE_INVESTIGATION_STARTED",
    ef.NoteForm,
    style="primary",
    icon="search",
    help=_("开始调查取证：现场检查、询问笔录、勘验、抽样取证等。"),
)
ADD_MEASURE = Step(
    "add_measure",
    _("添加措施"),
    "change",
    OPEN_CASE_STATUSES,
    None,
    "CASE_MEASURE_ADDED",
    ef.MeasureForm,
    initial=_measure_initial,
    icon="plus-circle",
    help=_(
        "责令限期整改、移送司法即时生效（责令限期整改同时生成指令书）；罚款、停产停业整顿等处罚在告知前拟定，"
        "于作出决定时生效。罚款金额超出裁量基准幅度的须说明理由。"
    ),
)
SET_RULE = Step(
    "set_rule",
    _("适用裁量基准"),
    "change",
    PROPOSING_STATUSES,
    None,
    "CASE_DISCRETION_RULE_SET",
    ef.RuleForm,
    initial=lambda c: {"discretion_rule": c.discretion_rule.code if c.discretion_rule else None},
    icon="journal-text",
    help=_("选择违法行为和情节：告知书和决定书据此载明违反的条款和处罚依据，系统据此提示罚款幅度。"),
)
REMOVE_MEASURE = Step(
    "remove_measure",
    _("删除拟作出的措施"),
    "change",
    PROPOSING_STATUSES,
    None,
    "CASE_MEASURE_REMOVED",
    ef.MeasureRemoveForm,
    adapt=_remove_measure,
    when=_has_proposed,
    style="outline-secondary",
    icon="dash-circle",
)
NOTIFY = Step(
    "notify",
    _("告知"),
    "change",
    frozenset({CaseStatus.INVESTIGATING}),
    CaseStatus.NOTIFIED,
    "CASE_NOTIFIED",
    ef.NotifyForm,
    initial=lambda c: {"notified_on": timezone.localdate()},
    style="primary",
    icon="megaphone",
    help=_("告知当事人拟作出行政处罚的事实、理由、依据及处罚内容，并告知其依法享有陈述、申辩的权利。"),
)
DECIDE = Step(
    "decide",
    _("作出决定"),
    "change",
    frozenset({CaseStatus.NOTIFIED}),
    CaseStatus.DECIDED,
    "CASE_DECIDED",
    ef.DecideForm,
    initial=lambda c: {"decided_on": timezone.localdate()},
    style="danger",
    icon="hammer",
    help=_(
        "拟作出的措施一并生效，生成行政处罚决定书；涉及重大事故隐患的，同时核查安全生产法第一百一十三条。"
    ),
)
EXECUTE = Step(
    "execute",
    _("执行"),
    "change",
    frozenset({CaseStatus.DECIDED}),
    CaseStatus.EXECUTING,
    "CASE_EXECUTION_STARTED",
    ef.NoteForm,
    style="primary",
    icon="play-circle",
)
CLOSE = Step(
    "close",
    _("结案"),
    "change",
    frozenset({CaseStatus.EXECUTING}),
    CaseStatus.CLOSED,
    "CASE_CLOSED",
    ef.CloseForm,
    initial=lambda c: {"closed_on": timezone.localdate()},
    style="success",
    icon="check-circle",
)
WITHDRAW = Step(
    "withdraw",
    _("撤销立案"),
    "change",
    frozenset({CaseStatus.FILED, CaseStatus.INVESTIGATING, CaseStatus.NOTIFIED}),
    CaseStatus.WITHDRAWN,
    "CASE_WITHDRAWN",
    ef.ReasonForm,
    style="outline-danger",
    icon="x-circle",
    help=_("决定前可撤销立案（违法事实不成立、不予处罚、移送其他机关等），须写明理由。"),
)
TYPICAL = Step(
    "typical",
    _("典型案例"),
    "change",
    frozenset({CaseStatus.DECIDED, CaseStatus.EXECUTING, CaseStatus.CLOSED}),
    None,
    "CASE_TYPICAL_MARKED",
    ef.TypicalForm,
    initial=lambda c: {"typical": True, "summary": c.typical_summary},
    style="outline-warning",
    icon="star",
    help=_("标记为典型案例并填写简介（用于统计和曝光通报）；取消勾选即取消标记。"),
)
# The subject of a case on a 打非治违 record was registered as a unit: the case follows it.
REGISTER_SUBJECT = Step("register_subject", _("当事人纳入监管"), "change", event="CASE_SUBJECT_REGISTERED")

CASE_FLOW = Flow(
    model=Case,
    history=CaseTransition,
    steps=(
        FILE,
        INVESTIGATE,
        SET_RULE,
        ADD_MEASURE,
        REMOVE_MEASURE,
        NOTIFY,
        DECIDE,
        EXECUTE,
        CLOSE,
        WITHDRAW,
        TYPICAL,
        REGISTER_SUBJECT,
    ),
    denied=_("您无权办理执法案件。"),
    out_of_scope=_("该案件不在您的职责范围内。"),
)

# --- 打非治违 --------------------------------------------------------------------------------------------------

RECORD = Step("record", _("登记"), "add", target=OperationStatus.FOUND, event="OPERATION_RECORDED")
STOP = Step(
    "stop",
    _("责令停止"),
    "change",
    frozenset({OperationStatus.FOUND}),
    OperationStatus.STOPPED,
    "OPERATION_STOPPED",
    ef.OperationNoteForm,
    style="warning",
    icon="sign-stop",
)
BAN = Step(
    "ban",
    _("取缔"),
    "change",
    frozenset({OperationStatus.STOPPED}),
    OperationStatus.BANNED,
    "OPERATION_BANNED",
    ef.OperationNoteForm,
    style="outline-danger",
    icon="slash-circle",
    help=_("依法关闭取缔：写明查封、拆除、没收等措施。"),
)
LEGALISE = Step(
    "legalise",
    _("整改合法"),
    "change",
    frozenset({OperationStatus.STOPPED}),
    OperationStatus.RECTIFIED,
    "OPERATION_RECTIFIED",
    ef.OperationNoteForm,
    style="outline-success",
    icon="check2-circle",
    help=_("当事人已依法取得证照或许可：写明整改情况。"),
)
CONVERT = Step(
    "convert",
    _("纳入监管"),
    "change",
    frozenset({OperationStatus.FOUND, OperationStatus.STOPPED, OperationStatus.RECTIFIED}),
    OperationStatus.CONVERTED,
    "OPERATION_CONVERTED",
    ef.ConvertForm,
    gate=may_register_units,
    gate_denied=_("纳入监管需要登记生产经营单位的权限（乡镇、街道）。"),
    style="primary",
    icon="building-add",
    help=_(
        "将当事人登记为生产经营单位（统一社会信用代码已登记的直接关联）；原记录、证据和案件保留并关联到该单位。"
    ),
)

OPERATION_FLOW = Flow(
    model=IllegalOperation,
    history=IllegalOperationTransition,
    history_fk="operation",
    steps=(RECORD, STOP, BAN, LEGALISE, CONVERT),
    denied=_("您无权办理打非治违。"),
    out_of_scope=_("该记录不在您的职责范围内。"),
)

# --- 提请关闭 (安全生产法第一百一十三条): no version and no history table; the services settle it ----------

SUBMIT = Step(
    "submit",
    _("提请关闭"),
    "decide",
    frozenset({ProposalStatus.OPEN}),
    ProposalStatus.SUBMITTED,
    "CLOSURE_SUBMITTED",
    ef.ProposalNoteForm,
    versioned=False,
    style="danger",
    icon="send",
    help=_("生成《提请关闭的建议》，报请区管委会依法予以关闭。"),
)
DISMISS = Step(
    "dismiss",
    _("不予提请"),
    "decide",
    frozenset({ProposalStatus.OPEN}),
    ProposalStatus.DISMISSED,
    "CLOSURE_DISMISSED",
    ef.ProposalNoteForm,
    versioned=False,
    style="outline-secondary",
    icon="x-circle",
    help=_("不予提请须写明理由（如处罚已被撤销、隐患认定有误等）。"),
)

PROPOSAL_FLOW = Flow(model=ClosureProposal, history=None, steps=(SUBMIT, DISMISS))
