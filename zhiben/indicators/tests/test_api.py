"""The indicator API as the office, a township, a department and a unit read it: the registry lists every
indicator with its definition, values come per township or department with links that list exactly the
records counted, and each reader sees only its own scope."""

from __future__ import annotations

import datetime as dt
from typing import Any
from urllib.parse import urlsplit

import pytest
import time_machine
from django.test import Client

from zhiben.core.testing import login
from zhiben.hazards.choices import Status
from zhiben.indicators import registry
from zhiben.indicators.registry import Scope

from .support import hazard

pytestmark = pytest.mark.django_db

SH = dt.timezone(dt.timedelta(hours=8))
ON_TIME = "hazards.on_time_rectification"


@pytest.fixture
def clock() -> Any:
    with time_machine.travel(dt.datetime(2026, 6, 16, 9, 0, tzinfo=SH), tick=False) as t:
        yield t


def api(world: Any, who: str) -> Client:
    return login(Client(), getattr(world, who))


def story(world: Any) -> None:
    hazard(world, "qiye1", status=Status.CLOSED, closed_on_time=True)
    hazard(world, "yt_gas", status=Status.CLOSED, closed_on_time=False)
    hazard(world, "qiye2", status=Status.CLOSED, closed_on_time=True)
    hazard(world, "qiye1", deadline=dt.date(2026, 5, 1))  # overdue


def test_the_registry_lists_every_indicator_with_its_definition(
    world: Any, clock: Any, unbuilt_indicator: str
) -> None:
    body = api(world, "anweiban").get("/api/v1/indicators/", {"page_size": 500}).json()

    assert body["count"] == len(registry.all())
    by_id = {r["id"]: r for r in body["results"]}
    on_time = by_id[ON_TIME]
    assert on_time["name"] == "按期整改率" and on_time["unit"] == "%" and on_time["target"] == 100
    assert "按期销号" in on_time["definition"] and on_time["direction"] == "higher"
    assert on_time["available"] is True and on_time["scopes"] == [
        "district",
        "township",
        "department",
        "industry",
    ]
    assert by_id[unbuilt_indicator]["available"] is False
    assert by_id["tips.accept_on_time"]["available"] is True  # wired by the tips app


def test_values_per_township_link_to_exactly_the_records_counted(world: Any, clock: Any) -> None:
    story(world)
    client = api(world, "anweiban")
    body = client.get(
        f"/api/v1/indicators/{ON_TIME}/values/", {"scope": "township", "period": "2026Q2"}
    ).json()

    rows = {r["name"]: r for r in body["results"]}
    assert set(rows) == {"天问街道", "营田镇", "河市镇", "凤凰乡"}
    yingtian = rows["营田镇"]
    assert (yingtian["numerator"], yingtian["denominator"], yingtian["value"]) == (1, 3, 33.3)
    assert rows["凤凰乡"]["value"] is None and rows["凤凰乡"]["denominator"] == 0  # nothing to rate

    ind = registry.get(ON_TIME)
    parts = ind.parts(Scope.township(world.regions["营田镇"]), "2026Q2")
    for part, qs in (("numerator", parts.numerator), ("denominator", parts.denominator)):
        link = urlsplit(yingtian["records"][part])
        listed = client.get(link.path, dict(p.split("=") for p in link.query.split("&"))).json()
        assert {r["id"] for r in listed["results"]} == set(qs.values_list("pk", flat=True))
        assert listed["count"] == yingtian[part]
        assert all(r["type"] == "事故隐患" and r["url"].startswith("/hazards/") for r in listed["results"])


def test_a_township_sees_only_its_own_township(world: Any, clock: Any) -> None:
    story(world)
    client = api(world, "yingtian")
    body = client.get(f"/api/v1/indicators/{ON_TIME}/values/", {"scope": "township"}).json()

    assert [r["name"] for r in body["results"]] == ["营田镇"]
    assert (
        client.get(f"/api/v1/indicators/{ON_TIME}/values/", {"scope": "department"}).json()["results"] == []
    )
    heshi = world.regions["河市镇"].code
    refused = client.get(f"/api/v1/indicators/{ON_TIME}/records/", {"scope": "township", "key": heshi})
    assert refused.status_code == 404
    district = client.get(f"/api/v1/indicators/{ON_TIME}/records/", {"scope": "district"})
    assert district.status_code == 404


def test_a_department_sees_its_own_department(world: Any, clock: Any) -> None:
    story(world)
    body = api(world, "yingji").get(f"/api/v1/indicators/{ON_TIME}/values/", {"scope": "department"}).json()

    assert [r["name"] for r in body["results"]] == ["区应急管理局"]
    assert (body["results"][0]["numerator"], body["results"][0]["denominator"]) == (2, 4)


def test_units_and_strangers_are_refused(world: Any, clock: Any) -> None:
    assert api(world, "qiye1").get("/api/v1/indicators/").status_code == 403
    assert Client().get("/api/v1/indicators/").status_code in (401, 403)
    assert api(world, "anweiban").get("/api/v1/indicators/nothing.here/").status_code == 404


def test_an_unavailable_indicator_answers_null_never_zero(
    world: Any, clock: Any, unbuilt_indicator: str
) -> None:
    body = (
        api(world, "anweiban")
        .get(f"/api/v1/indicators/{unbuilt_indicator}/values/", {"scope": "township"})
        .json()
    )

    assert body["available"] is False
    assert body["results"] and all(
        (r["available"], r["numerator"], r["denominator"], r["value"], r["records"])
        == (False, None, None, None, None)
        for r in body["results"]
    )


def test_bad_parameters_are_field_errors(world: Any, clock: Any) -> None:
    client = api(world, "anweiban")
    bad = client.get(f"/api/v1/indicators/{ON_TIME}/values/", {"period": "2026Q5", "scope": "galaxy"})

    assert bad.status_code == 400
    assert set(bad.json()) == {"period", "scope"}
    assert client.get(f"/api/v1/indicators/{ON_TIME}/records/", {"part": "all"}).status_code == 400


def test_format_suffixes_answer_like_the_plain_routes(world: Any, clock: Any) -> None:
    client = api(world, "anweiban")

    assert client.get("/api/v1/indicators.json").status_code == 200
    assert client.get(f"/api/v1/indicators/{ON_TIME}/values.json").status_code == 200
    assert client.get("/api/v1/indicators/1.json").status_code == 404
