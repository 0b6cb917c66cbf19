"""The write path of 督办交办 and 暗访: issuing an item to its units, each unit's steps (签收, 办理, 反馈, 办结,
退回), the 督促函 by hand, the 暗访 record and its findings (→ a hazard through the hazards app's own service,
or → a new item pre-filled with the finding).

Each function is one transaction: permission and scope (403 / 404 by the flow's guard), the version pin (409),
the rows, one history and audit row through the flow, and the notices (outbox, after commit)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Sequence
from typing import Any

from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import UploadedFile
from django.db import models, transaction
from django.urls import Resolver404, resolve
from django.utils import timezone
from django.utils.translation import gettext as _

from zhiben.accounts.lookups import users_of_department, users_of_office, users_of_township
from zhiben.accounts.roles import Role
from zhiben.core import audit, uploads
from zhiben.core.errors import NotPermitted
from zhiben.core.loop import pin
from zhiben.core.models.documents import OfficialDocument
from zhiben.core.outbox import notify_users
from zhiben.core.scoping import can, grants_for
from zhiben.core.sequences import next_value
from zhiben.core.workflow import compare_and_swap
from zhiben.hazards.choices import Source
from zhiben.hazards.services import register_hazard
from zhiben.registry.models import Department, Enterprise, Region

from . import documents, events, steps
from .choices import AssigneeStatus, IssuerKind, ItemStatus, Level, NoteKind
from .models import (
    Assignee,
    AssigneeNote,
    FindingPhoto,
    ItemLink,
    NoteAttachment,
    SupervisionItem,
    UndercoverVisit,
    VisitFinding,
)

ATTACHMENT_TYPES = frozenset(
    {"image/jpeg", "image/png", "application/pdf", "application/vnd.openxmlformats-officedocument"}
)
PHOTO_TYPES = frozenset({"image/jpeg", "image/png"})
# What an item may concern, by model label (the page address of each is resolved to its record).
LINKABLE = ("hazards.hazard", "campaign.task", "tips.tip", "registry.enterprise")
MAX_LINKS = 20


def _pin(assignee: Assignee, version: int | str | None) -> None:
    pin(assignee, version, _("该督办事项已被他人处理（当前版本 %(v)s），请刷新后重试。"))


def unit_users(assignee: Assignee) -> list[Any]:
    """Who works for the assignee's unit: the department's staff, or the township's officials."""
    if assignee.department_id:
        return users_of_department(assignee.department_id)
    if assignee.township_id:
        return users_of_township(assignee.township.code)  # type: ignore[union-attr]
    return []


def issuer_users(item: SupervisionItem) -> list[Any]:
    """The issuer side: the office, and the leader who issued the item."""
    users = users_of_office()
    if item.issued_by_id and item.issuer_kind == IssuerKind.LEADER:
        users.append(item.issued_by)
    return users


# --- issuing -----------------------------------------------------------------------------------------------


def resolve_link(path: str, actor: Any) -> models.Model:
    """The record behind a page address of this platform (a hazard, task, tip or unit) the actor may see."""
    path = (path or "").strip().split("?", 1)[0].split("#", 1)[0]
    try:
        match = resolve(path)
    except Resolver404 as exc:
        raise ValidationError(_("“%(p)s”不是本平台的记录页面。") % {"p": path[:60]}) from exc
    view_class = getattr(match.func, "view_class", None)
    model = getattr(view_class, "model", None)
    pk = match.kwargs.get("pk")
    if model is None or pk is None or model._meta.label_lower not in LINKABLE:
        raise ValidationError(_("“%(p)s”不是隐患、攻坚任务、举报或生产经营单位的页面。") % {"p": path[:60]})
    qs = model._default_manager.all()
    qs = qs.restrict(actor, "view") if actor is not None else qs.unrestricted("system: demo history")
    obj = qs.filter(pk=pk).first()
    if obj is None:
        raise ValidationError(_("“%(p)s”对应的记录不存在或不在您的职责范围内。") % {"p": path[:60]})
    return obj  # type: ignore[no-any-return]


def parse_links(text: str, actor: Any) -> list[models.Model]:
    lines = [line.strip() for line in (text or "").splitlines() if line.strip()]
    if len(lines) > MAX_LINKS:
        raise ValidationError(_("涉及对象最多 %(n)s 条。") % {"n": MAX_LINKS})
    return [resolve_link(line, actor) for line in lines]


def _issuer_kind(actor: Any) -> str:
    roles = {g.role for g in grants_for(actor)}
    return (
        IssuerKind.LEADER if Role.LEADER in roles and Role.DISTRICT_OFFICE not in roles else IssuerKind.OFFICE
    )


@transaction.atomic
def issue_item(
    *,
    actor: Any,
    subject: str,
    requirement: str,
    deadline: dt.date | None,
    departments: Iterable[Department] = (),
    townships: Iterable[Region] = (),
    basis: str = "",
    level: str = Level.GENERAL,
    links: str = "",
    objects: Sequence[models.Model] = (),
    finding: VisitFinding | None = None,
    issued_on: dt.date | None = None,
) -> SupervisionItem:
    """交办: one item, one assignee row per unit (each then moves on its own), the objects it concerns."""
    if actor is not None and not can(actor, "issue", SupervisionItem):
        raise NotPermitted(_("您无权交办督办事项。"))
    today = timezone.localdate()
    issued_on = issued_on or today
    departments, townships = list(departments), list(townships)
    errors: dict[str, str] = {}
    if not (subject or "").strip():
        errors["subject"] = _("请填写督办事项。")
    if not (requirement or "").strip():
        errors["requirement"] = _("请填写督办要求。")
    if deadline is None:
        errors["deadline"] = _("请填写办理时限。")
    elif deadline < issued_on:
        errors["deadline"] = _("办理时限不能早于交办日期。")
    if issued_on > today:
        errors["issued_on"] = _("交办日期不能晚于今天。")
    if level not in Level.values:
        errors["level"] = _("请选择督办级别。")
    if not departments and not townships:
        errors["departments"] = _("请至少选择一个承办部门或乡镇（街道）。")
    bad_town = [t for t in townships if t.level != 4]
    if bad_town:
        errors["townships"] = _("“%(n)s”不是乡镇（街道）。") % {"n": bad_town[0].name}
    linked = list(objects)
    try:
        linked += parse_links(links, actor)
    except ValidationError as exc:
        errors["links"] = exc.messages[0]
    if finding is not None and finding.outcome is not None:
        errors["finding"] = _("该暗访问题已登记为隐患或督办事项。")
    if errors:
        raise ValidationError(errors)
    assert deadline is not None
    seq = next_value(f"supervision-item/{issued_on.year}")
    item = SupervisionItem.objects.create(
        number=f"DB{issued_on.year}-{seq:04d}",
        subject=subject.strip(),
        requirement=requirement.strip(),
        basis=(basis or "").strip(),
        deadline=deadline,
        level=level,
        issuer_kind=_issuer_kind(actor) if actor is not None else IssuerKind.OFFICE,
        issued_by=actor,
        issued_on=issued_on,
        finding=finding,
    )
    seen: set[tuple[int, int]] = set()
    for obj in linked:
        ct = ContentType.objects.get_for_model(obj)
        if (ct.pk, obj.pk) in seen:
            continue
        seen.add((ct.pk, obj.pk))
        ItemLink.objects.create(item=item, content_type=ct, object_id=obj.pk)
    audit.record(
        item,
        events.ITEM_ISSUED,
        actor=actor,
        data={
            "number": item.number,
            "subject": item.subject,
            "deadline": deadline.isoformat(),
            "level": level,
            "departments": [d.code for d in departments],
            "townships": [t.code for t in townships],
            "links": [f"{obj._meta.label_lower}:{obj.pk}" for obj in linked],
            "finding": finding.pk if finding else None,
        },
    )
    units: list[dict[str, Any]] = [{"department": d} for d in dict.fromkeys(departments)]
    units += [{"township": t} for t in dict.fromkeys(townships)]
    for unit in units:
        assignee = Assignee.objects.create(item=item, deadline=deadline, **unit)
        steps.FLOW.record_created(
            assignee, steps.ISSUE, actor=actor, data={"item": item.number, "unit": assignee.unit_name}
        )
        notify_users(
            unit_users(assignee),
            subject=_("督办事项待签收：%(s)s") % {"s": item.subject[:60]},
            body=_("区安委会办公室交办督办事项“%(s)s”（%(n)s），办理时限%(d)s，请及时签收办理。")
            % {"s": item.subject, "n": item.number, "d": f"{deadline:%Y-%m-%d}"},
            url=item.get_absolute_url(),
            topic="supervision_issued",
            obj=assignee,
        )
    return item


# --- the assignee steps ------------------------------------------------------------------------------------


def _store(record: Any, upload: UploadedFile, *, actor: Any, prefix: str, accept: frozenset[str]) -> Any:
    refused = (
        _("文件“%(n)s”的类型不受支持：只接受 JPEG、PNG 照片。")
        if accept is PHOTO_TYPES
        else _("文件“%(n)s”的类型不受支持：只接受 JPEG、PNG 照片和 PDF、Word/Excel 文件。")
    )
    checked = uploads.check_upload(upload, field="files", accept=accept, refused=refused)
    record.name = (upload.name or "file")[:200]
    record.content_type = checked.content_type
    record.size = checked.size
    record.sha256 = checked.sha256
    record.uploaded_by = actor
    record.file.save(checked.file_name(prefix), upload, save=False)
    record.save()
    return record


def _note(
    assignee: Assignee,
    kind: str,
    text: str,
    *,
    actor: Any,
    files: Iterable[UploadedFile] = (),
    on: Any = None,
) -> AssigneeNote:
    note = AssigneeNote.objects.create(
        assignee=assignee, kind=kind, text=text, author=actor, on=on or timezone.localdate()
    )
    for upload in files or ():
        _store(
            NoteAttachment(note=note), upload, actor=actor, prefix=f"db{assignee.pk}", accept=ATTACHMENT_TYPES
        )
    return note


def _begin(assignee: Assignee, step: Any, actor: Any, version: int | str | None) -> None:
    steps.FLOW.require(actor, step, assignee)
    _pin(assignee, version)
    steps.FLOW.check(assignee, step)


@steps.ACCEPT.implements
@transaction.atomic
def accept(assignee: Assignee, *, actor: Any, note: str = "", version: int | str | None = None) -> Assignee:
    """签收: the unit takes the item on."""
    _begin(assignee, steps.ACCEPT, actor, version)
    steps.FLOW.advance(
        assignee,
        steps.ACCEPT,
        actor=actor,
        note=(note or "").strip(),
        changes={"accepted_at": timezone.now(), "accepted_by": actor},
    )
    return assignee


@steps.PROGRESS.implements
@transaction.atomic
def record_progress(
    assignee: Assignee,
    *,
    actor: Any,
    text: str,
    files: Iterable[UploadedFile] = (),
    version: int | str | None = None,
) -> AssigneeNote:
    """办理: a progress note with its attachments (the status stays 办理中)."""
    _begin(assignee, steps.PROGRESS, actor, version)
    if not (text or "").strip():
        raise ValidationError({"text": _("请填写办理进展。")})
    note = _note(assignee, NoteKind.PROGRESS, text.strip(), actor=actor, files=files)
    steps.FLOW.advance(assignee, steps.PROGRESS, actor=actor, note=text.strip()[:200], data={"note": note.pk})
    return note


@steps.REPORT.implements
@transaction.atomic
def report(
    assignee: Assignee,
    *,
    actor: Any,
    result: str,
    files: Iterable[UploadedFile] = (),
    version: int | str | None = None,
) -> AssigneeNote:
    """反馈: the result with its evidence; the issuer side reviews it."""
    _begin(assignee, steps.REPORT, actor, version)
    if not (result or "").strip():
        raise ValidationError({"result": _("请填写办理结果。")})
    note = _note(assignee, NoteKind.REPORT, result.strip(), actor=actor, files=files)
    steps.FLOW.advance(
        assignee,
        steps.REPORT,
        actor=actor,
        note=result.strip()[:200],
        changes={"result": result.strip(), "reported_on": timezone.localdate()},
        data={"note": note.pk},
    )
    item = assignee.item
    notify_users(
        issuer_users(item),
        subject=_("督办事项待审核：%(s)s") % {"s": item.subject[:60]},
        body=_("%(u)s反馈了督办事项“%(s)s”的办理结果，请审核。")
        % {"u": assignee.unit_name, "s": item.subject},
        url=item.get_absolute_url(),
        topic="supervision_reported",
        obj=assignee,
    )
    return note


@steps.FINISH.implements
@transaction.atomic
def finish(assignee: Assignee, *, actor: Any, note: str = "", version: int | str | None = None) -> Assignee:
    """办结: the unit's part is done; the item is done when every unit's part is."""
    _begin(assignee, steps.FINISH, actor, version)
    today = timezone.localdate()
    _note(assignee, NoteKind.FINISH, (note or "").strip() or _("审核通过，予以办结。"), actor=actor)
    steps.FLOW.advance(
        assignee, steps.FINISH, actor=actor, note=(note or "").strip(), changes={"done_on": today}
    )
    item = SupervisionItem.objects.unrestricted("the item of a row the actor may review").get(
        pk=assignee.item_id
    )
    left = (
        Assignee.objects.unrestricted("the item's other rows")
        .filter(item=item)
        .exclude(status=AssigneeStatus.DONE)
    )
    if item.status == ItemStatus.OPEN and not left.exists():
        compare_and_swap(
            item, expected={"status": ItemStatus.OPEN}, changes={"status": ItemStatus.DONE, "done_on": today}
        )
        audit.record(
            item, events.ITEM_DONE, actor=actor, data={"number": item.number, "done_on": today.isoformat()}
        )
    notify_users(
        unit_users(assignee),
        subject=_("督办事项已办结：%(s)s") % {"s": item.subject[:60]},
        body=_("督办事项“%(s)s”你单位承办部分已审核办结。%(n)s") % {"s": item.subject, "n": note or ""},
        url=item.get_absolute_url(),
        topic="supervision_reviewed",
        obj=assignee,
    )
    return assignee


@steps.RETURN.implements
@transaction.atomic
def return_result(
    assignee: Assignee, *, actor: Any, reason: str, version: int | str | None = None
) -> Assignee:
    """退回: the result goes back to the unit with the reason (办理中 again)."""
    _begin(assignee, steps.RETURN, actor, version)
    if not (reason or "").strip():
        raise ValidationError({"reason": _("请填写退回理由。")})
    _note(assignee, NoteKind.RETURN, reason.strip(), actor=actor)
    steps.FLOW.advance(
        assignee, steps.RETURN, actor=actor, note=reason.strip(), changes={"returns": assignee.returns + 1}
    )
    item = assignee.item
    notify_users(
        unit_users(assignee),
        subject=_("督办事项办理结果被退回：%(s)s") % {"s": item.subject[:60]},
        body=_("督办事项“%(s)s”的办理结果被退回，理由：%(r)s。请继续办理后重新反馈。")
        % {"s": item.subject, "r": reason.strip()},
        url=item.get_absolute_url(),
        topic="supervision_reviewed",
        obj=assignee,
    )
    return assignee


@transaction.atomic
def send_letter(assignee: Assignee, *, actor: Any, note: str = "") -> OfficialDocument:
    """督促函 by hand: the issuer side urges one unit whose part is still open."""
    steps.FLOW.require(actor, "review", assignee)
    if assignee.status == AssigneeStatus.DONE:
        raise ValidationError({"note": _("该单位承办部分已办结，无需督促。")})
    document = documents.issue_letter(assignee, actor=actor, note=note)
    notify_users(
        unit_users(assignee),
        subject=_("督促函：%(s)s") % {"s": assignee.item.subject[:60]},
        body=_("区安委会办公室就督办事项“%(s)s”向你单位发出督促函（%(n)s），请抓紧办理。")
        % {"s": assignee.item.subject, "n": document.number},
        url=assignee.item.get_absolute_url(),
        topic="supervision_letter",
        obj=assignee,
    )
    return document


# --- 暗访 ----------------------------------------------------------------------------------------------------


def _require_visit(actor: Any, action: str) -> None:
    if actor is not None and not can(actor, action, UndercoverVisit):
        raise NotPermitted(_("只有区安委办可以登记暗访。"))


@transaction.atomic
def record_visit(
    *,
    actor: Any,
    visited_on: dt.date | None,
    place: str,
    team: str,
    township: Region | None = None,
    summary: str = "",
    enterprises: Iterable[Enterprise] = (),
) -> UndercoverVisit:
    """暗访: the office records an unannounced visit."""
    _require_visit(actor, "add")
    errors: dict[str, str] = {}
    if visited_on is None:
        errors["visited_on"] = _("请填写暗访日期。")
    elif visited_on > timezone.localdate():
        errors["visited_on"] = _("暗访日期不能晚于今天。")
    if not (place or "").strip():
        errors["place"] = _("请填写暗访地点。")
    if not (team or "").strip():
        errors["team"] = _("请填写暗访人员。")
    if township is not None and township.level != 4:
        errors["township"] = _("请选择乡镇（街道）。")
    if errors or visited_on is None:
        raise ValidationError(errors)
    visit = UndercoverVisit.objects.create(
        visited_on=visited_on,
        place=place.strip(),
        township=township,
        team=team.strip(),
        summary=(summary or "").strip(),
        recorded_by=actor,
    )
    units = list(enterprises)
    if units:
        visit.enterprises.set(units)
    audit.record(
        visit,
        events.VISIT_RECORDED,
        actor=actor,
        data={
            "visited_on": f"{visited_on:%Y-%m-%d}",
            "place": visit.place,
            "enterprises": [e.pk for e in units],
        },
    )
    return visit


@transaction.atomic
def add_finding(
    visit: UndercoverVisit,
    *,
    actor: Any,
    text: str,
    enterprise: Enterprise | None = None,
    files: Iterable[UploadedFile] = (),
) -> VisitFinding:
    """One problem found on the visit, with photos (JPEG/PNG, checked by content)."""
    _require_visit(actor, "change")
    if not (text or "").strip():
        raise ValidationError({"text": _("请填写发现的问题。")})
    finding = VisitFinding.objects.create(visit=visit, enterprise=enterprise, text=text.strip())
    for upload in files or ():
        _store(FindingPhoto(finding=finding), upload, actor=actor, prefix=f"av{visit.pk}", accept=PHOTO_TYPES)
    if enterprise is not None:
        visit.enterprises.add(enterprise)
    audit.record(
        finding,
        events.FINDING_ADDED,
        actor=actor,
        data={
            "visit": visit.pk,
            "enterprise": enterprise.pk if enterprise else None,
            "text": finding.text[:200],
        },
    )
    return finding


@transaction.atomic
def finding_to_hazard(finding: VisitFinding, *, actor: Any, level: str, title: str) -> Any:
    """The finding becomes a hazard of its unit, registered through the hazards app (source 暗访). The
    supervising department follows from the unit's industry (三管三必须, as the hazards app decides) and
    judges it like any report. The office holds no 登记 permission on hazards: the hazard is registered as
    the platform (actor None, finder = the office's person) and this act is audited with the actor."""

    _require_visit(actor, "change")
    finding = (
        VisitFinding.objects.select_for_update()
        .unrestricted("the finding being converted")
        .get(pk=finding.pk)
    )
    errors: dict[str, str] = {}
    if finding.outcome is not None:
        errors["title"] = _("该暗访问题已登记为隐患或督办事项。")
    if finding.enterprise_id is None:
        errors["title"] = _("该问题未关联生产经营单位，不能登记为隐患；可转为督办事项。")
    if errors:
        raise ValidationError(errors)
    hazard = register_hazard(
        actor=None,
        enterprise=finding.enterprise,  # type: ignore[arg-type]
        level=level,
        title=(title or "").strip(),
        discovered_on=finding.visit.visited_on,
        source=Source.UNDERCOVER,
        description=finding.text,
        location=finding.visit.place,
        finder=actor.name_and_unit if actor is not None else _("区安委会办公室暗访组"),
    )
    finding.hazard = hazard
    finding.save(update_fields=["hazard", "updated_at"])
    audit.record(
        finding, events.FINDING_TO_HAZARD, actor=actor, data={"hazard": hazard.pk, "code": hazard.code}
    )
    return hazard
