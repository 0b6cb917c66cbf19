"""The 现场检查笔录: what it says (安全生产法第六十五条、第六十八条), and who may download it.

The record lists the inspected unit, the place, the time from–to, the legal inspecting subjects with their
certificate numbers, the assistants, the 记录人 and the unit's person present, what was checked (each
department's checklist), the problems found with their handling, the 处理意见, and ends with the signature
blanks of the inspectors, the 记录人 and the unit. `services.complete_inspection` issues it through
core.documents (template `inspection_record`, kind 笔录, shipped in data/document_templates.json) in the lead
department's full name and with its 代字 in the number: （屈住建）现检〔2026〕1号.

A township's patrol (乡镇巡查) is not 执法: its record is the 巡查记录 (template `patrol_record`, kind 笔录) in
the township's name (`township_body`: 营田镇人民政府, 天问街道办事处) with the township in the number
（营田镇）巡查〔2026〕1号, naming the patrolling officials instead of officers and certificates.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.utils import timezone

from zhiben.core.documents import register_document_access

from .choices import Answer, Mode, OfficerRole
from .models import Inspection, InspectionOfficer


def _when(value: dt.datetime | None) -> str:
    if value is None:
        return ""
    local = timezone.localtime(value)
    return f"{local.year}年{local.month}月{local.day}日{local.hour}时{local.minute:02d}分"


def checklist_tally(inspection: Inspection) -> list[dict[str, Any]]:
    """Per taking-part department: its checklist and how its items were answered."""
    answers: dict[int, list[str]] = {}
    for dept_id, result in inspection.answers.values_list("department_id", "result"):
        answers.setdefault(dept_id, []).append(result)
    rows = []
    for row in inspection.departments.select_related("department", "checklist"):
        results = answers.get(row.department_id, [])
        rows.append(
            {
                "department": row.department.name,
                "checklist": row.checklist.name if row.checklist else "",
                "total": row.checklist.items.count() if row.checklist else 0,
                "answered": len(results),
                "passed": results.count(Answer.PASS),
                "failed": results.count(Answer.FAIL),
                "na": results.count(Answer.NOT_APPLICABLE),
            }
        )
    return rows


ROLE_ORDER: dict[str, int] = {OfficerRole.LEAD: 0, OfficerRole.ASSOCIATE: 1, OfficerRole.ASSISTANT: 2}


def team_of(inspection: Inspection) -> list[InspectionOfficer]:
    """The team in the order the 笔录 names it: 主办, then 协办, then the assistants."""
    team = list(inspection.officers.select_related("inspector__department"))
    return sorted(team, key=lambda o: (ROLE_ORDER.get(o.role, 9), o.pk))


def recorder_name(inspection: Inspection, actor: Any) -> str:
    """记录人: the team member who completes the record, else the user's name ("" leaves the blank to fill)."""
    for officer in team_of(inspection):
        if actor is not None and officer.inspector.user_id == getattr(actor, "pk", None):
            return officer.inspector.name
    return str(getattr(actor, "display_name", "") or "")


def record_context(inspection: Inspection, *, recorder: str = "") -> dict[str, Any]:
    """What the 现场检查笔录 says: unit, place, time, subjects with certificate numbers, assistants, 记录人,
    content, problems and handling (安全生产法第六十五条、第六十八条). Departments are named in full."""
    ent = inspection.enterprise
    team = team_of(inspection)
    findings = list(
        inspection.findings.select_related("department", "clause__version", "hazard").order_by("pk")
    )
    departments = [
        row.department.official_name for row in inspection.departments.select_related("department")
    ]
    return {
        "inspection": {
            "code": inspection.code,
            "mode": inspection.get_mode_display(),
            "origin": inspection.get_origin_display(),
            "subject": inspection.subject,
            "location": inspection.location or ent.address,
            "started_at": _when(inspection.started_at),
            "finished_at": _when(inspection.finished_at),
            "summary": inspection.summary,
            "conclusion": inspection.conclusion,
            "undercover": inspection.mode == Mode.UNDERCOVER,
            "joint": inspection.is_joint,
        },
        "enterprise": {
            "name": ent.name,
            "uscc": ent.uscc or "",
            "address": ent.address,
            "principal_name": ent.principal_name,
        },
        "departments_text": "、".join(departments),
        "lead_department": inspection.department.official_name,
        "host_department": inspection.host_department.official_name if inspection.host_department else "",
        "subjects": [
            {
                "role": o.get_role_display(),
                "name": o.inspector.name,
                "department": o.inspector.department.official_name,
                "certificate_no": o.certificate_no or o.inspector.certificate_no,
            }
            for o in team
            if o.is_legal_subject
        ],
        "assistants": [
            {
                "name": o.inspector.name,
                "kind": o.inspector.get_kind_display(),
                "specialty": o.inspector.specialty,
            }
            for o in team
            if not o.is_legal_subject
        ],
        "checklists": checklist_tally(inspection),
        "findings": [
            {
                "title": f.title,
                "level": f.get_level_display(),
                "clause": f.clause.citation if f.clause_id else "",
                "location": f.location,
                "department": f.department.official_name,
                "handling": f.get_handling_display(),
                "hazard": f.hazard.code if f.hazard_id else "",
            }
            for f in findings
        ],
        "recorder": recorder,
        "patrol": {
            "township": inspection.patrol_township.name if inspection.patrol_township else "",
            "body": township_body(inspection.patrol_township),
            "patrollers": "、".join(inspection.patrollers),
            "department": inspection.department.official_name,
        }
        if inspection.is_patrol
        else {},
        "unit_representative": inspection.unit_representative,
        "refused_to_sign": inspection.refused_to_sign,
    }


def township_body(township: Any) -> str:
    """The township's issuing body: a 街道's 办事处, else the 乡镇人民政府 (营田镇人民政府)."""
    if township is None:
        return ""
    name = township.name
    return f"{name}办事处" if name.endswith("街道") else f"{name}人民政府"


def _can_view_inspection_document(user: Any, object_id: str) -> bool:
    return (
        object_id.isdigit() and Inspection.objects.restrict(user, "view").filter(pk=int(object_id)).exists()
    )


# A 笔录 is visible with its inspection (scoped; a unit sees it once the visit has started).
register_document_access("inspections.inspection", _can_view_inspection_document)
