"""Inspection records (现场检查): every write to an inspection goes through here.

A visit is created as a task (待检查), started on site (检查中), its checklists answered item by item, its
findings recorded and routed (当场整改 / 登记隐患 / 立案), and completed with the 现场检查笔录 issued as Word
and PDF (安全生产法第六十五条: 检查情况应当记录，由检查人员和被检查单位负责人签字).

Rules that make an inspection lawful:
  - at least two law-enforcement officers (行政处罚法第四十二条), each certified on the day (国办发〔2024〕54号:
    only certified officers are the legal inspecting subject); the first is 主办, the others 协办;
  - experts and technicians assist (辅助检查) and are never counted as subjects (research/domain.md §4);
  - anyone with a declared conflict of interest with the unit is refused (回避);
  - the unit's yearly cap (caps.check_cap) unless an approved exception is given;
  - a joint inspection (联合检查) is one visit by at least two departments, each bringing its checklist; each
    finding goes to the ledger of the department whose checklist found it.

A township's patrol (乡镇巡查, `create_patrol`) is not 行政执法: no certified officers (the officials are the
township user who creates it and the companions named), no cap; it is the unit's supervising department's
(三管三必须) to judge what it finds, so that department takes part with the unit's checklist, and the
completed patrol's record is a 巡查记录 in the township's name. Townships create nothing else.

Who may write: users of a department taking part in the inspection, and the team's members; for a patrol, the
township officials of its territory (steps.patrols). Each write is one
transaction with exactly one audit row of this module (a hazard registered from a finding adds the hazard
loop's own row); edits of the inspection compare-and-swap its version (a lost race is a 409).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from zhiben.accounts.lookups import users_of_enterprise
from zhiben.core import audit
from zhiben.core.documents import issue_document
from zhiben.core.errors import DomainError, NotPermitted
from zhiben.core.loop.records import pin
from zhiben.core.outbox import notify_users
from zhiben.core.scoping import can
from zhiben.core.sequences import next_value
from zhiben.hazards import services as hazard_services
from zhiben.registry.choices import RegionLevel
from zhiben.registry.models import Department, Enterprise, Region
from zhiben.standards.checklists import checklist_for, fits
from zhiben.standards.models import Checklist, ChecklistItem, Clause

from .. import events, steps
from ..choices import Answer, FindingHandling, InspectionStatus, InspectorKind, Mode, OfficerRole, Origin
from ..documents import (  # noqa: F401  (team_of: the pages' team order)
    record_context,
    recorder_name,
    team_of,
    township_body,
)
from ..models import (
    CapException,
    Finding,
    Inspection,
    InspectionAnswer,
    InspectionDepartment,
    InspectionOfficer,
    Inspector,
    InspectorConflict,
)
from ..steps import (  # noqa: F401  (the visit steps' rule)
    department_ids_of,
    is_team_member,
    may_work_on,
    township_prefixes,
)
from . import caps


class InspectionError(DomainError):
    """A rule of inspection records refused the action."""


TRANSITIONS = steps.INSPECTION_FLOW.transitions

MIN_SUBJECTS = 2  # 行政处罚法第四十二条: 执法人员不得少于两人

GENERAL, MAJOR = "general", "major"  # hazards.choices.Level values (Finding.level uses the same)

# The hazard source a finding carries, by the way the unit was inspected.
SOURCE_BY_MODE: dict[str, str] = {
    Mode.UNDERCOVER: "undercover",
    Mode.EXPERT: "expert",
    Mode.PEER: "peer",
    Mode.PATROL: "patrol",
}
HAZARD_HANDLINGS = (FindingHandling.HAZARD, FindingHandling.HAZARD_AND_CASE)
CASE_HANDLINGS = (FindingHandling.CASE, FindingHandling.HAZARD_AND_CASE)
# Visits without a unit representative on site to sign (暗访, 远程检查).
NO_SIGNATURE_MODES = (Mode.UNDERCOVER, Mode.REMOTE)

RECORD_TEMPLATE = "inspection_record"
PATROL_TEMPLATE = "patrol_record"  # 巡查记录 (kind 笔录), issued in the township's name


# --- helpers -------------------------------------------------------------------------------------------------


def _require_work(actor: Any, inspection: Inspection) -> None:
    steps.works_on(actor, inspection)


def _locked(inspection: Inspection) -> Inspection:
    """The inspection's row, locked for this transaction: answers and findings of one visit queue up."""
    return Inspection.objects.unrestricted("service: under lock").select_for_update().get(pk=inspection.pk)


def _require_status(inspection: Inspection, *statuses: str, message: str) -> None:
    if inspection.status not in statuses:
        raise InspectionError(message)


def _next_code(year: int) -> str:
    return f"JC{year}-{next_value(f'inspection/{year}'):06d}"


def _team_users(inspection: Inspection) -> list[Any]:
    return [
        o.inspector.user
        for o in inspection.officers.select_related("inspector__user")
        if o.inspector.user is not None and o.inspector.user.is_active
    ]


# --- creating a task -----------------------------------------------------------------------------------------


def _check_team(
    *,
    enterprise: Enterprise,
    lead: Department,
    participating: Sequence[Department],
    officers: Sequence[Inspector],
    assistants: Sequence[Inspector],
    planned_on: dt.date,
    errors: dict[str, list[str]],
) -> None:
    """Legal-subject and 回避 rules of the team; problems are added to `errors` by field."""
    dept_ids = {d.pk for d in participating}
    people = [*officers, *assistants]
    if len({p.pk for p in people}) != len(people):
        errors.setdefault("officers", []).append(_("同一人员不能重复安排。"))
    for inspector in officers:
        if inspector.kind != InspectorKind.OFFICER:
            errors.setdefault("officers", []).append(
                _("%(n)s 是%(k)s，只能作为辅助检查人员，不能作为执法主体。")
                % {"n": inspector.name, "k": inspector.get_kind_display()}
            )
        elif not inspector.is_certified(planned_on):
            errors.setdefault("officers", []).append(
                _("%(n)s 的行政执法证在 %(d)s 无效（未登记、已过期或已出库），不能作为执法主体。")
                % {"n": inspector.name, "d": planned_on.isoformat()}
            )
        elif inspector.department_id not in dept_ids:
            errors.setdefault("officers", []).append(
                _("%(n)s 不属于参检部门，不能作为本次检查的执法人员。") % {"n": inspector.name}
            )
    subjects = [i for i in officers if i.kind == InspectorKind.OFFICER and i.is_certified(planned_on)]
    if len({i.pk for i in subjects}) < MIN_SUBJECTS:
        errors.setdefault("officers", []).append(
            _("执法人员不得少于两人，且须持有有效行政执法证（行政处罚法第四十二条）。")
        )
    if officers and officers[0].department_id != lead.pk and "officers" not in errors:
        errors.setdefault("officers", []).append(_("主办执法人员（第一位）应为牵头部门的人员。"))
    for inspector in assistants:
        if not inspector.active:
            errors.setdefault("assistants", []).append(_("%(n)s 已出库。") % {"n": inspector.name})
    conflicts = (
        InspectorConflict.objects.unrestricted("service: the team's")
        .filter(enterprise=enterprise, active=True, inspector__in=[p.pk for p in people])
        .select_related("inspector")
    )
    for conflict in conflicts:
        field = "assistants" if conflict.inspector in assistants else "officers"
        errors.setdefault(field, []).append(
            _("%(n)s 已申报与该单位的回避关系（%(r)s），应当回避。")
            % {"n": conflict.inspector.name, "r": conflict.reason}
        )


@transaction.atomic
def create_inspection(
    *,
    actor: Any,
    enterprise: Enterprise,
    department: Department | None = None,
    mode: str,
    origin: str = Origin.OTHER,
    planned_on: dt.date,
    officers: Sequence[Inspector] = (),
    assistants: Sequence[Inspector] = (),
    departments: Sequence[Department] = (),
    checklists: Mapping[int, Checklist] | None = None,
    subject: str = "",
    cap_exception: CapException | None = None,
    host_department: Department | None = None,
    companions: str = "",
) -> Inspection:
    """创建检查任务: one visit of `department` (and, for 联合检查, `departments`) to one unit, with its team.

    `officers` are the legal inspecting subjects, the first being 主办; `assistants` are experts and
    technicians. `checklists` maps a department id to the checklist it brings; one it leaves out brings its
    list for the unit's industry (standards.checklists.checklist_for). A chosen list must fit the unit.
    A 乡镇巡查 (`mode=patrol`) is `create_patrol`'s; a township official creates nothing else.
    """
    if mode == Mode.PATROL:
        if (
            department is not None
            or officers
            or assistants
            or departments
            or host_department
            or cap_exception
        ):
            raise ValidationError(
                {"mode": _("乡镇巡查不是执法检查：不指定牵头部门、执法人员、联合检查部门或超频次审批。")}
            )
        return create_patrol(
            actor=actor,
            enterprise=enterprise,
            planned_on=planned_on,
            origin=origin,
            subject=subject,
            companions=companions,
        )
    if actor is not None and township_prefixes(actor, "add") and not department_ids_of(actor):
        raise NotPermitted(
            _("乡镇（街道）只能创建乡镇巡查：执法检查由监管部门持有效行政执法证的执法人员开展。"),
            field="mode",
        )
    if department is None:
        raise ValidationError({"department": _("请选择牵头部门。")})
    if actor is not None:
        if not can(actor, "add", Inspection):
            raise NotPermitted(_("您无权创建检查任务。"))
        if department.pk not in department_ids_of(actor):
            raise NotPermitted(_("只能以本部门为牵头部门创建检查任务。"))
        if not Enterprise.objects.restrict(actor, "view").filter(pk=enterprise.pk).exists():
            raise NotPermitted(_("该单位不在您的职责范围内。"))
    officers, assistants = list(officers), list(assistants)
    joint = [d for d in dict.fromkeys(departments) if d.pk != department.pk]
    participating = [department, *joint]
    checklists = dict(checklists or {})
    errors: dict[str, list[str]] = {}
    if mode not in Mode.values:
        errors["mode"] = [_("检查方式无效。")]
    if origin not in Origin.values:
        errors["origin"] = [_("检查来源无效。")]
    if mode == Mode.JOINT and not joint:
        errors["departments"] = [_("联合检查须有两个以上部门参加，请选择联合检查部门。")]
    if mode != Mode.JOINT and joint:
        errors["departments"] = [_("只有联合检查可以有多个参检部门。")]
    if mode == Mode.CROSS_AREA and host_department is None:
        errors["host_department"] = [_("异地交叉检查须指定属地办案部门。")]
    if host_department is not None and mode != Mode.CROSS_AREA:
        errors["host_department"] = [_("只有异地交叉检查需要指定属地办案部门。")]
    dept_ids = {d.pk for d in participating}
    for dept_id, checklist in checklists.items():
        if dept_id not in dept_ids:
            errors.setdefault("checklists", []).append(_("检查表只能由参检部门选用。"))
        elif checklist.enterprise_id is not None or checklist.department_id not in (None, dept_id):
            errors.setdefault("checklists", []).append(
                _("“%(c)s”不是该部门的检查表或通用模板。") % {"c": checklist.name}
            )
        elif not checklist.active:
            errors.setdefault("checklists", []).append(_("“%(c)s”已停用。") % {"c": checklist.name})
        elif not fits(checklist, enterprise):
            errors.setdefault("checklists", []).append(
                _("“%(c)s”适用于%(i)s，与该单位的行业不符。") % {"c": checklist.name, "i": checklist.industry}
            )
    for d in participating:  # a department that chose none brings the list of the unit's industry
        if d.pk not in checklists and (found := checklist_for(d, enterprise)) is not None:
            checklists[d.pk] = found
    _check_team(
        enterprise=enterprise,
        lead=department,
        participating=participating,
        officers=officers,
        assistants=assistants,
        planned_on=planned_on,
        errors=errors,
    )
    try:
        caps.check_cap(enterprise, planned_on, cap_exception=cap_exception)
    except ValidationError as exc:
        for field, messages in exc.message_dict.items():
            errors.setdefault(field, []).extend(messages)
    if errors:
        raise ValidationError(errors)

    inspection = Inspection.objects.create(
        code=_next_code(planned_on.year),
        enterprise=enterprise,
        region=enterprise.region,
        industry=enterprise.primary_industry,
        department=department,
        mode=mode,
        origin=origin,
        planned_on=planned_on,
        location=enterprise.address,
        subject=subject.strip(),
        host_department=host_department,
        cap_exception=cap_exception,
        created_by=actor if getattr(actor, "is_authenticated", False) else None,
    )
    InspectionDepartment.objects.bulk_create(
        [
            InspectionDepartment(
                inspection=inspection,
                department=d,
                is_lead=d.pk == department.pk,
                checklist=checklists.get(d.pk),
            )
            for d in participating
        ]
    )
    InspectionOfficer.objects.bulk_create(
        [
            InspectionOfficer(
                inspection=inspection,
                inspector=person,
                role=OfficerRole.LEAD if i == 0 else OfficerRole.ASSOCIATE,
                certificate_no=person.certificate_no,
            )
            for i, person in enumerate(officers)
        ]
        + [
            InspectionOfficer(inspection=inspection, inspector=p, role=OfficerRole.ASSISTANT)
            for p in assistants
        ]
    )
    audit.record(
        inspection,
        events.INSPECTION_CREATED,
        actor=actor,
        data={
            "code": inspection.code,
            "enterprise": enterprise.pk,
            "department": department.pk,
            "departments": sorted(dept_ids),
            "mode": mode,
            "origin": origin,
            "planned_on": planned_on.isoformat(),
            "officers": [p.pk for p in officers],
            "assistants": [p.pk for p in assistants],
            "checklists": {str(k): v.pk for k, v in checklists.items()},
            "cap_exception": cap_exception.pk if cap_exception else None,
        },
    )
    notify_users(
        _team_users(inspection),
        subject=_("新检查任务：%(e)s") % {"e": enterprise.name},
        body=_("%(d)s %(m)s，计划检查日期 %(p)s。")
        % {"d": department.name, "m": inspection.get_mode_display(), "p": planned_on.isoformat()},
        url=inspection.get_absolute_url(),
        topic="inspection",
        obj=inspection,
    )
    return inspection


def township_of(region: Region | None) -> Region | None:
    """The 乡镇（街道） a place lies in: the region itself or its nearest township-level ancestor."""
    node = region
    while node is not None and node.level > RegionLevel.TOWNSHIP:
        node = node.parent
    return node if node is not None and node.level == RegionLevel.TOWNSHIP else None


@transaction.atomic
def create_patrol(
    *,
    actor: Any,
    enterprise: Enterprise,
    planned_on: dt.date,
    origin: str = Origin.OTHER,
    subject: str = "",
    companions: str = "",
) -> Inspection:
    """创建乡镇巡查: a township official patrols a unit of its territory (乡镇网格化巡查).

    Not 行政执法: no certified officers and no cap. The unit's supervising department (三管三必须) takes part
    with the unit's checklist, so what the patrol finds goes to the department that must judge it.
    """
    if actor is not None:
        if not can(actor, "add", Inspection) or not township_prefixes(actor, "add"):
            raise NotPermitted(_("乡镇巡查由乡镇（街道）的人员创建。"), field="mode")
        if not Enterprise.objects.restrict(actor, "view").filter(pk=enterprise.pk).exists():
            raise NotPermitted(_("该单位不在您的辖区。"), field="enterprise")
        if not any(enterprise.region.code.startswith(p) for p in township_prefixes(actor, "add")):
            raise NotPermitted(_("只能巡查本乡镇（街道）辖区内的单位。"), field="enterprise")
    errors: dict[str, list[str]] = {}
    if origin not in Origin.values:
        errors["origin"] = [_("检查来源无效。")]
    township = township_of(enterprise.region)
    if township is None:
        errors.setdefault("enterprise", []).append(_("该单位未登记所在乡镇（街道），无法安排乡镇巡查。"))
    department: Department | None = None
    try:
        department = hazard_services.supervising_department(enterprise.primary_industry)
    except DomainError as exc:
        errors.setdefault("enterprise", []).append(exc.message)
    companions = "、".join(
        n.strip() for n in companions.replace("，", "、").replace(",", "、").split("、") if n.strip()
    )
    if len(companions) > 200:
        errors["companions"] = [_("同行巡查人员不超过200字。")]
    if errors:
        raise ValidationError(errors)
    assert department is not None and township is not None
    checklist = checklist_for(department, enterprise)
    inspection = Inspection.objects.create(
        code=_next_code(planned_on.year),
        enterprise=enterprise,
        region=enterprise.region,
        industry=enterprise.primary_industry,
        department=department,
        patrol_township=township,
        companions=companions,
        mode=Mode.PATROL,
        origin=origin,
        planned_on=planned_on,
        location=enterprise.address,
        subject=subject.strip(),
        created_by=_user(actor),
    )
    InspectionDepartment.objects.create(
        inspection=inspection, department=department, is_lead=True, checklist=checklist
    )
    audit.record(
        inspection,
        events.INSPECTION_CREATED,
        actor=actor,
        data={
            "code": inspection.code,
            "enterprise": enterprise.pk,
            "department": department.pk,
            "mode": Mode.PATROL,
            "origin": origin,
            "planned_on": planned_on.isoformat(),
            "patrol_township": township.code,
            "companions": companions,
            "checklists": {str(department.pk): checklist.pk} if checklist else {},
        },
    )
    return inspection


# --- on site -------------------------------------------------------------------------------------------------


@steps.START.implements
@transaction.atomic
def start_inspection(
    inspection: Inspection, *, actor: Any, version: int | None = None, location: str = ""
) -> Inspection:
    """开始现场检查: the team arrives (the start time is the time of this call)."""
    steps.INSPECTION_FLOW.require(actor, steps.START, inspection)
    pin(inspection, version, steps.INSPECTION_FLOW.stale)
    changes: dict[str, Any] = {"started_at": timezone.now()}
    if location.strip():
        changes["location"] = location.strip()[:200]
    steps.INSPECTION_FLOW.advance(
        inspection,
        steps.START,
        actor=actor,
        changes=changes,
        audit_data={
            "started_at": changes["started_at"].isoformat(),
            "location": changes.get("location", inspection.location),
        },
    )
    return inspection


@dataclass(frozen=True)
class FindingProposal:
    """What 不符合 on an item suggests recording: 重大 citing the clause for a clause item, else 一般."""

    answer: InspectionAnswer
    department: Department
    level: str
    clause: Clause | None
    title: str


def proposal_for(answer: InspectionAnswer) -> FindingProposal | None:
    """The finding a 不符合 answer proposes, or None (answered otherwise, or already recorded)."""
    if (
        answer.result != Answer.FAIL
        or Finding.objects.unrestricted("service: the answer's").filter(answer=answer).exists()
    ):
        return None
    item = answer.item
    return FindingProposal(
        answer=answer,
        department=answer.department,
        level=MAJOR if item.clause_id else GENERAL,
        clause=item.clause,
        title=item.text.strip().splitlines()[0][:200] if item.text.strip() else _("检查项不符合"),
    )


def department_of_item(inspection: Inspection, item: ChecklistItem) -> Department:
    """The taking-part department whose checklist holds the item (ValidationError when none does)."""
    row = (
        inspection.departments.filter(checklist_id=item.checklist_id)
        .select_related("department")
        .order_by("-is_lead", "pk")
        .first()
    )
    if row is None:
        raise ValidationError({"item": _("该检查项不属于本次检查选用的检查表。")})
    return row.department


@transaction.atomic
def answer_item(
    inspection: Inspection, *, actor: Any, item: ChecklistItem, result: str, note: str = ""
) -> tuple[InspectionAnswer, FindingProposal | None]:
    """填写检查表: record (or change) the answer to one item; the same answer twice changes nothing.

    Returns the answer and, for 不符合, the finding it proposes (重大 citing the clause on a clause item,
    一般 on a custom item) for the inspector to confirm with record_finding.
    """
    _require_work(actor, inspection)
    inspection = _locked(inspection)
    _require_status(
        inspection, InspectionStatus.IN_PROGRESS, message=_("只有检查中的任务可以填写检查表，请先开始检查。")
    )
    if result not in Answer.values:
        raise ValidationError({"result": _("检查结果无效。")})
    department = department_of_item(inspection, item)
    note = note.strip()[:500]
    existing = inspection.answers.filter(item=item).first()
    if existing is not None:
        if existing.result == result and existing.note == note:
            return existing, proposal_for(existing)  # idempotent: nothing to write
        if existing.result == Answer.FAIL and Finding.objects.filter(answer=existing).exists():
            raise ValidationError({"result": _("该项已记录为发现问题，不能再更改检查结果。")})
        before = existing.result
        InspectionAnswer.objects.filter(pk=existing.pk).update(
            result=result, note=note, answered_by=_user(actor), updated_at=timezone.now()
        )
        existing.refresh_from_db()
        answer = existing
    else:
        before = ""
        answer = InspectionAnswer.objects.create(
            inspection=inspection,
            item=item,
            department=department,
            result=result,
            note=note,
            answered_by=_user(actor),
        )
    audit.record(
        inspection,
        events.INSPECTION_ANSWERED,
        actor=actor,
        data={"item": item.pk, "department": department.pk, "from": before, "result": result},
    )
    return answer, proposal_for(answer)


def _user(actor: Any) -> Any:
    return actor if getattr(actor, "is_authenticated", False) else None


def _hazard_source(mode: str) -> str:
    return SOURCE_BY_MODE.get(mode, "inspection")


def _finder(inspection: Inspection) -> str:
    """Who found a hazard, as its register shows it: the inspecting team, or the township's patrol."""
    if inspection.is_patrol:
        return _("%(t)s巡查：%(n)s（%(c)s）") % {
            "t": inspection.patrol_township.name if inspection.patrol_township else "",
            "n": "、".join(inspection.patrollers),
            "c": inspection.code,
        }
    return _("检查组：%(n)s（%(c)s）") % {"n": _subject_names(inspection), "c": inspection.code}


def _subject_names(inspection: Inspection) -> str:
    names = [
        o.inspector.name
        for o in inspection.officers.select_related("inspector")
        if o.role in (OfficerRole.LEAD, OfficerRole.ASSOCIATE)
    ]
    return "、".join(names)


@transaction.atomic
def record_finding(
    inspection: Inspection,
    *,
    actor: Any,
    handling: str,
    title: str = "",
    answer: InspectionAnswer | None = None,
    department: Department | None = None,
    level: str | None = None,
    clause: Clause | None = None,
    description: str = "",
    location: str = "",
) -> Finding:
    """记录检查发现问题 and route it: 当场整改, 登记隐患 (into the department's ledger), 立案, or both.

    From a 不符合 answer the department is that of the item's checklist and a clause item is 重大 citing its
    clause; a free finding names its department (one taking part) and level. A 重大 finding is always
    registered as a hazard: it cannot be closed on the spot.
    """
    _require_work(actor, inspection)
    if not can(actor, "add", Finding) and actor is not None:
        raise NotPermitted(_("您无权记录检查发现问题。"))
    inspection = _locked(inspection)
    _require_status(inspection, InspectionStatus.IN_PROGRESS, message=_("只有检查中的任务可以记录发现问题。"))
    errors: dict[str, str] = {}
    taking_part = {
        row.department_id: row.department for row in inspection.departments.select_related("department")
    }
    if answer is not None:
        if answer.inspection_id != inspection.pk:
            raise ValidationError({"answer": _("该检查项不属于本次检查。")})
        if answer.result != Answer.FAIL:
            errors["answer"] = _("只有“不符合”的检查项可以记录为发现问题。")
        elif Finding.objects.unrestricted("service: the answer's").filter(answer=answer).exists():
            errors["answer"] = _("该检查项已记录发现问题。")
        item = answer.item
        department = answer.department
        if item.clause_id:
            # 不符合 on a judgement clause is a 重大事故隐患 under that clause.
            level, clause = MAJOR, item.clause
        else:
            level = level or GENERAL
        title = title.strip() or item.text.strip()[:200]
    else:
        if department is None:
            errors["department"] = _("请选择承办部门。")
        elif department.pk not in taking_part:
            errors["department"] = _("承办部门应为参检部门之一。")
    if level not in (GENERAL, MAJOR):
        errors["level"] = _("请选择隐患等级。")
    if level == MAJOR and clause is None:
        errors["clause"] = _("重大事故隐患必须引用判定标准条款。")
    if handling not in FindingHandling.values:
        errors["handling"] = _("请选择处理方式。")
    elif level == MAJOR and handling not in HAZARD_HANDLINGS:
        errors["handling"] = _("重大事故隐患须登记隐患，纳入“一单四制”闭环管理，不能只当场整改或只立案。")
    if not title.strip():
        errors["title"] = _("请填写发现的问题。")
    if errors:
        raise ValidationError(errors)
    assert department is not None and level is not None

    hazard = None
    if handling in HAZARD_HANDLINGS:
        hazard = hazard_services.register_hazard(
            actor=actor,
            enterprise=inspection.enterprise,
            level=level,
            title=title.strip()[:200],
            discovered_on=timezone.localdate(),
            source=_hazard_source(inspection.mode),
            clause=clause,
            description=description,
            location=location,
            finder=_finder(inspection),
            department=department,
            visit=inspection,
        )
    finding = Finding.objects.create(
        inspection=inspection,
        department=department,
        answer=answer,
        clause=clause,
        level=level,
        title=title.strip()[:200],
        description=description,
        location=location.strip()[:200],
        handling=handling,
        hazard=hazard,
        recorded_by=_user(actor),
    )
    audit.record(
        inspection,
        events.INSPECTION_FINDING_RECORDED,
        actor=actor,
        data={
            "finding": finding.pk,
            "department": department.pk,
            "level": level,
            "clause": clause.pk if clause else None,
            "handling": handling,
            "hazard": hazard.code if hazard else None,
        },
    )
    return finding


# --- closing the visit ---------------------------------------------------------------------------------------


@steps.COMPLETE.implements
@transaction.atomic
def complete_inspection(
    inspection: Inspection,
    *,
    actor: Any,
    summary: str,
    conclusion: str,
    unit_representative: str = "",
    refused_to_sign: bool = False,
    version: int | None = None,
) -> Inspection:
    """完成现场检查: record what was checked and the 处理意见, and issue the 现场检查笔录 (Word and PDF).

    安全生产法第六十五条: the record is signed by the inspectors and the unit's person in charge; if that
    person refuses, the refusal is recorded (and reported).
    """
    steps.INSPECTION_FLOW.require(actor, steps.COMPLETE, inspection)
    pin(inspection, version, steps.INSPECTION_FLOW.stale)
    steps.INSPECTION_FLOW.check(inspection, steps.COMPLETE)
    errors: dict[str, str] = {}
    if not summary.strip():
        errors["summary"] = _("请填写检查情况。")
    if not conclusion.strip():
        errors["conclusion"] = _("请填写处理意见。")
    if not unit_representative.strip() and not refused_to_sign and inspection.mode not in NO_SIGNATURE_MODES:
        errors["unit_representative"] = _("请填写被检查单位现场负责人；拒绝签字的，请勾选“拒绝签字”。")
    if errors:
        raise ValidationError(errors)
    finished_at = timezone.now()
    inspection.summary, inspection.conclusion = summary.strip(), conclusion.strip()
    inspection.unit_representative = unit_representative.strip()[:50]
    inspection.refused_to_sign = refused_to_sign
    inspection.finished_at = finished_at
    if inspection.is_patrol:
        # The 巡查记录 is the township's: its name heads the record and is in the number （营田镇）巡查〔2026〕1号.
        township = inspection.patrol_township
        document = issue_document(
            PATROL_TEMPLATE,
            context=record_context(inspection, recorder=recorder_name(inspection, actor)),
            actor=actor,
            obj=inspection,
            on=timezone.localdate(),
            defer_files=True,
            issuer=township_body(township),
            agency_code=township.name if township else "",
        )
    else:
        # The 笔录 is the lead department's: its full name heads the record and its 代字 is in the number.
        document = issue_document(
            RECORD_TEMPLATE,
            context=record_context(inspection, recorder=recorder_name(inspection, actor)),
            actor=actor,
            obj=inspection,
            on=timezone.localdate(),
            defer_files=True,
            issuer=inspection.department.official_name,
            agency_code=inspection.department.document_code,
        )
    steps.INSPECTION_FLOW.advance(
        inspection,
        steps.COMPLETE,
        actor=actor,
        changes={
            "summary": inspection.summary,
            "conclusion": inspection.conclusion,
            "unit_representative": inspection.unit_representative,
            "refused_to_sign": refused_to_sign,
            "finished_at": finished_at,
            "record_document": document,
        },
        audit_data={
            "record": document.number,
            "findings": inspection.findings.count(),
            "refused_to_sign": refused_to_sign,
        },
    )
    if inspection.is_patrol:
        subject = _("巡查记录：%(c)s") % {"c": inspection.code}
        body = _("%(d)s 已完成对你单位的安全生产巡查，巡查记录编号 %(n)s。") % {
            "d": inspection.patrol_township.name if inspection.patrol_township else "",
            "n": document.number,
        }
    else:
        subject = _("现场检查笔录：%(c)s") % {"c": inspection.code}
        body = _("%(d)s 已完成对你单位的现场检查，笔录文号 %(n)s。") % {
            "d": inspection.department.name,
            "n": document.number,
        }
    notify_users(
        users_of_enterprise(inspection.enterprise_id),
        subject=subject,
        body=body,
        url=inspection.get_absolute_url(),
        topic="inspection",
        obj=inspection,
    )
    return inspection


@steps.CANCEL.implements
@transaction.atomic
def cancel_inspection(
    inspection: Inspection, *, actor: Any, reason: str, version: int | None = None
) -> Inspection:
    """取消检查任务 (with the reason); a cancelled visit does not count against the unit's cap."""
    steps.INSPECTION_FLOW.require(actor, steps.CANCEL, inspection)
    pin(inspection, version, steps.INSPECTION_FLOW.stale)
    if not reason.strip():
        raise ValidationError({"reason": _("请填写取消原因。")})
    if inspection.findings.exists():
        raise InspectionError(_("已记录发现问题的检查不能取消，请完成检查。"))
    steps.INSPECTION_FLOW.advance(
        inspection,
        steps.CANCEL,
        actor=actor,
        audit_data={"from": inspection.status, "reason": reason.strip()},
    )
    return inspection
