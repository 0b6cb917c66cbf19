"""The inspection pages as their users see them: who sees a visit, the task form, the checklist worked item by
item (htmx), a finding becoming a hazard, the 笔录, and the 执法检查人员名录库."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.test import Client
from django.urls import reverse

from zhiben.core.testing import AccessMatrix, ViewCase, login
from zhiben.hazards.models import Hazard
from zhiben.inspections.choices import Answer, FindingHandling, InspectionStatus
from zhiben.inspections.models import Inspection, InspectionCap, Inspector, InspectorConflict
from zhiben.inspections.services import records

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("clock")]


def _detail(world: Any) -> dict[str, Any]:
    return {"pk": Inspection.objects.get(enterprise=world.enterprises["yt_gas"]).pk}


@pytest.mark.usefixtures("joint_inspection")
class TestWhoSeesAJointVisit(AccessMatrix):
    cases = [
        ViewCase(
            "inspections:inspection_detail",
            kwargs=_detail,
            # 住建局 leads and 消防 joins; 交通、市场监管 co-supervise 燃气 (三管三必须); 营田镇 is the territory.
            # The expert assists on this visit: assigned, so seen (issue 10 #15).
            allowed=(
                "anweiban",
                "zhujian",
                "xiaofang",
                "jiaotong",
                "shichang",
                "yingtian",
                "lingdao",
                "zhuanjia",
            ),
            hidden=("yingji", "tianwen", "heshi", "fenghuang", "qiye1", "qiye2", "qiye3"),
            forbidden=("xitong", "anquan", "shenji", "jubao"),
        ),
        ViewCase(
            "inspections:inspection_start",
            kwargs=_detail,
            method="post",
            ok=302,
            data={"version": "1"},
            allowed=("zhujian",),
            # Seeing the visit is not enough to act on it: only the departments taking part (and the team).
            forbidden=(
                "jiaotong",
                "shichang",
                "anweiban",
                "lingdao",
                "yingtian",
                "zhuanjia",
                "xitong",
                "anquan",
                "shenji",
            ),
            hidden=("yingji", "tianwen", "heshi", "fenghuang", "qiye1", "qiye2", "qiye3"),
            complete=False,
        ),
    ]


def test_it_lists_and_filters_the_tasks(world: Any, joint_inspection: Inspection) -> None:
    c = login(Client(), world.xiaofang)
    html = c.get(reverse("inspections:inspection_list")).content.decode()
    assert joint_inspection.code in html and "联合检查" in html

    filtered = c.get(reverse("inspections:inspection_list"), {"status": "completed"}).content.decode()
    assert joint_inspection.code not in filtered
    by_department = c.get(reverse("inspections:inspection_list"), {"department": "fire", "sort": "-code"})
    assert joint_inspection.code in by_department.content.decode()
    assert (
        joint_inspection.code
        not in login(Client(), world.yingji).get(reverse("inspections:inspection_list")).content.decode()
    )


def test_it_shows_an_inspector_the_visits_assigned_to_them(world: Any, joint_inspection: Inspection) -> None:
    html = login(Client(), world.xiaofang).get(reverse("inspections:my_inspections")).content.decode()
    assert joint_inspection.enterprise.name in html and "今天" in html

    html = login(Client(), world.shichang).get(reverse("inspections:my_inspections")).content.decode()
    assert joint_inspection.enterprise.name not in html  # 市场监管局 can see it but is not on the team


def test_an_assigned_expert_sees_and_fills_the_visit_but_not_others_and_does_not_start_it(
    world: Any, joint_inspection: Inspection, inspectors: Any, checklists: Any
) -> None:
    """Issue 10 #15: 专家 zhuanjia had no tasks. Assigned to a visit, they find it under 我的检查, open it and
    fill its checklist; a visit without them stays hidden; starting it is for the officers."""
    other = records.create_inspection(
        actor=world.xiaofang,
        enterprise=world.enterprises["yt_shop"],
        department=world.departments["fire"],
        mode="routine",
        planned_on=dt.date(2025, 3, 4),
        officers=[inspectors["xiaofang"], inspectors["xiaofang_2"]],
    )
    expert = login(Client(), world.zhuanjia)
    mine = expert.get(reverse("inspections:my_inspections")).content.decode()
    assert joint_inspection.enterprise.name in mine and other.enterprise.name not in mine
    listing = expert.get(reverse("inspections:inspection_list")).content.decode()
    assert joint_inspection.code in listing and other.code not in listing
    assert expert.get(other.get_absolute_url()).status_code == 404
    page = expert.get(joint_inspection.get_absolute_url())
    assert page.status_code == 200 and "开始现场检查" not in page.content.decode()
    start = reverse("inspections:inspection_start", args=[joint_inspection.pk])
    assert expert.post(start, {"version": joint_inspection.version}).status_code == 403

    records.start_inspection(joint_inspection, actor=world.zhujian, version=joint_inspection.version)
    item = checklists["fire"].items.first()
    url = reverse("inspections:inspection_answer", args=[joint_inspection.pk, item.pk])
    assert expert.post(url, {"result": Answer.PASS}).status_code == 302
    assert joint_inspection.answers.get(item=item).answered_by == world.zhuanjia


def test_it_creates_a_task_from_the_form(world: Any, inspectors: Any, checklists: Any) -> None:
    InspectionCap.objects.all().delete()
    c = login(Client(), world.zhujian)
    page = c.get(reverse("inspections:inspection_create"))
    assert page.status_code == 200 and "主办执法人员" in page.content.decode()
    data = {
        "department": world.departments["housing"].pk,
        "mode": "joint",
        "origin": "special",
        "enterprise": world.enterprises["yt_gas"].pk,
        "planned_on": "2025-03-05",
        "lead_officer": inspectors["zhujian"].pk,
        "other_officers": [inspectors["xiaofang"].pk],
        "assistants": [inspectors["zhuanjia"].pk],
        "checklist": checklists["housing"].pk,
    }

    refused = c.post(reverse("inspections:inspection_create"), data)  # no joint department chosen
    assert refused.status_code == 400 and "联合检查须有两个以上部门" in refused.content.decode()
    expert = c.post(
        reverse("inspections:inspection_create"),
        {**data, "other_officers": [inspectors["zhuanjia"].pk], "mode": "routine", "assistants": []},
    )
    assert expert.status_code == 400 and "只能作为辅助检查人员" in expert.content.decode()

    ok = c.post(
        reverse("inspections:inspection_create"),
        {
            **data,
            "joint_departments": [world.departments["fire"].pk],
            "joint_checklists": [checklists["fire"].pk],
        },
    )
    assert ok.status_code == 302
    inspection = Inspection.objects.get()
    assert {r.department.code: r.checklist_id for r in inspection.departments.all()} == {
        "housing": checklists["housing"].pk,
        "fire": checklists["fire"].pk,
    }


def test_it_works_a_visit_from_the_page(world: Any, joint_inspection: Inspection, checklists: Any) -> None:
    c = login(Client(), world.xiaofang)
    start = c.post(
        reverse("inspections:inspection_start", args=[joint_inspection.pk]),
        {"version": joint_inspection.version},
    )
    assert start.status_code == 302
    html = c.get(joint_inspection.get_absolute_url()).content.decode()
    assert 'data-testid="item"' in html and "符合" in html and "执法主体" in html and "不作为执法主体" in html

    item = checklists["fire"].items.exclude(clause=None).first()
    url = reverse("inspections:inspection_answer", args=[joint_inspection.pk, item.pk])
    card = c.post(url, {"result": Answer.FAIL}, HTTP_HX_REQUEST="true")
    assert card.status_code == 200
    card_html = card.content.decode()
    assert f'id="item-{item.pk}"' in card_html and "不符合" in card_html and "记录问题" in card_html
    assert "<html" not in card_html  # a fragment for htmx to swap
    plain = c.post(url, {"result": Answer.FAIL})
    assert plain.status_code == 302 and plain["Location"].endswith(f"#item-{item.pk}")
    bad = c.post(url, {"result": "maybe"}, HTTP_HX_REQUEST="true")
    assert bad.status_code == 400

    answer = joint_inspection.answers.get(item=item)
    form = c.get(reverse("inspections:finding_create", args=[joint_inspection.pk]), {"answer": answer.pk})
    assert form.status_code == 200 and item.clause.citation in form.content.decode()
    saved = c.post(
        reverse("inspections:finding_create", args=[joint_inspection.pk]),
        {
            "answer": answer.pk,
            "title": item.text[:100],
            "handling": FindingHandling.HAZARD,
            "location": "营业厅",
        },
    )
    assert saved.status_code == 302
    hazard = Hazard.objects.get(enterprise=world.enterprises["yt_gas"])
    assert hazard.department == world.departments["fire"] and hazard.level == "major"
    html = c.get(joint_inspection.get_absolute_url()).content.decode()
    assert hazard.code in html and 'data-testid="hazard-link"' in html and "已记录为发现问题" in html

    done = c.post(
        reverse("inspections:inspection_complete", args=[joint_inspection.pk]),
        {
            "summary": "检查了营业厅。",
            "conclusion": "限期整改。",
            "unit_representative": "张三",
            "version": 999,
        },
    )
    assert done.status_code == 409 and "已被他人更新" in done.content.decode()
    version = Inspection.objects.get(pk=joint_inspection.pk).version
    done = c.post(
        reverse("inspections:inspection_complete", args=[joint_inspection.pk]),
        {
            "summary": "检查了营业厅。",
            "conclusion": "限期整改。",
            "unit_representative": "张三",
            "version": version,
        },
    )
    assert done.status_code == 302
    inspection = Inspection.objects.get(pk=joint_inspection.pk)
    assert inspection.status == InspectionStatus.COMPLETED
    html = c.get(inspection.get_absolute_url()).content.decode()
    assert inspection.record_document.number in html and 'data-testid="record-pdf"' in html
    pdf = c.get(reverse("core:document_download", args=[inspection.record_document.pk, "pdf"]))
    assert pdf.status_code == 200 and b"".join(pdf.streaming_content).startswith(b"%PDF-")
    # Another department cannot download the 笔录 of a visit it cannot see.
    hidden = login(Client(), world.yingji).get(
        reverse("core:document_download", args=[inspection.record_document.pk, "pdf"])
    )
    assert hidden.status_code == 404


def test_it_cancels_a_task_with_a_reason(world: Any, joint_inspection: Inspection) -> None:
    c = login(Client(), world.zhujian)
    url = reverse("inspections:inspection_cancel", args=[joint_inspection.pk])
    assert c.post(url, {"reason": "", "version": joint_inspection.version}).status_code == 400
    assert c.post(url, {"reason": "单位停业", "version": joint_inspection.version}).status_code == 302
    assert Inspection.objects.get(pk=joint_inspection.pk).status == InspectionStatus.CANCELLED


def test_it_keeps_the_roster_and_its_conflicts(world: Any, inspectors: Any) -> None:
    c = login(Client(), world.zhujian)
    html = c.get(reverse("inspections:inspector_list")).content.decode()
    assert inspectors["zhujian_2"].name in html and inspectors["xiaofang_2"].name not in html

    bad = c.post(
        reverse("inspections:inspector_create"),
        {
            "name": "住建执法员丙",
            "department": world.departments["housing"].pk,
            "kind": "officer",
            "active": "on",
        },
    )
    assert bad.status_code == 400 and "执法证号" in bad.content.decode()
    ok = c.post(
        reverse("inspections:inspector_create"),
        {
            "name": "住建执法员丙",
            "department": world.departments["housing"].pk,
            "kind": "officer",
            "certificate_no": "43067102003",
            "certificate_valid_until": "2026-12-31",
            "active": "on",
        },
    )
    assert ok.status_code == 302
    person = Inspector.objects.get(name="住建执法员丙")
    edit = c.post(
        reverse("inspections:inspector_edit", args=[person.pk]),
        {
            "name": "住建执法员丙",
            "department": world.departments["housing"].pk,
            "kind": "officer",
            "certificate_no": "43067102003",
            "certificate_valid_until": "2024-12-31",
            "active": "on",
            "version": person.version,
        },
    )
    assert edit.status_code == 302
    assert "执法证无效" in c.get(person.get_absolute_url()).content.decode()
    # 消防 cannot see 住建局's roster entries.
    assert login(Client(), world.xiaofang).get(person.get_absolute_url()).status_code == 404

    declared = c.post(
        reverse("inspections:conflict_create", args=[person.pk]),
        {
            "enterprise": world.enterprises["qiye3"].pk,
            "reason": "曾在该单位任职",
            "declared_on": "2025-03-01",
        },
    )
    assert declared.status_code == 302
    conflict = InspectorConflict.objects.get(inspector=person)
    assert conflict.active and "曾在该单位任职" in c.get(person.get_absolute_url()).content.decode()
    c.post(reverse("inspections:conflict_withdraw", args=[conflict.pk]), {"reason": "已离职三年"})
    conflict.refresh_from_db()
    assert not conflict.active


def test_it_lists_without_a_query_per_row(
    world: Any, inspectors: Any, django_assert_max_num_queries: Any
) -> None:
    from zhiben.inspections.choices import Mode

    InspectionCap.objects.all().delete()
    for slot in ("qiye3", "yt_gas", "yt_shop"):
        records.create_inspection(
            actor=None,
            enterprise=world.enterprises[slot],
            department=world.departments["housing"],
            mode=Mode.ROUTINE,
            planned_on=world.enterprises[slot].created_at.date(),
            officers=[inspectors["zhujian"], inspectors["zhujian_2"]],
        )
    c = login(Client(), world.anweiban)
    c.get(reverse("inspections:inspection_list"))
    with django_assert_max_num_queries(20):
        assert c.get(reverse("inspections:inspection_list")).status_code == 200


def test_it_takes_photos_on_site_with_their_capture_time(world: Any, joint_inspection: Inspection) -> None:
    from django.core.files.uploadedfile import SimpleUploadedFile

    from ..duties.support import jpeg

    c = login(Client(), world.zhujian)
    url = reverse("inspections:inspection_photo_upload", args=[joint_inspection.pk])
    photo = SimpleUploadedFile("site.jpg", jpeg(taken="2025:03:03 09:41:00"), content_type="image/jpeg")
    # Before the visit starts there is nothing to photograph.
    c.post(url, {"photos": photo})
    assert joint_inspection.photos.count() == 0
    records.start_inspection(joint_inspection, actor=world.zhujian)

    photo.seek(0)
    not_a_photo = SimpleUploadedFile("x.jpg", b"MZ\x90\x00 not an image", content_type="image/jpeg")
    c.post(url, {"photos": not_a_photo})
    assert joint_inspection.photos.count() == 0
    c.post(url, {"photos": photo, "latitude": "28.796000", "longitude": "112.900000"})
    saved = joint_inspection.photos.get()
    assert saved.captured_at is not None and str(saved.latitude) == "28.796000"
    html = c.get(joint_inspection.get_absolute_url()).content.decode()
    assert reverse("inspections:photo", args=[saved.pk]) in html


def test_it_links_a_finding_sent_to_a_case_to_the_case_page(world: Any, joint_inspection: Inspection) -> None:
    records.start_inspection(joint_inspection, actor=world.zhujian)
    finding = records.record_finding(
        joint_inspection,
        actor=world.zhujian,
        department=world.departments["housing"],
        level="general",
        title="未按规定开展燃气用户安全检查",
        handling=FindingHandling.CASE,
    )

    html = login(Client(), world.zhujian).get(joint_inspection.get_absolute_url()).content.decode()
    assert f"{reverse('enforcement:case_create')}?finding={finding.pk}" in html
    html = login(Client(), world.anweiban).get(joint_inspection.get_absolute_url()).content.decode()
    assert 'data-testid="case-link"' not in html  # the office reads cases but does not open them


def test_it_explains_why_a_passed_item_is_not_a_finding(
    world: Any, joint_inspection: Inspection, checklists: Any
) -> None:
    records.start_inspection(joint_inspection, actor=world.zhujian)
    item = checklists["housing"].items.filter(clause=None).first()
    answer, _ = records.answer_item(joint_inspection, actor=world.zhujian, item=item, result=Answer.PASS)

    c = login(Client(), world.zhujian)
    refused = c.post(
        reverse("inspections:finding_create", args=[joint_inspection.pk]),
        {"answer": answer.pk, "title": "x", "level": "general", "handling": FindingHandling.ON_SITE},
    )
    assert refused.status_code == 400 and "只有“不符合”的检查项" in refused.content.decode()
    assert not joint_inspection.findings.exists()
    other = c.get(reverse("inspections:finding_create", args=[joint_inspection.pk]), {"answer": "abc"})
    assert other.status_code == 404
