"""The steps of the hazard loop, declared once (core.loop): the services enforce them, the hazard page offers
them as buttons and step pages, the API as `POST /api/v1/hazards/{id}/<step>/`, and each step's label is its
history entry and its audit event's label.

Permissions (accounts/roles.py): `review` = the supervising department, `rectify` = the unit, `supervise` =
the committee office, `add` = registering.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.functional import lazy
from django.utils.translation import gettext_lazy as _

from zhiben.accounts.roles import Role
from zhiben.core.errors import DomainError, NotPermitted
from zhiben.core.loop import Flow, Step
from zhiben.core.scoping import grants_for

from . import forms as hf
from . import plan_rule, tally
from .choices import OPEN_STATUSES, ExtensionStatus, Level, Status
from .models import DeadlineExtension, Hazard, HazardTransition

# --- object rules (used by the buttons and by the services alike) --------------------------------------------


def acts_for_unit(actor: Any) -> bool:
    """The actor acts for a unit (its grants are computed once per request, so this costs no query)."""
    return actor is not None and any(g.role == Role.ENTERPRISE for g in grants_for(actor))


def close_permission(actor: Any, hazard: Hazard) -> str:
    """销号 is the supervising department's (`review`), except that a unit closes its own 一般 hazard after its
    own acceptance (`rectify`)."""
    if hazard.level == Level.GENERAL and acts_for_unit(actor):
        return "rectify"
    return "review"


def rectifiers(hazard: Hazard) -> set[int]:
    """Users who registered the hazard or acted in its rectification."""
    ids = set(
        hazard.transitions.filter(
            action__in=("register", "plan", "progress", "request_acceptance", "self_accept")
        ).values_list("actor_id", flat=True)
    )
    if hazard.reported_by_id:
        ids.add(hazard.reported_by_id)
    ids.discard(None)
    return ids  # type: ignore[return-value]


def closer_is_independent(actor: Any, hazard: Hazard) -> None:
    """Nobody who registered a 重大 hazard or took part in its rectification may close it."""
    if hazard.level == Level.MAJOR and actor is not None and actor.pk in rectifiers(hazard):
        raise NotPermitted(str(_("登记或参与整改该隐患的人员不能为其销号。")))


def pending_extension(hazard: Hazard) -> DeadlineExtension | None:
    return hazard.extensions.filter(status=ExtensionStatus.PENDING).first()


# --- from the form to the service ----------------------------------------------------------------------------


def _merge_into(hazard: Hazard, data: dict[str, Any], actor: Any) -> tuple[Any, dict[str, Any]]:
    """合并到: the target is named by its code and must be one the actor may see."""
    target = Hazard.objects.restrict(actor).filter(code=data["into"].strip()).first()
    if target is None:
        raise ValidationError({"into": _("未找到该编号的隐患（或不在您的职责范围内）。")})
    return hazard, {"into": target, "note": data.get("note", ""), "version": data.get("version")}


def _decide(hazard: Hazard, data: dict[str, Any], actor: Any) -> tuple[Any, dict[str, Any]]:
    """审批延期 acts on the pending extension request."""
    ext = pending_extension(hazard)
    if ext is None:
        raise DomainError(str(_("没有待审批的延期申请。")))
    return ext, {
        "approve": data["approve"],
        "note": data.get("note", ""),
        "deadline": data.get("deadline"),
    }


def _supervise(hazard: Hazard, data: dict[str, Any], actor: Any) -> tuple[Any, dict[str, Any]]:
    return hazard, {
        "level": data.get("level") or "",
        "note": data.get("note", ""),
        "version": data.get("version"),
    }


def _today(_h: Hazard) -> dict[str, Any]:
    return {"entry_on": timezone.localdate()}


# --- the steps -----------------------------------------------------------------------------------------------

REGISTER = Step("register", _("登记"), "add", target=Status.REPORTED, event="HAZARD_REGISTERED")
# 导入 (the exchange, services.import_hazard / apply_import): a system step. The status it leads to is the one
# the other system decided (`FLOW.advance(to=…)`, one edge of the transitions at most); its audit event is
# events.HAZARDS_IMPORTED, labelled apart from the step (“导入重大事故隐患”).
IMPORT = Step("import", _("导入"), "import")
CONFIRM = Step(
    "confirm",
    _("判定交办"),
    "review",
    frozenset({Status.REPORTED}),
    Status.CONFIRMED,
    "HAZARD_CONFIRMED",
    hf.ConfirmForm,
    initial=lambda h: {"level": h.level, "clause": h.clause_id, "supervision_level": h.supervision_level},
    style="primary",
    icon="check2-square",
    help=_("确认隐患等级与判定依据，设定整改期限并交办；重大事故隐患将告知主要负责人和实际控制人。"),
)
REJECT = Step(
    "reject",
    _("不予认定"),
    "review",
    frozenset({Status.REPORTED}),
    Status.REJECTED,
    "HAZARD_REJECTED",
    hf.ReasonForm,
    style="outline-secondary",
    icon="x-circle",
)
MERGE = Step(
    "merge",
    _("合并重复"),
    "review",
    frozenset({Status.REPORTED}),
    Status.MERGED,
    "HAZARD_MERGED",
    hf.MergeForm,
    adapt=_merge_into,
    style="outline-secondary",
    icon="union",
)
PLAN = Step(
    "plan",
    _("提交整改方案"),
    "rectify",
    frozenset({Status.CONFIRMED}),
    Status.RECTIFYING,
    "HAZARD_PLAN_SUBMITTED",
    hf.PlanForm,
    initial=lambda h: {"plan_deadline": h.deadline, "responsible": h.enterprise.principal_name},
    style="primary",
    icon="clipboard-check",
    help=lazy(plan_rule.help_text, str)(),  # what each level needs, from the rule the service and form read
)
PROGRESS = Step(
    "progress",
    _("填报整改进展"),
    "rectify",
    frozenset({Status.RECTIFYING}),
    None,
    "HAZARD_PROGRESS_RECORDED",
    hf.ProgressForm,
    initial=_today,
    icon="journal-plus",
    multipart=True,
)
REQUEST_ACCEPTANCE = Step(
    "request_acceptance",
    _("申请验收"),
    "rectify",
    frozenset({Status.RECTIFYING}),
    Status.ACCEPTANCE_REQUESTED,
    "HAZARD_ACCEPTANCE_REQUESTED",
    hf.NoteForm,
    style="primary",
    icon="send-check",
)
SELF_ACCEPT = Step(
    "self_accept",
    _("企业验收"),
    "rectify",
    frozenset({Status.ACCEPTANCE_REQUESTED}),
    Status.SELF_ACCEPTED,
    "HAZARD_SELF_ACCEPTED",
    hf.SelfAcceptForm,
    initial=lambda h: {
        "accepted_on": timezone.localdate(),
        "acceptor": h.enterprise.principal_name,
        "passed": "1",
    },
    style="primary",
    icon="patch-check",
)
# The other outcome of 企业验收: back to 整改中.
ACCEPTANCE_FAILED = Step(
    "acceptance_failed",
    _("验收不合格"),
    "rectify",
    frozenset({Status.ACCEPTANCE_REQUESTED}),
    Status.RECTIFYING,
    "HAZARD_ACCEPTANCE_FAILED",
)
CLOSE = Step(
    "close",
    _("销号"),
    "review",
    frozenset({Status.SELF_ACCEPTED}),
    Status.CLOSED,
    "HAZARD_CLOSED",
    hf.NoteForm,
    permission_rule=close_permission,
    rule=closer_is_independent,
    style="success",
    icon="check-circle",
    help=_("监管部门核查整改完成后销号；登记或参与整改的人员不能销号。"),
)
RETURN = Step(
    "return",
    _("退回整改"),
    "review",
    frozenset({Status.SELF_ACCEPTED}),
    Status.RECTIFYING,
    "HAZARD_RETURNED",
    hf.ReasonForm,
    style="outline-danger",
    icon="arrow-counterclockwise",
)
REOPEN = Step(
    "reopen",
    _("重新打开"),
    "review",
    frozenset({Status.CLOSED, Status.REJECTED}),
    {Status.CLOSED: Status.RECTIFYING, Status.REJECTED: Status.REPORTED},
    "HAZARD_REOPENED",
    hf.ReopenForm,
    style="outline-danger",
    icon="arrow-repeat",
)
TRANSFER = Step(
    "transfer",
    _("移送"),
    "review",
    frozenset({Status.REPORTED} | OPEN_STATUSES),
    None,
    "HAZARD_TRANSFERRED",
    hf.TransferForm,
    style="outline-secondary",
    icon="box-arrow-right",
)
REQUEST_EXTENSION = Step(
    "request_extension",
    _("申请延期"),
    "rectify",
    OPEN_STATUSES,
    None,
    "HAZARD_EXTENSION_REQUESTED",
    hf.ExtensionForm,
    initial=lambda h: {"requested_deadline": h.deadline + dt.timedelta(days=30)} if h.deadline else {},
    when=lambda h: pending_extension(h) is None,
    style="outline-secondary",
    icon="calendar-plus",
)
DECIDE_EXTENSION = Step(
    "decide_extension",
    _("审批延期"),
    "review",
    OPEN_STATUSES,
    None,
    "HAZARD_EXTENSION_DECIDED",
    hf.DecideExtensionForm,
    adapt=_decide,
    when=lambda h: pending_extension(h) is not None,
    style="outline-primary",
    icon="calendar-check",
)
WORKERS_REPORT = Step(
    "workers_report",
    _("报告职工大会"),
    "rectify",
    frozenset(OPEN_STATUSES | {Status.CLOSED}),
    None,
    "HAZARD_WORKERS_REPORTED",
    hf.WorkersReportForm,
    initial=lambda h: {"reported_on": timezone.localdate()},
    when=lambda h: h.level == Level.MAJOR and h.reported_to_workers_on is None,
    style="outline-secondary",
    icon="people",
    help=_("安全生产法第四十一条：重大事故隐患排查治理情况应向职工大会或职工代表大会报告。"),
)
SUPERVISE = Step(
    "supervise",
    _("设定督办级别"),
    "supervise",
    frozenset({Status.REPORTED} | OPEN_STATUSES),
    None,
    "HAZARD_SUPERVISION_SET",
    hf.SupervisionForm,
    adapt=_supervise,
    initial=lambda h: {"level": h.supervision_level},
    style="outline-warning",
    icon="flag",
)


def _tally_hook(hazard: Hazard) -> Any:
    """The statistics read model moves the hazard from its old key to its new one (hazards/tally.py)."""
    before = tally.key_of(hazard)
    return lambda: tally.apply(before, tally.key_of(hazard))


FLOW = Flow(
    model=Hazard,
    history=HazardTransition,
    steps=(
        REGISTER,
        IMPORT,
        CONFIRM,
        REJECT,
        MERGE,
        PLAN,
        PROGRESS,
        REQUEST_ACCEPTANCE,
        SELF_ACCEPT,
        ACCEPTANCE_FAILED,
        CLOSE,
        RETURN,
        REOPEN,
        TRANSFER,
        REQUEST_EXTENSION,
        DECIDE_EXTENSION,
        WORKERS_REPORT,
        SUPERVISE,
    ),
    hooks=(_tally_hook,),
    denied=_("您无权对隐患执行此操作。"),
    out_of_scope=_("该隐患不在您的职责范围内。"),
    stale=_("该隐患已被他人处理（当前版本 %(v)s），请刷新后重试。"),
)
