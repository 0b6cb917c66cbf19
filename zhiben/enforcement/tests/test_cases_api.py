"""/api/v1/cases/: the lifecycle over HTTP with field-level 400s, 409 on a stale version, 404 out of scope."""

from __future__ import annotations

from typing import Any

import pytest
from django.test import Client

from zhiben.core.testing import login, obtain_token, token_header
from zhiben.enforcement.choices import CaseStatus

pytestmark = pytest.mark.django_db


def api(username: str) -> tuple[Client, dict[str, str]]:
    c = Client()
    return c, token_header(obtain_token(c, username))


def post(c: Client, h: dict[str, str], url: str, data: dict[str, Any]) -> Any:
    return c.post(url, data, content_type="application/json", headers=h)


def test_a_case_runs_over_the_api(world: Any, rules: Any, clock: Any) -> None:
    c, dept = api("yingji")
    r = post(
        c,
        dept,
        "/api/v1/cases/",
        {
            "enterprise": world.enterprises["qiye1"].pk,
            "violation": "未消除事故隐患",
            "discretion_rule": "AQ102-2",
        },
    )
    assert r.status_code == 201, r.content
    body = r.json()
    assert body["department"] == "emergency" and body["status"] == CaseStatus.FILED
    url, v = f"/api/v1/cases/{body['id']}/", body["version"]
    r = post(c, dept, url + "investigate/", {"version": v})
    assert r.status_code == 200, r.content
    v = r.json()["version"]
    # Outside the benchmark's range without a reason: refused, field by field.
    r = post(c, dept, url + "add-measure/", {"kind": "fine", "amount": "30000", "version": v})
    assert r.status_code == 400 and "outside_range_reason" in r.json()
    assert "1万元以上2万元以下" in r.json()["outside_range_reason"][0]
    r = post(c, dept, url + "add-measure/", {"kind": "fine", "amount": "18000", "version": v})
    assert r.status_code == 200, r.content
    v = r.json()["version"]
    assert post(c, dept, url + "decide/", {"decided_on": "2025-03-03", "version": v}).status_code == 400
    r = post(c, dept, url + "notify/", {"notified_on": "2025-03-03", "version": v})
    v = r.json()["version"]
    r = post(c, dept, url + "decide/", {"decided_on": "2025-03-03", "version": v})
    assert r.status_code == 200, r.content
    body = r.json()
    assert body["status"] == CaseStatus.DECIDED and body["decision_number"] == "（屈应急）罚〔2025〕1号"
    assert [m["decided_on"] for m in body["measures"]] == ["2025-03-03"]
    docs = c.get(url + "documents/", headers=dept).json()
    assert [d["number"] for d in docs] == ["（屈应急）罚〔2025〕1号"] and docs[0]["pdf"].endswith("/pdf/")
    history = c.get(url + "history/", headers=dept).json()
    assert [h["action"] for h in history] == ["file", "investigate", "add_measure", "notify", "decide"]
    steps = c.get(url + "steps/", headers=dept).json()["steps"]
    assert set(steps) == {"execute", "typical", "add_measure"}
    # The unit reads its own case; another unit and another department get 404.
    _, unit = api("qiye1")
    assert c.get(url, headers=unit).status_code == 200
    assert post(c, unit, url + "execute/", {"version": body["version"]}).status_code == 403
    for other in ("qiye2", "zhujian"):
        _, h = api(other)
        assert c.get(url, headers=h).status_code == 404


def test_the_api_answers_400_409_and_404_where_it_should(world: Any, rules: Any, clock: Any) -> None:
    c, dept = api("yingji")
    r = post(c, dept, "/api/v1/cases/", {"violation": ""})
    assert r.status_code == 400 and "violation" in r.json()
    r = post(c, dept, "/api/v1/cases/", {"violation": "x"})
    assert r.status_code == 400 and "enterprise" in r.json()
    r = post(
        c,
        dept,
        "/api/v1/cases/",
        {"violation": "x", "enterprise": world.enterprises["qiye1"].pk, "discretion_rule": "NOPE"},
    )
    assert r.status_code == 400 and "discretion_rule" in r.json()
    # Another department's unit: the same answer as a missing id.
    r = post(c, dept, "/api/v1/cases/", {"violation": "x", "enterprise": world.enterprises["qiye3"].pk})
    assert r.status_code == 400 and "enterprise" in r.json()
    r = post(
        c,
        dept,
        "/api/v1/cases/",
        {"violation": "x", "enterprise": world.enterprises["qiye1"].pk, "filed_on": "2031-01-01"},
    )
    assert r.status_code == 400 and "filed_on" in r.json()
    r = post(c, dept, "/api/v1/cases/", {"violation": "x", "enterprise": world.enterprises["qiye1"].pk})
    url, v = f"/api/v1/cases/{r.json()['id']}/", r.json()["version"]
    assert post(c, dept, url + "investigate/", {}).status_code == 400  # no version
    assert post(c, dept, url + "investigate/", {"version": v}).status_code == 200
    assert post(c, dept, url + "withdraw/", {"reason": "x", "version": v}).status_code == 409
    r = post(c, dept, url + "add-measure/", {"kind": "bribe", "version": v + 1})
    assert r.status_code == 400 and "kind" in r.json()
    r = post(c, dept, url + "add-measure/", {"kind": "licence", "version": v + 1})
    assert r.status_code == 400 and "details" in r.json()
    r = post(c, dept, url + "remove-measure/", {"measure": 999999, "version": v + 1})
    assert r.status_code == 400 and "measure" in r.json()
    assert c.get("/api/v1/cases/999999/", headers=dept).status_code == 404
    _, township = api("yingtian")
    assert post(c, township, "/api/v1/cases/", {"violation": "x"}).status_code == 403
    # Experts hold no API token (roles.API_TOKEN_ROLES); in a session the case API refuses them.
    assert login(Client(), world.zhuanjia).get("/api/v1/cases/").status_code == 403
