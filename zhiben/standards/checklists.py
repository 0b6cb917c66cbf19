"""检查表 services: build a checklist from judgement clauses plus custom items, copy one, edit one.

Who owns what: a department edits its own checklists, a unit its own (for self-inspection), and the committee
office the district templates (neither department nor unit). Anyone who may view checklists may read all of
them and copy one as their own. A checklist is one document: adding or removing an item compare-and-swaps the
checklist's version, so two editors never silently overwrite each other (409).

A clause item keeps the clause it was built from; answering 不符合 on it proposes a 重大 hazard citing it.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Max, ProtectedError
from django.utils.translation import gettext as _

from zhiben.accounts.roles import Role
from zhiben.core import audit
from zhiben.core.errors import Conflict, DomainError, NotPermitted
from zhiben.core.loop.records import pin
from zhiben.core.scoping import can, grants_for
from zhiben.core.workflow import compare_and_swap
from zhiben.registry.choices import KIND_INDUSTRY
from zhiben.registry.models import Department, Enterprise, Industry

from .events_checklists import CHECKLIST_COPIED, CHECKLIST_ITEM_ADDED, CHECKLIST_ITEM_REMOVED, CHECKLIST_SAVED
from .models import Checklist, ChecklistItem, Clause, StandardVersion

CHECKLIST_FIELDS = ("name", "description", "industry", "active")
MAX_ITEMS = 500


class ChecklistError(DomainError):
    """A rule of checklists refused the change."""


# --- ownership -----------------------------------------------------------------------------------------------


def owners_of(actor: Any) -> tuple[set[int], set[int], bool]:
    """(department ids, enterprise ids, is the committee office) the actor keeps checklists for."""
    departments: set[int] = set()
    enterprises: set[int] = set()
    office = False
    for g in grants_for(actor):
        if g.role == Role.DEPARTMENT and g.extra.get("department_id"):
            departments.add(int(g.extra["department_id"]))
        elif g.role == Role.ENTERPRISE and g.extra.get("enterprise_id"):
            enterprises.add(int(g.extra["enterprise_id"]))
        elif g.role == Role.DISTRICT_OFFICE:
            office = True
    return departments, enterprises, office


def may_edit(actor: Any, checklist: Checklist) -> bool:
    if actor is None:
        return True
    if not can(actor, "change", Checklist):
        return False
    departments, enterprises, office = owners_of(actor)
    if checklist.department_id is not None:
        return checklist.department_id in departments
    if checklist.enterprise_id is not None:
        return checklist.enterprise_id in enterprises
    return office


def _require_edit(actor: Any, checklist: Checklist) -> None:
    if not may_edit(actor, checklist):
        raise NotPermitted(_("只能修改本部门、本单位的检查表（区安委办维护通用模板）。"))


def _owner_for_new(
    actor: Any, department: Department | None, enterprise: Enterprise | None
) -> tuple[Department | None, Enterprise | None]:
    """Whose a new checklist is: the actor's department or unit, or a template for the office."""
    if actor is None:
        return department, enterprise
    if not can(actor, "add", Checklist):
        raise NotPermitted(_("您无权新建检查表。"))
    departments, enterprises, office = owners_of(actor)
    if department is not None:
        if department.pk not in departments:
            raise NotPermitted(_("只能为本部门新建检查表。"))
        return department, None
    if enterprise is not None:
        if enterprise.pk not in enterprises:
            raise NotPermitted(_("只能为本单位新建检查表。"))
        return None, enterprise
    if departments:
        return Department.objects.get(pk=min(departments)), None
    if enterprises:
        return None, Enterprise.objects.unrestricted("the actor's own unit").get(pk=min(enterprises))
    if office:
        return None, None
    raise NotPermitted(_("您无权新建检查表。"))


# --- building --------------------------------------------------------------------------------------------------


def industries_for(enterprise: Enterprise) -> list[Industry]:
    """The industries whose checklist fits a unit, nearest first: the industry of its kind (KIND_INDUSTRY),
    then its primary industry and that industry's ancestors."""
    chain: list[Industry] = []
    code = KIND_INDUSTRY.get(enterprise.kind)
    if code:
        chain.extend(Industry.objects.filter(code=code))
    industry: Industry | None = enterprise.primary_industry
    while industry is not None and len(chain) < 20:  # the tree is shallow; the bound guards a bad cycle
        if industry not in chain:
            chain.append(industry)
        industry = industry.parent
    return chain


def fits(checklist: Checklist, enterprise: Enterprise) -> bool:
    """A general list (no industry) fits any unit; an industry's list fits only units of that industry."""
    return checklist.industry_id is None or checklist.industry_id in {
        i.pk for i in industries_for(enterprise)
    }


def checklist_for(department: Department, enterprise: Enterprise) -> Checklist | None:
    """The checklist a department brings to a unit: its active list for the unit's industry (or the nearest
    ancestor of it), else its general list (no industry) — never another industry's list; None without one."""
    usable = list(Checklist.objects.filter(department=department, enterprise__isnull=True, active=True))
    for industry in industries_for(enterprise):
        match = [c for c in usable if c.industry_id == industry.pk]
        if match:
            return min(match, key=lambda c: c.pk)
    general = [c for c in usable if c.industry_id is None]
    return min(general, key=lambda c: c.pk) if general else None


def clauses_of(version: StandardVersion) -> list[Clause]:
    return list(version.clauses.order_by("sort_order", "code"))


def _items(
    checklist: Checklist, clauses: Sequence[Clause], custom_items: Iterable[str], start: int
) -> list[ChecklistItem]:
    rows: list[ChecklistItem] = []
    order = start
    seen: set[int] = set(checklist.items.exclude(clause=None).values_list("clause_id", flat=True))
    for clause in clauses:
        if clause.pk in seen:
            continue
        seen.add(clause.pk)
        order += 10
        rows.append(ChecklistItem(checklist=checklist, clause=clause, text=clause.text, sort_order=order))
    for text in custom_items:
        text = text.strip()
        if text:
            order += 10
            rows.append(ChecklistItem(checklist=checklist, text=text[:2000], sort_order=order))
    return rows


def _clean_header(name: str, industry: Industry | None) -> str:
    name = name.strip()
    if not name:
        raise ValidationError({"name": _("请填写检查表名称。")})
    return name[:100]


@transaction.atomic
def create_checklist(
    *,
    actor: Any,
    name: str,
    clauses: Sequence[Clause] = (),
    custom_items: Iterable[str] = (),
    industry: Industry | None = None,
    description: str = "",
    department: Department | None = None,
    enterprise: Enterprise | None = None,
) -> Checklist:
    """新建检查表 from chosen judgement clauses plus custom items (one per line), owned by the actor's
    department or unit (a district template when the committee office builds it)."""
    department, enterprise = _owner_for_new(actor, department, enterprise)
    name = _clean_header(name, industry)
    custom = [t for t in custom_items if t.strip()]
    if not clauses and not custom:
        raise ValidationError({"clauses": _("请至少选择一条判定条款或填写一项自定义检查内容。")})
    if len(clauses) + len(custom) > MAX_ITEMS:
        raise ValidationError({"clauses": _("一张检查表最多 %(n)s 项。") % {"n": MAX_ITEMS}})
    checklist = Checklist.objects.create(
        name=name, department=department, enterprise=enterprise, industry=industry, description=description
    )
    ChecklistItem.objects.bulk_create(_items(checklist, clauses, custom, 0))
    audit.record(
        checklist,
        CHECKLIST_SAVED,
        actor=actor,
        data={
            "name": name,
            "department": department.pk if department else None,
            "enterprise": enterprise.pk if enterprise else None,
            "clauses": [c.pk for c in clauses],
            "custom_items": len(custom),
        },
    )
    return checklist


@transaction.atomic
def copy_checklist(
    source: Checklist,
    *,
    actor: Any,
    name: str = "",
    department: Department | None = None,
    enterprise: Enterprise | None = None,
) -> Checklist:
    """复制检查表: take a template (or another's checklist) as one's own, to adapt it."""
    department, enterprise = _owner_for_new(actor, department, enterprise)
    checklist = Checklist.objects.create(
        name=_clean_header(name or _("%(n)s（副本）") % {"n": source.name}, source.industry),
        department=department,
        enterprise=enterprise,
        industry=source.industry,
        description=source.description,
    )
    ChecklistItem.objects.bulk_create(
        [
            ChecklistItem(
                checklist=checklist,
                clause_id=item.clause_id,
                text=item.text,
                guidance=item.guidance,
                sort_order=item.sort_order,
            )
            for item in source.items.order_by("sort_order", "pk")
        ]
    )
    audit.record(checklist, CHECKLIST_COPIED, actor=actor, data={"source": source.pk, "name": checklist.name})
    return checklist


@transaction.atomic
def update_checklist(
    checklist: Checklist, *, actor: Any, version: int | None = None, **changes: Any
) -> Checklist:
    """修改检查表 (name, description, industry, active)."""
    unknown = set(changes) - set(CHECKLIST_FIELDS)
    if unknown:
        raise ValueError(f"unknown checklist fields {sorted(unknown)}")
    _require_edit(actor, checklist)
    pin(checklist, version, str(Conflict.default_message))
    values = {k: changes.get(k, getattr(checklist, k)) for k in CHECKLIST_FIELDS}
    values["name"] = _clean_header(str(values["name"]), values["industry"])
    values["description"] = str(values["description"] or "")
    changed = {k: v for k, v in values.items() if v != getattr(checklist, k)}
    if not changed:
        return checklist
    compare_and_swap(checklist, expected={}, changes=changed)
    audit.record(
        checklist,
        CHECKLIST_SAVED,
        actor=actor,
        data={k: (v.pk if hasattr(v, "pk") else v) for k, v in changed.items()},
    )
    return checklist


@transaction.atomic
def add_items(
    checklist: Checklist,
    *,
    actor: Any,
    clauses: Sequence[Clause] = (),
    custom_items: Iterable[str] = (),
    guidance: str = "",
    version: int | None = None,
) -> list[ChecklistItem]:
    """添加检查项: clauses (not already on the list) and custom items, appended at the end."""
    _require_edit(actor, checklist)
    pin(checklist, version, str(Conflict.default_message))
    custom = [t for t in custom_items if t.strip()]
    start = checklist.items.aggregate(m=Max("sort_order"))["m"] or 0
    rows = _items(checklist, clauses, custom, start)
    if not rows:
        raise ValidationError({"text": _("请填写检查内容或选择尚未列入的判定条款。")})
    if checklist.items.count() + len(rows) > MAX_ITEMS:
        raise ValidationError({"text": _("一张检查表最多 %(n)s 项。") % {"n": MAX_ITEMS}})
    if guidance.strip():
        for row in rows:
            row.guidance = guidance.strip()
    compare_and_swap(checklist, expected={}, changes={})
    created = ChecklistItem.objects.bulk_create(rows)
    audit.record(
        checklist,
        CHECKLIST_ITEM_ADDED,
        actor=actor,
        data={"clauses": [r.clause_id for r in rows if r.clause_id], "custom_items": len(custom)},
    )
    return created


@transaction.atomic
def remove_item(checklist: Checklist, item: ChecklistItem, *, actor: Any, version: int | None = None) -> None:
    """删除检查项 not yet answered on any inspection or self-check (answered items stay, as evidence)."""
    _require_edit(actor, checklist)
    pin(checklist, version, str(Conflict.default_message))
    if item.checklist_id != checklist.pk:
        raise ValidationError({"item": _("该检查项不属于此检查表。")})
    compare_and_swap(checklist, expected={}, changes={})
    text = item.text[:100]
    try:
        with transaction.atomic():
            item.delete()
    except ProtectedError:
        raise ChecklistError(
            _("该检查项已在检查中填写过，不能删除；如需调整，请停用本表并复制一份修改。"), field="item"
        )
    audit.record(checklist, CHECKLIST_ITEM_REMOVED, actor=actor, data={"text": text})
