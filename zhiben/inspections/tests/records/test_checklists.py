"""检查表 as stories: 住建局 builds one from the 城镇燃气 standard plus its own items, 区安委办 keeps the district
templates, a unit copies one for its self-inspection, and nobody edits another's."""

from __future__ import annotations

import json
from typing import Any

import pytest
from django.test import Client
from django.urls import reverse

from zhiben.core.errors import Conflict, NotPermitted
from zhiben.core.models import AuditEntry
from zhiben.core.testing import login
from zhiben.inspections.choices import Answer
from zhiben.inspections.services import records
from zhiben.standards import checklists
from zhiben.standards import checklists as checklists_module
from zhiben.standards.models import Checklist, ChecklistItem, Clause, StandardVersion

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("clock")]


def gas_version() -> StandardVersion:
    return StandardVersion.objects.get(standard__code="city-gas", is_current=True)


def test_it_builds_a_checklist_from_clauses_and_custom_items(world: Any) -> None:
    clauses = list(gas_version().clauses.order_by("sort_order")[:4])

    checklist = checklists.create_checklist(
        actor=world.zhujian,
        name="燃气经营检查表",
        clauses=[*clauses, clauses[0]],  # a clause twice is listed once
        custom_items=["气瓶充装记录是否完整", "  ", "员工是否持证上岗"],
        industry=world.industries["GAS"],
    )

    assert checklist.department == world.departments["housing"] and checklist.enterprise is None
    items = list(checklist.items.order_by("sort_order"))
    assert [i.clause for i in items[:4]] == clauses
    assert [i.text for i in items[:4]] == [c.text for c in clauses]
    assert [i.text for i in items[4:]] == ["气瓶充装记录是否完整", "员工是否持证上岗"]
    assert all(i.is_major_clause for i in items[:4]) and not items[4].is_major_clause
    entry = AuditEntry.objects.get(object_type="standards.checklist", object_id=str(checklist.pk))
    assert entry.event == "CHECKLIST_SAVED" and entry.data["custom_items"] == 2


def test_it_gives_each_owner_its_own_and_the_office_the_templates(world: Any) -> None:
    clause = gas_version().clauses.first()
    template = checklists.create_checklist(actor=world.anweiban, name="通用检查表", clauses=[clause])
    unit = checklists.create_checklist(
        actor=world.qiye3, name="本单位自查表", custom_items=["脚手架是否验收"]
    )

    assert template.department is None and template.enterprise is None
    assert unit.enterprise == world.enterprises["qiye3"]
    with pytest.raises(NotPermitted):
        checklists.update_checklist(template, actor=world.zhujian, name="改名")
    with pytest.raises(NotPermitted):
        checklists.add_items(unit, actor=world.qiye1, custom_items=["他人的表"])
    with pytest.raises(NotPermitted):
        checklists.create_checklist(actor=world.lingdao, name="领导的表", custom_items=["x"])

    mine = checklists.copy_checklist(template, actor=world.zhujian)
    assert mine.department == world.departments["housing"] and mine.name == "通用检查表（副本）"
    assert [i.clause_id for i in mine.items.all()] == [clause.pk]
    checklists.update_checklist(mine, actor=world.zhujian, name="住建检查表", version=mine.version)
    assert Checklist.objects.get(pk=mine.pk).name == "住建检查表"


def test_it_refuses_a_stale_edit_and_keeps_answered_items(
    world: Any, inspectors: Any, checklists: Any, joint_inspection: Any
) -> None:
    housing = checklists["housing"]
    stale = housing.version
    checklists_module.add_items(
        housing, actor=world.zhujian, custom_items=["消防通道是否畅通"], version=stale
    )
    with pytest.raises(Conflict):
        checklists_module.add_items(housing, actor=world.zhujian, custom_items=["重复"], version=stale)

    records.start_inspection(joint_inspection, actor=world.zhujian)
    answered = housing.items.first()
    records.answer_item(joint_inspection, actor=world.zhujian, item=answered, result=Answer.PASS)
    housing.refresh_from_db()
    with pytest.raises(checklists_module.ChecklistError):
        checklists_module.remove_item(housing, answered, actor=world.zhujian, version=housing.version)
    assert ChecklistItem.objects.filter(pk=answered.pk).exists()
    spare = housing.items.get(text="消防通道是否畅通")
    housing.refresh_from_db()
    checklists_module.remove_item(housing, spare, actor=world.zhujian, version=housing.version)
    assert not ChecklistItem.objects.filter(pk=spare.pk).exists()


def test_it_builds_a_checklist_on_the_page(world: Any) -> None:
    c = login(Client(), world.zhujian)
    version = gas_version()
    page = c.get(reverse("standards:checklist_create"), {"standard_version": version.pk})
    html = page.content.decode()
    assert page.status_code == 200 and version.clauses.first().text in html

    chosen = list(version.clauses.order_by("sort_order").values_list("pk", flat=True)[:2])
    empty = c.post(reverse("standards:checklist_create"), {"name": "空表"})
    assert empty.status_code == 400 and "至少选择一条" in empty.content.decode()
    ok = c.post(
        reverse("standards:checklist_create"),
        {
            "name": "燃气检查表",
            "standard_version": version.pk,
            "clauses": chosen,
            "custom_items": "气瓶是否检验\n",
        },
    )
    assert ok.status_code == 302
    checklist = Checklist.objects.get(name="燃气检查表")
    assert checklist.items.count() == 3
    detail = c.get(checklist.get_absolute_url()).content.decode()
    assert "气瓶是否检验" in detail and "判定条款" in detail and 'data-testid="add-item"' in detail

    c.post(
        reverse("standards:checklist_item_add", args=[checklist.pk]),
        {"text": "燃气报警器是否有效", "version": checklist.version},
    )
    assert checklist.items.count() == 4
    # 消防 reads it, cannot change it, and may copy it as its own.
    fire = login(Client(), world.xiaofang)
    html = fire.get(checklist.get_absolute_url()).content.decode()
    assert 'data-testid="add-item"' not in html
    assert fire.get(reverse("standards:checklist_edit", args=[checklist.pk])).status_code == 403
    copied = fire.post(reverse("standards:checklist_copy", args=[checklist.pk]))
    assert copied.status_code == 302
    assert Checklist.objects.get(name="燃气检查表（副本）").department == world.departments["fire"]
    listing = fire.get(reverse("standards:checklist_list"), {"owner": "mine"}).content.decode()
    assert "燃气检查表（副本）" in listing


def test_it_builds_and_copies_through_the_api(world: Any) -> None:
    c = login(Client(), world.zhujian)
    clause = Clause.objects.filter(version=gas_version()).first()
    made = c.post(
        "/api/v1/checklists/",
        json.dumps(
            {"name": "API检查表", "clauses": [clause.pk], "custom_items": ["自定义一项"], "industry": "GAS"}
        ),
        content_type="application/json",
    )
    assert made.status_code == 201, made.content
    body = made.json()
    assert body["department"] == "housing" and [i["clause"] for i in body["items"]] == [clause.pk, None]
    assert body["items"][0]["clause_citation"] == clause.citation

    empty = c.post("/api/v1/checklists/", json.dumps({"name": "空"}), content_type="application/json")
    assert empty.status_code == 400 and "clauses" in empty.json()
    renamed = c.patch(
        f"/api/v1/checklists/{body['id']}/",
        json.dumps({"name": "改名后", "version": body["version"]}),
        content_type="application/json",
    )
    assert renamed.status_code == 200 and renamed.json()["name"] == "改名后"
    items = c.post(
        f"/api/v1/checklists/{body['id']}/items/",
        json.dumps({"custom_items": ["再加一项"]}),
        content_type="application/json",
        HTTP_IF_MATCH=f'"{renamed.json()["version"]}"',
    )
    assert items.status_code == 200 and len(items.json()["items"]) == 3

    fire = login(Client(), world.xiaofang)
    refused = fire.patch(
        f"/api/v1/checklists/{body['id']}/",
        json.dumps({"name": "抢改", "version": items.json()["version"]}),
        content_type="application/json",
    )
    assert refused.status_code == 403
    copy = fire.post(
        f"/api/v1/checklists/{body['id']}/copy/", json.dumps({}), content_type="application/json"
    )
    assert copy.status_code == 201 and copy.json()["department"] == "fire"
