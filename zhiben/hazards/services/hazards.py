"""The hazard's own steps: 登记 and 判定 (register, confirm, reject, merge), rectification by the unit (plan,
progress, acceptance), 销号, 退回 and 重新打开 by the department, 报告职工大会 and 督办级别."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from decimal import Decimal
from typing import Any

from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import UploadedFile
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from zhiben.core.documents import chinese_date
from zhiben.core.errors import NotPermitted
from zhiben.core.scoping import grants_for
from zhiben.core.workflow import check_transition
from zhiben.registry.models import Department, Enterprise, Industry
from zhiben.standards.models import Clause

from .. import deadlines, plan_rule, steps, tally
from ..choices import Level, Source, Status, SupervisionLevel
from ..models import Hazard, HazardProgress
from .attachments import _store_attachment
from .common import (
    STOCK_DAY,
    TRANSITIONS,
    HazardError,
    _clean_clause,
    _issue,
    _next_code,
    _notify,
    _notify_major,
    _pin,
    _require,
    default_deadline,
    supervising_department,
    today,
)

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
    # A 一般 hazard the unit reports is its own to manage; everything else waits for 判定, with a deadline.
    waits = not (level == Level.GENERAL and is_enterprise)
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
        judge_deadline=deadlines.judge_deadline_for(level, today()) if waits else None,
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
    if not waits:
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
            _("%(e)s 登记了隐患 %(c)s，请在%(d)s前判定。")
            % {
                "e": enterprise.name,
                "c": hazard.code,
                "d": chinese_date(hazard.judge_deadline) or _("规定期限内"),
            },
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
    given = {
        "measures": measures,
        "responsible": responsible,
        "plan_deadline": plan_deadline,
        "funds": funds,
        "contingency": contingency,
        "interim_measures": interim_measures,
    }
    errors: dict[str, Any] = plan_rule.missing(hazard.level, given)  # the 五落实, as the form marks them
    if plan_deadline is None:
        raise ValidationError(errors)
    if hazard.deadline and plan_deadline > hazard.deadline:
        errors["plan_deadline"] = _("方案时限不能晚于整改期限 %(d)s；如需更多时间请申请延期。") % {
            "d": hazard.deadline
        }
    if plan_deadline < today():
        errors["plan_deadline"] = _("方案时限不能早于今天。")
    if funds is not None and funds < 0:
        errors["funds"] = _("资金不能为负数。")
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
