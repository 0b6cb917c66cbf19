"""The library over the API: read by every hazard persona, filtered, and extended by the office only."""

from __future__ import annotations

from typing import Any

import pytest
from django.urls import reverse

from zhiben.core.models import AuditEntry
from zhiben.core.testing import login
from zhiben.standards import events
from zhiben.standards.models import StandardVersion

from .conftest import current_version, standard

pytestmark = pytest.mark.django_db

STANDARDS = reverse("standard-list")
VERSIONS = reverse("standardversion-list")
CLAUSES = reverse("clause-list")


def _all(client: Any, url: str, **params: Any) -> list[dict[str, Any]]:
    rows: list[dict[str, Any]] = []
    response = client.get(url, {**params, "page_size": 100})
    while True:
        assert response.status_code == 200, response.content[:300]
        body = response.json()
        rows += body["results"]
        if not body.get("next"):
            return rows
        response = client.get(body["next"])


def test_it_lists_standards_with_their_current_version(library: Any, client: Any) -> None:
    login(client, library.qiye1)

    rows = {r["code"]: r for r in _all(client, STANDARDS)}

    assert len(rows) == 21
    assert rows["construction"]["current_label"] == "2024版"
    assert rows["construction"]["clause_count"] == 53
    assert rows["construction"]["industries"] == ["CONSTRUCTION"]
    assert rows["tourism"]["text_found"] is False and rows["tourism"]["clause_count"] == 0
    assert [r["code"] for r in _all(client, STANDARDS, sector="特种设备")] == ["special-equipment"]


def test_it_filters_clauses_by_standard_version_sector_text_and_currency(library: Any, client: Any) -> None:
    login(client, library.zhujian)
    old_fire = StandardVersion.objects.get(standard__code="fire", label="2017版")

    assert len(_all(client, CLAUSES, standard="construction")) == 53
    assert len(_all(client, CLAUSES, standard=standard("construction").pk)) == 53
    assert len(_all(client, CLAUSES, version=old_fire.pk)) == 7
    assert _all(client, CLAUSES, version=old_fire.pk, current="true") == []
    assert {r["sector"] for r in _all(client, CLAUSES, sector="农机")} == {"农机"}
    gas = _all(client, CLAUSES, q="燃气 地下室", current="true")
    assert [r["code"] for r in gas] == ["第九条（一）"]
    assert gas[0]["citation"].startswith("《城镇燃气经营安全重大隐患判定标准》（建城规〔2023〕4号）")
    assert _all(client, CLAUSES, standard="no-such-standard") == []


def test_it_lists_clauses_without_a_query_per_row(
    library: Any, client: Any, django_assert_max_num_queries: Any
) -> None:
    login(client, library.zhujian)

    with django_assert_max_num_queries(12):
        response = client.get(CLAUSES, {"page_size": 100})

    assert response.status_code == 200 and len(response.json()["results"]) == 100


def test_it_lets_the_office_add_a_version(library: Any, client: Any) -> None:
    login(client, library.anweiban)
    old = current_version("highway")

    response = client.post(
        VERSIONS,
        {
            "standard": "highway",
            "label": "2026版",
            "title": "公路运营领域重大事故隐患判定标准",
            "doc_number": "交办公路〔2026〕1号",
            "effective_from": "2026-02-01",
            "confidence": "M",
            "copy_clauses_from": old.pk,
        },
        content_type="application/json",
    )

    assert response.status_code == 201, response.content
    body = response.json()
    assert body["standard"] == "highway" and body["is_current"] and body["clause_count"] == 4
    old.refresh_from_db()
    assert not old.is_current and old.clauses.count() == 4
    assert AuditEntry.objects.filter(
        event=events.STANDARD_VERSION_CREATED, object_id=str(body["id"])
    ).exists()


def test_it_refuses_versions_from_departments_and_enterprises(library: Any, client: Any) -> None:
    payload = {"standard": "fire", "label": "2026版", "title": "x"}
    for persona in ("zhujian", "qiye1", "zhuanjia"):
        login(client, library.users[persona])
        assert client.post(VERSIONS, payload, content_type="application/json").status_code == 403, persona
    client.logout()
    assert client.post(VERSIONS, payload, content_type="application/json").status_code in (401, 403)
    assert client.get(CLAUSES).status_code in (401, 403)
    login(client, library.xitong)
    assert client.get(CLAUSES).status_code == 403
    assert not StandardVersion.objects.filter(standard__code="fire", label="2026版").exists()


def test_it_answers_bad_version_input_field_by_field(library: Any, client: Any) -> None:
    login(client, library.anweiban)

    missing = client.post(VERSIONS, {"standard": "fire"}, content_type="application/json")
    duplicate = client.post(
        VERSIONS, {"standard": "fire", "label": "2025版", "title": "x"}, content_type="application/json"
    )
    foreign = client.post(
        VERSIONS,
        {
            "standard": "fire",
            "label": "2030版",
            "title": "x",
            "copy_clauses_from": current_version("construction").pk,
        },
        content_type="application/json",
    )
    unknown = client.post(
        VERSIONS, {"standard": "nope", "label": "1", "title": "x"}, content_type="application/json"
    )

    assert missing.status_code == 400 and {"label", "title"} <= set(missing.json())
    assert duplicate.status_code == 400 and "label" in duplicate.json()
    assert foreign.status_code == 400 and "copy_clauses_from" in foreign.json()
    assert unknown.status_code == 400 and "standard" in unknown.json()


def test_it_offers_no_edit_of_versions_over_the_api(library: Any, client: Any) -> None:
    login(client, library.anweiban)
    version = current_version("fire")

    response = client.patch(
        reverse("standardversion-detail", args=[version.pk]),
        {"title": "x", "version": version.version},
        content_type="application/json",
    )

    assert response.status_code == 405
