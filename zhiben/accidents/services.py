"""The write path of the accident register: 登记, 续报, 认定瞒报谎报迟报, and the investigation to 结案.

Each function is one transaction: permission and scope (403), the version pin (409), the rows, one history and
audit row through the flow, and the notices (outbox, after commit). The grade is computed here from the
casualties and loss (reference.grade_of), never typed in."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from zhiben.accounts.lookups import users_of_department, users_of_office, users_of_township
from zhiben.core.errors import DomainError, NotPermitted
from zhiben.core.loop import pin
from zhiben.core.outbox import notify_users
from zhiben.core.scoping import can
from zhiben.core.sequences import next_value
from zhiben.hazards.services import common as hazard_rules
from zhiben.registry.models import Department, Enterprise, Industry, Region
from zhiben.tips.routing import township_of

from . import reference, steps
from .choices import GRADE_RANK, Grade, RectificationStatus
from .models import Accident, AccidentUpdate, Rectification, ResponsibilityFinding


def _pin(accident: Accident, version: int | str | None) -> None:
    pin(accident, version, _("该事故已被他人处理（当前版本 %(v)s），请刷新后重试。"))


def supervising_department(industry: Industry) -> Department | None:
    """三管三必须: the hazards' rule (the lead department of the nearest industry with one); None when unset."""
    try:
        return hazard_rules.supervising_department(industry)
    except DomainError:
        return None


def is_road_or_fire(industry: Industry, accident_type: str) -> bool:
    codes = [industry.code]
    if industry.parent_id:
        codes.append(industry.parent.code)  # type: ignore[union-attr]
    return reference.type_name(accident_type) in reference.ROAD_FIRE_TYPES or any(
        c.startswith(reference.ROAD_FIRE_INDUSTRIES) for c in codes
    )


def supplement_until(occurred_at: dt.datetime, road_or_fire: bool) -> dt.datetime:
    return occurred_at + reference.window("supplement_road_fire" if road_or_fire else "supplement").delta


def reported_late(occurred_at: dt.datetime, reported_at: dt.datetime) -> bool:
    """Reported after the unit's window (1 hour from occurrence, 493号令 第九条; 待核实)."""
    return reported_at - occurred_at > reference.window("unit_report").delta


def _check_casualties(
    deaths: int, serious_injuries: int, missing: int, direct_loss: Decimal
) -> dict[str, str]:
    errors: dict[str, str] = {}
    for name, value in (("deaths", deaths), ("serious_injuries", serious_injuries), ("missing", missing)):
        if value is None or int(value) < 0:
            errors[name] = _("人数不能为负数。")
    if direct_loss is None or Decimal(direct_loss) < 0:
        errors["direct_loss"] = _("直接经济损失不能为负数。")
    return errors


def _recipients(accident: Accident) -> list[Any]:
    users = list(users_of_office())
    if accident.department_id:
        users += users_of_department(accident.department_id)
    town = township_of(accident.region)
    if town is not None:
        users += users_of_township(town.code)
    return users


def _notify(accident: Accident, subject: str, body: str) -> None:
    notify_users(
        _recipients(accident),
        subject=subject,
        body=body,
        url=accident.get_absolute_url(),
        topic="accident",
        obj=accident,
    )


@steps.REGISTER.implements
@transaction.atomic
def register_accident(
    *,
    actor: Any,
    occurred_at: dt.datetime,
    reported_at: dt.datetime,
    place: str,
    region: Region,
    industry: Industry,
    accident_type: str,
    summary: str,
    reporter: str,
    deaths: int = 0,
    serious_injuries: int = 0,
    missing: int = 0,
    direct_loss: Decimal | int = 0,
    enterprise: Enterprise | None = None,
    unit_name: str = "",
) -> Accident:
    """登记事故: the first report; the grade follows from casualties and loss, the late flag from the times."""
    steps.FLOW.require(actor, steps.REGISTER)
    errors = _check_casualties(deaths, serious_injuries, missing, Decimal(direct_loss))
    now = timezone.now()
    if occurred_at > now:
        errors["occurred_at"] = _("发生时间不能晚于现在。")
    if reported_at < occurred_at:
        errors["reported_at"] = _("报告时间不能早于发生时间。")
    elif reported_at > now + dt.timedelta(minutes=5):
        errors["reported_at"] = _("报告时间不能晚于现在。")
    if accident_type not in dict(reference.type_choices()):
        errors["accident_type"] = _("请选择事故类别。")
    if enterprise is None and not (unit_name or "").strip():
        errors["unit_name"] = _("请选择已登记的单位或填写事故单位名称。")
    if not (summary or "").strip():
        errors["summary"] = _("请填写事故简要经过。")
    if errors:
        raise ValidationError(errors)
    if (
        actor is not None
        and enterprise is not None
        and not Enterprise.objects.restrict(actor, "view").filter(pk=enterprise.pk).exists()
    ):
        raise ValidationError({"enterprise": _("单位不存在或不在您的职责范围内。")})
    year = timezone.localtime(occurred_at).year
    accident = Accident(
        code=f"SG{year}-{next_value(f'accident/{year}'):04d}",
        occurred_at=occurred_at,
        occurred_on=timezone.localtime(occurred_at).date(),
        reported_at=reported_at,
        place=place.strip(),
        region=region,
        enterprise=enterprise,
        unit_name=(unit_name or "").strip() or (enterprise.name if enterprise else ""),
        industry=industry,
        department=supervising_department(industry),
        accident_type=accident_type,
        deaths=int(deaths),
        serious_injuries=int(serious_injuries),
        missing=int(missing),
        direct_loss=Decimal(direct_loss),
        grade=reference.grade_of(int(deaths), int(serious_injuries), Decimal(direct_loss)),
        grade_scheme=reference.grade_scheme().version,
        summary=summary.strip(),
        reporter=reporter.strip(),
        recorded_by=actor,
        reported_late=reported_late(occurred_at, reported_at),
        supplement_until=supplement_until(occurred_at, is_road_or_fire(industry, accident_type)),
    )
    accident.save()
    if actor is not None and not Accident.objects.restrict(actor, "view").filter(pk=accident.pk).exists():
        raise NotPermitted(_("该事故不在您的职责范围内，未予登记。"))
    steps.FLOW.record_created(
        accident,
        steps.REGISTER,
        actor=actor,
        data={
            "code": accident.code,
            "grade": accident.grade,
            "deaths": accident.deaths,
            "serious_injuries": accident.serious_injuries,
            "missing": accident.missing,
            "direct_loss": str(accident.direct_loss),
            "reported_late": accident.reported_late,
        },
    )
    _notify(
        accident,
        _("生产安全事故报告：%(u)s") % {"u": accident.unit_name},
        _("%(u)s发生%(t)s事故（%(g)s），%(c)s。")
        % {
            "u": accident.unit_name,
            "t": accident.type_name,
            "g": accident.get_grade_display(),
            "c": accident.casualties,
        },
    )
    return accident


@steps.SUPPLEMENT.implements
@transaction.atomic
def supplement(
    accident: Accident,
    *,
    actor: Any,
    deaths: int,
    serious_injuries: int,
    missing: int,
    direct_loss: Decimal,
    note: str,
    reported_at: dt.datetime | None = None,
    version: int | str | None = None,
) -> AccidentUpdate:
    """续报: the casualties and loss as they now stand; the accident is regraded; a 续报 after the 补报 window
    (30 days, road and fire 7, from occurrence) is kept and flagged late."""
    steps.FLOW.require(actor, steps.SUPPLEMENT, accident)
    _pin(accident, version)
    steps.FLOW.check(accident, steps.SUPPLEMENT)
    errors = _check_casualties(deaths, serious_injuries, missing, direct_loss)
    if not (note or "").strip():
        errors["note"] = _("请填写续报内容。")
    if errors:
        raise ValidationError(errors)
    at = reported_at or timezone.now()
    before = accident.grade
    after = reference.grade_of(int(deaths), int(serious_injuries), Decimal(direct_loss))
    update = AccidentUpdate.objects.create(
        accident=accident,
        reported_at=at,
        deaths=int(deaths),
        serious_injuries=int(serious_injuries),
        missing=int(missing),
        direct_loss=Decimal(direct_loss),
        grade_before=before,
        grade_after=after,
        late=at > accident.supplement_until,
        note=note.strip(),
        recorded_by=actor,
    )
    steps.FLOW.advance(
        accident,
        steps.SUPPLEMENT,
        actor=actor,
        note=note.strip()[:200],
        changes={
            "deaths": int(deaths),
            "serious_injuries": int(serious_injuries),
            "missing": int(missing),
            "direct_loss": Decimal(direct_loss),
            "grade": after,
        },
        data={"update": update.pk, "grade_before": before, "late": update.late},
    )
    if GRADE_RANK[Grade(after)] > GRADE_RANK[Grade(before)]:
        _notify(
            accident,
            _("事故等级上升：%(u)s") % {"u": accident.unit_name},
            _("续报后事故等级由%(a)s变为%(b)s。") % {"a": Grade(before).label, "b": Grade(after).label},
        )
    return update


@steps.FLAG.implements
@transaction.atomic
def flag(
    accident: Accident,
    *,
    actor: Any,
    concealment: str,
    reason: str,
    tip: int | None = None,
    version: int | str | None = None,
) -> Accident:
    """认定瞒报/谎报/迟报 with the reason; a tip (read through the office's own scope) that revealed it."""
    from zhiben.tips.models import Tip  # tips sits beside accidents; only its id and dates are read

    steps.FLOW.require(actor, steps.FLAG, accident)
    _pin(accident, version)
    errors: dict[str, str] = {}
    if concealment not in ("concealed", "false", "late"):
        errors["concealment"] = _("请选择瞒报、谎报或迟报。")
    if not (reason or "").strip():
        errors["reason"] = _("请填写认定理由。")
    tip_obj = None
    if tip:
        tips = (
            Tip.objects.restrict(actor, "view") if actor is not None else Tip.objects.unrestricted("system")
        )
        tip_obj = tips.filter(pk=tip).first()
        if tip_obj is None:
            errors["tip"] = _("举报不存在或不在您的职责范围内。")
    if errors:
        raise ValidationError(errors)
    steps.FLOW.advance(
        accident,
        steps.FLAG,
        actor=actor,
        note=reason.strip()[:200],
        changes={
            "concealment": concealment,
            "concealment_reason": reason.strip(),
            "tip_id": tip_obj.pk if tip_obj else None,
        },
    )
    return accident


@steps.INVESTIGATE.implements
@transaction.atomic
def start_investigation(
    accident: Accident,
    *,
    actor: Any,
    team: str,
    lead_unit: str,
    investigation_due: dt.date | None = None,
    version: int | str | None = None,
) -> Accident:
    """组织调查: the team and its lead unit; the report is due 60 days after occurrence unless set (待核实)."""
    steps.FLOW.require(actor, steps.INVESTIGATE, accident)
    _pin(accident, version)
    steps.FLOW.check(accident, steps.INVESTIGATE)
    due = investigation_due or accident.occurred_on + reference.window("investigation").delta
    if due < accident.occurred_on:
        raise ValidationError({"investigation_due": _("调查报告期限不能早于事故发生日期。")})
    steps.FLOW.advance(
        accident,
        steps.INVESTIGATE,
        actor=actor,
        note=lead_unit.strip(),
        changes={"team": team.strip(), "lead_unit": lead_unit.strip(), "investigation_due": due},
    )
    return accident


@steps.EXTEND.implements
@transaction.atomic
def extend_investigation(
    accident: Accident, *, actor: Any, days: int, reason: str, version: int | str | None = None
) -> Accident:
    steps.FLOW.require(actor, steps.EXTEND, accident)
    _pin(accident, version)
    steps.FLOW.check(accident, steps.EXTEND)
    limit = reference.window("extension").days
    errors: dict[str, str] = {}
    if accident.extension_reason:
        errors["days"] = _("调查期限已延长过一次。")
    if not 1 <= int(days) <= limit:
        errors["days"] = _("延长期限最长 %(n)s 日。") % {"n": limit}
    if not (reason or "").strip():
        errors["reason"] = _("请填写延期理由。")
    if errors:
        raise ValidationError(errors)
    due = (accident.investigation_due or accident.occurred_on) + dt.timedelta(days=int(days))
    steps.FLOW.advance(
        accident,
        steps.EXTEND,
        actor=actor,
        note=reason.strip(),
        changes={"investigation_due": due, "extension_reason": reason.strip()},
    )
    return accident


@steps.SUBMIT_REPORT.implements
@transaction.atomic
def submit_report(
    accident: Accident,
    *,
    actor: Any,
    causes: str,
    report_summary: str,
    submitted_on: dt.date | None = None,
    version: int | str | None = None,
) -> Accident:
    steps.FLOW.require(actor, steps.SUBMIT_REPORT, accident)
    _pin(accident, version)
    steps.FLOW.check(accident, steps.SUBMIT_REPORT)
    on = submitted_on or timezone.localdate()
    if on > timezone.localdate():
        raise ValidationError({"submitted_on": _("提交日期不能晚于今天。")})
    if on < accident.occurred_on:
        raise ValidationError({"submitted_on": _("提交日期不能早于事故发生日期。")})
    steps.FLOW.advance(
        accident,
        steps.SUBMIT_REPORT,
        actor=actor,
        changes={
            "causes": causes.strip(),
            "report_summary": report_summary.strip(),
            "report_submitted_on": on,
        },
    )
    return accident


@steps.ADD_FINDING.implements
@transaction.atomic
def add_finding(
    accident: Accident,
    *,
    actor: Any,
    subject_kind: str,
    name: str,
    role: str,
    finding: str,
    measure: str,
    measure_detail: str = "",
    version: int | str | None = None,
) -> ResponsibilityFinding:
    steps.FLOW.require(actor, steps.ADD_FINDING, accident)
    _pin(accident, version)
    steps.FLOW.check(accident, steps.ADD_FINDING)
    row = ResponsibilityFinding(
        accident=accident,
        subject_kind=subject_kind,
        name=name.strip(),
        role=role,
        finding=finding.strip(),
        measure=measure,
        measure_detail=(measure_detail or "").strip(),
    )
    try:
        row.full_clean(exclude=["accident"])
    except ValidationError as exc:
        raise ValidationError(exc.message_dict) from exc
    row.save()
    steps.FLOW.advance(
        accident,
        steps.ADD_FINDING,
        actor=actor,
        note=f"{row.name}（{row.get_role_display()}）：{row.get_measure_display()}",
        data={"finding": row.pk, "role": role, "measure": measure},
    )
    return row


@steps.ADD_RECTIFICATION.implements
@transaction.atomic
def add_rectification(
    accident: Accident,
    *,
    actor: Any,
    measure: str,
    responsible: str,
    due_on: dt.date,
    version: int | str | None = None,
) -> Rectification:
    steps.FLOW.require(actor, steps.ADD_RECTIFICATION, accident)
    _pin(accident, version)
    steps.FLOW.check(accident, steps.ADD_RECTIFICATION)
    if due_on < accident.occurred_on:
        raise ValidationError({"due_on": _("整改期限不能早于事故发生日期。")})
    row = Rectification.objects.create(
        accident=accident, measure=measure.strip(), responsible=responsible.strip(), due_on=due_on
    )
    steps.FLOW.advance(
        accident, steps.ADD_RECTIFICATION, actor=actor, note=row.measure[:200], data={"rectification": row.pk}
    )
    return row


@steps.FOLLOW_UP.implements
@transaction.atomic
def follow_up(
    accident: Accident,
    *,
    actor: Any,
    rectification: int,
    follow_up: str,
    done: bool = False,
    done_on: dt.date | None = None,
    version: int | str | None = None,
) -> Rectification:
    steps.FLOW.require(actor, steps.FOLLOW_UP, accident)
    _pin(accident, version)
    steps.FLOW.check(accident, steps.FOLLOW_UP)
    row = accident.rectifications.filter(pk=rectification, status=RectificationStatus.OPEN).first()
    if row is None:
        raise ValidationError({"rectification": _("请选择该事故尚未完成的整改措施。")})
    today = timezone.localdate()
    if done and done_on is not None and done_on > today:
        raise ValidationError({"done_on": _("完成日期不能晚于今天。")})
    row.follow_up = "\n".join(x for x in (row.follow_up, follow_up.strip()) if x)
    if done:
        row.status = RectificationStatus.DONE
        row.done_on = done_on or today
    row.save(update_fields=["follow_up", "status", "done_on", "updated_at"])
    steps.FLOW.advance(
        accident,
        steps.FOLLOW_UP,
        actor=actor,
        note=follow_up.strip()[:200],
        data={"rectification": row.pk, "done": bool(done)},
    )
    return row


@steps.CLOSE.implements
@transaction.atomic
def close(
    accident: Accident,
    *,
    actor: Any,
    approval_number: str,
    closed_on: dt.date,
    version: int | str | None = None,
) -> Accident:
    """批复结案: the government's reply to the report; needs at least one responsibility finding."""
    steps.FLOW.require(actor, steps.CLOSE, accident)
    _pin(accident, version)
    steps.FLOW.check(accident, steps.CLOSE)
    errors: dict[str, str] = {}
    if not accident.findings.exists():
        errors["approval_number"] = _("请先认定事故责任（至少一条），再批复结案。")
    if closed_on > timezone.localdate():
        errors["closed_on"] = _("批复日期不能晚于今天。")
    elif accident.report_submitted_on and closed_on < accident.report_submitted_on:
        errors["closed_on"] = _("批复日期不能早于调查报告提交日期。")
    if errors:
        raise ValidationError(errors)
    steps.FLOW.advance(
        accident,
        steps.CLOSE,
        actor=actor,
        note=approval_number.strip(),
        changes={"approval_number": approval_number.strip(), "closed_on": closed_on},
    )
    return accident


def may_register(user: Any) -> bool:
    return can(user, "add", Accident)
