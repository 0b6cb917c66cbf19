"""The demo's inspection and enforcement year runs through the services on the test world."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from typing import Any

import pytest
import time_machine

from zhiben.conftest import committed_for_module
from zhiben.demo.inspection_history import InspectionReport, seed_inspection_history
from zhiben.enforcement.models import Case, IllegalOperation
from zhiben.enforcement.reference import load_discretion_rules
from zhiben.inspections.choices import InspectionStatus, OccurrenceStatus
from zhiben.inspections.models import Draw, DutyOccurrence, Inspection, InspectionPlan, Inspector
from zhiben.registry.models import Enterprise

TZ = dt.timezone(dt.timedelta(hours=8))


@pytest.fixture(scope="module")
def report(django_db_setup: Any, django_db_blocker: Any) -> Iterator[InspectionReport]:
    """The demo's inspection year on the test world, acted out once for the module (each test is rolled back on
    top of it)."""
    with committed_for_module(django_db_blocker, keep_world=True):
        load_discretion_rules()
        with time_machine.travel(dt.datetime(2026, 6, 15, 8, 0, tzinfo=TZ), tick=False):
            seeded = seed_inspection_history(seed=1)
        assert seeded is not None
        yield seeded


def test_it_acts_out_a_year_and_a_rerun_adds_nothing(world: Any, report: InspectionReport) -> None:
    with time_machine.travel(dt.datetime(2026, 6, 15, 8, 0, tzinfo=TZ), tick=False):
        assert seed_inspection_history(seed=1) is None

    assert Inspector.objects.filter(user=world.zhujian).exists()
    assert InspectionPlan.objects.filter(status="approved").count() == report.plans >= 4
    assert Inspection.objects.filter(status=InspectionStatus.COMPLETED).exists()
    joint = Inspection.objects.get(mode="joint")
    assert {d.department.code for d in joint.departments.all()} == {"housing", "fire"}
    assert {f.hazard.department.code for f in joint.findings.all()} == {"housing", "fire"}
    # qiye2 (high-risk) skipped May: on the 应查未查 list.
    assert DutyOccurrence.objects.filter(
        enterprise=world.enterprises["qiye2"],
        status=OccurrenceStatus.MISSED,
        period_start=dt.date(2026, 5, 1),
    ).exists()
    assert Draw.objects.filter(status="published").count() == 1
    assert Case.objects.count() == report.cases


def test_its_cases_rest_on_judged_hazards_and_their_decisions_cite_the_articles(
    world: Any, report: InspectionReport
) -> None:
    assert report.cases > 0
    cases = Case.objects.select_related("hazard", "discretion_rule", "decision_document")
    assert not [c.code for c in cases if c.hazard is not None and c.hazard.status in ("reported", "rejected")]
    assert all(c.discretion_rule is not None for c in cases)
    decided = [c for c in cases if c.decision_document is not None]
    assert decided
    for case in decided:
        body = case.decision_document.body
        assert "第一百零二条" in body and "第四十一条第二款" in body and "。。" not in body, body
    assert IllegalOperation.objects.filter(enterprise__isnull=False).count() == 1


@pytest.mark.usefixtures("report")
def test_housing_keeps_a_construction_list_and_a_self_built_house_list_with_their_sources(world: Any) -> None:
    from zhiben.registry.choices import EnterpriseKind
    from zhiben.standards.checklists import checklist_for
    from zhiben.standards.models import Checklist

    housing = world.departments["housing"]
    site = world.enterprises["qiye3"]
    assert checklist_for(housing, site).industry.code == "CONSTRUCTION"
    selfbuilt = Checklist.objects.get(department=housing, industry__code="SELFBUILT")
    texts = [i.text for i in selfbuilt.items.all()]
    assert any(t.startswith("房屋结构安全") for t in texts) and all("（依据：" in t for t in texts)
    assert "基坑" not in "".join(texts) and any("待核实" in t for t in texts)
    # A house let as a 棋牌室 (recorded under 九小场所) is visited with the self-built house list.
    house = Enterprise(kind=EnterpriseKind.SELF_BUILT_HOUSE, primary_industry=world.industries["FIRE-SMALL"])
    assert checklist_for(housing, house) == selfbuilt
    joint = Inspection.objects.get(
        mode="joint"
    )  # at 天问建筑 (a construction company): the construction list
    assert joint.departments.get(is_lead=True).checklist.industry.code == "CONSTRUCTION"


@pytest.mark.usefixtures("report")
def test_the_expert_has_inspections_to_assist_on_today(world: Any) -> None:
    """Issue 10 #15: 专家 zhuanjia saw no tasks; 应急局's visits of today take them along."""
    with time_machine.travel(dt.datetime(2026, 6, 15, 8, 0, tzinfo=TZ), tick=False):
        mine = Inspection.objects.assigned_to(world.zhuanjia).open()
        assert mine.exists() and all(i.department.code == "emergency" for i in mine)


@pytest.mark.usefixtures("report")
def test_each_township_patrols_its_units_and_the_departments_judge_what_it_found(world: Any) -> None:
    from zhiben.hazards.models import Hazard

    patrols = Inspection.objects.filter(mode="patrol").select_related("patrol_township", "record_document")
    assert {p.created_by.username for p in patrols} >= {"yingtian", "heshi"}
    for patrol in patrols:
        assert patrol.region.code.startswith(patrol.patrol_township.code[:9])
        assert not patrol.officers.exists()
        if patrol.status == InspectionStatus.COMPLETED:
            assert patrol.record_document.template.code == "patrol_record"
    assert patrols.filter(planned_on=dt.date(2026, 6, 15), status=InspectionStatus.PLANNED).exists()
    found = Hazard.objects.filter(source="patrol")
    assert all(h.status != "reported" or h.judge_deadline >= dt.date(2026, 6, 15) for h in found)
