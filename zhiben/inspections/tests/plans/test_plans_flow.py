"""应急管理局's annual inspection plan goes to 区安委办 for approval; caps are data, and inspecting a unit
beyond its cap needs the office's approval of an exception."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.core.exceptions import ValidationError

from zhiben.core.errors import Conflict, NotPermitted
from zhiben.core.models import AuditEntry, OutboxMessage
from zhiben.inspections.choices import ExceptionStatus, InspectionStatus, Mode, Origin, PlanStatus, RiskClass
from zhiben.inspections.models import Inspection, InspectionCap
from zhiben.inspections.reference import load_inspection_caps
from zhiben.inspections.services import caps, plans
from zhiben.inspections.services.records import create_inspection

from .draw_fixtures import district_fixture  # noqa: F401

pytestmark = pytest.mark.django_db


def draft(district: Any) -> Any:
    return plans.create_plan(
        actor=district.world.yingji,
        department=district.emergency,
        year=2025,
        title="应急管理局2025年度安全生产监督检查计划",
        random_ratio=10,
    )


def last_event(obj: Any) -> str:
    return (
        AuditEntry.objects.filter(object_type=obj._meta.label_lower, object_id=str(obj.pk))
        .order_by("-seq")
        .values_list("event", flat=True)
        .first()
    )


def test_it_takes_a_plan_from_draft_to_approval(district: Any, clock: Any) -> None:
    yingji, office = district.world.yingji, district.world.anweiban
    plan = draft(district)
    assert plan.status == PlanStatus.DRAFT and last_event(plan) == "PLAN_SAVED"
    for unit in district.units[:3]:
        plans.add_plan_unit(plan, actor=yingji, enterprise=unit, planned_quarter=2)
    assert last_event(plan) == "PLAN_UNIT_ADDED"
    with pytest.raises(ValidationError) as caught:
        plans.add_plan_unit(plan, actor=yingji, enterprise=district.world.enterprises["qiye3"])  # 住建's unit
    assert "enterprise" in caught.value.message_dict

    plans.submit_plan(plan, actor=yingji, version=plan.version)
    assert plan.status == PlanStatus.SUBMITTED and last_event(plan) == "PLAN_SUBMITTED"
    assert OutboxMessage.objects.filter(recipient=office, topic="plan", subject__contains="待审批").exists()
    with pytest.raises(plans.PlanError):
        plans.update_plan(plan, actor=yingji, title="改名")
    with pytest.raises(NotPermitted):
        plans.approve_plan(plan, actor=yingji)  # a department does not approve its own plan

    plans.approve_plan(plan, actor=office, note="同意", version=plan.version)
    plan.refresh_from_db()
    assert plan.status == PlanStatus.APPROVED and plan.approved_by == office and plan.review_note == "同意"
    assert last_event(plan) == "PLAN_APPROVED"
    assert OutboxMessage.objects.filter(recipient=yingji, topic="plan", subject__contains="已批准").exists()


def test_it_returns_a_plan_with_a_note_and_takes_it_back_revised(district: Any, clock: Any) -> None:
    yingji, office = district.world.yingji, district.world.anweiban
    plan = draft(district)
    plans.submit_plan(plan, actor=yingji)
    with pytest.raises(ValidationError):
        plans.return_plan(plan, actor=office, note="")
    plans.return_plan(plan, actor=office, note="请补充重点检查单位")
    assert plan.status == PlanStatus.RETURNED and last_event(plan) == "PLAN_RETURNED"
    stale = plan.version
    plans.update_plan(plan, actor=yingji, version=stale, random_ratio=15)
    with pytest.raises(Conflict):
        plans.update_plan(plan, actor=yingji, version=stale, random_ratio=20)
    plans.add_plan_unit(plan, actor=yingji, enterprise=district.units[0])
    plans.submit_plan(plan, actor=yingji)
    assert plan.status == PlanStatus.SUBMITTED


def test_it_publishes_only_an_approved_plan(district: Any, clock: Any) -> None:
    yingji = district.world.yingji
    plan = draft(district)
    with pytest.raises(plans.PlanError):
        plans.set_plan_public(plan, actor=yingji, public=True)
    plans.submit_plan(plan, actor=yingji)
    plans.approve_plan(plan, actor=district.world.anweiban)
    plans.set_plan_public(plan, actor=yingji, public=True)
    plan.refresh_from_db()
    assert plan.is_public and last_event(plan) == "PLAN_PUBLICITY_CHANGED"


def test_it_measures_progress_against_the_plan(district: Any, clock: Any) -> None:
    yingji = district.world.yingji
    plan = draft(district)
    key = district.units[:4]
    for unit in key:
        plans.add_plan_unit(plan, actor=yingji, enterprise=unit)
    done = create_inspection(
        actor=yingji,
        enterprise=key[0],
        department=district.emergency,
        mode=Mode.ROUTINE,
        origin=Origin.KEY_UNIT,
        planned_on=dt.date(2025, 3, 5),
        officers=district.officers[:2],
    )
    # Test data: the visit was carried out and its record closed (the on-site steps are tested elsewhere).
    Inspection.objects.filter(pk=done.pk).update(status=InspectionStatus.COMPLETED)
    progress = plans.plan_progress(plan)
    assert progress.key_planned == 4 and progress.key_inspected == 1 and progress.key_percent == 25
    general = plans.in_department_scope(district.emergency).operating().count() - 4
    assert progress.general_units == general
    assert progress.random_target == -(-general * 10 // 100)  # 10 %, rounded up
    assert progress.completed == 1 and progress.planned == 4 + progress.random_target


def test_it_ships_the_example_caps_unverified_and_lets_the_office_edit_them(
    district: Any, clock: Any
) -> None:
    rows = InspectionCap.objects.all()
    assert rows.count() >= 17 and not rows.filter(verified=True).exists()
    assert load_inspection_caps() == {"inspection_caps": 0}  # a second run changes nothing
    fallback = rows.get(industry=None, risk_class="", standardisation_grade="")
    hazchem_grade1 = rows.get(industry__code="HAZCHEM", standardisation_grade="1")
    assert hazchem_grade1.max_per_year == 2 and "山西" in hazchem_grade1.source

    office = district.world.anweiban
    with pytest.raises(NotPermitted):
        caps.update_cap(fallback, actor=district.world.yingji, max_per_year=9)
    stale = fallback.version
    caps.update_cap(
        fallback, actor=office, version=stale, max_per_year=5, verified=True, source="屈安办〔2025〕3号"
    )
    fallback.refresh_from_db()
    assert fallback.max_per_year == 5 and fallback.verified
    assert last_event(fallback) == "CAP_CHANGED"
    with pytest.raises(Conflict):
        caps.update_cap(fallback, actor=office, version=stale, max_per_year=4)
    with pytest.raises(ValidationError):
        caps.create_cap(actor=office, industry=None, risk_class="", standardisation_grade="", max_per_year=3)


def test_it_applies_the_most_specific_cap(district: Any, clock: Any) -> None:
    qiye2 = district.world.enterprises["qiye2"]  # 危化生产, high-risk, grade 未达标
    assert caps.applicable_cap(qiye2).industry.code == "HAZCHEM"
    assert caps.applicable_cap(qiye2).max_per_year == 12
    machine = district.units[1]  # 机械, not high-risk, grade 三级
    cap = caps.applicable_cap(machine)
    assert cap.risk_class == RiskClass.GENERAL and cap.standardisation_grade == "3" and cap.max_per_year == 4
    index = caps.CapIndex()
    assert index.limit(machine.primary_industry_id, RiskClass.GENERAL, "3") == 4


def test_it_refuses_an_inspection_over_the_cap_unless_the_office_approved_an_exception(
    district: Any, clock: Any
) -> None:
    yingji, office = district.world.yingji, district.world.anweiban
    unit = district.units[1]
    caps.create_cap(actor=office, industry=unit.primary_industry, standardisation_grade="3", max_per_year=1)

    def inspect(**extra: Any) -> Inspection:
        return create_inspection(
            actor=yingji,
            enterprise=unit,
            department=district.emergency,
            mode=Mode.ROUTINE,
            origin=Origin.TIP,
            planned_on=dt.date(2025, 3, 6),
            officers=district.officers[:2],
            **extra,
        )

    inspect()
    with pytest.raises(ValidationError) as caught:
        inspect()
    message = caught.value.message_dict["enterprise"][0]
    assert "已达年度检查频次上限 1 次" in message and "区安委办批准" in message

    exception = plans.request_cap_exception(
        actor=yingji,
        enterprise=unit,
        department=district.emergency,
        year=2025,
        reason="群众举报存在违规动火作业",
    )
    assert exception.status == ExceptionStatus.PENDING and last_event(exception) == "CAP_EXCEPTION_REQUESTED"
    with pytest.raises(ValidationError):
        inspect(cap_exception=exception)  # not approved yet
    with pytest.raises(NotPermitted):
        plans.decide_cap_exception(exception, actor=yingji, approve=True)
    with pytest.raises(ValidationError):
        plans.decide_cap_exception(exception, actor=office, approve=False, note="")

    plans.decide_cap_exception(exception, actor=office, approve=True, note="同意核查")
    assert exception.status == ExceptionStatus.APPROVED and exception.decided_by == office
    assert last_event(exception) == "CAP_EXCEPTION_DECIDED"
    with pytest.raises(Conflict):
        plans.decide_cap_exception(exception, actor=office, approve=False, note="重复审批")
    second = inspect(cap_exception=exception)
    assert second.cap_exception == exception


def test_it_rejects_an_exception_with_a_reason(district: Any, clock: Any) -> None:
    exception = plans.request_cap_exception(
        actor=district.world.yingji,
        enterprise=district.units[0],
        department=district.emergency,
        year=2025,
        reason="日常检查",
    )
    with pytest.raises(ValidationError):  # one pending request per unit, department and year
        plans.request_cap_exception(
            actor=district.world.yingji,
            enterprise=district.units[0],
            department=district.emergency,
            year=2025,
            reason="再次申请",
        )
    plans.decide_cap_exception(exception, actor=district.world.anweiban, approve=False, note="理由不充分")
    exception.refresh_from_db()
    assert exception.status == ExceptionStatus.REJECTED and exception.decision_note == "理由不充分"
