"""乡镇巡查 (issue 10 #15): a township official patrols the units of its territory — not 行政执法, no certified
officers — and what the patrol finds goes to the unit's supervising department (三管三必须) to judge."""

from __future__ import annotations

import datetime as dt
import json
from typing import Any

import pytest
from django.test import Client
from django.urls import reverse

from zhiben.core.testing import login
from zhiben.hazards.models import Hazard
from zhiben.inspections.choices import Answer, FindingHandling, InspectionStatus, Mode
from zhiben.inspections.models import Inspection
from zhiben.inspections.services import caps, records

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("clock")]


def post_json(client: Client, path: str, data: dict[str, Any], **headers: Any) -> Any:
    return client.post(path, json.dumps(data), content_type="application/json", **headers)


@pytest.fixture
def patrol(world: Any, checklists: Any) -> Inspection:
    """营田镇's official patrols 营田燃气经营部 (燃气: 住建局 leads it in the responsibility matrix)."""
    return records.create_patrol(
        actor=world.yingtian,
        enterprise=world.enterprises["yt_gas"],
        planned_on=dt.date(2025, 3, 3),
        subject="春季安全生产巡查",
        companions="李明，王芳",
    )


def test_the_page_offers_a_township_only_its_units_and_the_patrol(world: Any, checklists: Any) -> None:
    c = login(Client(), world.yingtian)
    html = c.get(reverse("inspections:inspection_create")).content.decode()
    assert "创建乡镇巡查" in html and "乡镇巡查" in html
    assert world.enterprises["yt_gas"].name in html
    assert world.enterprises["hs_road"].name not in html  # 河市镇's unit
    assert "执法人员" not in html.split("<form")[1]  # no officers to pick: 巡查 is not 执法

    created = c.post(
        reverse("inspections:inspection_create"),
        {
            "mode": "patrol",
            "enterprise": world.enterprises["yt_gas"].pk,
            "planned_on": "2025-03-03",
            "origin": "other",
            "subject": "春季安全生产巡查",
            "companions": "李明、王芳",
        },
    )
    assert created.status_code == 302, created.content.decode()
    patrol = Inspection.objects.get(enterprise=world.enterprises["yt_gas"])
    assert patrol.mode == Mode.PATROL and patrol.patrol_township == world.regions["营田镇"]
    assert patrol.department == world.departments["housing"]  # the unit's supervising department
    assert patrol.departments.get().checklist == checklists["housing"]  # the unit's checklist
    assert not patrol.officers.exists()
    assert patrol.patrollers == [world.yingtian.get_full_name(), "李明", "王芳"]
    page = c.get(patrol.get_absolute_url()).content.decode()
    assert "巡查人员" in page and "李明" in page and "开始现场检查" in page


def test_the_page_refuses_a_township_another_townships_unit_and_an_enforcement_mode(world: Any) -> None:
    c = login(Client(), world.yingtian)
    data = {"mode": "patrol", "planned_on": "2025-03-03", "origin": "other"}
    other = c.post(
        reverse("inspections:inspection_create"), {**data, "enterprise": world.enterprises["hs_road"].pk}
    )
    assert other.status_code == 400 and "请选择本乡镇（街道）辖区内的单位。" in other.content.decode()
    routine = c.post(
        reverse("inspections:inspection_create"),
        {**data, "mode": "routine", "enterprise": world.enterprises["yt_gas"].pk},
    )
    assert routine.status_code == 400
    assert "乡镇（街道）只能开展乡镇巡查" in routine.content.decode()
    assert not Inspection.objects.exists()


def test_the_api_creates_a_patrol_and_refuses_others(world: Any, checklists: Any) -> None:
    c = login(Client(), world.yingtian)
    created = post_json(
        c,
        "/api/v1/inspections/",
        {"enterprise": world.enterprises["yt_gas"].pk, "mode": "patrol", "planned_on": "2025-03-03"},
    )
    assert created.status_code == 201, created.content
    body = created.json()
    assert body["mode"] == "patrol" and body["department"] == "housing" and body["officers"] == []
    assert body["patrol_township"] == world.regions["营田镇"].code

    routine = post_json(
        c,
        "/api/v1/inspections/",
        {"enterprise": world.enterprises["yt_gas"].pk, "mode": "routine", "planned_on": "2025-03-03"},
    )
    assert routine.status_code == 403
    assert "乡镇（街道）只能创建乡镇巡查" in routine.content.decode()
    other = post_json(
        c,
        "/api/v1/inspections/",
        {"enterprise": world.enterprises["hs_road"].pk, "mode": "patrol", "planned_on": "2025-03-03"},
    )
    assert other.status_code == 400 and "不在您的职责范围内" in other.content.decode()
    # A department does not patrol: that is the township's.
    by_department = post_json(
        login(Client(), world.zhujian),
        "/api/v1/inspections/",
        {"enterprise": world.enterprises["yt_gas"].pk, "mode": "patrol", "planned_on": "2025-03-03"},
    )
    assert (
        by_department.status_code == 403
        and "乡镇巡查由乡镇（街道）的人员创建" in by_department.content.decode()
    )


def test_another_township_gets_404_and_the_department_sees_but_does_not_work_the_patrol(
    world: Any, patrol: Inspection
) -> None:
    start = reverse("inspections:inspection_start", args=[patrol.pk])
    heshi = login(Client(), world.heshi)
    assert heshi.get(patrol.get_absolute_url()).status_code == 404
    assert heshi.post(start, {"version": patrol.version}).status_code == 404
    assert post_json(heshi, f"/api/v1/inspections/{patrol.pk}/start/", {"version": 1}).status_code == 404

    zhujian = login(Client(), world.zhujian)
    page = zhujian.get(patrol.get_absolute_url())
    assert page.status_code == 200 and "营田镇" in page.content.decode()
    assert patrol.code in zhujian.get(reverse("inspections:inspection_list")).content.decode()
    refused = zhujian.post(start, {"version": patrol.version})
    assert refused.status_code == 403


def test_a_township_may_not_act_on_a_departments_inspection_it_sees(
    world: Any, joint_inspection: Inspection
) -> None:
    c = login(Client(), world.yingtian)
    assert c.get(joint_inspection.get_absolute_url()).status_code == 200
    answer = post_json(c, f"/api/v1/inspections/{joint_inspection.pk}/start/", {"version": 1})
    assert answer.status_code == 403


def test_a_township_completes_its_patrol_and_the_record_is_a_patrol_record(
    world: Any, patrol: Inspection, checklists: Any
) -> None:
    c = login(Client(), world.yingtian)
    api = f"/api/v1/inspections/{patrol.pk}"
    assert post_json(c, f"{api}/start/", {"version": patrol.version}).status_code == 200
    item = checklists["housing"].items.filter(clause=None).first()
    answered = post_json(c, f"{api}/answer/", {"item": item.pk, "result": Answer.FAIL})
    assert answered.status_code == 200, answered.content
    finding = post_json(
        c,
        f"{api}/findings/",
        {
            "answer": answered.json()["answer"]["id"],
            "handling": FindingHandling.HAZARD,
            "title": "充装记录不全",
        },
    )
    assert finding.status_code == 201, finding.content
    hazard = Hazard.objects.get(code=finding.json()["hazard_code"])
    # The hazard waits for the department that must judge it, found by the township's patrol.
    assert hazard.department == world.departments["housing"] and hazard.source == "patrol"
    assert hazard.status == "reported" and "营田镇巡查" in hazard.finder

    patrol.refresh_from_db()
    done = c.post(
        reverse("inspections:inspection_complete", args=[patrol.pk]),
        {
            "version": patrol.version,
            "summary": "巡查了气瓶储存间和充装台账。",
            "conclusion": "发现的问题已告知单位整改，移交住建局判定。",
            "unit_representative": "张燃明",
        },
    )
    assert done.status_code == 302
    patrol.refresh_from_db()
    assert patrol.status == InspectionStatus.COMPLETED
    document = patrol.record_document
    assert document is not None and document.template.code == "patrol_record"
    assert document.title == "安全生产巡查记录" and document.number.startswith("（营田镇）巡查〔2025〕")
    assert document.context["issuer"] == "营田镇人民政府"
    assert "执法证号" not in document.body and "现场检查笔录" not in document.body
    assert "李明、王芳" in document.body and "屈原管理区住房和城乡建设局" in document.body
    page = c.get(patrol.get_absolute_url()).content.decode()
    assert "巡查记录" in page
    # The department sees the completed patrol and judges what it found.
    assert login(Client(), world.zhujian).get(patrol.get_absolute_url()).status_code == 200


def test_a_patrol_counts_against_no_cap_and_in_no_enforcement_figure(world: Any, patrol: Inspection) -> None:
    from zhiben.enforcement import stats
    from zhiben.enforcement.stats import StatsFilter

    assert caps.inspections_in_year(world.enterprises["yt_gas"].pk, 2025) == 0
    records.start_inspection(patrol, actor=world.yingtian, version=patrol.version)
    patrol.refresh_from_db()
    records.complete_inspection(
        patrol,
        actor=world.yingtian,
        summary="巡查。",
        conclusion="未发现问题。",
        unit_representative="张燃明",
    )
    figures = stats.figures(world.anweiban, StatsFilter(year=2025, quarter=1), dt.date(2025, 6, 16))
    assert figures.totals.inspections == 0 and "patrol" not in figures.totals.modes
