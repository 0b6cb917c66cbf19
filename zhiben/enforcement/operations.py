"""打非治违 services: record an illegal operation (often a subject with no registration), carry it through
责令停止 → 取缔 / 整改合法, attach evidence, and convert the subject into a registered unit.

Conversion keeps the record: the `IllegalOperation` row, its history and evidence stay, linked to the new (or
existing) `Enterprise`; the cases filed against the subject get the enterprise too, so they show on the unit.
Every step: permission and scope check, compare-and-swap on the version (409), a history row, one audit row.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from decimal import Decimal
from typing import Any

from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import UploadedFile
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from zhiben.accounts.roles import Role
from zhiben.core import audit, uploads
from zhiben.core.codes import validate_uscc
from zhiben.core.errors import NotPermitted
from zhiben.core.loop import pin, snapshot
from zhiben.core.scoping import can, grants_for, region_in_scope
from zhiben.core.sequences import next_value
from zhiben.core.workflow import check_transition, compare_and_swap
from zhiben.registry.models import Department, Enterprise, Industry, Region
from zhiben.registry.services import create_enterprise

from . import events, steps
from .choices import OperationKind, OperationStatus
from .models import (
    Case,
    IllegalOperation,
    IllegalOperationEvidence,
)
from .services import EnforcementError, departments_of

# Evidence is recognised by its first bytes (never by its name or the browser's claim, core.uploads):
# photos and PDFs only, not the office documents a hazard may carry.
EVIDENCE_TYPES = frozenset({"image/jpeg", "image/png", "application/pdf"})
EDITABLE_FIELDS = (
    "subject_name",
    "uscc",
    "contact_name",
    "contact_phone",
    "kind",
    "region",
    "industry",
    "address",
    "latitude",
    "longitude",
    "description",
    "discovered_on",
    "department",
)


def _require(actor: Any, action: str, operation: IllegalOperation | None = None) -> None:
    steps.OPERATION_FLOW.require(actor, action, operation)


def _clean(values: Mapping[str, Any], actor: Any, action: str) -> dict[str, Any]:
    """Field-level checks shared by recording and editing."""
    data = dict(values)
    errors: dict[str, str] = {}
    if not str(data.get("subject_name") or "").strip():
        errors["subject_name"] = _("请填写当事人或经营者名称。")
    if data.get("kind") not in OperationKind.values:
        errors["kind"] = _("违法类型无效。")
    if not str(data.get("address") or "").strip():
        errors["address"] = _("请填写地点。")
    if not str(data.get("description") or "").strip():
        errors["description"] = _("请填写违法事实。")
    discovered_on = data.get("discovered_on")
    if discovered_on is None:
        errors["discovered_on"] = _("请填写发现日期。")
    elif discovered_on > timezone.localdate():
        errors["discovered_on"] = _("发现日期不能晚于今天。")
    uscc = str(data.get("uscc") or "").strip()
    if uscc:
        try:
            data["uscc"] = validate_uscc(uscc)
        except ValidationError as exc:
            errors["uscc"] = exc.messages[0]
    else:
        data["uscc"] = ""
    lat, lng = data.get("latitude"), data.get("longitude")
    if (lat is None) != (lng is None):
        errors["latitude" if lat is None else "longitude"] = _("经纬度须同时填写。")
    if lat is not None and not Decimal(-90) <= Decimal(lat) <= Decimal(90):
        errors["latitude"] = _("纬度应在 -90 到 90 之间。")
    if lng is not None and not Decimal(-180) <= Decimal(lng) <= Decimal(180):
        errors["longitude"] = _("经度应在 -180 到 180 之间。")
    region: Region | None = data.get("region")
    if region is None:
        errors["region"] = _("请选择所在区划。")
    elif actor is not None and not region_in_scope(actor, action, IllegalOperation, region.code):
        # 属地: a township records illegal operations in its own territory only.
        errors["region"] = _("所在区划 %(r)s 不在您的管辖范围内。") % {"r": region.name}
    department: Department | None = data.get("department")
    mine = departments_of(actor)
    if actor is not None and mine and department is not None and department.pk not in mine:
        errors["department"] = _("部门用户只能登记由本部门查处的记录。")
    if errors:
        raise ValidationError(errors)
    if mine and department is None:
        data["department"] = Department.objects.get(pk=mine[0])
    return data


def _code(region: Region, year: int) -> str:
    county = region.code[:6]
    return f"DF{county}{year}{next_value(f'enforcement/operation/{county}/{year}'):05d}"


@transaction.atomic
def record_operation(
    *,
    actor: Any,
    subject_name: str,
    kind: str,
    region: Region,
    address: str,
    description: str,
    discovered_on: dt.date,
    uscc: str = "",
    contact_name: str = "",
    contact_phone: str = "",
    industry: Industry | None = None,
    latitude: Decimal | None = None,
    longitude: Decimal | None = None,
    department: Department | None = None,
) -> IllegalOperation:
    """登记打非治违线索: a township (in its territory) or a department records an illegal operation."""
    _require(actor, "add")
    data = _clean(
        {
            "subject_name": subject_name,
            "kind": kind,
            "region": region,
            "address": address,
            "description": description,
            "discovered_on": discovered_on,
            "uscc": uscc,
            "latitude": latitude,
            "longitude": longitude,
            "department": department,
        },
        actor,
        "add",
    )
    op = IllegalOperation.objects.create(
        code=_code(region, discovered_on.year),
        subject_name=data["subject_name"].strip(),
        uscc=data["uscc"],
        contact_name=contact_name.strip(),
        contact_phone=contact_phone.strip(),
        kind=kind,
        region=region,
        industry=industry,
        address=address.strip(),
        latitude=latitude,
        longitude=longitude,
        description=description.strip(),
        discovered_on=discovered_on,
        department=data["department"],
        status=OperationStatus.FOUND,
        recorded_by=actor,
    )
    steps.OPERATION_FLOW.record_created(
        op,
        steps.RECORD,
        actor=actor,
        data={
            "code": op.code,
            "subject_name": op.subject_name,
            "uscc": op.uscc,
            "kind": kind,
            "region": region.code,
            "department": op.department_id,
            "contact_phone": contact_phone,  # redacted by audit.record
        },
    )
    return op


@transaction.atomic
def update_operation(op: IllegalOperation, *, actor: Any, **changes: Any) -> IllegalOperation:
    """修改记录的事实 (not its status); compare-and-swap on the version the editor read."""
    _require(actor, "change", op)
    if op.status == OperationStatus.CONVERTED:
        raise EnforcementError(_("已纳入监管的记录不能再修改，请修改对应的生产经营单位。"))
    unknown = set(changes) - set(EDITABLE_FIELDS)
    if unknown:
        raise ValueError(f"unknown fields {sorted(unknown)}")
    values = {k: changes.get(k, getattr(op, k)) for k in EDITABLE_FIELDS}
    data = _clean(values, actor, "change")
    for name in ("subject_name", "contact_name", "contact_phone", "address", "description"):
        data[name] = str(data[name] or "").strip()
    changed = {k: data[k] for k in EDITABLE_FIELDS if data[k] != getattr(op, k)}
    if not changed:
        return op
    compare_and_swap(op, expected={"status": op.status}, changes=changed)
    audit.record(op, events.OPERATION_CHANGED, actor=actor, data=snapshot(changed))
    return op


def _step(op: IllegalOperation, actor: Any, version: int | None, target: str) -> None:
    _require(actor, "change", op)
    pin(op, version)
    check_transition(op.status, target, steps.OPERATION_FLOW.transitions, dict(OperationStatus.choices))


@steps.STOP.implements
@transaction.atomic
def stop_operation(
    op: IllegalOperation, *, actor: Any, note: str = "", version: int | None = None
) -> IllegalOperation:
    """责令停止: the subject is ordered to stop the illegal production, business or construction."""
    _step(op, actor, version, OperationStatus.STOPPED)
    steps.OPERATION_FLOW.advance(op, steps.STOP, actor=actor, note=note)
    return op


@steps.BAN.implements
@transaction.atomic
def ban_operation(
    op: IllegalOperation, *, actor: Any, note: str, version: int | None = None
) -> IllegalOperation:
    """取缔: the operation is shut down (依法关闭取缔), with what was done."""
    _step(op, actor, version, OperationStatus.BANNED)
    if not note.strip():
        raise ValidationError({"note": _("请写明取缔的措施（查封、拆除、没收等）。")})
    steps.OPERATION_FLOW.advance(op, steps.BAN, actor=actor, note=note)
    return op


@steps.LEGALISE.implements
@transaction.atomic
def legalise_operation(
    op: IllegalOperation, *, actor: Any, note: str, version: int | None = None
) -> IllegalOperation:
    """整改合法: the subject obtained what it lacked (证照, 许可) and may operate."""
    _step(op, actor, version, OperationStatus.RECTIFIED)
    if not note.strip():
        raise ValidationError({"note": _("请写明整改情况（取得的证照、许可等）。")})
    steps.OPERATION_FLOW.advance(op, steps.LEGALISE, actor=actor, note=note)
    return op


@steps.CONVERT.implements
@transaction.atomic
def convert_operation(
    op: IllegalOperation,
    *,
    actor: Any,
    name: str,
    primary_industry: Industry | None,
    uscc: str = "",
    kind: str = "",
    region: Region | None = None,
    address: str = "",
    principal_name: str = "",
    principal_phone: str = "",
    note: str = "",
    version: int | None = None,
) -> Enterprise:
    """纳入监管: register the subject as a 生产经营单位 (or link the unit already registered under its USCC),
    keeping the record, and give its cases the enterprise."""
    _step(op, actor, version, OperationStatus.CONVERTED)
    if actor is not None and not can(actor, "add", Enterprise):
        raise NotPermitted(_("纳入监管需要登记生产经营单位的权限（乡镇、街道）。"))
    region = region or op.region
    errors: dict[str, Any] = {}
    if actor is not None and not region_in_scope(actor, "add", Enterprise, region.code):
        errors["region"] = _("所在区划 %(r)s 不在您的管辖范围内。") % {"r": region.name}
    uscc = uscc.strip() or op.uscc
    existing = None
    if uscc:
        try:
            uscc = validate_uscc(uscc)
        except ValidationError as exc:
            errors["uscc"] = exc.messages
        else:
            existing = Enterprise.objects.unrestricted("service: a USCC is unique").filter(uscc=uscc).first()
    if (
        existing is not None
        and actor is not None
        and not (Enterprise.objects.restrict(actor, "view").filter(pk=existing.pk).exists())
    ):
        errors["uscc"] = _("该统一社会信用代码已由其他辖区登记，请联系所在乡镇（街道）。")
    if existing is None:
        if not name.strip():
            errors["name"] = _("请填写单位名称。")
        if primary_industry is None:
            errors["primary_industry"] = _("请选择行业领域。")
    if errors:
        raise ValidationError(errors)
    if existing is not None:
        enterprise = existing
    else:
        assert primary_industry is not None  # checked above
        fields: dict[str, Any] = {
            "uscc": uscc or None,
            "name": name.strip(),
            "region": region,
            "primary_industry": primary_industry,
            "address": address.strip() or op.address,
            "latitude": op.latitude,
            "longitude": op.longitude,
            "principal_name": principal_name.strip() or op.contact_name,
            "principal_phone": principal_phone.strip() or op.contact_phone,
        }
        if kind:
            fields["kind"] = kind
        enterprise = create_enterprise(actor=actor, industries=[primary_industry], **fields)
    steps.OPERATION_FLOW.advance(
        op,
        steps.CONVERT,
        actor=actor,
        note=note or _("纳入监管：%(e)s") % {"e": enterprise.name},
        changes={"enterprise": enterprise, "converted_at": timezone.now(), "uscc": uscc or op.uscc},
    )
    for case in (
        Case.objects.unrestricted("service: the subject's cases")
        .filter(operation=op, enterprise__isnull=True)
        .order_by("pk")
    ):
        # The subject's cases follow it onto the register, so they show on the unit's page as well.
        steps.CASE_FLOW.advance(
            case,
            steps.REGISTER_SUBJECT,
            actor=actor,
            note=_("当事人纳入监管：%(e)s") % {"e": enterprise.name},
            changes={"enterprise": enterprise},
            data={"operation": op.pk},
        )
    return enterprise


# --- evidence ------------------------------------------------------------------------------------------------


@transaction.atomic
def add_evidence(
    op: IllegalOperation,
    *,
    actor: Any,
    upload: UploadedFile,
    note: str = "",
    captured_at: dt.datetime | None = None,
) -> IllegalOperationEvidence:
    """Attach a photo (JPEG/PNG) or a PDF as evidence; the type is read from the content, ≤ 10 MB."""
    if actor is not None:
        if not can(actor, "add", IllegalOperationEvidence):
            raise NotPermitted(_("您无权上传证据。"))
        if not IllegalOperation.objects.restrict(actor, "view").filter(pk=op.pk).exists():
            raise NotPermitted(_("该记录不在您的职责范围内。"))
    checked = uploads.check_upload(
        upload,
        field="upload",
        accept=EVIDENCE_TYPES,
        refused=_("文件“%(n)s”的类型不受支持：只接受 JPEG、PNG 照片和 PDF 文件。"),
    )
    evidence = IllegalOperationEvidence(
        operation=op,
        content_type=checked.content_type,
        size=checked.size,
        sha256=checked.sha256,
        note=note.strip()[:200],
        captured_at=captured_at,
        uploaded_by=actor,
    )
    evidence.file.save(checked.file_name(op.pk), upload, save=False)
    evidence.save()
    audit.record(
        evidence,
        events.OPERATION_EVIDENCE_ADDED,
        actor=actor,
        data={"operation": op.pk, "name": upload.name, "size": checked.size, "sha256": evidence.sha256},
    )
    return evidence


def is_township_actor(actor: Any) -> bool:
    return actor is not None and any(g.role == Role.TOWNSHIP for g in grants_for(actor))
