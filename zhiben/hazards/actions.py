"""The steps of the loop as data: one table drives the action buttons, the forms and the API endpoints.

Each `Step` names the permission it needs (see services.py), the statuses it applies to, the form that
validates its input (pages and API alike) and the service call. `available(user, hazard)` is what the
hazard page shows as buttons; the service re-checks everything, so the table is a convenience, not the guard.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from zhiben.core.scoping import can

from . import forms as hf
from . import services
from .choices import OPEN_STATUSES, ExtensionStatus, Level, Status
from .models import DeadlineExtension, Hazard


@dataclass(frozen=True)
class Step:
    name: str
    label: Any
    permission: str
    statuses: frozenset[str]
    form: type[forms.Form]
    run: Callable[[Hazard, dict[str, Any], Any], Any]
    style: str = "outline-primary"
    icon: str = "arrow-right-circle"
    help: Any = ""
    multipart: bool = False
    # Extra condition on the hazard (e.g. a pending extension exists).
    when: Callable[[Hazard], bool] | None = None


def _merge(h: Hazard, d: dict[str, Any], actor: Any) -> Any:
    target = Hazard.objects.restrict(actor).filter(code=d["into"].strip()).first()
    if target is None:
        from django.core.exceptions import ValidationError

        raise ValidationError({"into": _("未找到该编号的隐患（或不在您的职责范围内）。")})
    return services.merge(h, actor=actor, into=target, note=d.get("note", ""), version=d.get("version"))


def _pending(h: Hazard) -> DeadlineExtension | None:
    return h.extensions.filter(status=ExtensionStatus.PENDING).first()


def _decide(h: Hazard, d: dict[str, Any], actor: Any) -> Any:
    ext = _pending(h)
    if ext is None:
        raise services.HazardError(_("没有待审批的延期申请。"))
    return services.decide_extension(
        ext, actor=actor, approve=d["approve"], note=d.get("note", ""), deadline=d.get("deadline")
    )


def _progress(h: Hazard, d: dict[str, Any], actor: Any) -> Any:
    return services.record_progress(
        h,
        actor=actor,
        content=d["content"],
        percent=d["percent"],
        entry_on=d.get("entry_on"),
        funds_spent=d.get("funds_spent"),
        files=d.get("_files", ()),
        version=d.get("version"),
    )


def _v(d: dict[str, Any]) -> Any:
    return d.get("version")


STEPS: tuple[Step, ...] = (
    Step(
        "confirm",
        _("判定交办"),
        "review",
        frozenset({Status.REPORTED}),
        hf.ConfirmForm,
        lambda h, d, a: services.confirm(
            h,
            actor=a,
            level=d["level"],
            clause=d.get("clause"),
            deadline=d.get("deadline"),
            supervision_level=d.get("supervision_level") or "",
            note=d.get("note", ""),
            version=_v(d),
        ),
        style="primary",
        icon="check2-square",
        help=_("确认隐患等级与判定依据，设定整改期限并交办；重大事故隐患将告知主要负责人和实际控制人。"),
    ),
    Step(
        "reject",
        _("不予认定"),
        "review",
        frozenset({Status.REPORTED}),
        hf.ReasonForm,
        lambda h, d, a: services.reject(h, actor=a, reason=d["reason"], version=_v(d)),
        style="outline-secondary",
        icon="x-circle",
    ),
    Step(
        "merge",
        _("合并重复"),
        "review",
        frozenset({Status.REPORTED}),
        hf.MergeForm,
        _merge,
        style="outline-secondary",
        icon="union",
    ),
    Step(
        "plan",
        _("提交整改方案"),
        "rectify",
        frozenset({Status.CONFIRMED}),
        hf.PlanForm,
        lambda h, d, a: services.submit_plan(
            h,
            actor=a,
            goal=d.get("goal", ""),
            measures=d["measures"],
            responsible=d["responsible"],
            funds=d.get("funds"),
            plan_deadline=d["plan_deadline"],
            contingency=d.get("contingency", ""),
            interim_measures=d.get("interim_measures", ""),
            stop_production=bool(d.get("stop_production")),
            version=_v(d),
        ),
        style="primary",
        icon="clipboard-check",
        help=_("重大事故隐患须落实“五落实”：责任、措施、资金、时限、应急预案。"),
    ),
    Step(
        "progress",
        _("填报整改进展"),
        "rectify",
        frozenset({Status.RECTIFYING}),
        hf.ProgressForm,
        _progress,
        icon="journal-plus",
        multipart=True,
    ),
    Step(
        "request_acceptance",
        _("申请验收"),
        "rectify",
        frozenset({Status.RECTIFYING}),
        hf.NoteForm,
        lambda h, d, a: services.request_acceptance(h, actor=a, note=d.get("note", ""), version=_v(d)),
        style="primary",
        icon="send-check",
    ),
    Step(
        "self_accept",
        _("企业验收"),
        "rectify",
        frozenset({Status.ACCEPTANCE_REQUESTED}),
        hf.SelfAcceptForm,
        lambda h, d, a: services.self_accept(
            h,
            actor=a,
            acceptor=d["acceptor"],
            passed=d["passed"],
            accepted_on=d.get("accepted_on"),
            note=d.get("note", ""),
            version=_v(d),
        ),
        style="primary",
        icon="patch-check",
    ),
    Step(
        "close",
        _("审核销号"),
        "review",
        frozenset({Status.SELF_ACCEPTED}),
        hf.NoteForm,
        lambda h, d, a: services.close(h, actor=a, note=d.get("note", ""), version=_v(d)),
        style="success",
        icon="check-circle",
        help=_("监管部门核查整改完成后销号；登记或参与整改的人员不能销号。"),
    ),
    Step(
        "return",
        _("退回整改"),
        "review",
        frozenset({Status.SELF_ACCEPTED}),
        hf.ReasonForm,
        lambda h, d, a: services.return_for_rectification(h, actor=a, reason=d["reason"], version=_v(d)),
        style="outline-danger",
        icon="arrow-counterclockwise",
    ),
    Step(
        "reopen",
        _("重新打开"),
        "review",
        frozenset({Status.CLOSED, Status.REJECTED}),
        hf.ReopenForm,
        lambda h, d, a: services.reopen(
            h, actor=a, reason=d["reason"], deadline=d.get("deadline"), version=_v(d)
        ),
        style="outline-danger",
        icon="arrow-repeat",
    ),
    Step(
        "transfer",
        _("移送"),
        "review",
        frozenset({Status.REPORTED} | OPEN_STATUSES),
        hf.TransferForm,
        lambda h, d, a: services.transfer(
            h, actor=a, to_department=d["to_department"], reason=d["reason"], version=_v(d)
        ),
        style="outline-secondary",
        icon="box-arrow-right",
    ),
    Step(
        "request_extension",
        _("申请延期"),
        "rectify",
        OPEN_STATUSES,
        hf.ExtensionForm,
        lambda h, d, a: services.request_extension(
            h, actor=a, requested_deadline=d["requested_deadline"], reason=d["reason"], version=_v(d)
        ),
        style="outline-secondary",
        icon="calendar-plus",
        when=lambda h: _pending(h) is None,
    ),
    Step(
        "decide_extension",
        _("审批延期"),
        "review",
        OPEN_STATUSES,
        hf.DecideExtensionForm,
        _decide,
        style="outline-primary",
        icon="calendar-check",
        when=lambda h: _pending(h) is not None,
    ),
    Step(
        "workers_report",
        _("报告职工大会"),
        "rectify",
        frozenset(OPEN_STATUSES | {Status.CLOSED}),
        hf.WorkersReportForm,
        lambda h, d, a: services.record_workers_report(
            h, actor=a, reported_on=d["reported_on"], version=_v(d)
        ),
        style="outline-secondary",
        icon="people",
        help=_("安全生产法第四十一条：重大事故隐患排查治理情况应向职工大会或职工代表大会报告。"),
        when=lambda h: h.level == Level.MAJOR and h.reported_to_workers_on is None,
    ),
    Step(
        "supervise",
        _("设定督办级别"),
        "supervise",
        frozenset({Status.REPORTED} | OPEN_STATUSES),
        hf.SupervisionForm,
        lambda h, d, a: services.set_supervision(
            h, actor=a, level=d.get("level") or "", note=d.get("note", ""), version=_v(d)
        ),
        style="outline-warning",
        icon="flag",
    ),
)

BY_NAME = {s.name: s for s in STEPS}


def permission_for(user: Any, step: Step, hazard: Hazard) -> str:
    """The permission `step` needs: the supervising department's, except that a unit closes its own 一般
    hazard with `rectify` (services.close applies the same rule)."""
    if step.name == "close" and hazard.level == Level.GENERAL and services._is_enterprise_actor(user):
        return "rectify"
    return step.permission


def may_attempt(user: Any, step: Step, hazard: Hazard) -> bool:
    """The user's roles hold the step's permission at all (else 403); status and scope are for the service
    to refuse with its precise message."""
    return can(user, permission_for(user, step, hazard), Hazard)


def permitted(user: Any, step: Step, hazard: Hazard) -> bool:
    """Whether the page should offer `step` (the service decides for real)."""
    if hazard.status not in step.statuses or (step.when is not None and not step.when(hazard)):
        return False
    if not may_attempt(user, step, hazard):
        return False
    return Hazard.objects.restrict(user, permission_for(user, step, hazard)).filter(pk=hazard.pk).exists()


def available(user: Any, hazard: Hazard) -> list[Step]:
    return [s for s in STEPS if permitted(user, s, hazard)]
