"""Registry services: every write to master data goes through here and leaves an audit row."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from zhiben.core import audit
from zhiben.core.codes import region_level, validate_region_code, validate_uscc
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
        clash = Enterprise.objects.unrestricted("service: a USCC is unique").filter(uscc=data["uscc"])
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


# ---- bulk services (批量登记): validated row by row, inserted in batches, one audit row per batch ----------------

IMPORT_BATCH_SIZE = 1000
_CHOICE_FIELDS = ("kind", "status", "standardisation_grade")


@transaction.atomic
def bulk_create_regions(rows: Iterable[Mapping[str, Any]], *, actor: Any, source: str = "") -> list[Region]:
    """Add many 行政区划 at once (e.g. synthetic benchmark counties): parents first, one audit row for all."""
    # Level by level, so every parent is saved (and has a pk) before its children are built.
    rows = sorted(rows, key=lambda r: (int(r["level"]), r["code"]))
    if not rows:
        return []
    codes = [r["code"] for r in rows]
    if len(set(codes)) != len(codes):
        raise ValidationError({"code": _("行政区划代码重复。")})
    clash = list(Region.objects.filter(code__in=codes).values_list("code", flat=True)[:5])
    if clash:
        raise ValidationError({"code": _("行政区划代码已存在：%(c)s。") % {"c": "、".join(clash)}})
    parent_codes = {r.get("parent") or "" for r in rows} - {""}
    known: dict[str, Region] = {r.code: r for r in Region.objects.filter(code__in=parent_codes)}
    created: list[Region] = []
    for level in sorted({int(r["level"]) for r in rows}):
        objs = []
        for row in (r for r in rows if int(r["level"]) == level):
            code = validate_region_code(row["code"])
            if region_level(code) != level:
                raise ValidationError({"level": _("行政区划 %(c)s 的级别与代码不符。") % {"c": code}})
            parent = known.get(row.get("parent") or "")
            if row.get("parent") and parent is None:
                raise ValidationError({"parent": _("上级行政区划 %(c)s 不存在。") % {"c": row["parent"]}})
            if parent is not None and not code.startswith(parent.scope_prefix):
                raise ValidationError({"parent": _("行政区划 %(c)s 不在上级辖区内。") % {"c": code}})
            objs.append(
                Region(
                    code=code,
                    legal_code=row.get("legal_code", ""),
                    name=row["name"],
                    level=level,
                    parent=parent,
                    source=row.get("source", source),
                    verified=row.get("verified", False),
                )
            )
        Region.objects.bulk_create(objs, batch_size=IMPORT_BATCH_SIZE)
        known.update((r.code, r) for r in objs)
        created.extend(objs)
    audit.record(
        None,
        events.REFERENCE_LOADED,
        actor=actor,
        object_type=Region._meta.label_lower,
        data={"regions": len(created), "source": source},
    )
    return created


@transaction.atomic
def bulk_create_enterprises(
    rows: Iterable[Mapping[str, Any]],
    *,
    actor: Any,
    source: str = "",
    batch_size: int = IMPORT_BATCH_SIZE,
) -> list[Enterprise]:
    """Register many 生产经营单位 at once (批量登记): the rules of create_enterprise, one audit row per batch."""
    # A row holds create_enterprise's keyword arguments (`industries` included) and may list `people` (dicts of
    # Person fields). One invalid row refuses the whole call, naming the row, so an import is all or nothing.
    created: list[Enterprise] = []
    seen: set[str] = set()
    batch: list[tuple[int, Mapping[str, Any]]] = []
    for number, row in enumerate(rows, start=1):
        batch.append((number, row))
        if len(batch) >= batch_size:
            created.extend(_insert_enterprise_batch(batch, actor=actor, source=source, seen=seen))
            batch = []
    if batch:
        created.extend(_insert_enterprise_batch(batch, actor=actor, source=source, seen=seen))
    return created


def _row_error(number: int, exc: ValidationError) -> ValidationError:
    return ValidationError(_("第 %(n)d 行：%(m)s") % {"n": number, "m": "；".join(exc.messages)})


def _insert_enterprise_batch(
    batch: list[tuple[int, Mapping[str, Any]]], *, actor: Any, source: str, seen: set[str]
) -> list[Enterprise]:
    choices = {
        f: {c[0] for c in getattr(Enterprise._meta.get_field(f), "choices", None) or ()}
        for f in _CHOICE_FIELDS
    }
    objs: list[Enterprise] = []
    industries_of: list[list[Industry]] = []
    people_of: list[list[Mapping[str, Any]]] = []
    by_uscc: dict[str, int] = {}
    for number, row in batch:
        data = {k: row[k] for k in ENTERPRISE_FIELDS if k in row}
        try:
            if data.get("uscc"):
                data["uscc"] = validate_uscc(data["uscc"])
            else:
                data["uscc"] = None
            if not data.get("name"):
                raise ValidationError(_("名称不能为空。"))
            if data.get("region") is None:
                raise ValidationError(_("请选择所在区划。"))
            industries = list(row.get("industries") or [])
            if not data.get("primary_industry") and industries:
                data["primary_industry"] = industries[0]
            if not data.get("primary_industry"):
                raise ValidationError(_("请选择行业领域。"))
            for f, allowed in choices.items():
                if f in data and data[f] not in allowed:
                    raise ValidationError(_("%(f)s 的取值 %(v)s 无效。") % {"f": f, "v": data[f]})
            if data["uscc"]:
                if data["uscc"] in seen:
                    raise ValidationError(_("统一社会信用代码 %(c)s 重复。") % {"c": data["uscc"]})
                seen.add(data["uscc"])
                by_uscc[data["uscc"]] = number
        except ValidationError as exc:
            raise _row_error(number, exc)
        objs.append(Enterprise(**data))
        # The primary industry is always among the industries, as in create_enterprise; order kept, no repeats.
        industries_of.append(list(dict.fromkeys([data["primary_industry"], *industries])))
        people_of.append(list(row.get("people") or []))
    clash = Enterprise.objects.filter(uscc__in=list(by_uscc)).values_list("uscc", flat=True).first()
    if clash:
        raise _row_error(by_uscc[clash], ValidationError(_("统一社会信用代码 %(c)s 已登记。") % {"c": clash}))
    # SQLite ≥ 3.35 and PostgreSQL return the new primary keys, which the through rows and people need.
    # bulk_create still calls get_prep_value, so the phone columns are stored SM4-encrypted.
    Enterprise.objects.bulk_create(objs)
    through = Enterprise.industries.through
    Enterprise.industries.through.objects.bulk_create(
        [
            through(enterprise_id=e.pk, industry_id=i.pk)
            for e, industries in zip(objs, industries_of, strict=True)
            for i in industries
        ]
    )
    people = [Person(enterprise=e, **p) for e, ps in zip(objs, people_of, strict=True) for p in ps]
    Person.objects.bulk_create(people)
    audit.record(
        None,
        events.ENTERPRISES_IMPORTED,
        actor=actor,
        object_type=Enterprise._meta.label_lower,
        data={
            "count": len(objs),
            "people": len(people),
            "first_id": objs[0].pk,
            "last_id": objs[-1].pk,
            "source": source,
        },
    )
    return objs
