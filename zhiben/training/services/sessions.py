"""Training sessions: 登记 and edit, the sign-in (QR on the attendee's phone, or 补录 by the organiser), exam
results and the certificates of completion (core.documents), on the session flow (steps.SESSION_FLOW)."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _

from zhiben.core import audit
from zhiben.core.crypto import sm3_hex
from zhiben.core.documents import chinese_date, issue_document, register_document_access
from zhiben.core.errors import DomainError, NotPermitted
from zhiben.core.formats import local_time
from zhiben.core.loop.records import pin, snapshot
from zhiben.core.workflow import compare_and_swap
from zhiben.registry.models import Department, Enterprise, Person, Region

from .. import events, steps
from ..choices import AttendeeRole, OrganiserKind, SessionKind, SessionStatus, SignIn
from ..duties import signin_units
from ..models import Attendance, TrainingSession, TrainingTheme
from .common import STALE, township_of

REASON = "service: the session's own rows"
COMPLETION = "training_completion"


def _can_view_attendance(user: Any, object_id: str) -> bool:
    return (
        object_id.isdigit() and Attendance.objects.restrict(user, "view").filter(pk=int(object_id)).exists()
    )


register_document_access("training.attendance", _can_view_attendance)


def _organiser(
    data: dict[str, Any],
) -> dict[str, Any]:
    """The organiser's fields checked against its kind; the session's township follows a unit's place."""
    kind = data.get("organiser_kind")
    errors: dict[str, str] = {}
    out: dict[str, Any] = {"department": None, "township": None, "enterprise": None, "body_name": ""}
    if kind == OrganiserKind.DEPARTMENT:
        if not data.get("department"):
            errors["department"] = _("请选择组织部门。")
        out["department"] = data.get("department")
        out["township"] = data.get("township")
    elif kind == OrganiserKind.TOWNSHIP:
        if not data.get("township"):
            errors["township"] = _("请选择组织培训的乡镇（街道）。")
        out["township"] = data.get("township")
    elif kind == OrganiserKind.ENTERPRISE:
        enterprise: Enterprise | None = data.get("enterprise")
        if enterprise is None:
            errors["enterprise"] = _("请选择组织培训的单位。")
        else:
            out["enterprise"] = enterprise
            out["township"] = township_of(enterprise.region)
    elif kind == OrganiserKind.BODY:
        if not (data.get("body_name") or "").strip():
            errors["body_name"] = _("请填写培训机构名称。")
        out["body_name"] = (data.get("body_name") or "").strip()
        out["department"] = data.get("department")
        out["township"] = data.get("township")
    else:
        errors["organiser_kind"] = _("请选择组织方。")
    if data.get("kind") == SessionKind.FIRST_LESSON and not data.get("project"):
        errors["project"] = _("开工第一课须选择建设工程项目。")
    if data.get("kind") == SessionKind.THEME and not data.get("theme"):
        errors["theme"] = _("年度主题培训须选择年度主题。")
    theme: TrainingTheme | None = data.get("theme")
    held_on: dt.date | None = data.get("held_on")
    if theme is not None and held_on is not None and held_on.year != theme.year:
        errors["theme"] = _("培训日期不在该主题的年度（%(y)s年）内。") % {"y": theme.year}
    if not (data.get("content") or "").strip():
        errors["content"] = _("请填写培训内容。")
    if errors:
        raise ValidationError(errors)
    return out


FIELDS = ("title", "kind", "theme", "organiser_kind", "held_on", "hours", "place", "content", "project")


@transaction.atomic
def create_session(
    *,
    actor: Any,
    title: str,
    kind: str,
    organiser_kind: str,
    held_on: dt.date,
    hours: Decimal,
    content: str,
    theme: TrainingTheme | None = None,
    department: Department | None = None,
    township: Region | None = None,
    enterprise: Enterprise | None = None,
    body_name: str = "",
    project: Any = None,
    place: str = "",
    covers_major_hazard: bool = False,
    exam: bool = False,
) -> TrainingSession:
    """登记培训 (计划中): the organiser, theme, date, hours and content; sign-in opens later."""
    steps.SESSION_FLOW.require(actor, steps.CREATE)
    data = {
        "kind": kind,
        "organiser_kind": organiser_kind,
        "theme": theme,
        "department": department,
        "township": township,
        "enterprise": enterprise,
        "body_name": body_name,
        "held_on": held_on,
        "content": content,
        "project": project,
    }
    organiser = _organiser(data)
    session = TrainingSession.objects.create(
        title=title.strip(),
        kind=kind,
        theme=theme,
        organiser_kind=organiser_kind,
        held_on=held_on,
        hours=hours,
        place=place.strip(),
        content=content.strip(),
        covers_major_hazard=covers_major_hazard,
        exam=exam,
        project=project,
        created_by=actor if getattr(actor, "is_authenticated", False) else None,
        **organiser,
    )
    steps.SESSION_FLOW.record_created(
        session, steps.CREATE, actor=actor, data={"title": session.title, "held_on": held_on.isoformat()}
    )
    return session


@transaction.atomic
def update_session(
    session: TrainingSession, *, actor: Any, version: int | str | None = None, **data: Any
) -> TrainingSession:
    """修改培训 (before it ends): the same checks as 登记."""
    steps.SESSION_FLOW.require(actor, "change", session)
    pin(session, version, _(STALE))
    if session.status == SessionStatus.CLOSED:
        raise DomainError(_("培训已结束，不能再修改。"))
    organiser = _organiser({**data, "organiser_kind": data.get("organiser_kind")})
    values = {k: data[k] for k in (*FIELDS, "covers_major_hazard", "exam") if k in data}
    values.update(organiser)
    for key in ("title", "place", "content"):
        if key in values:
            values[key] = (values[key] or "").strip()
    changed = {k: v for k, v in values.items() if getattr(session, k) != v}
    if changed:
        compare_and_swap(session, expected={"status": session.status}, changes=changed)
        audit.record(session, events.SESSION_UPDATED, actor=actor, data=snapshot(changed))
    return session


def _begin(session: TrainingSession, step: Any, actor: Any, version: int | str | None) -> None:
    steps.SESSION_FLOW.require(actor, step, session)
    pin(session, version, _(STALE))
    steps.SESSION_FLOW.check(session, step)


@steps.OPEN.implements
@transaction.atomic
def open_session(
    session: TrainingSession, *, actor: Any, note: str = "", version: int | str | None = None
) -> TrainingSession:
    """开始签到: the QR sign-in opens."""
    _begin(session, steps.OPEN, actor, version)
    steps.SESSION_FLOW.advance(session, steps.OPEN, actor=actor, note=(note or "").strip())
    return session


@steps.CLOSE.implements
@transaction.atomic
def close_session(
    session: TrainingSession, *, actor: Any, note: str = "", version: int | str | None = None
) -> TrainingSession:
    """结束培训: the sign-in closes; exam results and certificates follow."""
    _begin(session, steps.CLOSE, actor, version)
    n = Attendance.objects.unrestricted(REASON).filter(session=session).count()
    steps.SESSION_FLOW.advance(
        session, steps.CLOSE, actor=actor, note=(note or "").strip(), data={"attendance": n}
    )
    return session


# --- sign-in ----------------------------------------------------------------------------------------------------


def person_key(
    *, phone: str = "", enterprise: Enterprise | None = None, name: str = "", inspector: Any = None
) -> str:
    """Who signed in, for the one-per-session rule: the phone number's digest (never the number itself), an
    inspector's roster id, or the unit and name when there is no phone (补录)."""
    if inspector is not None:
        return sm3_hex(f"inspector:{inspector.pk}")
    if phone:
        return sm3_hex("phone:" + phone.strip())
    return sm3_hex(f"unit:{enterprise.pk if enterprise else 0}:{name.strip()}")


def _already(session: TrainingSession, key: str) -> str:
    row = Attendance.objects.unrestricted(REASON).filter(session=session, person_key=key).first()
    at = local_time(row.signed_at) if row else ""
    return _("您已于%(at)s签到本次培训，无需重复签到。") % {"at": at}


@transaction.atomic
def sign_in(
    session: TrainingSession,
    *,
    actor: Any = None,
    name: str,
    role: str,
    phone: str = "",
    enterprise: Enterprise | None = None,
    inspector: Any = None,
    via: str = SignIn.QR,
) -> Attendance:
    """签到: one row per person and session (the constraint `training_attendance_once`); a repeat is refused
    with the time of the first. By QR only while the session is 签到中; the organiser's 补录 until it ends."""
    if via == SignIn.MANUAL:
        steps.SESSION_FLOW.require(actor, "change", session)
        if session.status == SessionStatus.CLOSED:
            raise DomainError(_("培训已结束，不能再补录签到。"))
    elif session.status != SessionStatus.OPEN:
        raise DomainError(
            _("本次培训尚未开始签到。")
            if session.status == SessionStatus.PLANNED
            else _("本次培训签到已结束。")
        )
    name = (name or "").strip()
    errors: dict[str, str] = {}
    if not name and inspector is None:
        errors["name"] = _("请填写姓名。")
    if role not in AttendeeRole.values:
        errors["role"] = _("请选择身份。")
    if role == AttendeeRole.INSPECTOR and inspector is None:
        errors["role"] = _("执法人员签到须从执法检查人员名录中选择。")
    if role != AttendeeRole.INSPECTOR and enterprise is None and session.kind != SessionKind.INSPECTORS:
        errors["enterprise"] = _("请选择所在单位。")
    if enterprise is not None and not signin_units(session).filter(pk=enterprise.pk).exists():
        errors["enterprise"] = _("该单位不在本次培训的对象范围内。")
    if errors:
        raise ValidationError(errors)
    if inspector is not None:
        name = inspector.name
    key = person_key(phone=phone, enterprise=enterprise, name=name, inspector=inspector)
    if Attendance.objects.unrestricted(REASON).filter(session=session, person_key=key).exists():
        raise DomainError(_already(session, key), field="phone" if phone else "name")
    person = None
    if enterprise is not None:
        person = (
            Person.objects.unrestricted("service: match the unit's person by name")
            .filter(enterprise=enterprise, name=name)
            .first()
        )
    try:
        with transaction.atomic():
            row = Attendance.objects.create(
                session=session,
                enterprise=enterprise,
                person=person,
                inspector=inspector,
                name=name,
                role=role,
                phone=phone.strip(),
                person_key=key,
                signed_at=timezone.now(),
                via=via,
            )
    except IntegrityError:  # two taps at once: the constraint decides, the second hears why
        raise DomainError(_already(session, key), field="phone" if phone else "name") from None
    audit.record(
        session,
        events.SIGNED_IN,
        actor=actor,
        data={
            "attendance": row.pk,
            "name": name,
            "role": role,
            "enterprise": enterprise.pk if enterprise else None,
            "via": via,
        },
    )
    return row


@transaction.atomic
def record_exam(
    session: TrainingSession, *, actor: Any, attendance: int, score: int, passed: bool = False
) -> Attendance:
    """登记考核成绩 of one attendee (the organiser, once the session has started)."""
    steps.SESSION_FLOW.require(actor, "change", session)
    if session.status == SessionStatus.PLANNED:
        raise DomainError(_("培训尚未开始，不能登记考核成绩。"))
    row = Attendance.objects.unrestricted(REASON).filter(session=session, pk=attendance).first()
    if row is None:
        raise ValidationError({"attendance": _("该签到记录不属于本次培训。")})
    if not 0 <= int(score) <= 100:
        raise ValidationError({"score": _("考核成绩应在 0 到 100 之间。")})
    row.score = int(score)
    row.passed = bool(passed)
    row.save(update_fields=["score", "passed", "updated_at"])
    audit.record(
        session,
        events.EXAM_RECORDED,
        actor=actor,
        data={"attendance": row.pk, "score": row.score, "passed": row.passed},
    )
    return row


@steps.CERTIFY.implements
@transaction.atomic
def issue_certificates(
    session: TrainingSession, *, actor: Any, note: str = "", version: int | str | None = None
) -> list[Attendance]:
    """发放结业证书: one document (core.documents) for each attendee who passed the exam — or each attendee of
    a session without one — and holds none yet."""
    _begin(session, steps.CERTIFY, actor, version)
    rows = Attendance.objects.unrestricted(REASON).filter(session=session, certificate__isnull=True)
    if session.exam:
        rows = rows.filter(passed=True)
    chosen = list(rows.select_related("enterprise").order_by("pk"))
    if not chosen:
        raise DomainError(
            _("没有可发放结业证书的参训人员（须考核合格且尚未发证）。")
            if session.exam
            else _("没有尚未发证的参训人员。")
        )
    for row in chosen:
        document = issue_document(
            COMPLETION,
            context={
                "name": row.name,
                "unit": row.enterprise.name
                if row.enterprise_id
                else (row.inspector.department.name if row.inspector_id else ""),
                "role": row.get_role_display(),
                "title": session.title,
                "held_on": chinese_date(session.held_on),
                "hours": f"{session.hours.normalize():f}",
                "organiser": session.organiser_name,
                "score": row.score if row.score is not None else "",
            },
            actor=actor,
            obj=row,
            required={"name": _("姓名"), "title": _("培训名称")},
            defer_files=True,
        )
        row.certificate = document
        row.save(update_fields=["certificate", "updated_at"])
    steps.SESSION_FLOW.advance(
        session, steps.CERTIFY, actor=actor, note=(note or "").strip(), data={"certificates": len(chosen)}
    )
    return chosen


def attended_q(year: int | None = None) -> Q:
    """Attendance that counts: at a session that has started (签到中 or 已结束)."""
    q = ~Q(session__status=SessionStatus.PLANNED)
    if year is not None:
        q &= Q(session__held_on__year=year)
    return q


def may_sign_in_as(user: Any) -> bool:
    return bool(user and user.is_authenticated)


def require_view(actor: Any, session: TrainingSession) -> None:
    if not TrainingSession.objects.restrict(actor, "view").filter(pk=session.pk).exists():
        raise NotPermitted(_("该培训不在您的职责范围内。"))
