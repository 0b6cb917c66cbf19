"""The draw pages, the API and the public page (一公开): 应急管理局 runs a draw; the public checks it."""

from __future__ import annotations

from typing import Any

import pytest
from django.test import Client
from django.urls import reverse

from zhiben.core.testing import login
from zhiben.inspections.choices import DrawStatus
from zhiben.inspections.draw_algorithm import sm3_hex
from zhiben.inspections.draw_pools import DrawCriteria
from zhiben.inspections.models import Draw
from zhiben.inspections.services import draws

from .draw_fixtures import district_fixture  # noqa: F401

pytestmark = pytest.mark.django_db

FORM = {
    "title": "2025年第二批双随机抽查",
    "subject": "工贸企业粉尘防爆",
    "planned_on": "2025-03-12",
    "recent_days": "90",
    "count": "2",
    "officers_per_check": "2",
    "pair_days": "365",
}


def as_(user: Any) -> Client:
    return login(Client(), user)


def published(district: Any) -> Draw:
    yingji = district.world.yingji
    d = draws.create_draw(
        actor=yingji,
        department=district.emergency,
        title="公开的抽查",
        criteria=DrawCriteria.from_json({"count": 2}),
    )
    draws.commit_draw(d, actor=yingji)
    draws.perform_draw(d, actor=yingji)
    draws.publish_draw(d, actor=yingji)
    d.refresh_from_db()
    return d


def test_it_runs_a_draw_through_the_pages(district: Any, clock: Any) -> None:
    client = as_(district.world.yingji)
    form = client.get(reverse("inspections:draw_create"))
    assert form.status_code == 200 and 'hx-get="/inspections/draws/pool/"' in form.content.decode()
    pool = client.get(reverse("inspections:draw_pool"), {**FORM, "region": ""})
    assert pool.status_code == 200 and 'data-testid="entity-count"' in pool.content.decode()
    criteria = DrawCriteria.from_json({"count": 2})
    live = draws.preview_pools(district.emergency, criteria, actor=district.world.yingji)
    assert f'<strong data-testid="entity-count">{len(live.entities)}</strong>' in pool.content.decode()

    created = client.post(reverse("inspections:draw_create"), FORM)
    d = Draw.objects.get(title=FORM["title"])
    assert created.status_code == 302 and created["Location"] == d.get_absolute_url()
    assert d.criteria["count"] == 2 and d.criteria["planned_on"] == "2025-03-12"
    for step in ("commit", "perform", "publish"):
        d.refresh_from_db()
        response = client.post(reverse(f"inspections:draw_{step}", args=[d.pk]), {"version": d.version})
        assert response.status_code == 302
    d.refresh_from_db()
    assert d.status == DrawStatus.PUBLISHED
    page = client.get(d.get_absolute_url()).content.decode()
    assert 'data-testid="verify-ok"' in page and d.seed in page
    # The replay command lives in the technical documentation, not on the page (issue 10 §10).
    assert "zhiben draw replay" not in page and "第1版" in page


def test_it_shows_a_clear_error_when_a_step_is_refused(district: Any, clock: Any) -> None:
    client = as_(district.world.yingji)
    d = draws.create_draw(
        actor=district.world.yingji,
        department=district.emergency,
        title="人员不足",
        criteria=DrawCriteria.from_json({"count": 1, "officers_per_check": 9}),
    )
    response = client.post(
        reverse("inspections:draw_commit", args=[d.pk]), {"version": d.version}, follow=True
    )
    assert "每个检查组至少需要 9 人" in response.content.decode()
    d.refresh_from_db()
    assert d.status == DrawStatus.DRAFT


def test_it_redraws_through_the_page_with_a_reason(district: Any, clock: Any) -> None:
    yingji = district.world.yingji
    d = draws.create_draw(
        actor=yingji,
        department=district.emergency,
        title="待重抽",
        criteria=DrawCriteria.from_json({"count": 2}),
    )
    draws.commit_draw(d, actor=yingji)
    client = as_(yingji)
    refused = client.post(
        reverse("inspections:draw_redraw", args=[d.pk]), {"reason": "", "version": d.version}
    )
    assert refused.status_code == 400
    response = client.post(
        reverse("inspections:draw_redraw", args=[d.pk]),
        {"reason": "名录冻结时遗漏新登记单位", "version": d.version},
    )
    new = Draw.objects.get(redraw_of=d)
    assert response.status_code == 302 and response["Location"] == new.get_absolute_url()
    public = Client().get(reverse("inspections:public_draw", args=[d.pk])).content.decode()
    assert "名录冻结时遗漏新登记单位" in public and d.seed in public and new.code in public


def test_it_keeps_draw_pages_to_the_department(district: Any, clock: Any) -> None:
    d = published(district)
    assert as_(district.world.zhujian).get(d.get_absolute_url()).status_code == 404
    assert as_(district.world.qiye1).get(reverse("inspections:draw_list")).status_code == 403
    assert as_(district.world.anweiban).get(d.get_absolute_url()).status_code == 200
    assert as_(district.world.anweiban).get(reverse("inspections:draw_create")).status_code == 403
    assert (
        as_(district.world.zhujian).post(reverse("inspections:draw_commit", args=[d.pk])).status_code == 404
    )
    assert (
        as_(district.world.anweiban).post(reverse("inspections:draw_commit", args=[d.pk])).status_code == 403
    )


def test_it_shows_a_published_draw_to_anyone_with_how_to_verify_it(district: Any, clock: Any) -> None:
    d = published(district)
    draft = draws.create_draw(
        actor=district.world.yingji,
        department=district.emergency,
        title="内部草稿",
        criteria=DrawCriteria.from_json({"count": 1}),
    )
    anonymous = Client()
    index = anonymous.get(reverse("inspections:public_index"))
    assert (
        index.status_code == 200
        and d.code in index.content.decode()
        and draft.code not in index.content.decode()
    )
    page = anonymous.get(reverse("inspections:public_draw", args=[d.pk]))
    html = page.content.decode()
    assert page.status_code == 200
    for value in (d.pool_digest, d.seed_digest, d.seed, d.result_digest, d.algorithm_label):
        assert value in html
    assert "zhiben draw replay" not in html and "gmssl" not in html
    names = [a.enterprise.name for a in d.assignments.select_related("enterprise")]
    assert all(name in html for name in names) and 'data-testid="verify-ok"' in html
    officer = district.officers[0]
    assert officer.certificate_no not in html  # only the last digits
    inputs = anonymous.get(reverse("inspections:public_draw_inputs", args=[d.pk]))
    assert inputs.status_code == 200 and sm3_hex(inputs.content) == d.pool_digest
    assert anonymous.get(reverse("inspections:public_draw", args=[draft.pk])).status_code == 404
    algorithm = anonymous.get(reverse("inspections:public_algorithm"))
    text = algorithm.content.decode()
    assert algorithm.status_code == 200 and "SM3" in text and "任何人都可以复核" in text
    # A page for citizens: Chinese, no file paths, shell commands or the English specification.
    for developer_text in ("docs/", "draw-algorithm.md", "zhiben draw", "This document", "```"):
        assert developer_text not in text


# --- API -----------------------------------------------------------------------------------------------------


def test_it_runs_a_draw_through_the_api(district: Any, clock: Any) -> None:
    client = as_(district.world.yingji)
    bad = client.post(
        "/api/v1/draws/",
        {"title": "x", "criteria": {"officers_per_check": 1}},
        content_type="application/json",
    )
    assert bad.status_code == 400 and "criteria" in bad.json()
    created = client.post(
        "/api/v1/draws/",
        {"title": "接口抽查", "criteria": {"proportion": "50", "recent_days": 0, "weighted": True}},
        content_type="application/json",
    )
    assert created.status_code == 201, created.content
    body = created.json()
    pk, version = body["id"], body["version"]
    assert body["status"] == "draft" and body["seed"] is None
    committed = client.post(
        f"/api/v1/draws/{pk}/commit/", {"version": version}, content_type="application/json"
    )
    assert committed.status_code == 200 and committed.json()["pool_digest"]
    stale = client.post(f"/api/v1/draws/{pk}/draw/", {"version": version}, content_type="application/json")
    assert stale.status_code == 409
    version = committed.json()["version"]
    drawn = client.post(f"/api/v1/draws/{pk}/draw/", {"version": version}, content_type="application/json")
    assert (
        drawn.status_code == 200 and len(drawn.json()["assignments"]) == drawn.json()["parameters"]["count"]
    )
    assert drawn.json()["seed"] is None
    done = client.post(
        f"/api/v1/draws/{pk}/publish/", {"version": drawn.json()["version"]}, content_type="application/json"
    )
    assert (
        done.status_code == 200
        and done.json()["seed"]
        and all(a["inspection"] for a in done.json()["assignments"])
    )
    assert client.get(f"/api/v1/draws/{pk}/verify/").json()["ok"] is True
    d = Draw.objects.get(pk=pk)
    assert len(d.weights) == d.entity_count and min(d.weights) >= 1

    other = as_(district.world.zhujian)
    assert other.get(f"/api/v1/draws/{pk}/").status_code == 404
    assert other.get("/api/v1/draws/").json()["results"] == []
    office = as_(district.world.anweiban)
    assert office.get(f"/api/v1/draws/{pk}/").status_code == 200
    assert (
        office.post(
            f"/api/v1/draws/{pk}/redraw/", {"reason": "越权", "version": 9}, content_type="application/json"
        ).status_code
        == 403
    )


def test_it_manages_a_plan_through_the_api(district: Any, clock: Any) -> None:
    client = as_(district.world.yingji)
    created = client.post(
        "/api/v1/inspection-plans/", {"year": 2025, "title": "接口计划"}, content_type="application/json"
    )
    assert created.status_code == 201
    pk, version = created.json()["id"], created.json()["version"]
    patched = client.patch(
        f"/api/v1/inspection-plans/{pk}/",
        {"random_ratio": "12.50", "version": version},
        content_type="application/json",
    )
    assert patched.status_code == 200 and patched.json()["random_ratio"] == "12.50"
    assert (
        client.patch(
            f"/api/v1/inspection-plans/{pk}/",
            {"title": "x", "version": version},
            content_type="application/json",
        ).status_code
        == 409
    )
    submitted = client.post(
        f"/api/v1/inspection-plans/{pk}/submit/",
        {"version": patched.json()["version"]},
        content_type="application/json",
    )
    assert submitted.json()["status"] == "submitted"
    assert (
        client.post(
            f"/api/v1/inspection-plans/{pk}/approve/",
            {"version": submitted.json()["version"]},
            content_type="application/json",
        ).status_code
        == 403
    )
    office = as_(district.world.anweiban)
    approved = office.post(
        f"/api/v1/inspection-plans/{pk}/approve/",
        {"version": submitted.json()["version"], "note": "同意"},
        content_type="application/json",
    )
    assert approved.status_code == 200 and approved.json()["status"] == "approved"
    progress = client.get(f"/api/v1/inspection-plans/{pk}/progress/").json()
    assert progress["key_planned"] == 0 and progress["random_target"] > 0
    assert as_(district.world.zhujian).get(f"/api/v1/inspection-plans/{pk}/").status_code == 404


def test_it_shows_draw_times_in_beijing_time_and_people_by_name_and_unit(district: Any, clock: Any) -> None:
    # The clock is 09:00 in Beijing (01:00 UTC): a list cell used to print "2025-03-03 01:00:00+00:00".
    d = published(district)
    client = as_(district.world.yingji)
    listing = client.get(reverse("inspections:draw_list")).content.decode()
    assert "2025-03-03 09:00" in listing and "+00:00" not in listing and "01:00:00" not in listing
    page = client.get(d.get_absolute_url()).content.decode()
    assert "公布于 2025-03-03 09:00<" in page and "公开于 2025-03-03 09:00<" in page
    # 变更记录: the person who committed the draw, by name and unit; never the login "yingji".
    assert "应急管理局监管员（区应急管理局）" in page
    history = page[page.index('data-testid="history"') :]
    assert "yingji" not in history
