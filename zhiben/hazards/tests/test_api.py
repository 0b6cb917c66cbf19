"""/api/v1/hazards/: the loop over HTTP, scoped, with 403/404/409 where the issue says."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

import pytest
from django.conf import settings
from django.test import Client

from zhiben.core.testing import login, obtain_token, token_header
from zhiben.hazards.choices import Status
from zhiben.hazards.models import Hazard

pytestmark = pytest.mark.django_db


def api(username: str) -> tuple[Client, dict[str, str]]:
    c = Client()
    return c, token_header(obtain_token(c, username))


def post(c: Client, h: dict[str, str], url: str, data: dict[str, Any]) -> Any:
    return c.post(url, data, content_type="application/json", headers=h)


def test_loop_over_the_api(world: Any, clause: Any, clock: Any) -> None:
    c, ent = api("qiye1")
    r = post(
        c,
        ent,
        "/api/v1/hazards/",
        {
            "enterprise": world.enterprises["qiye1"].pk,
            "level": "major",
            "clause": clause.pk,
            "title": "喷漆房未设置可燃气体报警装置",
            "discovered_on": "2025-03-01",
        },
    )
    assert r.status_code == 201, r.content
    hid, version = r.json()["id"], r.json()["version"]
    url = f"/api/v1/hazards/{hid}/"
    # The unit cannot 判定 or 销号 its own major hazard.
    assert post(c, ent, url + "confirm/", {"level": "major", "version": version}).status_code == 403
    _, dept = api("yingji")
    r = post(c, dept, url + "confirm/", {"level": "major", "clause": clause.pk, "version": version})
    assert r.status_code == 200, r.content
    body = r.json()
    assert body["status"] == Status.CONFIRMED and body["deadline"]
    stale = post(c, dept, url + "reject/", {"reason": "x", "version": version})
    assert stale.status_code == 409
    r = post(
        c,
        ent,
        url + "plan/",
        {
            "measures": "安装报警仪",
            "responsible": "王",
            "plan_deadline": body["deadline"],
            "funds": "2.50",
            "contingency": "预案",
            "interim_measures": "停用",
            "version": body["version"],
        },
    )
    assert r.status_code == 200, r.content
    v = r.json()["version"]
    bad = post(c, ent, url + "progress/", {"content": "", "percent": 150, "version": v})
    assert bad.status_code == 400 and {"content", "percent"} <= set(bad.json())
    v = post(c, ent, url + "progress/", {"content": "已安装", "percent": 100, "version": v}).json()["version"]
    v = post(c, ent, url + "request-acceptance/", {"version": v}).json()["version"]
    r = post(c, ent, url + "self-accept/", {"acceptor": "王", "passed": True, "version": v})
    assert r.status_code == 200, r.content
    v = r.json()["version"]
    assert post(c, ent, url + "close/", {"version": v}).status_code == 403
    r = post(c, dept, url + "close/", {"note": "现场核查完成", "version": v})
    assert r.status_code == 200 and r.json()["status"] == Status.CLOSED
    hist = c.get(url + "history/", headers=ent).json()
    assert [x["action"] for x in hist][-1] == "close"
    assert Hazard.objects.get(pk=hid).plan_funds == Decimal("2.50")


def test_scope_and_validation(world: Any, clause: Any, clock: Any) -> None:
    c, ent = api("qiye1")
    other = world.enterprises["qiye2"]
    r = post(
        c,
        ent,
        "/api/v1/hazards/",
        {"enterprise": other.pk, "level": "general", "title": "x", "discovered_on": "2025-03-01"},
    )
    assert r.status_code == 400 and "enterprise" in r.json()
    r = post(
        c,
        ent,
        "/api/v1/hazards/",
        {
            "enterprise": world.enterprises["qiye1"].pk,
            "level": "major",
            "title": "x",
            "discovered_on": "2025-03-01",
        },
    )
    assert r.status_code == 400 and "clause" in r.json()
    _, dept = api("zhujian")
    r = post(
        c,
        dept,
        "/api/v1/hazards/",
        {
            "enterprise": world.enterprises["qiye3"].pk,
            "level": "general",
            "title": "临边防护缺失",
            "discovered_on": "2025-03-02",
        },
    )
    assert r.status_code == 201
    hid = r.json()["id"]
    assert c.get(f"/api/v1/hazards/{hid}/", headers=ent).status_code == 404
    listed = c.get("/api/v1/hazards/", headers=ent).json()["results"]
    assert hid not in {x["id"] for x in listed}
    r = post(c, dept, f"/api/v1/hazards/{hid}/confirm/", {"level": "general"})
    assert r.status_code == 400 and "version" in r.json()
    # The audit admin holds no API token (roles.API_TOKEN_ROLES); in a session the hazard API refuses them.
    refused = Client().post(
        "/api/v1/auth/token/",
        {"username": "shenji", "password": settings.DEMO_PASSWORD},
        content_type="application/json",
    )
    assert refused.status_code == 403
    assert login(Client(), world.shenji).get("/api/v1/hazards/").status_code == 403
