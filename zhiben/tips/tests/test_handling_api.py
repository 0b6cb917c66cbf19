"""/api/v1/tips/: the loop over HTTP (step actions from the same steps as the pages), the working fields only,
scope (404 for a department not transferred to, 403 for an enterprise), 409 on a stale version."""

from __future__ import annotations

import datetime as dt
import json
from typing import Any

import pytest
import time_machine
from django.test import Client

from zhiben.core.testing import obtain_token, token_header
from zhiben.tips.choices import TipStatus
from zhiben.tips.testing import SENTINEL_ID, SENTINEL_NAME, SENTINEL_PHONE, make_tip

pytestmark = pytest.mark.django_db

WORKING = "某燃气经营部仓库内违规存放液化气瓶，消防通道堵塞。"


@pytest.fixture
def clock() -> Any:
    with time_machine.travel(
        dt.datetime(2025, 3, 3, 9, 0, tzinfo=dt.timezone(dt.timedelta(hours=8))), tick=False
    ) as t:
        yield t


def session(user: Any) -> tuple[Client, dict[str, str]]:
    """The custodian holds no API token (API_TOKEN_ROLES): the page session reaches the API too."""
    c = Client()
    c.force_login(user)
    return c, {}


def token(username: str) -> tuple[Client, dict[str, str]]:
    c = Client()
    return c, token_header(obtain_token(c, username))


def post(c: Client, hdr: dict[str, str], url: str, data: dict[str, Any]) -> Any:
    return c.post(url, data, content_type="application/json", headers=hdr)


def test_the_loop_over_the_api(world: Any, clock: Any) -> None:
    tip = make_tip(identity=True)
    url = f"/api/v1/tips/{tip.pk}/"
    c, hdr = session(world.jubao)
    body = c.get(url, headers=hdr).json()
    assert body["status"] == TipStatus.RECEIVED and "original_text" not in body
    assert set(c.get(url + "steps/", headers=hdr).json()["steps"]) == {"accept", "reject", "merge"}
    # Field-level 400s: an empty working copy, no unit.
    r = post(c, hdr, url + "accept/", {"working_text": "", "category": "hazard", "version": body["version"]})
    assert r.status_code == 400 and "working_text" in r.json()
    r = post(
        c, hdr, url + "accept/", {"working_text": WORKING, "category": "hazard", "version": body["version"]}
    )
    assert r.status_code == 400 and "enterprise" in r.json(), r.content
    gas = world.enterprises["yt_gas"]
    r = post(
        c,
        hdr,
        url + "accept/",
        {"working_text": WORKING, "category": "hazard", "enterprise": gas.pk, "version": body["version"]},
    )
    assert r.status_code == 200, r.content
    body = r.json()
    assert body["status"] == TipStatus.ACCEPTED and body["verify_deadline"] == "2025-05-02"
    # A stale version: 409.
    r = post(c, hdr, url + "transfer/", {"department": "housing", "township": "x", "version": 1})
    assert r.status_code in (400, 409)
    r = post(c, hdr, url + "transfer/", {"department": "housing", "version": 1})
    assert r.status_code == 409
    # Before the transfer the department does not see it.
    dc, dh = token("zhujian")
    assert dc.get(url, headers=dh).status_code == 404
    r = post(
        c,
        hdr,
        url + "transfer/",
        {"department": "housing", "township": world.regions["营田镇"].code, "version": body["version"]},
    )
    assert r.status_code == 200, r.content
    body = r.json()
    assert body["department"] == "housing" and body["status"] == TipStatus.VERIFYING
    # The department reads the working fields only; another department gets 404, an enterprise 403.
    r = dc.get(url, headers=dh)
    assert r.status_code == 200
    text = r.content.decode()
    for secret in (tip.original_text, SENTINEL_NAME, SENTINEL_PHONE, SENTINEL_ID, "receipt"):
        assert secret not in text
    assert [t["code"] for t in dc.get("/api/v1/tips/", headers=dh).json()["results"]] == [tip.code]
    oc, oh = token("yingji")
    assert oc.get(url, headers=oh).status_code == 404
    assert (
        post(oc, oh, url + "conclude/", {"outcome": "founded", "version": body["version"]}).status_code == 404
    )
    ec, eh = token("qiye1")
    assert ec.get(url, headers=eh).status_code == 403
    assert ec.get("/api/v1/tips/", headers=eh).status_code == 403
    # 办结 by the department, 答复 by the custodian.
    assert set(dc.get(url + "steps/", headers=dh).json()["steps"]) >= {
        "conclude",
        "request_extension",
        "add_hazard",
    }
    r = post(
        dc,
        dh,
        url + "conclude/",
        {
            "outcome": "founded",
            "conclusion": "现场检查属实。",
            "draft_answer": "经核查属实，已责令整改。",
            "version": body["version"],
        },
    )
    assert r.status_code == 200, r.content
    body = r.json()
    assert body["feedback_deadline"] == "2025-03-13"
    r = post(
        c,
        hdr,
        url + "feedback/",
        {
            "public_feedback": "经核查属实，已责令整改。",
            "public_summary": "一燃气经营部违规存放气瓶，属实。",
            "version": body["version"],
        },
    )
    assert r.status_code == 200, r.content
    assert r.json()["status"] == TipStatus.CLOSED
    history = [h["action"] for h in c.get(url + "history/", headers=hdr).json()]
    assert history == ["accept", "transfer", "conclude", "feedback"]


def test_filters_and_tabs(world: Any, clock: Any) -> None:
    make_tip(category="concealed")
    make_tip()
    c, hdr = session(world.jubao)
    assert len(c.get("/api/v1/tips/?tab=received", headers=hdr).json()["results"]) == 2
    assert len(c.get("/api/v1/tips/?category=concealed", headers=hdr).json()["results"]) == 1
    assert c.get("/api/v1/tips/?tab=nonsense", headers=hdr).status_code == 400
    assert len(c.get("/api/v1/tips/?tab=verifying", headers=hdr).json()["results"]) == 0
    assert json.dumps(c.get("/api/v1/tips/", headers=hdr).json()).count("original_text") == 0
