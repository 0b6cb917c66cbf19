"""Inspection records as stories: 住建局 and 消防救援大队 inspect 营田燃气经营部 together; the law decides who may
be on the team; the unit's yearly cap holds; every step leaves one audit row."""

from __future__ import annotations

import datetime as dt
import re
import subprocess
from typing import Any

import pytest
from django.core.exceptions import ValidationError

from zhiben.core.errors import Conflict, NotPermitted
from zhiben.core.models import AuditEntry, OutboxMessage
from zhiben.hazards import services as hazard_services
from zhiben.hazards.choices import Source, Status
from zhiben.inspections import events
from zhiben.inspections.choices import (
    Answer,
    ExceptionStatus,
    FindingHandling,
    InspectionStatus,
    Mode,
    OfficerRole,
    Origin,
)
from zhiben.inspections.models import CapException, Inspection, InspectionAnswer, InspectionCap
from zhiben.inspections.services import caps, records, roster

pytestmark = pytest.mark.usefixtures("clock")

TODAY = dt.date(2025, 3, 3)


def audit_rows(inspection: Inspection, event: str) -> int:
    return AuditEntry.objects.filter(
        object_type="inspections.inspection", object_id=str(inspection.pk), event=event
    ).count()


@pytest.fixture(autouse=True)
def no_caps(db: Any) -> None:
    """Caps are data that may ship later; these stories set their own where they test them."""
    InspectionCap.objects.all().delete()


def joint_visit(world: Any, inspectors: Any, lists: Any, **overrides: Any) -> Inspection:
    values: dict[str, Any] = {
        "actor": world.zhujian,
        "enterprise": world.enterprises["yt_gas"],
        "department": world.departments["housing"],
        "mode": Mode.JOINT,
        "origin": Origin.SPECIAL,
        "planned_on": TODAY,
        "officers": [inspectors["zhujian"], inspectors["xiaofang"]],
        "assistants": [inspectors["zhuanjia"]],
        "departments": [world.departments["fire"]],
        "checklists": {
            world.departments["housing"].pk: lists["housing"],
            world.departments["fire"].pk: lists["fire"],
        },
        "subject": "城镇燃气安全专项检查",
    }
    values.update(overrides)
    return records.create_inspection(**values)


def routine_visit(world: Any, inspectors: Any, **overrides: Any) -> Inspection:
    values: dict[str, Any] = {
        "actor": world.zhujian,
        "enterprise": world.enterprises["qiye3"],
        "department": world.departments["housing"],
        "mode": Mode.ROUTINE,
        "planned_on": TODAY,
        "officers": [inspectors["zhujian"], inspectors["zhujian_2"]],
    }
    values.update(overrides)
    return records.create_inspection(**values)


def errors_of(exc: pytest.ExceptionInfo[ValidationError]) -> dict[str, list[str]]:
    return exc.value.message_dict


# --- the joint visit -------------------------------------------------------------------------------------------


def test_it_creates_one_joint_visit_with_each_departments_checklist(
    world: Any, inspectors: Any, checklists: Any
) -> None:
    inspection = joint_visit(world, inspectors, checklists)

    inspection = Inspection.objects.get(pk=inspection.pk)
    assert inspection.code.startswith("JC2025-")
    assert inspection.status == InspectionStatus.PLANNED
    assert inspection.region == world.enterprises["yt_gas"].region
    assert inspection.industry == world.industries["GAS"]
    rows = {r.department.code: r for r in inspection.departments.all()}
    assert set(rows) == {"housing", "fire"}
    assert rows["housing"].is_lead and not rows["fire"].is_lead
    assert rows["housing"].checklist == checklists["housing"]
    assert rows["fire"].checklist == checklists["fire"]
    team = {o.inspector.name: o for o in inspection.officers.select_related("inspector")}
    assert team[inspectors["zhujian"].name].role == OfficerRole.LEAD
    assert team[inspectors["xiaofang"].name].role == OfficerRole.ASSOCIATE
    assert team[inspectors["xiaofang"].name].certificate_no == inspectors["xiaofang"].certificate_no
    assert team["安全生产专家"].role == OfficerRole.ASSISTANT
    assert not team["安全生产专家"].is_legal_subject
    assert audit_rows(inspection, events.INSPECTION_CREATED) == 1
    # The team's members with a login learn of the task; the unit does not (no advance notice).
    assert OutboxMessage.objects.filter(recipient=world.xiaofang, subject__contains="新检查任务").exists()
    assert not OutboxMessage.objects.filter(recipient__in=[world.qiye1, world.qiye3]).exists()


def test_it_routes_each_finding_of_a_joint_visit_to_its_departments_ledger(
    world: Any, inspectors: Any, checklists: Any, django_capture_on_commit_callbacks: Any
) -> None:
    inspection = joint_visit(world, inspectors, checklists)
    records.start_inspection(inspection, actor=world.zhujian, version=inspection.version)

    gas_clause_item = checklists["housing"].items.exclude(clause=None).first()
    fire_custom_item = checklists["fire"].items.filter(clause=None).first()
    for item in checklists["housing"].items.exclude(pk=gas_clause_item.pk):
        records.answer_item(inspection, actor=world.zhujian, item=item, result=Answer.PASS)
    gas_answer, gas_proposal = records.answer_item(
        inspection, actor=world.zhujian, item=gas_clause_item, result=Answer.FAIL, note="储罐无液位计"
    )
    fire_answer, fire_proposal = records.answer_item(
        inspection, actor=world.xiaofang, item=fire_custom_item, result=Answer.FAIL
    )

    # 不符合 on a clause proposes a 重大 hazard citing it; on a custom item a 一般 one.
    assert gas_proposal is not None and gas_proposal.level == "major"
    assert gas_proposal.clause == gas_clause_item.clause
    assert gas_proposal.department == world.departments["housing"]
    assert fire_proposal is not None and fire_proposal.level == "general" and fire_proposal.clause is None
    assert fire_proposal.department == world.departments["fire"]

    gas_finding = records.record_finding(
        inspection, actor=world.zhujian, answer=gas_answer, handling=FindingHandling.HAZARD, location="储罐区"
    )
    fire_finding = records.record_finding(
        inspection, actor=world.xiaofang, answer=fire_answer, handling=FindingHandling.HAZARD
    )
    with django_capture_on_commit_callbacks(execute=True):
        records.complete_inspection(
            inspection,
            actor=world.zhujian,
            summary="检查了储罐区、充装间和消防设施。",
            conclusion="责令限期整改。",
            unit_representative="张yt_gas",
            version=inspection.version,
        )

    # One visit, one 笔录, a finding in each department's ledger.
    gas_hazard, fire_hazard = gas_finding.hazard, fire_finding.hazard
    assert gas_hazard.department == world.departments["housing"]
    assert gas_hazard.level == "major" and gas_hazard.clause == gas_clause_item.clause
    assert fire_hazard.department == world.departments["fire"]  # not the industry's supervising 住建局
    assert fire_hazard.level == "general"
    assert {gas_hazard.source, fire_hazard.source} == {Source.INSPECTION}
    assert inspection.code in gas_hazard.finder
    inspection = Inspection.objects.get(pk=inspection.pk)
    assert inspection.status == InspectionStatus.COMPLETED
    document = inspection.record_document
    assert document is not None and document.title == "现场检查笔录"
    assert Inspection.objects.filter(enterprise=world.enterprises["yt_gas"]).count() == 1
    for text in (
        inspectors["zhujian"].certificate_no,
        inspectors["xiaofang"].certificate_no,
        "安全生产专家",
        gas_hazard.code,
        fire_hazard.code,
        gas_clause_item.clause.citation,
        "区消防救援大队",
        "张yt_gas",
    ):
        assert text in document.body, text
    assert document.context["issuer"] == "屈原管理区住房和城乡建设局"  # the lead department, in full
    assert document.number.startswith("（屈住建）现检〔")
    document.refresh_from_db()
    assert document.docx.name.endswith(".docx") and document.docx.storage.exists(document.docx.name)
    assert document.pdf.name.endswith(".pdf") and document.pdf.storage.exists(document.pdf.name)
    assert document.pdf.open("rb").read(5) == b"%PDF-"

    # The hazard loop carries the finding on: 消防救援大队 judges its hazard from its own ledger.
    assert (
        hazard_services.Hazard.objects.restrict(world.xiaofang, "review").filter(pk=fire_hazard.pk).exists()
    )
    hazard_services.confirm(fire_hazard, actor=world.xiaofang, version=fire_hazard.version)
    fire_hazard.refresh_from_db()
    assert fire_hazard.status == Status.CONFIRMED and fire_hazard.deadline is not None
    for event in (events.INSPECTION_STARTED, events.INSPECTION_COMPLETED):
        assert audit_rows(inspection, event) == 1
    assert audit_rows(inspection, events.INSPECTION_FINDING_RECORDED) == 2
    assert audit_rows(inspection, events.INSPECTION_ANSWERED) == checklists["housing"].items.count() + 1


def test_it_records_the_refusal_to_sign_in_the_record(world: Any, inspectors: Any) -> None:
    inspection = routine_visit(world, inspectors)
    records.start_inspection(inspection, actor=world.zhujian)

    with pytest.raises(ValidationError) as exc:
        records.complete_inspection(
            inspection, actor=world.zhujian, summary="检查了施工现场。", conclusion="无"
        )
    assert "unit_representative" in errors_of(exc)

    records.complete_inspection(
        inspection, actor=world.zhujian, summary="检查了施工现场。", conclusion="无", refused_to_sign=True
    )
    body = Inspection.objects.get(pk=inspection.pk).record_document.body
    assert "拒绝签字" in body and "第六十五条" in body
    assert "本次检查未发现问题" in body
    # The unit is told its 笔录 is ready.
    assert OutboxMessage.objects.filter(recipient=world.qiye3, subject__contains="现场检查笔录").exists()


def test_the_record_is_a_record_form_in_the_lead_departments_full_name(
    world: Any, inspectors: Any, django_capture_on_commit_callbacks: Any
) -> None:
    inspection = routine_visit(world, inspectors)
    records.start_inspection(inspection, actor=world.zhujian)

    with django_capture_on_commit_callbacks(execute=True):
        records.complete_inspection(
            Inspection.objects.get(pk=inspection.pk),
            actor=world.zhujian,
            summary="检查了施工现场。",
            conclusion="无",
            unit_representative="李现场",
        )

    document = Inspection.objects.get(pk=inspection.pk).record_document
    text = subprocess.run(
        ["pdftotext", "-layout", document.pdf.path, "-"], capture_output=True, text=True, check=True
    ).stdout
    lines = [line for raw in text.splitlines() if (line := re.sub(r"\s+", "", raw))]
    assert lines[:3] == ["屈原管理区住房和城乡建设局", "现场检查笔录", document.number]
    assert document.number.startswith("（屈住建）现检〔")
    flat = "".join(lines)
    zhujian, second = inspectors["zhujian"], inspectors["zhujian_2"]
    for field in (
        f"被检查单位：{world.enterprises['qiye3'].name}",
        "检查时间：2025年3月3日",
        f"{zhujian.name}（主办执法人员，屈原管理区住房和城乡建设局，执法证号：{zhujian.certificate_no}）",
        f"执法证号：{second.certificate_no}",
        f"记录人：{zhujian.name}",  # the officer who completed the record
        "被检查单位现场负责人：李现场",
    ):
        assert field in flat, field
    for label in ("检查人员（签名）：", "记录人（签名）：", "被检查单位现场负责人（签名）："):
        assert any(line.startswith(label) and line.endswith("年月日") for line in lines), label
    assert re.search(r"共\d+页第1页", flat) and "印发" not in flat


def test_it_maps_the_hazard_source_from_the_mode(world: Any, inspectors: Any) -> None:
    for mode, source in ((Mode.UNDERCOVER, Source.UNDERCOVER), (Mode.EXPERT, Source.EXPERT)):
        inspection = routine_visit(world, inspectors, mode=mode)
        records.start_inspection(inspection, actor=world.zhujian)
        finding = records.record_finding(
            inspection,
            actor=world.zhujian,
            department=world.departments["housing"],
            level="general",
            title="临边防护缺失",
            handling=FindingHandling.HAZARD,
        )
        assert finding.hazard.source == source
        assert finding.hazard.department == world.departments["housing"]


# --- who may be on the team ----------------------------------------------------------------------------------


def test_it_needs_two_certified_officers(world: Any, inspectors: Any) -> None:
    with pytest.raises(ValidationError) as exc:
        routine_visit(world, inspectors, officers=[inspectors["zhujian"]])
    assert "不得少于两人" in " ".join(errors_of(exc)["officers"])
    assert not Inspection.objects.exists()


def test_it_lets_an_expert_assist_but_never_be_a_subject(world: Any, inspectors: Any) -> None:
    with pytest.raises(ValidationError) as exc:
        routine_visit(world, inspectors, officers=[inspectors["zhujian"], inspectors["zhuanjia"]])
    messages = " ".join(errors_of(exc)["officers"])
    assert "只能作为辅助检查人员" in messages and "不得少于两人" in messages

    inspection = routine_visit(world, inspectors, assistants=[inspectors["zhuanjia"]])
    subjects = [o for o in inspection.officers.all() if o.is_legal_subject]
    assert {o.inspector_id for o in subjects} == {inspectors["zhujian"].pk, inspectors["zhujian_2"].pk}


def test_it_refuses_an_officer_whose_certificate_has_expired(world: Any, inspectors: Any) -> None:
    roster.save_inspector(
        inspectors["zhujian_2"],
        actor=world.zhujian,
        certificate_valid_until=dt.date(2025, 3, 2),
        version=inspectors["zhujian_2"].version,
    )
    inspectors["zhujian_2"].refresh_from_db()

    with pytest.raises(ValidationError) as exc:
        routine_visit(world, inspectors)
    assert "执法证" in " ".join(errors_of(exc)["officers"])


def test_it_refuses_an_officer_with_a_declared_conflict(world: Any, inspectors: Any) -> None:
    roster.declare_conflict(
        actor=world.zhujian,
        inspector=inspectors["zhujian_2"],
        enterprise=world.enterprises["qiye3"],
        reason="配偶在该单位任安全员",
    )

    with pytest.raises(ValidationError) as exc:
        routine_visit(world, inspectors)
    assert "回避" in " ".join(errors_of(exc)["officers"])

    # Another unit is fine, and so is the same unit once the relationship has ended.
    routine_visit(world, inspectors, enterprise=world.enterprises["yt_gas"])
    conflict = inspectors["zhujian_2"].conflicts.get()
    roster.withdraw_conflict(conflict, actor=world.zhujian, reason="配偶已离职")
    routine_visit(world, inspectors)


def test_it_refuses_officers_of_departments_not_taking_part(world: Any, inspectors: Any) -> None:
    with pytest.raises(ValidationError) as exc:
        routine_visit(world, inspectors, officers=[inspectors["zhujian"], inspectors["xiaofang"]])
    assert "不属于参检部门" in " ".join(errors_of(exc)["officers"])


def test_it_needs_two_departments_for_a_joint_visit(world: Any, inspectors: Any, checklists: Any) -> None:
    with pytest.raises(ValidationError) as exc:
        joint_visit(
            world,
            inspectors,
            checklists,
            departments=[],
            officers=[inspectors["zhujian"], inspectors["zhujian_2"]],
            checklists={},
        )
    assert "departments" in errors_of(exc)


def test_it_creates_only_for_the_actors_own_department(world: Any, inspectors: Any) -> None:
    with pytest.raises(NotPermitted):
        routine_visit(world, inspectors, actor=world.xiaofang)
    with pytest.raises(NotPermitted):
        routine_visit(world, inspectors, actor=world.anweiban)


# --- caps --------------------------------------------------------------------------------------------------------


def test_it_refuses_a_visit_beyond_the_units_yearly_cap_without_approval(world: Any, inspectors: Any) -> None:
    InspectionCap.objects.create(industry=world.industries["CONSTRUCTION"], max_per_year=1, source="测试上限")
    routine_visit(world, inspectors)

    with pytest.raises(ValidationError) as exc:
        routine_visit(world, inspectors, planned_on=TODAY + dt.timedelta(days=7))
    assert "年度检查频次上限" in errors_of(exc)["enterprise"][0]

    approval = CapException.objects.create(
        enterprise=world.enterprises["qiye3"],
        department=world.departments["housing"],
        year=2025,
        reason="举报核查",
        status=ExceptionStatus.APPROVED,
        requested_by=world.zhujian,
    )
    second = routine_visit(world, inspectors, cap_exception=approval, origin=Origin.TIP)
    assert second.cap_exception == approval
    assert caps.cap_status(world.enterprises["qiye3"], 2025).used == 2


# --- on site -----------------------------------------------------------------------------------------------------


def test_it_answers_an_item_idempotently(world: Any, inspectors: Any, checklists: Any) -> None:
    inspection = joint_visit(world, inspectors, checklists)
    item = checklists["fire"].items.first()
    with pytest.raises(records.InspectionError):
        records.answer_item(inspection, actor=world.xiaofang, item=item, result=Answer.PASS)
    records.start_inspection(inspection, actor=world.xiaofang)

    for _ in range(2):
        answer, proposal = records.answer_item(
            inspection, actor=world.xiaofang, item=item, result=Answer.PASS
        )

    assert InspectionAnswer.objects.filter(inspection=inspection).count() == 1
    assert answer.department == world.departments["fire"] and proposal is None
    assert audit_rows(inspection, events.INSPECTION_ANSWERED) == 1
    records.answer_item(inspection, actor=world.xiaofang, item=item, result=Answer.NOT_APPLICABLE)
    assert InspectionAnswer.objects.get(inspection=inspection).result == Answer.NOT_APPLICABLE
    assert audit_rows(inspection, events.INSPECTION_ANSWERED) == 2

    foreign = checklists["housing"].items.first()
    other = routine_visit(world, inspectors)
    records.start_inspection(other, actor=world.zhujian)
    with pytest.raises(ValidationError):
        records.answer_item(other, actor=world.zhujian, item=foreign, result=Answer.PASS)


def test_it_keeps_an_answer_that_became_a_finding(world: Any, inspectors: Any, checklists: Any) -> None:
    inspection = joint_visit(world, inspectors, checklists)
    records.start_inspection(inspection, actor=world.zhujian)
    item = checklists["housing"].items.filter(clause=None).first()
    answer, _ = records.answer_item(inspection, actor=world.zhujian, item=item, result=Answer.FAIL)
    records.record_finding(inspection, actor=world.zhujian, answer=answer, handling=FindingHandling.ON_SITE)

    with pytest.raises(ValidationError):
        records.answer_item(inspection, actor=world.zhujian, item=item, result=Answer.PASS)
    with pytest.raises(ValidationError):
        records.record_finding(
            inspection, actor=world.zhujian, answer=answer, handling=FindingHandling.ON_SITE
        )


def test_it_registers_every_major_finding_as_a_hazard(world: Any, inspectors: Any, checklists: Any) -> None:
    inspection = joint_visit(world, inspectors, checklists)
    records.start_inspection(inspection, actor=world.zhujian)
    item = checklists["housing"].items.exclude(clause=None).first()
    answer, _ = records.answer_item(inspection, actor=world.zhujian, item=item, result=Answer.FAIL)

    with pytest.raises(ValidationError) as exc:
        records.record_finding(
            inspection, actor=world.zhujian, answer=answer, handling=FindingHandling.ON_SITE
        )
    assert "handling" in errors_of(exc)
    with pytest.raises(ValidationError) as exc:
        records.record_finding(
            inspection,
            actor=world.zhujian,
            department=world.departments["housing"],
            level="major",
            title="无条款的重大隐患",
            handling=FindingHandling.HAZARD,
        )
    assert "clause" in errors_of(exc)


def test_it_lets_only_the_team_and_taking_part_departments_work(
    world: Any, inspectors: Any, checklists: Any
) -> None:
    inspection = joint_visit(world, inspectors, checklists)

    with pytest.raises(NotPermitted):
        records.start_inspection(inspection, actor=world.yingji)
    with pytest.raises(NotPermitted):
        records.start_inspection(inspection, actor=world.qiye1)
    records.start_inspection(inspection, actor=world.xiaofang)


def test_it_answers_a_stale_version_with_a_conflict(world: Any, inspectors: Any) -> None:
    inspection = routine_visit(world, inspectors)
    stale = inspection.version
    records.start_inspection(Inspection.objects.get(pk=inspection.pk), actor=world.zhujian)

    with pytest.raises(Conflict):
        records.cancel_inspection(inspection, actor=world.zhujian, reason="重复安排", version=stale)


def test_it_cancels_a_task_with_its_reason_and_frees_the_cap(world: Any, inspectors: Any) -> None:
    InspectionCap.objects.create(industry=world.industries["CONSTRUCTION"], max_per_year=1)
    inspection = routine_visit(world, inspectors)

    with pytest.raises(ValidationError):
        records.cancel_inspection(inspection, actor=world.zhujian, reason=" ")
    records.cancel_inspection(inspection, actor=world.zhujian, reason="重复安排", version=inspection.version)

    assert Inspection.objects.get(pk=inspection.pk).status == InspectionStatus.CANCELLED
    entry = AuditEntry.objects.get(object_id=str(inspection.pk), event=events.INSPECTION_CANCELLED)
    assert entry.data["reason"] == "重复安排"
    routine_visit(world, inspectors)  # the cancelled visit does not count


def test_it_hides_a_planned_visit_from_the_unit(world: Any, inspectors: Any, checklists: Any) -> None:
    from zhiben.accounts.models import RoleAssignment

    owner = RoleAssignment.objects.get(user=world.qiye3).user
    inspection = routine_visit(world, inspectors, mode=Mode.UNANNOUNCED)
    assert not Inspection.objects.restrict(owner).filter(pk=inspection.pk).exists()

    records.start_inspection(inspection, actor=world.zhujian)
    assert Inspection.objects.restrict(owner).filter(pk=inspection.pk).exists()
    assert Inspection.objects.restrict(world.zhujian).filter(pk=inspection.pk).exists()
