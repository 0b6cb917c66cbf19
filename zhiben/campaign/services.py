"""The write path of the campaign: the task steps (report, accept, return), sub-plans and register entries.

Each function is one transaction: permission and scope (403 / the step's object rule), the version pin (409),
the rows, one history and audit row through the flow, and the notices (outbox, after commit)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from decimal import Decimal
from typing import Any

from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import UploadedFile
from django.db import transaction
from django.urls import NoReverseMatch, reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from zhiben.accounts.lookups import users_of_department, users_of_office, users_of_township
from zhiben.accounts.roles import Role
from zhiben.core import audit, uploads
from zhiben.core.errors import NotPermitted
from zhiben.core.loop import pin
from zhiben.core.outbox import notify_users
from zhiben.core.scoping import can, grants_for
from zhiben.registry.models import Department, Region

from . import events, steps
from .choices import EntryStatus, RegisterKind, ReportKind, ReportOutcome
from .forms import parse_links
from .models import Measure, RegisterEntry, SubPlan, Task, TaskAttachment, TaskReport

ATTACHMENT_TYPES = frozenset(
    {"image/jpeg", "image/png", "application/pdf", "application/vnd.openxmlformats-officedocument"}
)
DOCUMENT_TYPES = frozenset({"application/pdf", "application/vnd.openxmlformats-officedocument"})


def _pin(task: Task, version: int | str | None) -> None:
    pin(task, version, _("该任务已被他人处理（当前版本 %(v)s），请刷新后重试。"))


def _url(name: str, *args: Any) -> str:
    try:
        return reverse(name, args=args)
    except NoReverseMatch:
        return ""


def lead_users(task: Task) -> list[Any]:
    """Who works for the task's lead unit: the department's staff, or the township's officials."""
    if task.lead_department_id:
        return users_of_department(task.lead_department_id)
    if task.township_id:
        return users_of_township(task.township.code)  # type: ignore[union-attr]
    return []


# --- the task steps --------------------------------------------------------------------------------------------


def _report(
    task: Task,
    step: Any,
    *,
    actor: Any,
    content: str,
    percent: int,
    reported_on: dt.date | None,
    links: str,
    files: Iterable[UploadedFile],
    version: int | str | None,
) -> TaskReport:
    steps.FLOW.require(actor, step, task)
    _pin(task, version)
    steps.FLOW.check(task, step)
    final = step is steps.REPORT_FINAL
    errors: dict[str, str] = {}
    if not (content or "").strip():
        errors["content"] = _("请填写进展情况。")
    if not 0 <= int(percent) <= 100:
        errors["percent"] = _("完成比例应在 0 到 100 之间。")
    elif final and int(percent) != 100:
        errors["percent"] = _("报告完成时完成比例应为 100%。")
    today = timezone.localdate()
    reported_on = reported_on or today
    if reported_on > today:
        errors["reported_on"] = _("报告日期不能晚于今天。")
    try:
        parsed = parse_links(links)
    except ValidationError as exc:
        errors["links"] = exc.messages[0]
    if errors:
        raise ValidationError(errors)
    report = TaskReport.objects.create(
        task=task,
        kind=ReportKind.FINAL if final else ReportKind.PROGRESS,
        content=content.strip(),
        percent=int(percent),
        links=parsed,
        reported_by=actor,
        reported_on=reported_on,
    )
    for upload in files or ():
        _store(TaskAttachment(report=report), upload, actor=actor, prefix=f"task{task.pk}")
    steps.FLOW.advance(
        task,
        step,
        actor=actor,
        note=content.strip()[:200],
        data={"report": report.pk, "percent": int(percent), "links": parsed},
    )
    notify_users(
        users_of_office(),
        subject=_("治本攻坚任务待审核：%(t)s") % {"t": task.title[:60]},
        body=_("%(unit)s报告了任务“%(t)s”的%(kind)s（完成 %(p)s%%），请审核。")
        % {"unit": task.lead_name, "t": task.title, "kind": report.get_kind_display(), "p": percent},
        url=task.get_absolute_url(),
        topic="campaign_report",
        obj=task,
    )
    return report


@steps.REPORT.implements
@transaction.atomic
def report_progress(
    task: Task,
    *,
    actor: Any,
    content: str,
    percent: int,
    reported_on: dt.date | None = None,
    links: str = "",
    files: Iterable[UploadedFile] = (),
    version: int | str | None = None,
) -> TaskReport:
    """报告进展: the lead unit's progress report with evidence; the office reviews it."""
    return _report(
        task,
        steps.REPORT,
        actor=actor,
        content=content,
        percent=percent,
        reported_on=reported_on,
        links=links,
        files=files,
        version=version,
    )


@steps.REPORT_FINAL.implements
@transaction.atomic
def report_completion(
    task: Task,
    *,
    actor: Any,
    content: str,
    percent: int = 100,
    reported_on: dt.date | None = None,
    links: str = "",
    files: Iterable[UploadedFile] = (),
    version: int | str | None = None,
) -> TaskReport:
    """报告完成: the final report; the task is done once the office accepts it."""
    return _report(
        task,
        steps.REPORT_FINAL,
        actor=actor,
        content=content,
        percent=percent,
        reported_on=reported_on,
        links=links,
        files=files,
        version=version,
    )


def _pending(task: Task) -> TaskReport:
    report = task.reports.filter(outcome=ReportOutcome.PENDING).order_by("-pk").first()
    if report is None:  # a status waiting for review always has its report; guard anyway
        raise ValidationError(_("该任务没有待审核的报告。"))
    return report


@steps.ACCEPT.implements
@transaction.atomic
def accept_report(task: Task, *, actor: Any, note: str = "", version: int | str | None = None) -> TaskReport:
    """通过: the pending report is accepted; a completion report completes the task."""
    steps.FLOW.require(actor, steps.ACCEPT, task)
    _pin(task, version)
    steps.FLOW.check(task, steps.ACCEPT)
    report = _pending(task)
    now = timezone.now()
    report.outcome = ReportOutcome.ACCEPTED
    report.reviewed_by = actor
    report.reviewed_at = now
    report.review_note = note
    report.save(update_fields=["outcome", "reviewed_by", "reviewed_at", "review_note", "updated_at"])
    changes: dict[str, Any] = {"percent": report.percent}
    if report.kind == ReportKind.FINAL:
        changes["completed_on"] = report.reported_on
    steps.FLOW.advance(
        task, steps.ACCEPT, actor=actor, note=note, changes=changes, data={"report": report.pk}
    )
    notify_users(
        lead_users(task),
        subject=_("治本攻坚任务报告已通过：%(t)s") % {"t": task.title[:60]},
        body=_("任务“%(t)s”的%(kind)s已审核通过。%(note)s")
        % {"t": task.title, "kind": report.get_kind_display(), "note": note},
        url=task.get_absolute_url(),
        topic="campaign_review",
        obj=task,
    )
    return report


@steps.RETURN.implements
@transaction.atomic
def return_report(task: Task, *, actor: Any, reason: str, version: int | str | None = None) -> TaskReport:
    """退回: the pending report goes back to the lead unit with the reason."""
    steps.FLOW.require(actor, steps.RETURN, task)
    _pin(task, version)
    steps.FLOW.check(task, steps.RETURN)
    if not (reason or "").strip():
        raise ValidationError({"reason": _("请填写退回理由。")})
    report = _pending(task)
    report.outcome = ReportOutcome.RETURNED
    report.reviewed_by = actor
    report.reviewed_at = timezone.now()
    report.review_note = reason.strip()
    report.save(update_fields=["outcome", "reviewed_by", "reviewed_at", "review_note", "updated_at"])
    steps.FLOW.advance(task, steps.RETURN, actor=actor, note=reason.strip(), data={"report": report.pk})
    notify_users(
        lead_users(task),
        subject=_("治本攻坚任务报告被退回：%(t)s") % {"t": task.title[:60]},
        body=_("任务“%(t)s”的%(kind)s被退回，理由：%(r)s。请补充后重新报告。")
        % {"t": task.title, "kind": report.get_kind_display(), "r": reason.strip()},
        url=task.get_absolute_url(),
        topic="campaign_review",
        obj=task,
    )
    return report


# --- files -------------------------------------------------------------------------------------------------------


def _store(
    record: Any,
    upload: UploadedFile,
    *,
    actor: Any,
    prefix: str,
    field: str = "files",
    accept: frozenset[str] = ATTACHMENT_TYPES,
) -> Any:
    refused = (
        _("文件“%(n)s”的类型不受支持：只接受 JPEG、PNG 照片和 PDF、Word/Excel 文件。")
        if accept is ATTACHMENT_TYPES
        else _("文件“%(n)s”的类型不受支持：只接受 PDF、Word 文件。")
    )
    checked = uploads.check_upload(upload, field=field, accept=accept, refused=refused)
    record.name = (upload.name or "file")[:200]
    record.content_type = checked.content_type
    record.size = checked.size
    record.sha256 = checked.sha256
    record.uploaded_by = actor
    record.file.save(checked.file_name(prefix), upload, save=False)
    record.save()
    return record


def _own_department(actor: Any) -> int | None:
    for grant in grants_for(actor):
        if grant.role == Role.DEPARTMENT:
            return grant.extra.get("department_id")  # type: ignore[no-any-return]
    return None


def _district_wide(actor: Any) -> bool:
    return any(g.role == Role.DISTRICT_OFFICE for g in grants_for(actor))


@transaction.atomic
def add_subplan(
    measure: Measure,
    *,
    actor: Any,
    department: Department,
    title: str,
    issued_on: dt.date,
    upload: UploadedFile,
    document_number: str = "",
) -> SubPlan:
    """子方案: a member unit's plan for a measure, uploaded by the unit itself or by the office."""
    if actor is not None:
        if not can(actor, "add", SubPlan):
            raise NotPermitted(_("您无权上传子方案。"))
        if not _district_wide(actor) and _own_department(actor) != department.pk:
            raise NotPermitted(_("只能上传本单位的子方案。"))
    if issued_on > timezone.localdate():
        raise ValidationError({"issued_on": _("印发日期不能晚于今天。")})
    plan = SubPlan(
        measure=measure,
        department=department,
        title=title.strip(),
        document_number=document_number.strip(),
        issued_on=issued_on,
    )
    _store(
        plan, upload, actor=actor, prefix=f"subplan{measure.number}", field="upload", accept=DOCUMENT_TYPES
    )
    audit.record(
        plan,
        events.SUBPLAN_ADDED,
        actor=actor,
        data={
            "measure": measure.number,
            "department": department.code,
            "title": plan.title,
            "sha256": plan.sha256,
        },
    )
    return plan


@transaction.atomic
def add_entry(
    *,
    actor: Any,
    kind: str,
    name: str,
    on: dt.date,
    township: Region | None = None,
    department: Department | None = None,
    quantity: Decimal | int = 1,
    status: str = EntryStatus.DONE,
    evidence_note: str = "",
    evidence: UploadedFile | None = None,
) -> RegisterEntry:
    """One entry of a register: a township records its own, a department its own, the office any."""
    errors: dict[str, str] = {}
    if kind not in RegisterKind.values:
        errors["kind"] = _("请选择登记类别。")
    if township is None and department is None:
        errors["township"] = _("请选择乡镇（街道）或责任部门。")
    if on > timezone.localdate() + dt.timedelta(days=366):
        errors["on"] = _("日期过远。")
    if errors:
        raise ValidationError(errors)
    if actor is not None:
        if not can(actor, "add", RegisterEntry):
            raise NotPermitted(_("您无权登记。"))
        if not _district_wide(actor):
            own = _own_department(actor)
            prefixes = [
                g.region_prefix for g in grants_for(actor) if g.role == Role.TOWNSHIP and g.region_prefix
            ]
            if own is not None:
                if department is None or department.pk != own:
                    raise NotPermitted(_("只能登记本部门的事项。"))
            elif not prefixes or township is None or not any(township.code.startswith(p) for p in prefixes):
                raise NotPermitted(_("只能登记本乡镇（街道）的事项。"))
    entry = RegisterEntry(
        kind=kind,
        name=name.strip(),
        township=township,
        department=department,
        quantity=quantity,
        status=status,
        on=on,
        evidence_note=evidence_note.strip(),
        recorded_by=actor,
    )
    if evidence is not None:
        checked = uploads.check_upload(
            evidence,
            field="evidence",
            accept=ATTACHMENT_TYPES,
            refused=_("文件“%(n)s”的类型不受支持：只接受 JPEG、PNG 照片和 PDF、Word/Excel 文件。"),
        )
        entry.evidence_type = checked.content_type
        entry.evidence_sha256 = checked.sha256
        entry.evidence.save(checked.file_name(f"entry-{kind}"), evidence, save=False)
    entry.save()
    audit.record(
        entry,
        events.ENTRY_ADDED,
        actor=actor,
        data={
            "kind": kind,
            "name": entry.name,
            "township": township.code if township else "",
            "department": department.code if department else "",
            "quantity": str(quantity),
            "status": status,
            "on": on.isoformat(),
        },
    )
    return entry
