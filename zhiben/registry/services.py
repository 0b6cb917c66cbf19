"""Registry services: every write to master data goes through here and leaves an audit row."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from zhiben.core import audit
from zhiben.core.codes import validate_uscc
from zhiben.core.errors import DomainError
from zhiben.core.workflow import compare_and_swap

from . import events
from .models import Department, Enterprise, Industry, Person, Region, Responsibility


class RegistryError(DomainError):
    """A master-data rule refused the change."""


ENTERPRISE_FIELDS = (
    "uscc",
    "name",
    "kind",
    "region",
    "primary_industry",
    "address",
    "longitude",
    "latitude",
    "is_above_scale",
    "is_high_risk",
    "has_major_hazard_source",
    "standardisation_grade",
    "employees",
    "principal_name",
    "principal_phone",
    "controller_name",
    "controller_phone",
    "status",
)
SENSITIVE_FIELDS = {"principal_phone", "controller_phone", "phone", "id_number"}


def _clean_enterprise(data: dict[str, Any], instance: Enterprise | None = None) -> dict[str, Any]:
    data = dict(data)
    if data.get("uscc"):
        try:
            data["uscc"] = validate_uscc(data["uscc"])
        except ValidationError as exc:
            raise ValidationError({"uscc": exc.messages})
        clash = Enterprise.objects.filter(uscc=data["uscc"])
        if instance is not None:
            clash = clash.exclude(pk=instance.pk)
        if clash.exists():
            raise ValidationError({"uscc": _("统一社会信用代码 %(c)s 已登记。") % {"c": data["uscc"]}})
    else:
        data["uscc"] = None
    if not (data.get("name") or (instance and instance.name)):
        raise ValidationError({"name": _("名称不能为空。")})
    return data


def _changes(instance: Any, data: dict[str, Any], fields: Iterable[str]) -> dict[str, Any]:
    out = {}
    for f in fields:
        if f in data and getattr(instance, f) != data[f]:
            out[f] = data[f]
    return out


def _audit_value(field: str, value: Any) -> Any:
    if field in SENSITIVE_FIELDS:
        return "[已脱敏]"
    return getattr(value, "pk", value)


@transaction.atomic
def create_enterprise(*, actor: Any, industries: Iterable[Industry] | None = None, **data: Any) -> Enterprise:
    """Register a 生产经营单位."""
    data = _clean_enterprise(data)
    industries = list(industries or [])
    if not data.get("primary_industry") and industries:
        data["primary_industry"] = industries[0]
    if not data.get("primary_industry"):
        raise ValidationError({"primary_industry": _("请选择行业领域。")})
    enterprise = Enterprise.objects.create(**{k: v for k, v in data.items() if k in ENTERPRISE_FIELDS})
    enterprise.industries.set({*industries, enterprise.primary_industry})
    audit.record(
        enterprise,
        events.ENTERPRISE_CREATED,
        actor=actor,
        data={k: _audit_value(k, v) for k, v in data.items() if k in ENTERPRISE_FIELDS},
    )
    return enterprise


@transaction.atomic
def update_enterprise(
    enterprise: Enterprise, *, actor: Any, industries: Iterable[Industry] | None = None, **data: Any
) -> Enterprise:
    """Edit a 生产经营单位 by compare-and-swap on its version (a stale edit is a 409)."""
    data = _clean_enterprise({"uscc": enterprise.uscc, **data}, instance=enterprise)
    changes = _changes(enterprise, data, ENTERPRISE_FIELDS)
    if changes:
        compare_and_swap(enterprise, expected={}, changes=changes)
    if industries is not None:
        wanted = {*industries, enterprise.primary_industry}
        if set(enterprise.industries.all()) != wanted:
            enterprise.industries.set(wanted)
            changes["industries"] = sorted(i.pk for i in wanted)
    if changes:
        audit.record(
            enterprise,
            events.ENTERPRISE_UPDATED,
            actor=actor,
            data={k: _audit_value(k, v) for k, v in changes.items()},
        )
    return enterprise


@transaction.atomic
def create_person(*, actor: Any, enterprise: Enterprise, **data: Any) -> Person:
    person = Person.objects.create(enterprise=enterprise, **data)
    audit.record(
        person, events.PERSON_CREATED, actor=actor, data={k: _audit_value(k, v) for k, v in data.items()}
    )
    return person


@transaction.atomic
def set_responsibility(
    industry: Industry,
    *,
    actor: Any,
    lead: Department,
    co_departments: Iterable[Department] = (),
    basis: str = "",
) -> Responsibility:
    """Set who supervises an industry (三管三必须). The audit log keeps the full history of changes."""
    co = sorted({d.pk for d in co_departments} - {lead.pk})
    resp = Responsibility.objects.filter(industry=industry).first()
    before = None
    if resp is None:
        resp = Responsibility.objects.create(industry=industry, lead=lead, basis=basis)
    else:
        before = {
            "lead": resp.lead_id,
            "co_departments": sorted(resp.co_departments.values_list("pk", flat=True)),
            "basis": resp.basis,
        }
        compare_and_swap(resp, expected={}, changes={"lead": lead, "basis": basis})
    resp.co_departments.set(co)
    after = {"lead": lead.pk, "co_departments": co, "basis": basis}
    if before != after:
        audit.record(
            resp, events.RESPONSIBILITY_CHANGED, actor=actor, data={"before": before, "after": after}
        )
    return resp


def region_by_code(code: str) -> Region:
    region = Region.objects.filter(code=code).first() or Region.objects.filter(legal_code=code).first()
    if region is None:
        raise ValidationError({"region": _("行政区划代码 %(c)s 不存在。") % {"c": code}})
    return region
