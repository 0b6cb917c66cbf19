"""执法检查人员名录库 services: who may inspect (officers with a 行政执法证, experts, technicians) and 回避.

A department keeps its own roster; the committee office sees every department's. Only an officer with a valid
certificate can be a legal inspecting subject (国办发〔2024〕54号); experts and technicians assist.
Conflicts of interest (回避) are declared per inspector and unit and refuse that person on that unit's visits.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from zhiben.core import audit
from zhiben.core.errors import Conflict, NotPermitted
from zhiben.core.loop.records import snapshot
from zhiben.core.scoping import can
from zhiben.core.workflow import compare_and_swap
from zhiben.registry.models import Department, Enterprise

from .. import events
from ..choices import InspectorKind
from ..models import Inspector, InspectorConflict
from .records import department_ids_of

INSPECTOR_FIELDS = (
    "name",
    "department",
    "kind",
    "certificate_no",
    "certificate_valid_until",
    "specialty",
    "active",
    "user",
)


def _require_department(actor: Any, action: str, department: Department) -> None:
    """The actor keeps `department`'s roster: its own department (or the whole district's office)."""
    if actor is None:
        return
    if not can(actor, action, Inspector):
        raise NotPermitted(_("您无权维护执法检查人员名录库。"))
    if department.pk not in department_ids_of(actor):
        raise NotPermitted(_("只能维护本部门的执法检查人员。"))


def _clean(values: dict[str, Any], instance: Inspector | None) -> dict[str, Any]:
    errors: dict[str, str] = {}
    values["name"] = str(values.get("name") or "").strip()
    values["certificate_no"] = str(values.get("certificate_no") or "").strip()
    values["specialty"] = str(values.get("specialty") or "").strip()
    if not values["name"]:
        errors["name"] = _("请填写姓名。")
    if values.get("kind") not in InspectorKind.values:
        errors["kind"] = _("人员类别无效。")
    elif values["kind"] == InspectorKind.OFFICER:
        if not values["certificate_no"]:
            errors["certificate_no"] = _("行政执法人员须登记执法证号。")
        if values.get("certificate_valid_until") is None:
            errors["certificate_valid_until"] = _("请填写执法证有效期。")
    elif values["certificate_no"]:
        errors["certificate_no"] = _("专家和技术检查员不是执法主体，不登记执法证号。")
    cert = values["certificate_no"]
    if (
        cert
        and Inspector.objects.unrestricted("service: a certificate is unique")
        .filter(certificate_no=cert)
        .exclude(pk=getattr(instance, "pk", None))
        .exists()
    ):
        errors["certificate_no"] = _("该执法证号已登记在名录库中。")
    user = values.get("user")
    if (
        user is not None
        and Inspector.objects.filter(user=user).exclude(pk=getattr(instance, "pk", None)).exists()
    ):
        errors["user"] = _("该账号已关联其他检查人员。")
    if errors:
        raise ValidationError(errors)
    return values


@transaction.atomic
def save_inspector(
    inspector: Inspector | None, *, actor: Any, version: int | None = None, **changes: Any
) -> Inspector:
    """维护执法检查人员: add (inspector None) or edit one person of the department's roster."""
    unknown = set(changes) - set(INSPECTOR_FIELDS)
    if unknown:
        raise ValueError(f"unknown inspector fields {sorted(unknown)}")
    if inspector is None:
        values = {"active": True, "specialty": "", "certificate_no": "", "user": None, **changes}
        values.setdefault("certificate_valid_until", None)
        department = values.get("department")
        if department is None:
            raise ValidationError({"department": _("请选择所属部门。")})
        _require_department(actor, "add", department)
        values = _clean(values, None)
        try:
            with transaction.atomic():
                inspector = Inspector.objects.create(**values)
        except IntegrityError:  # a concurrent save took the certificate number or the login
            raise ValidationError({"certificate_no": _("该执法证号或账号已登记在名录库中。")})
        audit.record(inspector, events.INSPECTOR_SAVED, actor=actor, data=snapshot(values))
        return inspector
    _require_department(actor, "change", inspector.department)
    if version is not None and int(version) != inspector.version:
        raise Conflict()
    values = {name: changes.get(name, getattr(inspector, name)) for name in INSPECTOR_FIELDS}
    if values["department"].pk != inspector.department_id:
        _require_department(actor, "change", values["department"])
    values = _clean(values, inspector)
    changed = {k: v for k, v in values.items() if v != getattr(inspector, k)}
    if not changed:
        return inspector
    if version is not None:
        inspector.version = int(version)
    try:
        with transaction.atomic():
            compare_and_swap(inspector, expected={}, changes=changed)
    except IntegrityError:
        raise ValidationError({"certificate_no": _("该执法证号或账号已登记在名录库中。")})
    audit.record(inspector, events.INSPECTOR_SAVED, actor=actor, data=snapshot(changed))
    return inspector


def _require_conflict_keeper(actor: Any, inspector: Inspector, action: str) -> None:
    """The person themself, or whoever keeps their department's roster."""
    if actor is None or (inspector.user_id is not None and inspector.user_id == getattr(actor, "pk", None)):
        return
    if not can(actor, action, InspectorConflict):
        raise NotPermitted(_("您无权维护回避关系。"))
    if inspector.department_id not in department_ids_of(actor):
        raise NotPermitted(_("只能为本部门的检查人员申报回避关系。"))


@transaction.atomic
def declare_conflict(
    *,
    actor: Any,
    inspector: Inspector,
    enterprise: Enterprise,
    reason: str,
    declared_on: dt.date | None = None,
) -> InspectorConflict:
    """申报回避关系: the inspector must not inspect this unit (kin, former employer, interest …)."""
    _require_conflict_keeper(actor, inspector, "add")
    declared_on = declared_on or timezone.localdate()
    errors: dict[str, str] = {}
    if not reason.strip():
        errors["reason"] = _("请填写回避事由。")
    if declared_on > timezone.localdate():
        errors["declared_on"] = _("申报日期不能晚于今天。")
    if errors:
        raise ValidationError(errors)
    existing = (
        InspectorConflict.objects.unrestricted("service: under lock")
        .select_for_update()
        .filter(inspector=inspector, enterprise=enterprise)
        .first()
    )
    if existing is not None:
        if existing.active:
            raise ValidationError({"enterprise": _("已申报过与该单位的回避关系。")})
        InspectorConflict.objects.filter(pk=existing.pk).update(
            active=True, reason=reason.strip()[:200], declared_on=declared_on, updated_at=timezone.now()
        )
        existing.refresh_from_db()
        conflict = existing
    else:
        conflict = InspectorConflict.objects.create(
            inspector=inspector, enterprise=enterprise, reason=reason.strip()[:200], declared_on=declared_on
        )
    audit.record(
        conflict,
        events.CONFLICT_DECLARED,
        actor=actor,
        data={"inspector": inspector.pk, "enterprise": enterprise.pk, "reason": conflict.reason},
    )
    return conflict


@transaction.atomic
def withdraw_conflict(conflict: InspectorConflict, *, actor: Any, reason: str) -> InspectorConflict:
    """撤销回避关系 (the relationship has ended), with the reason; the declaration stays on record."""
    _require_conflict_keeper(actor, conflict.inspector, "change")
    if not reason.strip():
        raise ValidationError({"reason": _("请填写撤销理由。")})
    updated = (
        InspectorConflict.objects.unrestricted("service: compare-and-swap")
        .filter(pk=conflict.pk, active=True)
        .update(active=False, updated_at=timezone.now())
    )
    if not updated:
        raise Conflict(_("该回避关系已撤销。"))
    conflict.active = False
    audit.record(conflict, events.CONFLICT_WITHDRAWN, actor=actor, data={"reason": reason.strip()})
    return conflict
