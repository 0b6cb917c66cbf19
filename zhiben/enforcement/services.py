"""Case services: every change to an enforcement case goes through here.

A case runs 立案 → 调查取证 → 告知 → 决定 → 执行 → 结案 (or 撤销 before 决定). Each step is one transaction:
permission and scope check (403 / not permitted), compare-and-swap on the case's version (a lost race is a
409), a `CaseTransition` row, exactly one audit row, and the documents and notices the step produces.

Measures: a corrective order (责令限期整改) and a transfer to the judiciary (移送司法) take effect when they
are recorded; penalties and the other measures are proposed while the case is investigated, are what the party
is told of at 告知, and take effect together at 决定, which issues the 行政处罚决定书 and runs the
安全生产法 Art 113 watch (art113.py).
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy as _lazy

from zhiben.accounts.lookups import users_of_enterprise
from zhiben.accounts.roles import Role
from zhiben.core import audit
from zhiben.core.errors import DomainError, NotPermitted
from zhiben.core.loop import pin, snapshot
from zhiben.core.outbox import notify_users
from zhiben.core.scoping import can, grants_for
from zhiben.core.sequences import next_value
from zhiben.core.workflow import check_transition, compare_and_swap
from zhiben.hazards.choices import Status as HazardStatus
from zhiben.registry.models import Department, Enterprise

from . import art113, documents, events, steps
from .choices import (
    IMMEDIATE_KINDS,
    OPEN_CASE_STATUSES,
    PENALTY_KINDS,
    PROPOSING_STATUSES,
    CaseStatus,
    MeasureKind,
)
from .models import Case, CaseMeasure, DiscretionRule, IllegalOperation, yuan


class EnforcementError(DomainError):
    """A rule of enforcement refused the action."""


# 文号 代字 of the departments (local practice, to be confirmed); others use their short name's first two
# characters. The same 代字 are in data/document_templates.json.
DEPARTMENT_ABBREVIATIONS = {
    "emergency": "应急",
    "housing": "住建",
    "transport": "交运",
    "fire": "消",
    "market": "市监",
    "public_security": "公",
    "agriculture": "农",
    "water": "水利",
}
# What a measure other than a fine, an order or a suspension must state.
DETAILS_REQUIRED: dict[str, Any] = {
    MeasureKind.LICENCE: _lazy("请写明暂扣或吊销的证照名称、编号及期限。"),
    MeasureKind.CLOSE: _lazy("请写明提请关闭取缔的事由和对象。"),
    MeasureKind.BAN: _lazy("请写明行业禁入的人员和期限。"),
    MeasureKind.JOINT_PUNISHMENT: _lazy("请写明联合惩戒的措施和实施部门。"),
    MeasureKind.JUDICIAL: _lazy("请写明移送的司法机关和涉嫌罪名。"),
}
DECIDED_STATUSES = frozenset({CaseStatus.DECIDED, CaseStatus.EXECUTING, CaseStatus.CLOSED})


# --- helpers -------------------------------------------------------------------------------------------------


def today() -> dt.date:
    return timezone.localdate()


def require_case(actor: Any, action: str, case: Case | None = None) -> None:
    """The actor holds `action` on cases, and (for an existing case) on this one: else 403."""
    steps.CASE_FLOW.require(actor, action, case)


def departments_of(actor: Any) -> list[int]:
    """The departments the actor works for (its department role assignments)."""
    if actor is None:
        return []
    return sorted(
        {
            int(g.extra["department_id"])
            for g in grants_for(actor)
            if g.role == Role.DEPARTMENT and g.extra.get("department_id")
        }
    )


def _notify_subject(case: Case, subject: str, body: str = "") -> None:
    if case.enterprise_id is not None:
        notify_users(
            users_of_enterprise(case.enterprise_id),
            subject=subject,
            body=body,
            url=case.get_absolute_url(),
            topic="enforcement",
            obj=case,
        )


def case_code(department: Department, year: int) -> str:
    """立案编号: 屈应急立〔2025〕3号 — per department and year, gap-free (core.sequences)."""
    abbr = DEPARTMENT_ABBREVIATIONS.get(department.code) or (department.short_name or department.name)[:2]
    return f"屈{abbr}立〔{year}〕{next_value(f'enforcement/case/{department.code}/{year}')}号"


# --- 立案 ----------------------------------------------------------------------------------------------------


@transaction.atomic
def file_case(
    *,
    actor: Any,
    department: Department,
    violation: str,
    filed_on: dt.date,
    enterprise: Enterprise | None = None,
    operation: IllegalOperation | None = None,
    finding: Any = None,
    hazard: Any = None,
    discretion_rule: DiscretionRule | None = None,
    involves_major_hazard: bool = False,
    subject_name: str = "",
) -> Case:
    """立案: a department opens a case against a registered unit or the subject of a 打非治违 record, from an
    inspection finding, a hazard, a 打非治违 record or on its own."""
    require_case(actor, "add")
    errors: dict[str, str] = {}
    if actor is not None and department.pk not in departments_of(actor):
        errors["department"] = _("只能以您所在的部门立案。")
    if not violation.strip():
        errors["violation"] = _("请填写违法事实。")
    if filed_on > today():
        errors["filed_on"] = _("立案日期不能晚于今天。")
    if discretion_rule is not None and not discretion_rule.active:
        errors["discretion_rule"] = _("该裁量基准已停用。")
    # Sources the actor cannot see are refused as if absent (R08).
    if finding is not None and not _visible(actor, finding):
        errors["finding"] = _("检查发现的问题不存在或不在您的职责范围内。")
    if hazard is not None and not _visible(actor, hazard):
        errors["hazard"] = _("隐患不存在或不在您的职责范围内。")
    if operation is not None and not _visible(actor, operation):
        errors["operation"] = _("打非治违记录不存在或不在您的职责范围内。")
    if errors:
        raise ValidationError(errors)
    if finding is not None:
        hazard = hazard or finding.hazard
        enterprise = enterprise or finding.inspection.enterprise
    if hazard is not None:
        refusal = unjudged_hazard(hazard)
        if refusal:
            raise ValidationError({"hazard": refusal})
        enterprise = enterprise or hazard.enterprise
        if enterprise.pk != hazard.enterprise_id:
            raise ValidationError({"hazard": _("隐患不属于该当事单位。")})
    if operation is not None and enterprise is None:
        enterprise = operation.enterprise
    if enterprise is None and operation is None:
        raise ValidationError({"enterprise": _("请选择当事单位（或从打非治违记录立案）。")})
    # A unit reached through a finding or hazard the actor can see is in the actor's reach (a joint
    # inspection routes a finding to a department outside the unit's industries); otherwise it must be visible.
    if (
        enterprise is not None
        and finding is None
        and hazard is None
        and (operation is None or operation.enterprise_id != enterprise.pk)
        and not _visible(actor, enterprise)
    ):
        raise ValidationError({"enterprise": _("当事单位不存在或不在您的职责范围内。")})
    major = bool(involves_major_hazard)
    major |= hazard is not None and hazard.level == "major"
    major |= finding is not None and finding.level == "major"
    if enterprise is not None:
        region, industry = enterprise.region, (hazard.industry if hazard is not None else None)
        industry = industry or enterprise.primary_industry
        name = enterprise.name
    else:
        assert operation is not None
        region, industry, name = operation.region, operation.industry, operation.subject_name
    case = Case.objects.create(
        code=case_code(department, filed_on.year),
        enterprise=enterprise,
        operation=operation,
        subject_name=(subject_name.strip() or name)[:100],
        region=region,
        industry=industry,
        department=department,
        inspection=finding.inspection if finding is not None else None,
        finding=finding,
        hazard=hazard,
        involves_major_hazard=major,
        violation=violation.strip(),
        discretion_rule=discretion_rule,
        status=CaseStatus.FILED,
        filed_on=filed_on,
        handler=actor,
    )
    steps.CASE_FLOW.record_created(
        case,
        steps.FILE,
        actor=actor,
        data={
            "code": case.code,
            "department": department.pk,
            "enterprise": enterprise.pk if enterprise is not None else None,
            "operation": operation.pk if operation is not None else None,
            "finding": finding.pk if finding is not None else None,
            "hazard": hazard.pk if hazard is not None else None,
            "involves_major_hazard": major,
            "discretion_rule": discretion_rule.pk if discretion_rule is not None else None,
        },
    )
    return case


def unjudged_hazard(hazard: Any) -> str:
    """Why a penalty cannot rest on `hazard` (not yet 判定, or 不予认定), or "" when it can."""
    if hazard.status == HazardStatus.REPORTED:
        return _("隐患“%(c)s”尚待判定，不能据此立案处罚：请先由主管部门判定隐患等级。") % {"c": hazard.code}
    if hazard.status == HazardStatus.REJECTED:
        return _("隐患“%(c)s”已不予认定，不能据此立案处罚。") % {"c": hazard.code}
    return ""


def missing_basis(case: Case) -> str:
    """Why the case cannot be 告知 or decided for want of a 依据 (no 裁量基准 with a 处罚依据), or ""."""
    rule = case.discretion_rule
    if rule is not None and rule.penalty_basis.strip():
        return ""
    if case.status in PROPOSING_STATUSES:
        return _("本案尚未适用行政裁量基准，告知书和决定书无法载明违反的条款和处罚依据：请先“适用裁量基准”。")
    # 告知 without a 依据 (a case from before the rule): the party must be told it first (行政处罚法 Art 44, 62).
    return _("本案告知时未载明处罚依据，不能作出处罚决定：请撤销立案，依裁量基准重新立案并告知。")


def _visible(actor: Any, obj: Any) -> bool:
    if actor is None:
        return True
    return bool(type(obj)._default_manager.restrict(actor, "view").filter(pk=obj.pk).exists())


# --- steps ---------------------------------------------------------------------------------------------------


def _step(case: Case, actor: Any, version: int | None, target: str) -> None:
    require_case(actor, "change", case)
    pin(case, version)
    check_transition(case.status, target, steps.CASE_FLOW.transitions, dict(CaseStatus.choices))


@steps.INVESTIGATE.implements
@transaction.atomic
def start_investigation(case: Case, *, actor: Any, note: str = "", version: int | None = None) -> Case:
    """调查取证: the investigation begins (evidence, 询问笔录, 现场勘验)."""
    _step(case, actor, version, CaseStatus.INVESTIGATING)
    steps.CASE_FLOW.advance(case, steps.INVESTIGATE, actor=actor, note=note)
    return case


@steps.SET_RULE.implements
@transaction.atomic
def set_discretion_rule(
    case: Case, *, actor: Any, discretion_rule: DiscretionRule, version: int | None = None
) -> Case:
    """适用裁量基准: the violation and circumstance the case is judged under, whose articles the 告知 and the
    决定书 cite; chosen at 立案 or here, before 告知."""
    require_case(actor, "change", case)
    pin(case, version)
    if (
        case.status not in PROPOSING_STATUSES
    ):  # the party is told the 依据 at 告知; it is not changed afterwards
        raise EnforcementError(_("案件已告知或已决定，不能再更改适用的裁量基准。"), field="discretion_rule")
    if not discretion_rule.active:
        raise ValidationError({"discretion_rule": _("该裁量基准已停用。")})
    steps.CASE_FLOW.advance(
        case,
        steps.SET_RULE,
        actor=actor,
        changes={"discretion_rule": discretion_rule},
        data={"discretion_rule": discretion_rule.code},
    )
    return case


@steps.NOTIFY.implements
@transaction.atomic
def notify_case(
    case: Case, *, actor: Any, notified_on: dt.date, note: str = "", version: int | None = None
) -> Case:
    """告知: the party is told the facts, grounds and proposed penalties and its right to 陈述、申辩
    (行政处罚法 Art 44); the proposed measures are fixed from here on."""
    _step(case, actor, version, CaseStatus.NOTIFIED)
    errors: dict[str, str] = {}
    if notified_on > today():
        errors["notified_on"] = _("告知日期不能晚于今天。")
    elif notified_on < case.filed_on:
        errors["notified_on"] = _("告知日期不能早于立案日期 %(d)s。") % {"d": case.filed_on}
    if errors:
        raise ValidationError(errors)
    if missing_basis(case):  # 告知 states the 依据 (行政处罚法 Art 44)
        raise EnforcementError(missing_basis(case), field="discretion_rule")
    proposed = case.measures.filter(decided_on__isnull=True)
    if not proposed.exists():
        raise EnforcementError(
            _("请先添加拟作出的处罚或处理措施，再告知当事人；不予处罚的案件请撤销立案。"), field="measures"
        )
    steps.CASE_FLOW.advance(
        case,
        steps.NOTIFY,
        actor=actor,
        note=note,
        changes={"notified_on": notified_on},
        data={"proposed": sorted(proposed.values_list("kind", flat=True))},
    )
    _notify_subject(
        case,
        _("行政处罚告知：%(c)s") % {"c": case.code},
        _("%(d)s 拟对你单位作出处理，你单位依法享有陈述、申辩的权利。") % {"d": case.department.name},
    )
    return case


@steps.DECIDE.implements
@transaction.atomic
def decide_case(
    case: Case, *, actor: Any, decided_on: dt.date, statement: str = "", version: int | None = None
) -> Case:
    """决定: the proposed measures take effect, the 行政处罚决定书 is issued, and the Art 113 watch runs."""
    _step(case, actor, version, CaseStatus.DECIDED)
    if decided_on > today():
        raise ValidationError({"decided_on": _("决定日期不能晚于今天。")})
    if case.notified_on is not None and decided_on < case.notified_on:
        raise ValidationError({"decided_on": _("决定日期不能早于告知日期 %(d)s。") % {"d": case.notified_on}})
    proposed = list(case.measures.filter(decided_on__isnull=True).order_by("pk"))
    if not proposed:
        raise EnforcementError(_("没有拟作出的处罚或处理措施，无法作出决定。"), field="measures")
    if missing_basis(case):
        raise EnforcementError(missing_basis(case), field="discretion_rule")
    if case.hazard is not None and unjudged_hazard(case.hazard):
        raise EnforcementError(unjudged_hazard(case.hazard), field="hazard")
    CaseMeasure.objects.unrestricted("service: proposed").filter(pk__in=[m.pk for m in proposed]).update(
        decided_on=decided_on
    )
    for m in proposed:
        m.decided_on = decided_on
    case.decided_on = decided_on
    case.statement = statement.strip()
    document = documents.issue_decision(case, proposed, actor)
    steps.CASE_FLOW.advance(
        case,
        steps.DECIDE,
        actor=actor,
        changes={"decided_on": decided_on, "statement": case.statement, "decision_document": document},
        data={
            "measures": [m.kind for m in proposed],
            "fine": str(sum(m.amount or Decimal(0) for m in proposed if m.kind == MeasureKind.FINE)),
            "number": document.number,
        },
    )
    _notify_subject(
        case,
        _("行政处罚决定：%(c)s") % {"c": case.code},
        _("%(d)s 已作出行政处罚决定（%(n)s），请按决定书履行。")
        % {"d": case.department.name, "n": document.number},
    )
    if any(m.kind in PENALTY_KINDS for m in proposed):
        art113.watch_case(case, actor=actor)
    return case


@steps.EXECUTE.implements
@transaction.atomic
def start_execution(case: Case, *, actor: Any, note: str = "", version: int | None = None) -> Case:
    """执行: the decision is being carried out (payment, 停产整顿, 证照 …)."""
    _step(case, actor, version, CaseStatus.EXECUTING)
    steps.CASE_FLOW.advance(case, steps.EXECUTE, actor=actor, note=note)
    return case


@steps.CLOSE.implements
@transaction.atomic
def close_case(
    case: Case,
    *,
    actor: Any,
    closed_on: dt.date,
    daily_end_on: dt.date | None = None,
    note: str = "",
    version: int | None = None,
) -> Case:
    """结案: every decided measure is carried out; a 按日连续处罚 needs the day the unit corrected."""
    _step(case, actor, version, CaseStatus.CLOSED)
    errors: dict[str, str] = {}
    if closed_on > today():
        errors["closed_on"] = _("结案日期不能晚于今天。")
    elif case.decided_on is not None and closed_on < case.decided_on:
        errors["closed_on"] = _("结案日期不能早于决定日期 %(d)s。") % {"d": case.decided_on}
    decided = list(case.measures.filter(decided_on__isnull=False))
    open_daily = [m for m in decided if m.kind == MeasureKind.DAILY_FINE and m.end_on is None]
    if open_daily:
        start = min(m.start_on for m in open_daily if m.start_on is not None)
        if daily_end_on is None:
            errors["daily_end_on"] = _("案件有按日连续处罚，请填写当事人改正之日（按日处罚截止日期）。")
        elif daily_end_on < start:
            errors["daily_end_on"] = _("按日处罚截止日期不能早于起算日期 %(d)s。") % {"d": start}
        elif daily_end_on > closed_on:
            errors["daily_end_on"] = _("按日处罚截止日期不能晚于结案日期。")
    if errors:
        raise ValidationError(errors)
    if open_daily:
        CaseMeasure.objects.unrestricted("service: open daily fines").filter(
            pk__in=[m.pk for m in open_daily]
        ).update(end_on=daily_end_on)
    case.measures.filter(decided_on__isnull=False, executed_on__isnull=True).update(executed_on=closed_on)
    steps.CASE_FLOW.advance(
        case,
        steps.CLOSE,
        actor=actor,
        note=note,
        changes={"closed_on": closed_on},
        data={"daily_end_on": str(daily_end_on) if open_daily else None},
    )
    return case


@steps.WITHDRAW.implements
@transaction.atomic
def withdraw_case(case: Case, *, actor: Any, reason: str, version: int | None = None) -> Case:
    """撤销立案 before 决定 (不予处罚, 违法事实不成立, 移送其他机关 …), with the reason."""
    _step(case, actor, version, CaseStatus.WITHDRAWN)
    if not reason.strip():
        raise ValidationError({"reason": _("请填写撤销理由。")})
    steps.CASE_FLOW.advance(case, steps.WITHDRAW, actor=actor, note=reason)
    return case


# --- measures ------------------------------------------------------------------------------------------------


def discretion_warning(rule: DiscretionRule | None, amount: Decimal | None) -> str:
    """The benchmark's objection to a fine of `amount`, or "" when it is inside the range (or no rule)."""
    if rule is None or amount is None or rule.admits(amount):
        return ""
    return _("罚款金额 %(a)s 超出裁量基准“%(r)s”的幅度（%(range)s）。") % {
        "a": yuan(amount),
        "r": f"{rule.code} {rule.get_circumstance_display()}",
        "range": rule.range_display,
    }


def _previous(case: Case, kind: str) -> CaseMeasure | None:
    """The latest decided measure of `kind` against the same subject (this case or an earlier one)."""
    qs = CaseMeasure.objects.filter(kind=kind, decided_on__isnull=False)
    if case.enterprise_id is not None:
        qs = qs.filter(case__enterprise_id=case.enterprise_id)
    else:
        qs = qs.filter(case__operation_id=case.operation_id)
    return qs.order_by("-decided_on", "-pk").first()


@steps.ADD_MEASURE.implements
@transaction.atomic
def add_measure(
    case: Case,
    *,
    actor: Any,
    kind: str,
    amount: Decimal | None = None,
    daily_amount: Decimal | None = None,
    start_on: dt.date | None = None,
    end_on: dt.date | None = None,
    details: str = "",
    outside_range_reason: str = "",
    version: int | None = None,
) -> CaseMeasure:
    """Record a measure. A corrective order (with its 指令书) or a transfer to the judiciary takes effect now;
    any other measure is proposed until 决定 and may only be proposed before 告知."""
    require_case(actor, "change", case)
    pin(case, version)
    if kind not in MeasureKind.values:
        raise ValidationError({"kind": _("措施类型无效。")})
    immediate = kind in IMMEDIATE_KINDS
    if case.status not in (OPEN_CASE_STATUSES if immediate else PROPOSING_STATUSES):
        if immediate:
            raise EnforcementError(_("案件已结案或已撤销，不能再添加措施。"), field="kind")
        raise EnforcementError(
            _("处罚内容须在告知前拟定；案件已告知或已决定，不能再增加拟作出的处罚。"), field="kind"
        )
    errors: dict[str, str] = {}
    details = details.strip()
    reason = outside_range_reason.strip()
    on = today()
    values: dict[str, Any] = {"details": details}
    if kind == MeasureKind.FINE:
        if amount is None or amount <= 0:
            errors["amount"] = _("请填写罚款金额（元）。")
        elif discretion_warning(case.discretion_rule, amount) and not reason:
            errors["outside_range_reason"] = discretion_warning(case.discretion_rule, amount) + _(
                "请说明理由，理由将记录在案。"
            )
        values.update(amount=amount, outside_range_reason=reason)
    elif kind == MeasureKind.DAILY_FINE:
        # 安全生产法 Art 112: 被责令改正且受到罚款处罚，拒不改正的 … 自作出责令改正之日的次日起，按照原处罚数额
        # 按日连续处罚.
        order = _previous(case, MeasureKind.ORDER_RECTIFY)
        fine = _previous(case, MeasureKind.FINE)
        if order is None or fine is None or order.decided_on is None:
            errors["kind"] = _(
                "按日连续处罚须以此前已作出的责令改正和罚款决定为前提（安全生产法第一百一十二条）。"
            )
        else:
            earliest = order.decided_on + dt.timedelta(days=1)
            start_on = start_on or earliest
            if start_on < earliest:
                errors["start_on"] = _("按日连续处罚自作出责令改正之日的次日（%(d)s）起计算。") % {
                    "d": earliest
                }
            daily_amount = daily_amount if daily_amount is not None else fine.amount
            if daily_amount != fine.amount:
                errors["daily_amount"] = _("按日连续处罚按照原处罚数额（%(a)s/日）计算。") % {
                    "a": yuan(fine.amount or Decimal(0))
                }
        if end_on is not None and start_on is not None and end_on < start_on:
            errors["end_on"] = _("截止日期不能早于起算日期。")
        values.update(daily_amount=daily_amount, start_on=start_on, end_on=end_on)
    elif kind == MeasureKind.ORDER_RECTIFY:
        if end_on is None:
            errors["end_on"] = _("请填写整改期限。")
        elif end_on <= on:
            errors["end_on"] = _("整改期限应晚于今天。")
        if not details:
            errors["details"] = _("请填写整改要求。")
        values.update(end_on=end_on, decided_on=on)
    elif kind == MeasureKind.SUSPEND:
        if start_on is None:
            errors["start_on"] = _("请填写停产停业整顿的开始日期。")
        elif end_on is not None and end_on < start_on:
            errors["end_on"] = _("结束日期不能早于开始日期。")
        values.update(start_on=start_on, end_on=end_on)
    else:
        if not details:
            errors["details"] = str(DETAILS_REQUIRED.get(kind, _("请填写措施内容。")))
        if kind == MeasureKind.JUDICIAL:
            values["decided_on"] = on
    if errors:
        raise ValidationError(errors)
    measure = CaseMeasure.objects.create(case=case, kind=kind, **values)
    if kind == MeasureKind.ORDER_RECTIFY:
        measure.document = documents.issue_order(case, measure, actor)
        CaseMeasure.objects.unrestricted("service: new").filter(pk=measure.pk).update(
            document=measure.document
        )
    steps.CASE_FLOW.advance(
        case,
        steps.ADD_MEASURE,
        actor=actor,
        note=documents.measure_text(measure),
        data={
            "measure": measure.pk,
            "kind": kind,
            "amount": str(amount) if amount is not None else None,
            "daily_amount": str(daily_amount) if daily_amount is not None else None,
            "immediate": immediate,
            "outside_range_reason": reason,
            "document": measure.document.number if measure.document is not None else None,
        },
    )
    if kind == MeasureKind.ORDER_RECTIFY:
        _notify_subject(
            case,
            _("责令限期整改：%(c)s") % {"c": case.code},
            _("请于 %(d)s 前整改完毕。") % {"d": end_on},
        )
    return measure


@steps.REMOVE_MEASURE.implements
@transaction.atomic
def remove_measure(case: Case, *, actor: Any, measure_id: int, version: int | None = None) -> Case:
    """删除拟作出的措施 (before 告知; measures that took effect stay on record)."""
    require_case(actor, "change", case)
    pin(case, version)
    measure = case.measures.filter(pk=measure_id).first()
    if measure is None:
        raise ValidationError({"measure": _("该案件没有此措施。")})
    if measure.decided_on is not None:
        raise ValidationError({"measure": _("已生效的措施不能删除。")})
    if case.status not in PROPOSING_STATUSES:
        raise EnforcementError(_("处罚内容已告知当事人，不能再删除。"), field="measure")
    text = documents.measure_text(measure)
    measure.delete()
    steps.CASE_FLOW.advance(case, steps.REMOVE_MEASURE, actor=actor, note=text, data={"measure": measure_id})
    return case


@steps.TYPICAL.implements
@transaction.atomic
def mark_typical(
    case: Case, *, actor: Any, typical: bool, summary: str = "", version: int | None = None
) -> Case:
    """典型案例: a decided case held up as an example (statistics and 通报), with a short summary."""
    require_case(actor, "change", case)
    pin(case, version)
    if case.status not in DECIDED_STATUSES:
        raise EnforcementError(_("只有已作出决定的案件才能标记为典型案例。"), field="typical")
    summary = summary.strip()
    if typical and not summary:
        raise ValidationError({"summary": _("请填写典型案例简介。")})
    steps.CASE_FLOW.advance(
        case,
        steps.TYPICAL,
        actor=actor,
        note=summary if typical else _("取消典型案例"),
        changes={"is_typical": typical, "typical_summary": summary if typical else ""},
    )
    return case


# --- the discretion benchmark --------------------------------------------------------------------------------

DISCRETION_FIELDS = (
    "violation",
    "legal_basis",
    "penalty_basis",
    "circumstance",
    "criteria",
    "min_amount",
    "max_amount",
    "measures",
    "person_min_amount",
    "person_max_amount",
    "source",
    "verified",
    "active",
)


@transaction.atomic
def update_discretion_rule(rule: DiscretionRule, *, actor: Any, **changes: Any) -> DiscretionRule:
    """修改行政裁量基准 (the committee office): ranges must be ranges; compare-and-swap on the version."""
    if actor is not None and not (
        can(actor, "change", DiscretionRule)
        and DiscretionRule.objects.restrict(actor, "change").filter(pk=rule.pk).exists()
    ):
        raise NotPermitted(_("您无权修改行政裁量基准。"))
    unknown = set(changes) - set(DISCRETION_FIELDS)
    if unknown:
        raise ValueError(f"unknown fields {sorted(unknown)}")
    values = {k: changes.get(k, getattr(rule, k)) for k in DISCRETION_FIELDS}
    errors: dict[str, str] = {}
    for name in ("violation", "penalty_basis"):
        if not str(values[name] or "").strip():
            errors[name] = _("此项不能为空。")
    for low, high in (("min_amount", "max_amount"), ("person_min_amount", "person_max_amount")):
        lo, hi = values[low], values[high]
        for name, v in ((low, lo), (high, hi)):
            if v is not None and v < 0:
                errors[name] = _("金额不能为负数。")
        if lo is not None and hi is not None and lo > hi:
            errors[high] = _("上限不能低于下限。")
    if set(values["measures"] or []) - set(MeasureKind.values):
        errors["measures"] = _("建议措施无效。")
    if errors:
        raise ValidationError(errors)
    changed = {k: v for k, v in values.items() if v != getattr(rule, k)}
    if not changed:
        return rule
    compare_and_swap(rule, expected={}, changes=changed)
    audit.record(rule, events.DISCRETION_RULE_CHANGED, actor=actor, data=snapshot(changed))
    return rule
