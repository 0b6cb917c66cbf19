"""The steps of a case, of a 打非治违 record and of a 提请关闭 proposal as data: one table each drives the
page's buttons, the step forms and the API's POST actions. The services re-check everything; the tables are
a convenience, not the guard.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from django import forms
from django.db import models
from django.utils.translation import gettext_lazy as _

from zhiben.core.scoping import can

from . import art113, operations, services
from . import forms as ef
from .choices import (
    OPEN_CASE_STATUSES,
    PROPOSING_STATUSES,
    CaseStatus,
    OperationStatus,
    ProposalStatus,
)
from .models import Case


@dataclass(frozen=True)
class Step:
    name: str
    label: Any
    permission: str
    statuses: frozenset[str]
    form: type[forms.Form]
    run: Callable[[Any, dict[str, Any], Any], Any]
    style: str = "outline-primary"
    icon: str = "arrow-right-circle"
    help: Any = ""
    when: Callable[[Any], bool] | None = None


def _v(d: dict[str, Any]) -> Any:
    return d.get("version")


def _has_proposed(case: Case) -> bool:
    return case.measures.filter(decided_on__isnull=True).exists()


CASE_STEPS: tuple[Step, ...] = (
    Step(
        "investigate",
        _("调查取证"),
        "change",
        frozenset({CaseStatus.FILED}),
        ef.NoteForm,
        lambda c, d, a: services.start_investigation(c, actor=a, note=d.get("note", ""), version=_v(d)),
        style="primary",
        icon="search",
        help=_("开始调查取证：现场检查、询问笔录、勘验、抽样取证等。"),
    ),
    Step(
        "add_measure",
        _("添加措施"),
        "change",
        OPEN_CASE_STATUSES,
        ef.MeasureForm,
        lambda c, d, a: services.add_measure(
            c,
            actor=a,
            kind=d["kind"],
            amount=d.get("amount"),
            daily_amount=d.get("daily_amount"),
            start_on=d.get("start_on"),
            end_on=d.get("end_on"),
            details=d.get("details", ""),
            outside_range_reason=d.get("outside_range_reason", ""),
            version=_v(d),
        ),
        icon="plus-circle",
        help=_(
            "责令限期整改、移送司法即时生效（责令限期整改同时生成指令书）；罚款、停产停业整顿等处罚在告知前拟定，"
            "于作出决定时生效。罚款金额超出裁量基准幅度的须说明理由。"
        ),
    ),
    Step(
        "remove_measure",
        _("删除拟作出的措施"),
        "change",
        PROPOSING_STATUSES,
        ef.MeasureRemoveForm,
        lambda c, d, a: services.remove_measure(c, actor=a, measure_id=d["measure"], version=_v(d)),
        style="outline-secondary",
        icon="dash-circle",
        when=_has_proposed,
    ),
    Step(
        "notify",
        _("告知"),
        "change",
        frozenset({CaseStatus.INVESTIGATING}),
        ef.NotifyForm,
        lambda c, d, a: services.notify_case(
            c, actor=a, notified_on=d["notified_on"], note=d.get("note", ""), version=_v(d)
        ),
        style="primary",
        icon="megaphone",
        help=_("告知当事人拟作出行政处罚的事实、理由、依据及处罚内容，并告知其依法享有陈述、申辩的权利。"),
    ),
    Step(
        "decide",
        _("作出决定"),
        "change",
        frozenset({CaseStatus.NOTIFIED}),
        ef.DecideForm,
        lambda c, d, a: services.decide_case(
            c, actor=a, decided_on=d["decided_on"], statement=d.get("statement", ""), version=_v(d)
        ),
        style="danger",
        icon="hammer",
        help=_(
            "拟作出的措施一并生效，生成行政处罚决定书；涉及重大事故隐患的，同时核查安全生产法第一百一十三条。"
        ),
    ),
    Step(
        "execute",
        _("执行"),
        "change",
        frozenset({CaseStatus.DECIDED}),
        ef.NoteForm,
        lambda c, d, a: services.start_execution(c, actor=a, note=d.get("note", ""), version=_v(d)),
        style="primary",
        icon="play-circle",
    ),
    Step(
        "close",
        _("结案"),
        "change",
        frozenset({CaseStatus.EXECUTING}),
        ef.CloseForm,
        lambda c, d, a: services.close_case(
            c,
            actor=a,
            closed_on=d["closed_on"],
            daily_end_on=d.get("daily_end_on"),
            note=d.get("note", ""),
            version=_v(d),
        ),
        style="success",
        icon="check-circle",
    ),
    Step(
        "withdraw",
        _("撤销立案"),
        "change",
        frozenset({CaseStatus.FILED, CaseStatus.INVESTIGATING, CaseStatus.NOTIFIED}),
        ef.ReasonForm,
        lambda c, d, a: services.withdraw_case(c, actor=a, reason=d["reason"], version=_v(d)),
        style="outline-danger",
        icon="x-circle",
        help=_("决定前可撤销立案（违法事实不成立、不予处罚、移送其他机关等），须写明理由。"),
    ),
    Step(
        "typical",
        _("典型案例"),
        "change",
        frozenset({CaseStatus.DECIDED, CaseStatus.EXECUTING, CaseStatus.CLOSED}),
        ef.TypicalForm,
        lambda c, d, a: services.mark_typical(
            c, actor=a, typical=bool(d.get("typical")), summary=d.get("summary", ""), version=_v(d)
        ),
        style="outline-warning",
        icon="star",
        help=_("标记为典型案例并填写简介（用于统计和曝光通报）；取消勾选即取消标记。"),
    ),
)

OPERATION_STEPS: tuple[Step, ...] = (
    Step(
        "stop",
        _("责令停止"),
        "change",
        frozenset({OperationStatus.FOUND}),
        ef.OperationNoteForm,
        lambda o, d, a: operations.stop_operation(o, actor=a, note=d.get("note", ""), version=_v(d)),
        style="warning",
        icon="sign-stop",
    ),
    Step(
        "ban",
        _("取缔"),
        "change",
        frozenset({OperationStatus.STOPPED}),
        ef.OperationNoteForm,
        lambda o, d, a: operations.ban_operation(o, actor=a, note=d.get("note", ""), version=_v(d)),
        style="outline-danger",
        icon="slash-circle",
        help=_("依法关闭取缔：写明查封、拆除、没收等措施。"),
    ),
    Step(
        "legalise",
        _("整改合法"),
        "change",
        frozenset({OperationStatus.STOPPED}),
        ef.OperationNoteForm,
        lambda o, d, a: operations.legalise_operation(o, actor=a, note=d.get("note", ""), version=_v(d)),
        style="outline-success",
        icon="check2-circle",
        help=_("当事人已依法取得证照或许可：写明整改情况。"),
    ),
    Step(
        "convert",
        _("纳入监管"),
        "change",
        frozenset({OperationStatus.FOUND, OperationStatus.STOPPED, OperationStatus.RECTIFIED}),
        ef.ConvertForm,
        lambda o, d, a: operations.convert_operation(
            o,
            actor=a,
            name=d.get("name", ""),
            uscc=d.get("uscc", ""),
            kind=d.get("kind", ""),
            primary_industry=d.get("primary_industry"),
            address=d.get("address", ""),
            principal_name=d.get("principal_name", ""),
            principal_phone=d.get("principal_phone", ""),
            note=d.get("note", ""),
            version=_v(d),
        ),
        style="primary",
        icon="building-add",
        help=_(
            "将当事人登记为生产经营单位（统一社会信用代码已登记的直接关联）；原记录、证据和案件保留并关联到该单位。"
        ),
    ),
)

PROPOSAL_STEPS: tuple[Step, ...] = (
    Step(
        "submit",
        _("提请关闭"),
        "decide",
        frozenset({ProposalStatus.OPEN}),
        ef.ProposalNoteForm,
        lambda p, d, a: art113.submit_proposal(p, actor=a, note=d.get("note", "")),
        style="danger",
        icon="send",
        help=_("生成《提请关闭的建议》，报请区管委会依法予以关闭。"),
    ),
    Step(
        "dismiss",
        _("不予提请"),
        "decide",
        frozenset({ProposalStatus.OPEN}),
        ef.ProposalNoteForm,
        lambda p, d, a: art113.dismiss_proposal(p, actor=a, note=d.get("note", "")),
        style="outline-secondary",
        icon="x-circle",
        help=_("不予提请须写明理由（如处罚已被撤销、隐患认定有误等）。"),
    ),
)

CASE_BY_NAME = {s.name: s for s in CASE_STEPS}
OPERATION_BY_NAME = {s.name: s for s in OPERATION_STEPS}
PROPOSAL_BY_NAME = {s.name: s for s in PROPOSAL_STEPS}


def may_attempt(user: Any, step: Step, model: type[models.Model]) -> bool:
    """The user's roles hold the step's permission at all (else 403)."""
    return can(user, step.permission, model)


def permitted(user: Any, step: Step, obj: Any) -> bool:
    """Whether the page should offer `step` on `obj` (the service decides for real)."""
    model = type(obj)
    if obj.status not in step.statuses or (step.when is not None and not step.when(obj)):
        return False
    if not may_attempt(user, step, model):
        return False
    return bool(model._default_manager.restrict(user, step.permission).filter(pk=obj.pk).exists())  # type: ignore[attr-defined]


def available(user: Any, obj: Any, steps: tuple[Step, ...]) -> list[Step]:
    return [s for s in steps if permitted(user, s, obj)]


def convert_allowed(user: Any) -> bool:
    from zhiben.registry.models import Enterprise

    return can(user, "add", Enterprise)
