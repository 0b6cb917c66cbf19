"""The inspections API as an integrator uses it: a joint visit from task to 笔录, and the 400/403/404/409 answers."""

from __future__ import annotations

import json
from typing import Any

import pytest
from django.test import Client

from zhiben.core.testing import login
from zhiben.hazards.models import Hazard
from zhiben.inspections.models import Inspection, InspectionCap, Inspector

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("clock")]


def post(client: Client, path: str, data: dict[str, Any], **headers: Any) -> Any:
    return client.post(path, json.dumps(data), content_type="application/json", **headers)


@pytest.fixture
def payload(world: Any, inspectors: Any, checklists: Any) -> dict[str, Any]:
    InspectionCap.objects.all().delete()
    return {
        "enterprise": world.enterprises["yt_gas"].pk,
        "department": "housing",
        "mode": "joint",
        "origin": "special",
        "planned_on": "2025-03-03",
        "officers": [inspectors["zhujian"].pk, inspectors["xiaofang"].pk],
        "assistants": [inspectors["zhuanjia"].pk],
        "departments": ["fire"],
        "checklists": {"housing": checklists["housing"].pk, "fire": checklists["fire"].pk},
        "subject": "城镇燃气安全专项检查",
    }


def test_it_runs_a_joint_visit_through_the_api(world: Any, payload: dict[str, Any], checklists: Any) -> None:
    c = login(Client(), world.zhujian)
    created = post(c, "/api/v1/inspections/", payload)
    assert created.status_code == 201, created.content
    body = created.json()
    assert body["code"].startswith("JC2025-") and body["status"] == "planned"
    assert {d["department"] for d in body["departments"]} == {"housing", "fire"}
    roles = {m["name"]: (m["role"], m["is_legal_subject"]) for m in body["officers"]}
    assert roles["安全生产专家"] == ("assistant", False)
    pk = body["id"]

    assert post(c, f"/api/v1/inspections/{pk}/start/", {}).status_code == 400  # version required
    assert post(c, f"/api/v1/inspections/{pk}/start/", {"version": 99}).status_code == 409
    started = post(c, f"/api/v1/inspections/{pk}/start/", {}, HTTP_IF_MATCH=f'"{body["version"]}"')
    assert started.status_code == 200 and started.json()["status"] == "in_progress"

    item = checklists["fire"].items.filter(clause=None).first()
    answered = post(c, f"/api/v1/inspections/{pk}/answer/", {"item": item.pk, "result": "fail"})
    assert answered.status_code == 200
    result = answered.json()
    assert result["proposal"] == {
        "department": "fire",
        "level": "general",
        "clause": None,
        "title": item.text,
    }
    assert post(c, f"/api/v1/inspections/{pk}/answer/", {"item": item.pk, "result": "meh"}).status_code == 400

    finding = post(
        c,
        f"/api/v1/inspections/{pk}/findings/",
        {"answer": result["answer"]["id"], "handling": "hazard", "location": "营业厅"},
    )
    assert finding.status_code == 201, finding.content
    hazard = Hazard.objects.get(code=finding.json()["hazard_code"])
    assert hazard.department.code == "fire" and hazard.source == "inspection"
    free = post(
        c,
        f"/api/v1/inspections/{pk}/findings/",
        {"department": "housing", "level": "major", "title": "储罐无液位计", "handling": "on_site"},
    )
    assert free.status_code == 400 and set(free.json()) >= {"clause", "handling"}

    version = c.get(f"/api/v1/inspections/{pk}/").json()["version"]
    missing = post(c, f"/api/v1/inspections/{pk}/complete/", {"version": version, "summary": "检查了储罐区"})
    assert missing.status_code == 400 and "conclusion" in missing.json()
    done = post(
        c,
        f"/api/v1/inspections/{pk}/complete/",
        {
            "version": version,
            "summary": "检查了储罐区。",
            "conclusion": "限期整改。",
            "refused_to_sign": True,
        },
    )
    assert done.status_code == 200, done.content
    assert done.json()["status"] == "completed" and done.json()["record_number"].startswith(
        "（屈住建）现检〔2025〕"
    )
    assert done.json()["record_pdf"].endswith("/pdf/")
    assert len(done.json()["findings"]) == 1


def test_it_answers_400_for_unlawful_teams(world: Any, inspectors: Any, payload: dict[str, Any]) -> None:
    c = login(Client(), world.zhujian)
    one = post(c, "/api/v1/inspections/", {**payload, "officers": [inspectors["zhujian"].pk]})
    assert one.status_code == 400 and "officers" in one.json()
    expert = post(
        c,
        "/api/v1/inspections/",
        {**payload, "officers": [inspectors["zhujian"].pk, inspectors["zhuanjia"].pk]},
    )
    assert expert.status_code == 400 and any("辅助检查" in m for m in expert.json()["officers"])
    not_joint = post(c, "/api/v1/inspections/", {**payload, "departments": []})
    assert not_joint.status_code == 400 and "departments" in not_joint.json()
    unknown = post(c, "/api/v1/inspections/", {**payload, "officers": [999999, inspectors["zhujian"].pk]})
    assert unknown.status_code == 400
    shapeless = post(c, "/api/v1/inspections/", {"enterprise": "x", "mode": "nope"})
    assert shapeless.status_code == 400 and {"enterprise", "mode", "planned_on"} <= set(shapeless.json())
    # A unit outside the actor's scope reads like one that does not exist.
    outside = post(c, "/api/v1/inspections/", {**payload, "enterprise": world.enterprises["qiye2"].pk})
    assert outside.status_code == 400 and "enterprise" in outside.json()
    assert not Inspection.objects.exists()


def test_it_scopes_the_api(world: Any, payload: dict[str, Any]) -> None:
    pk = post(login(Client(), world.zhujian), "/api/v1/inspections/", payload).json()["id"]

    assert login(Client(), world.yingji).get(f"/api/v1/inspections/{pk}/").status_code == 404
    assert login(Client(), world.xiaofang).get(f"/api/v1/inspections/{pk}/").status_code == 200
    # The expert assisting on it reads it, and only what they are assigned to (issue 10 #15).
    expert = login(Client(), world.zhuanjia).get("/api/v1/inspections/")
    assert expert.status_code == 200 and [r["id"] for r in expert.json()["results"]] == [pk]
    assert login(Client(), world.lingdao).post("/api/v1/inspections/", payload).status_code == 403
    unassigned = post(login(Client(), world.zhujian), "/api/v1/inspections/", {**payload, "assistants": []})
    assert (
        login(Client(), world.zhuanjia).get(f"/api/v1/inspections/{unassigned.json()['id']}/").status_code
        == 404
    )
    # 交通运输局 sees the visit (燃气 is co-supervised) but is not taking part.
    jiaotong = login(Client(), world.jiaotong)
    assert post(jiaotong, f"/api/v1/inspections/{pk}/start/", {"version": 1}).status_code == 403
    assert Client().get("/api/v1/inspections/").status_code in (401, 403)


def test_it_keeps_the_roster_through_the_api(world: Any, inspectors: Any) -> None:
    c = login(Client(), world.zhujian)
    listed = c.get("/api/v1/inspectors/", {"certified_on": "2025-03-03"}).json()
    names = (
        {row["name"] for row in listed["results"]}
        if isinstance(listed, dict)
        else {r["name"] for r in listed}
    )
    assert names == {inspectors["zhujian"].name, inspectors["zhujian_2"].name}

    bad = post(
        c,
        "/api/v1/inspectors/",
        {"name": "专家乙", "department": "housing", "kind": "expert", "certificate_no": "X1"},
    )
    assert bad.status_code == 400 and "certificate_no" in bad.json()
    other = post(c, "/api/v1/inspectors/", {"name": "冒名", "department": "fire", "kind": "expert"})
    assert other.status_code == 403
    made = post(
        c,
        "/api/v1/inspectors/",
        {"name": "专家乙", "department": "housing", "kind": "expert", "specialty": "建筑"},
    )
    assert made.status_code == 201
    pk = made.json()["id"]
    stale = c.patch(
        f"/api/v1/inspectors/{pk}/",
        json.dumps({"specialty": "燃气", "version": 7}),
        content_type="application/json",
    )
    assert stale.status_code == 409
    ok = c.patch(
        f"/api/v1/inspectors/{pk}/",
        json.dumps({"specialty": "燃气", "version": 1}),
        content_type="application/json",
    )
    assert ok.status_code == 200 and ok.json()["specialty"] == "燃气"
    assert Inspector.objects.get(pk=pk).version == 2

    declared = post(
        c,
        f"/api/v1/inspectors/{pk}/conflicts/",
        {"enterprise": world.enterprises["qiye3"].pk, "reason": "亲属任职"},
    )
    assert declared.status_code == 201 and declared.json()["active"] is True
    hidden = post(
        c, f"/api/v1/inspectors/{pk}/conflicts/", {"enterprise": world.enterprises["qiye2"].pk, "reason": "x"}
    )
    assert hidden.status_code == 400
