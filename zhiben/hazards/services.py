"""The hazard loop's services: every change to a hazard goes through here.

Each transition is one transaction: permission check, compare-and-swap on the hazard's version (a lost race
is a 409), a `HazardTransition` row, exactly one audit row, outbox messages, and the statistics tally.

The steps, their permissions and their object rules are declared once in steps.py; each service calls
`steps.FLOW.require` (permission, scope, object rule) and `steps.FLOW.advance` (compare-and-swap, history row,
audit row, tally). Who may do what (roles.py grants the actions):
  add      register a hazard for a unit in the actor's scope
  review   判定, 不予认定, 合并, 销号, 退回, 重新打开, 移送, 审批延期 — the supervising department
  rectify  方案, 进展, 申请验收, 企业验收, 申请延期, 报告职工大会 — the unit (and departments on its behalf)
  supervise 督办级别 — the committee office
A 重大 hazard is closed only by a `review` holder, never by the unit, and never by the person who registered
it or took part in its rectification.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterable
from decimal import Decimal
from typing import Any

from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import UploadedFile
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from zhiben.accounts.lookups import users_of_department, users_of_enterprise
from zhiben.core import audit, calendar, uploads
from zhiben.core.crypto import mask_phone
from zhiben.core.documents import chinese_date
from zhiben.core.errors import Conflict, DomainError, NotPermitted
from zhiben.core.excel import Outcome
from zhiben.core.loop import Step, pin, snapshot
from zhiben.core.models.outbox import Channel
from zhiben.core.models.sequence import Sequence
from zhiben.core.outbox import notify_users, queue_message
from zhiben.core.scoping import can, grants_for
from zhiben.core.sequences import next_value
from zhiben.core.workflow import check_transition
from zhiben.registry.models import Department, Enterprise, Industry, Responsibility
from zhiben.standards.models import Clause

from . import events, steps, tally
from .choices import (
    OPEN_STATUSES,
    STOCK_CUTOFF,
    AttachmentKind,
    ExtensionStatus,
    Level,
    NoticeRecipient,
    Source,
    Status,
    SupervisionLevel,
)
from .escalation import hazard_context
from .models import (
    DeadlineExtension,
    DeadlinePolicy,
    Hazard,
    HazardAttachment,
    HazardNotice,
    HazardProgress,
    HazardTransfer,
)


class HazardError(DomainError):
    """A rule of the hazard loop refused the action."""


# The transition table follows from the declared steps (steps.py).
TRANSITIONS = steps.FLOW.transitions

STOCK_DAY = dt.date.fromisoformat(STOCK_CUTOFF)
_OWN_CODE = re.compile(r"^YH(\d{6})(\d{4})(\d{6})$")  # _next_code: YH + county + year + serial
# Attachments are photos (JPEG, PNG) or documents (PDF, Word/Excel), recognised by content (core.uploads).
ATTACHMENT_TYPES = frozenset(content_type for _magic, content_type in uploads.SIGNATURES)


# --- helpers -------------------------------------------------------------------------------------------------


def today() -> dt.date:
    return timezone.localdate()


def _require(actor: Any, step: Step | str, hazard: Hazard | None = None) -> None:
    """The actor may take `step` (or holds the permission named) on hazards, and on this one: else 403."""
    steps.FLOW.require(actor, step, hazard)


def _pin(hazard: Hazard, version: int | None) -> None:
    pin(hazard, version, steps.FLOW.stale)


def default_deadline(level: str, start: dt.date) -> dt.date:
    policy = DeadlinePolicy.objects.filter(level=level).first()
    days = policy.workdays if policy else (10 if level == Level.GENERAL else 60)
    return calendar.add_workdays(start, days)


def supervising_department(industry: Industry) -> Department:
    """三管三必须: the lead department of the industry, or of its nearest ancestor that has one."""
    node: Industry | None = industry
    while node is not None:
        resp = Responsibility.objects.filter(industry=node).select_related("lead").first()
        if resp is not None:
            return resp.lead
        node = node.parent
    raise HazardError(
        _("行业“%(i)s”未设定牵头监管部门，请先在“三管三必须”中设定。") % {"i": industry.name},
        field="industry",
    )


def _notify(
    hazard: Hazard, subject: str, body: str = "", *, enterprise: bool = True, department: bool = True
) -> None:
    users: list[Any] = []
    if enterprise:
        users += users_of_enterprise(hazard.enterprise_id)
    if department:
        users += users_of_department(hazard.department_id)
    notify_users(users, subject=subject, body=body, url=hazard.get_absolute_url(), topic="hazard", obj=hazard)


def _notify_major(hazard: Hazard) -> None:
    """重大事故隐患: tell the unit's 主要负责人 and 实际控制人 by SMS, and the department; record each notice."""
    ent: Enterprise = hazard.enterprise
    subject = _("重大事故隐患告知：%(e)s") % {"e": ent.name}
    body = _("存在重大事故隐患“%(t)s”（%(c)s），整改期限 %(d)s。请按“五落实”要求组织整改。") % {
        "t": hazard.title,
        "c": hazard.code,
        "d": hazard.deadline or _("待定"),
    }
    for kind, name, phone in (
        (NoticeRecipient.PRINCIPAL, ent.principal_name, ent.principal_phone),
        (NoticeRecipient.CONTROLLER, ent.controller_name, ent.controller_phone),
    ):
        if not phone:
            HazardNotice.objects.create(
                hazard=hazard,
                recipient_kind=kind,
                recipient_name=name or _("未登记"),
                channel="none",
                topic="major_hazard",
            )
            continue
        msg = queue_message(
            channel=Channel.SMS, address=phone, subject=subject, body=body, topic="major_hazard", obj=hazard
        )
        HazardNotice.objects.create(
            hazard=hazard,
            recipient_kind=kind,
            recipient_name=name,
            channel=Channel.SMS,
            address_masked=mask_phone(phone),
            message_id=msg.id,
            topic="major_hazard",
        )
    for kind, users in (
        (NoticeRecipient.ENTERPRISE, users_of_enterprise(hazard.enterprise_id)),
        (NoticeRecipient.DEPARTMENT, users_of_department(hazard.department_id)),
    ):
        for msg in notify_users(
            users, subject=subject, body=body, url=hazard.get_absolute_url(), topic="major_hazard", obj=hazard
        ):
            HazardNotice.objects.create(
                hazard=hazard,
                recipient_kind=kind,
                recipient_name=(msg.recipient.get_full_name() or msg.recipient.username)
                if msg.recipient
                else hazard.department.name,
                channel=msg.channel,
                message_id=msg.id,
                topic="major_hazard",
            )


def _issue(hazard: Hazard, template_code: str, actor: Any, **extra: Any) -> Any:
    """One official document about the hazard, numbered now; its Word/PDF files are rendered after commit."""
    from zhiben.core.documents import issue_document  # documents import hazards lazily; keep it local

    context = {**hazard_context(hazard), **extra}
    return issue_document(template_code, context=context, actor=actor, obj=hazard, defer_files=True)


def _clean_clause(level: str, clause: Clause | None) -> None:
    if level == Level.MAJOR and clause is None:
        raise ValidationError({"clause": _("重大事故隐患必须引用判定标准条款。")})


def _next_code(region_code: str, year: int) -> str:
    county = region_code[:6]
    return f"YH{county}{year}{next_value(f'hazard/{county}/{year}'):06d}"


def _reserve_code(code: str) -> None:
    """A code in our own numbering moves its sequence past it, so registration never draws it again."""
    match = _OWN_CODE.match(code)
    if match is None:
        return
    county, year, serial = match.groups()
    key = f"hazard/{county}/{year}"  # the key _next_code draws from
    sequence, _created = Sequence.objects.get_or_create(key=key, defaults={"last": int(serial)})
    if sequence.last < int(serial):
        Sequence.objects.filter(pk=sequence.pk, last__lt=int(serial)).update(last=int(serial))


# --- registration and 判定 -----------------------------------------------------------------------------------


def _joins_visit(actor: Any, enterprise: Enterprise, department: Department | None, visit: Any) -> bool:
    """The actor's department takes part in `visit` (an inspection of this unit) and is the ledger named."""
    if visit is None or department is None or visit.enterprise_id != enterprise.pk:
        return False
    own = {g.extra.get("department_id") for g in grants_for(actor) if g.allows("add", Hazard)}
    return department.pk in own and visit.departments.filter(department=department).exists()


@transaction.atomic
def register_hazard(
    *,
    actor: Any,
    enterprise: Enterprise,
    level: str,
    title: str,
    discovered_on: dt.date,
    source: str | None = None,
    clause: Clause | None = None,
    description: str = "",
    location: str = "",
    finder: str = "",
    industry: Industry | None = None,
    code: str | None = None,
    department: Department | None = None,
    visit: Any = None,
) -> Hazard:
    """登记: the unit (企业自查) or an inspector records a hazard. A 一般 hazard the unit reports is its own
    to manage (confirmed at once, with a deadline); everything else waits for the department's 判定.

    `department` routes the hazard to that department's ledger instead of the industry's supervising one
    (a joint inspection's finding goes to the department whose checklist found it). `visit` is the
    inspection the finding came from: a department taking part in a visit to a unit outside its industries
    (消防 on a building site) may still register what it found there, into its own ledger."""
    _require(actor, "add")
    if (
        actor is not None
        and not Enterprise.objects.restrict(actor, "view").filter(pk=enterprise.pk).exists()
        and not _joins_visit(actor, enterprise, department, visit)
    ):
        raise NotPermitted(_("该单位不在您的职责范围内。"))
    errors: dict[str, str] = {}
    if not title.strip():
        errors["title"] = _("请填写隐患名称。")
    if discovered_on > today():
        errors["discovered_on"] = _("发现日期不能晚于今天。")
    if level not in Level.values:
        errors["level"] = _("隐患等级无效。")
    if errors:
        raise ValidationError(errors)
    _clean_clause(level, clause)
    is_enterprise = steps.acts_for_unit(actor)
    source = source or (Source.SELF_CHECK if is_enterprise else Source.INSPECTION)
    if source not in Source.values:
        raise ValidationError({"source": _("隐患来源无效。")})
    if is_enterprise and source != Source.SELF_CHECK:
        raise ValidationError({"source": _("单位登记的隐患来源为“企业自查”。")})
    industry = industry or enterprise.primary_industry
    now = timezone.now()
    hazard = Hazard(
        code=code or _next_code(enterprise.region.code, discovered_on.year),
        enterprise=enterprise,
        region=enterprise.region,
        industry=industry,
        department=department or supervising_department(industry),
        level=level,
        clause=clause,
        source=source,
        title=title.strip(),
        description=description,
        location=location,
        finder=finder,
        discovered_on=discovered_on,
        is_stock=discovered_on <= STOCK_DAY,
        status=Status.REPORTED,
        reported_by=actor,
        reported_to_department_at=now if is_enterprise else None,
    )
    hazard.save()
    steps.FLOW.record_created(
        hazard,
        steps.REGISTER,
        actor=actor,
        data={
            "code": hazard.code,
            "enterprise": enterprise.pk,
            "level": level,
            "source": source,
            "clause": clause.pk if clause else None,
            "department": hazard.department_id,
        },
    )
    tally.apply(None, tally.key_of(hazard))
    if level == Level.GENERAL and is_enterprise:
        deadline = default_deadline(level, today())
        steps.FLOW.advance(
            hazard,
            steps.CONFIRM,
            actor=actor,
            note=_("一般事故隐患由单位自行判定并组织整改"),
            changes={"confirmed_at": now, "confirmed_by": actor, "deadline": deadline},
        )
    else:
        _notify(
            hazard,
            _("新登记隐患待判定：%(t)s") % {"t": hazard.title},
            _("%(e)s 登记了隐患 %(c)s，请判定。") % {"e": enterprise.name, "c": hazard.code},
            enterprise=False,
        )
    return hazard


@steps.CONFIRM.implements
@transaction.atomic
def confirm(
    hazard: Hazard,
    *,
    actor: Any,
    level: str | None = None,
    clause: Clause | None = None,
    deadline: dt.date | None = None,
    supervision_level: str = "",
    note: str = "",
    version: int | None = None,
) -> Hazard:
    """判定 and 交办: the department confirms the level (and clause), sets the deadline and assigns it."""
    _require(actor, "review", hazard)
    _pin(hazard, version)
    level = level or hazard.level
    clause = clause if clause is not None else hazard.clause
    _clean_clause(level, clause)
    start = today()
    deadline = deadline or default_deadline(level, start)
    if deadline <= start:
        raise ValidationError({"deadline": _("整改期限应晚于今天。")})
    if supervision_level and supervision_level not in SupervisionLevel.values:
        raise ValidationError({"supervision_level": _("督办级别无效。")})
    steps.FLOW.advance(
        hazard,
        steps.CONFIRM,
        actor=actor,
        note=note,
        changes={
            "level": level,
            "clause": clause,
            "deadline": deadline,
            "confirmed_at": timezone.now(),
            "confirmed_by": actor,
            "supervision_level": supervision_level or hazard.supervision_level,
        },
    )
    if level == Level.MAJOR:
        _notify_major(hazard)
        _issue(hazard, "hazard_assignment", actor)  # 交办单 (一单四制: 交办制)
    else:
        _notify(hazard, _("隐患已判定：%(t)s") % {"t": hazard.title}, _("整改期限 %(d)s。") % {"d": deadline})
    return hazard


@steps.REJECT.implements
@transaction.atomic
def reject(hazard: Hazard, *, actor: Any, reason: str, version: int | None = None) -> Hazard:
    """不予认定: not a hazard (with the reason)."""
    _require(actor, "review", hazard)
    _pin(hazard, version)
    if not reason.strip():
        raise ValidationError({"reason": _("请填写不予认定的理由。")})
    steps.FLOW.advance(hazard, steps.REJECT, actor=actor, note=reason)
    _notify(hazard, _("隐患不予认定：%(t)s") % {"t": hazard.title}, reason, department=False)
    return hazard


@steps.MERGE.implements
@transaction.atomic
def merge(hazard: Hazard, *, actor: Any, into: Hazard, note: str = "", version: int | None = None) -> Hazard:
    """合并: a duplicate report of a hazard already on the register."""
    _require(actor, "review", hazard)
    _pin(hazard, version)
    if into.pk == hazard.pk or into.enterprise_id != hazard.enterprise_id:
        raise ValidationError({"into": _("只能合并到同一单位的另一条隐患。")})
    if into.status == Status.MERGED:
        raise ValidationError({"into": _("目标隐患本身已被合并，请选择其合并到的隐患。")})
    steps.FLOW.advance(
        hazard,
        steps.MERGE,
        actor=actor,
        note=note or _("与 %(c)s 重复") % {"c": into.code},
        changes={"merged_into": into},
    )
    return hazard


# --- rectification (the unit) --------------------------------------------------------------------------------


@steps.PLAN.implements
@transaction.atomic
def submit_plan(
    hazard: Hazard,
    *,
    actor: Any,
    measures: str,
    responsible: str,
    plan_deadline: dt.date,
    funds: Decimal | None = None,
    contingency: str = "",
    goal: str = "",
    interim_measures: str = "",
    stop_production: bool = False,
    version: int | None = None,
) -> Hazard:
    """治理方案 with the 五落实 (责任、措施、资金、时限、预案); a 重大 hazard needs all five."""
    _require(actor, "rectify", hazard)
    _pin(hazard, version)
    check_transition(hazard.status, Status.RECTIFYING, TRANSITIONS, dict(Status.choices))
    errors: dict[str, str] = {}
    if not measures.strip():
        errors["measures"] = _("请填写整改措施。")
    if not responsible.strip():
        errors["responsible"] = _("请填写整改责任人。")
    if hazard.deadline and plan_deadline > hazard.deadline:
        errors["plan_deadline"] = _("方案时限不能晚于整改期限 %(d)s；如需更多时间请申请延期。") % {
            "d": hazard.deadline
        }
    if plan_deadline < today():
        errors["plan_deadline"] = _("方案时限不能早于今天。")
    if hazard.level == Level.MAJOR:
        if funds is None:
            errors["funds"] = _("重大事故隐患须落实整改资金。")
        elif funds < 0:
            errors["funds"] = _("资金不能为负数。")
        if not contingency.strip():
            errors["contingency"] = _("重大事故隐患须落实应急预案。")
        if not interim_measures.strip():
            errors["interim_measures"] = _("请填写整改期间的安全防范措施。")
    if errors:
        raise ValidationError(errors)
    steps.FLOW.advance(
        hazard,
        steps.PLAN,
        actor=actor,
        changes={
            "plan_goal": goal,
            "plan_measures": measures,
            "plan_responsible": responsible,
            "plan_funds": funds,
            "plan_deadline": plan_deadline,
            "plan_contingency": contingency,
            "interim_measures": interim_measures,
            "stop_production": stop_production,
            "plan_submitted_at": timezone.now(),
        },
    )
    return hazard


@steps.PROGRESS.implements
@transaction.atomic
def record_progress(
    hazard: Hazard,
    *,
    actor: Any,
    content: str,
    percent: int,
    entry_on: dt.date | None = None,
    funds_spent: Decimal | None = None,
    files: Iterable[UploadedFile] = (),
    version: int | None = None,
) -> HazardProgress:
    """台账: one progress entry with its evidence."""
    _require(actor, "rectify", hazard)
    _pin(hazard, version)
    if hazard.status != Status.RECTIFYING:
        raise HazardError(_("只有“整改中”的隐患可以填报整改进展。"))
    errors: dict[str, str] = {}
    if not content.strip():
        errors["content"] = _("请填写整改进展。")
    if not 0 <= int(percent) <= 100:
        errors["percent"] = _("完成比例应在 0 到 100 之间。")
    entry_on = entry_on or today()
    if entry_on > today():
        errors["entry_on"] = _("日期不能晚于今天。")
    if errors:
        raise ValidationError(errors)
    progress = HazardProgress.objects.create(
        hazard=hazard,
        entry_on=entry_on,
        content=content,
        percent=percent,
        funds_spent=funds_spent,
        actor=actor,
    )
    for f in files:
        _store_attachment(hazard, f, actor=actor, progress=progress)
    steps.FLOW.advance(
        hazard,
        steps.PROGRESS,
        actor=actor,
        note=content[:200],
        data={"progress": progress.pk, "percent": percent},
    )
    return progress


@steps.REQUEST_ACCEPTANCE.implements
@transaction.atomic
def request_acceptance(hazard: Hazard, *, actor: Any, note: str = "", version: int | None = None) -> Hazard:
    """申请验收: the rectification is done; the unit's own acceptance comes next."""
    _require(actor, "rectify", hazard)
    _pin(hazard, version)
    steps.FLOW.advance(hazard, steps.REQUEST_ACCEPTANCE, actor=actor, note=note)
    return hazard


@steps.SELF_ACCEPT.implements
@transaction.atomic
def self_accept(
    hazard: Hazard,
    *,
    actor: Any,
    acceptor: str,
    passed: bool = True,
    accepted_on: dt.date | None = None,
    note: str = "",
    version: int | None = None,
) -> Hazard:
    """企业验收: the unit checks its own rectification; failing sends it back to 整改中."""
    _require(actor, "rectify", hazard)
    _pin(hazard, version)
    if not acceptor.strip():
        raise ValidationError({"acceptor": _("请填写验收人。")})
    if not passed:
        steps.FLOW.advance(hazard, steps.ACCEPTANCE_FAILED, actor=actor, note=note or _("企业验收未通过"))
        return hazard
    accepted_on = accepted_on or today()
    steps.FLOW.advance(
        hazard,
        steps.SELF_ACCEPT,
        actor=actor,
        note=note,
        changes={"accepted_on": accepted_on, "acceptor": acceptor.strip()},
    )
    if hazard.level == Level.MAJOR:
        _notify(
            hazard,
            _("重大事故隐患待销号：%(t)s") % {"t": hazard.title},
            _("%(e)s 已完成整改并自行验收，请审核销号。") % {"e": hazard.enterprise.name},
            enterprise=False,
        )
    return hazard


@steps.CLOSE.implements
@transaction.atomic
def close(hazard: Hazard, *, actor: Any, note: str = "", version: int | None = None) -> Hazard:
    """销号: the supervising department reviews and closes. A 一般 hazard the unit manages itself may be
    closed by the unit after its own acceptance."""
    _require(actor, steps.CLOSE, hazard)  # the unit's own 一般 hazard, and nobody who rectified a 重大 one
    _pin(hazard, version)
    closed_on = today()
    steps.FLOW.advance(
        hazard,
        steps.CLOSE,
        actor=actor,
        note=note,
        changes={
            "closed_on": closed_on,
            "closed_by": actor,
            "closed_on_time": hazard.deadline is not None and closed_on <= hazard.deadline,
            "escalation": "",
        },
    )
    if hazard.level == Level.MAJOR:
        _issue(  # 销号通知 (一单四制: 销号制)
            hazard,
            "hazard_closure",
            actor,
            note=note,
            accepted_on=chinese_date(hazard.accepted_on),
            acceptor=hazard.acceptor,
            closed_on=chinese_date(closed_on),
        )
    _notify(hazard, _("隐患已销号：%(t)s") % {"t": hazard.title}, note, department=False)
    return hazard


@steps.RETURN.implements
@transaction.atomic
def return_for_rectification(
    hazard: Hazard, *, actor: Any, reason: str, version: int | None = None
) -> Hazard:
    """退回: the department does not accept the rectification; back to 整改中."""
    _require(actor, "review", hazard)
    _pin(hazard, version)
    if not reason.strip():
        raise ValidationError({"reason": _("请填写退回理由。")})
    if hazard.status != Status.SELF_ACCEPTED:
        raise HazardError(_("只有“待销号”的隐患可以退回整改。"))
    steps.FLOW.advance(hazard, steps.RETURN, actor=actor, note=reason)
    _notify(hazard, _("隐患销号申请被退回：%(t)s") % {"t": hazard.title}, reason, department=False)
    return hazard


@steps.REOPEN.implements
@transaction.atomic
def reopen(
    hazard: Hazard, *, actor: Any, reason: str, deadline: dt.date | None = None, version: int | None = None
) -> Hazard:
    """重新打开: a closed hazard is back (or a rejected report is reconsidered), with the reason."""
    _require(actor, "review", hazard)
    _pin(hazard, version)
    if not reason.strip():
        raise ValidationError({"reason": _("请填写重新打开的理由。")})
    if hazard.status == Status.REJECTED:
        steps.FLOW.advance(hazard, steps.REOPEN, actor=actor, note=reason)
        return hazard
    if hazard.status != Status.CLOSED:
        raise HazardError(_("只有已销号或不予认定的隐患可以重新打开。"))
    new_deadline = deadline or default_deadline(hazard.level, today())
    if new_deadline <= today():
        raise ValidationError({"deadline": _("整改期限应晚于今天。")})
    steps.FLOW.advance(
        hazard,
        steps.REOPEN,
        actor=actor,
        note=reason,
        changes={
            "closed_on": None,
            "closed_by": None,
            "closed_on_time": None,
            "deadline": new_deadline,
            "reopen_count": hazard.reopen_count + 1,
        },
    )
    _notify(hazard, _("隐患重新打开：%(t)s") % {"t": hazard.title}, reason)
    return hazard


@steps.TRANSFER.implements
@transaction.atomic
def transfer(
    hazard: Hazard, *, actor: Any, to_department: Department, reason: str, version: int | None = None
) -> HazardTransfer:
    """移送: hand the hazard to the department that supervises it, with the reason."""
    _require(actor, "review", hazard)
    _pin(hazard, version)
    if hazard.status in (Status.CLOSED, Status.REJECTED, Status.MERGED):
        raise HazardError(_("已办结的隐患不能移送。"))
    if not reason.strip():
        raise ValidationError({"reason": _("请填写移送理由。")})
    if to_department.pk == hazard.department_id:
        raise ValidationError({"to_department": _("接收部门与当前监管部门相同。")})
    record = HazardTransfer.objects.create(
        hazard=hazard,
        from_department_id=hazard.department_id,
        to_department=to_department,
        reason=reason,
        actor=actor,
    )
    steps.FLOW.advance(
        hazard,
        steps.TRANSFER,
        actor=actor,
        note=reason,
        changes={"department": to_department},
        data={"from_department": record.from_department_id},
    )
    _notify(hazard, _("收到移送的隐患：%(t)s") % {"t": hazard.title}, reason, enterprise=False)
    return record


@steps.REQUEST_EXTENSION.implements
@transaction.atomic
def request_extension(
    hazard: Hazard, *, actor: Any, requested_deadline: dt.date, reason: str, version: int | None = None
) -> DeadlineExtension:
    """申请延期: the unit asks for more time before (or after) the deadline; the department decides."""
    _require(actor, "rectify", hazard)
    _pin(hazard, version)
    if hazard.status not in OPEN_STATUSES or hazard.deadline is None:
        raise HazardError(_("只有整改中的隐患可以申请延期。"))
    if not reason.strip():
        raise ValidationError({"reason": _("请填写延期理由。")})
    if requested_deadline <= hazard.deadline:
        raise ValidationError(
            {"requested_deadline": _("申请的期限应晚于当前期限 %(d)s。") % {"d": hazard.deadline}}
        )
    if DeadlineExtension.objects.filter(hazard=hazard, status=ExtensionStatus.PENDING).exists():
        raise HazardError(_("已有待审批的延期申请。"))
    ext = DeadlineExtension.objects.create(
        hazard=hazard,
        old_deadline=hazard.deadline,
        requested_deadline=requested_deadline,
        reason=reason,
        requested_by=actor,
    )
    steps.FLOW.advance(
        hazard,
        steps.REQUEST_EXTENSION,
        actor=actor,
        note=reason,
        data={"extension": ext.pk, "requested_deadline": str(requested_deadline)},
    )
    _notify(hazard, _("隐患延期申请待审批：%(t)s") % {"t": hazard.title}, reason, enterprise=False)
    return ext


@steps.DECIDE_EXTENSION.implements
@transaction.atomic
def decide_extension(
    ext: DeadlineExtension, *, actor: Any, approve: bool, note: str = "", deadline: dt.date | None = None
) -> DeadlineExtension:
    """审批延期: approving moves the deadline (to the requested day, or an earlier one the department sets)."""
    hazard = Hazard.objects.select_for_update().get(pk=ext.hazard_id)
    _require(actor, "review", hazard)
    updated = DeadlineExtension.objects.filter(pk=ext.pk, status=ExtensionStatus.PENDING).update(
        status=ExtensionStatus.APPROVED if approve else ExtensionStatus.REJECTED,
        decided_by=actor,
        decided_at=timezone.now(),
        decision_note=note,
    )
    if updated != 1:
        raise Conflict(_("该延期申请已被审批。"))
    ext.refresh_from_db()
    changes: dict[str, Any] = {}
    if approve:
        new_deadline = deadline or ext.requested_deadline
        if new_deadline <= (hazard.deadline or ext.old_deadline):
            raise ValidationError({"deadline": _("批准的期限应晚于当前期限。")})
        changes = {"deadline": new_deadline, "escalation": ""}
    steps.FLOW.advance(
        hazard,
        steps.DECIDE_EXTENSION,
        actor=actor,
        note=note,
        changes=changes,
        data={"extension": ext.pk, "approved": approve},
    )
    _notify(
        hazard,
        (_("延期申请已批准：%(t)s") if approve else _("延期申请未获批准：%(t)s")) % {"t": hazard.title},
        note,
        department=False,
    )
    return ext


@steps.WORKERS_REPORT.implements
@transaction.atomic
def record_workers_report(
    hazard: Hazard, *, actor: Any, reported_on: dt.date, version: int | None = None
) -> Hazard:
    """安全生产法第四十一条: the 重大 hazard was reported to the 职工大会/职工代表大会."""
    _require(actor, "rectify", hazard)
    _pin(hazard, version)
    if reported_on > today() or reported_on < hazard.discovered_on:
        raise ValidationError({"reported_on": _("报告日期应在发现日期与今天之间。")})
    steps.FLOW.advance(
        hazard, steps.WORKERS_REPORT, actor=actor, changes={"reported_to_workers_on": reported_on}
    )
    return hazard


@steps.SUPERVISE.implements
@transaction.atomic
def set_supervision(
    hazard: Hazard, *, actor: Any, level: str, note: str = "", version: int | None = None
) -> Hazard:
    """挂牌督办级别 (区/市/省) set by the committee office."""
    _require(actor, "supervise", hazard)
    _pin(hazard, version)
    if level not in SupervisionLevel.values:
        raise ValidationError({"supervision_level": _("督办级别无效。")})
    steps.FLOW.advance(hazard, steps.SUPERVISE, actor=actor, note=note, changes={"supervision_level": level})
    return hazard


# --- 导入: the national database exchange (exchange.py checks each row and its scope, then writes here) ------


@transaction.atomic(savepoint=False)  # inside the import engine's savepoint for the row
def import_hazard(*, actor: Any, code: str, enterprise: Enterprise, record: dict[str, Any]) -> Hazard:
    """A hazard registered in another system, created from its exchange row (`record`: field → value). No
    notice is sent: the row copies decisions already made elsewhere."""
    # reported_by stays empty: the hazard was registered in another system; the importer is on the history
    # row and must not count as its registrant (who may never close it).
    hazard = Hazard(code=code, enterprise=enterprise, reported_by=None, **record)
    hazard.save()
    steps.FLOW.record_created(
        hazard,
        steps.IMPORT,
        actor=actor,
        event=events.HAZARDS_IMPORTED,
        note=_("交换导入新建"),
        data={"code": code, "outcome": Outcome.CREATED, "enterprise": enterprise.pk, **snapshot(record)},
    )
    tally.apply(None, tally.key_of(hazard))
    _reserve_code(code)
    return hazard


@transaction.atomic(savepoint=False)  # inside the import engine's savepoint for the row
def apply_import(hazard: Hazard, *, actor: Any, changes: dict[str, Any]) -> None:
    """The fields of a known hazard that its exchange row changes; a new status is one step of the flow at
    most (the exchange checked it). A change of department keeps its 移送 record."""
    old_status, old_department = hazard.status, hazard.department
    new_status = changes.get("status", old_status)
    extra: dict[str, Any] = {}
    if old_status == Status.CLOSED and new_status != Status.CLOSED:
        extra = {"closed_by": None, "reopen_count": hazard.reopen_count + 1}  # as reopen()
    elif new_status == Status.CLOSED and old_status != Status.CLOSED:
        extra = {"closed_by": None}  # closed in the other system: its closer is not one of our users
    note = _("交换导入更新：%(f)s") % {
        "f": "、".join(str(getattr(Hazard._meta.get_field(f), "verbose_name", f)) for f in changes)
    }
    if "department" in changes:
        HazardTransfer.objects.create(
            hazard=hazard,
            from_department=old_department,
            to_department=changes["department"],
            reason=_("全国重大事故隐患数据库交换导入"),
            actor=actor,
        )
    steps.FLOW.advance(
        hazard,
        steps.IMPORT,
        actor=actor,
        note=note[:1000],
        to=new_status,
        changes={**changes, **extra},
        event=events.HAZARDS_IMPORTED,
        data={
            "code": hazard.code,
            "outcome": Outcome.UPDATED,
            "from": old_status,
            "to": new_status,
            "fields": sorted(changes),
            **snapshot(changes),
        },
    )


# --- attachments ---------------------------------------------------------------------------------------------


def _store_attachment(
    hazard: Hazard, upload: UploadedFile, *, actor: Any, progress: HazardProgress | None = None
) -> HazardAttachment:
    checked = uploads.check_upload(
        upload,
        field="files",
        accept=ATTACHMENT_TYPES,
        refused=_("文件“%(n)s”的类型不受支持：只接受 JPEG、PNG 照片和 PDF、Word/Excel 文件。"),
    )
    kind = AttachmentKind.PHOTO if checked.content_type in uploads.IMAGE_TYPES else AttachmentKind.DOCUMENT
    att = HazardAttachment(
        hazard=hazard,
        progress=progress,
        kind=kind,
        name=(upload.name or "file")[:200],
        content_type=checked.content_type,
        size=checked.size,
        sha256=checked.sha256,
        uploaded_by=actor,
    )
    att.file.save(checked.file_name(hazard.pk, extension=False), upload, save=False)
    att.save()
    return att


@transaction.atomic
def add_attachment(hazard: Hazard, *, actor: Any, upload: UploadedFile) -> HazardAttachment:
    """Attach a photo or document to the hazard (type by content, ≤ 10 MB)."""
    if actor is not None:
        if not can(actor, "add", HazardAttachment):
            raise NotPermitted()
        if not Hazard.objects.restrict(actor, "view").filter(pk=hazard.pk).exists():
            raise NotPermitted(_("该隐患不在您的职责范围内。"))
    att = _store_attachment(hazard, upload, actor=actor)
    audit.record(
        att,
        events.HAZARD_ATTACHMENT_ADDED,
        actor=actor,
        data={"hazard": hazard.pk, "name": att.name, "size": att.size, "sha256": att.sha256},
    )
    return att
