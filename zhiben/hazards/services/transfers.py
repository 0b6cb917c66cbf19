"""移送 and 延期: the hazard handed to another department, and the unit's request for more time with the
department's decision."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from zhiben.core.errors import Conflict
from zhiben.registry.models import Department

from .. import steps
from ..choices import OPEN_STATUSES, ExtensionStatus, Status
from ..models import DeadlineExtension, Hazard, HazardTransfer
from .common import HazardError, _notify, _pin, _require


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
