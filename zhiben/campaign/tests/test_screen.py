"""The big screen (指挥大屏): the township outlines tile without overlaps, the counts on the map are the open 重大
hazards the viewer may see, the JSON the page polls carries the same figures, the screen is scoped, events name
places and units (a tip says only that one arrived, and where), and it renders at 1920×1080 in Chromium.

Set ZHIBEN_SAVE_SCREENSHOTS=1 to write the browser test's screenshot to docs/screenshots/big-screen.png.
"""

from __future__ import annotations

import datetime as dt
import json
import os
import re
from pathlib import Path
from typing import Any

import pytest
from django.conf import settings
from django.http import QueryDict
from django.test import Client
from django.urls import reverse

from zhiben.campaign import screen
from zhiben.core.testing import login, redirects_to_login
from zhiben.hazards import services as hazard_services
from zhiben.hazards.choices import Level, Status
from zhiben.hazards.filtersets import HazardFilterSet
from zhiben.hazards.models import Hazard
from zhiben.indicators import registry
from zhiben.indicators.tests.support import hazard
from zhiben.registry.tests.test_browser import CHROMIUM, CHROMIUM_ARGS, _shots_dir
from zhiben.tips.choices import Category
from zhiben.tips.services.intake import submit_tip

URL = "/campaign/screen/"
REGIONS = Path(__file__).resolve().parents[2] / "registry" / "data" / "regions.json"
DOCS_SHOT = Path(__file__).resolve().parents[3] / "docs" / "screenshots" / "big-screen.png"
TIP_TEXT = "凤凰乡某烟花仓库夜间违规分装，门口堆放大量成品。"
TIME = re.compile(r"\d{4}-\d{2}-\d{2} \d{2}:\d{2}")

# Open 重大 hazards made for the stories below, per township (by the test world's units).
MAJOR_OPEN = {"天问街道": 3, "营田镇": 2, "河市镇": 1, "凤凰乡": 0}


# --- the shipped outlines -----------------------------------------------------------------------------------------

Point = tuple[float, float]


def _townships_of_collection() -> list[dict[str, Any]]:
    return [f for f in screen.load_collection()["features"] if f["properties"].get("kind") == "township"]


def _ring(feature: dict[str, Any]) -> list[Point]:
    assert feature["geometry"]["type"] == "Polygon" and len(feature["geometry"]["coordinates"]) == 1
    ring = [(float(x), float(y)) for x, y in feature["geometry"]["coordinates"][0]]
    assert ring[0] == ring[-1], "a ring closes on its first point"
    return ring[:-1]


def _signed_area(ring: list[Point]) -> float:
    return sum(x1 * y2 - x2 * y1 for (x1, y1), (x2, y2) in zip(ring, ring[1:] + ring[:1], strict=True)) / 2


def _edges(ring: list[Point]) -> list[tuple[Point, Point]]:
    return list(zip(ring, ring[1:] + ring[:1], strict=True))


def _cross(o: Point, a: Point, b: Point) -> float:
    return (a[0] - o[0]) * (b[1] - o[1]) - (a[1] - o[1]) * (b[0] - o[0])


def _properly_cross(p: tuple[Point, Point], q: tuple[Point, Point]) -> bool:
    """The two segments cross at a point inside both (sharing an end point or an edge is not crossing)."""
    d1, d2 = _cross(q[0], q[1], p[0]), _cross(q[0], q[1], p[1])
    d3, d4 = _cross(p[0], p[1], q[0]), _cross(p[0], p[1], q[1])
    return d1 * d2 < 0 and d3 * d4 < 0


def _inside(point: Point, ring: list[Point]) -> bool:
    """Strictly inside (ray casting); a point on the boundary is not inside."""
    for a, b in _edges(ring):
        on_line = abs(_cross(a, b, point)) < 1e-12
        if (
            on_line
            and min(a[0], b[0]) <= point[0] <= max(a[0], b[0])
            and min(a[1], b[1]) <= point[1] <= max(a[1], b[1])
        ):
            return False
    x, y = point
    inside = False
    for (x1, y1), (x2, y2) in _edges(ring):
        if (y1 > y) != (y2 > y) and x < x1 + (y - y1) * (x2 - x1) / (y2 - y1):
            inside = not inside
    return inside


def test_the_shipped_outlines_are_the_four_townships_and_say_where_they_come_from() -> None:
    collection = screen.load_collection()
    regions = json.loads(REGIONS.read_text(encoding="utf-8"))
    townships = {r["code"]: r["name"] for r in regions if r["level"] == 4 and r.get("parent") == "430671"}
    features = _townships_of_collection()

    assert {f["properties"]["code"]: f["properties"]["name"] for f in features} == townships
    assert collection["source"] == "示意边界，按公开地图手工简化绘制，非法定界线，待核实"
    for f in features:  # each lies in 屈原管理区's box and its label point inside its own outline
        ring = _ring(f)
        assert all(112.75 <= x <= 113.10 and 28.75 <= y <= 29.05 for x, y in ring)
        assert _signed_area(ring) > 0, "exterior rings run counter-clockwise (RFC 7946)"
        assert _inside(tuple(f["properties"]["label"]), ring)


def test_the_township_outlines_tile_without_overlaps_or_gaps_between_them() -> None:
    rings = {f["properties"]["name"]: _ring(f) for f in _townships_of_collection()}
    names = sorted(rings)
    for i, a in enumerate(names):
        edges_a = _edges(rings[a])
        # A simple polygon: no edge crosses another edge of the same ring.
        assert not any(_properly_cross(p, q) for j, p in enumerate(edges_a) for q in edges_a[j + 2 :])
        for b in names[i + 1 :]:
            assert not any(_properly_cross(p, q) for p in edges_a for q in _edges(rings[b])), (a, b)
            assert not any(_inside(v, rings[b]) for v in rings[a]), f"{a} reaches into {b}"
            assert not any(_inside(v, rings[a]) for v in rings[b]), f"{b} reaches into {a}"
    # Neighbours share their border exactly: every edge is either on the district's outline (once) or run
    # the other way by exactly one neighbour; the outline left over is one closed ring with the summed area.
    directed = [e for name in names for e in _edges(rings[name])]
    assert len(set(directed)) == len(directed)
    outline = [(p, q) for p, q in directed if (q, p) not in set(directed)]
    shared = [(p, q) for p, q in directed if (q, p) in set(directed)]
    assert len(shared) >= 2 * (len(names) - 1)
    following = dict(outline)
    assert len(following) == len(outline), "the outline never branches"
    start = outline[0][0]
    walk, point = [start], following[start]
    while point != start:
        walk.append(point)
        point = following[point]
    assert len(walk) == len(outline), "the outline is one ring: no hole, no island"
    total = sum(_signed_area(r) for r in rings.values())
    assert _signed_area(walk) == pytest.approx(total)


def test_the_map_projects_every_township_once() -> None:
    shapes = screen.township_map()
    assert sorted(s.name for s in shapes.shapes) == sorted(MAJOR_OPEN)
    assert all(s.path.startswith("M") and s.path.endswith("Z") for s in shapes.shapes)
    assert all(0 <= s.label_x <= shapes.width and 0 <= s.label_y <= shapes.height for s in shapes.shapes)


# --- the page and its JSON ----------------------------------------------------------------------------------------


@pytest.fixture
def hazards(world: Any) -> Any:
    """Open 重大 hazards as MAJOR_OPEN, plus a closed 重大 and an open 一般 one that the map must not count."""
    slots = {"天问街道": "qiye3", "营田镇": "yt_gas", "河市镇": "qiye2", "凤凰乡": "fh_fireworks"}
    for township, n in MAJOR_OPEN.items():
        for _ in range(n):
            hazard(world, slots[township], level=Level.MAJOR, status=Status.RECTIFYING)
    hazard(world, "yt_gas", level=Level.MAJOR, status=Status.CLOSED, closed_on_time=True)
    hazard(world, "fh_fireworks", level=Level.GENERAL, status=Status.RECTIFYING)
    return world


def _page(client: Client) -> str:
    response = client.get(URL)
    assert response.status_code == 200
    return response.content.decode()


def _json(client: Client) -> dict[str, Any]:
    response = client.get(URL, {"format": "json"})
    assert response.status_code == 200 and response["Content-Type"].startswith("application/json")
    return response.json()


def _counts_on_page(html: str, where: str) -> dict[str, str]:
    """township code → the count printed in the map (svg) or the bar list (ul)."""
    part = html[html.index(f'data-testid="{where}"') :]
    part = part[: part.index("</svg>" if where == "township-map" else "</ul>")]
    return dict(re.findall(r'data-town="(\d+)".*?data-count>([^<]*)<', part, flags=re.S))


def _tiles_on_page(html: str) -> dict[str, str]:
    return dict(re.findall(r'data-ind="([\w.]+)".*?<span data-value>([^<]*)</span>', html, flags=re.S))


def test_the_office_sees_each_township_with_its_open_major_hazards_and_the_json_says_the_same(
    hazards: Any,
) -> None:
    world = hazards
    client = login(Client(), world.anweiban)
    html, data = _page(client), _json(client)
    codes = {r.name: r.code for r in world.regions.values() if r.name in MAJOR_OPEN}

    expected = {codes[name]: str(n) for name, n in MAJOR_OPEN.items()}
    assert _counts_on_page(html, "township-map") == expected
    assert _counts_on_page(html, "township-bars") == expected
    assert html.count('data-testid="township-shape"') == 4
    assert "示意边界，按公开地图手工简化绘制，非法定界线，待核实" in html
    # The JSON the page polls carries the very figures on the page.
    assert {t["code"]: str(t["count"]) for t in data["townships"]} == expected
    assert (
        data["major_total"] == sum(MAJOR_OPEN.values()) and f"data-major-total>{data['major_total']}<" in html
    )
    assert {t["id"]: t["value"] for t in data["indicators"]} == _tiles_on_page(html)
    assert data["indicators"][0] == {
        **data["indicators"][0],
        "id": "hazards.major_open",
        "value": str(sum(MAJOR_OPEN.values())),
    }
    for tile in data["indicators"]:  # a module not built yet says so, never a number
        assert (tile["value"] == "未接入") is (not registry.get(tile["id"]).available), tile
    for year in data["tasks"]:
        assert f'data-year="{year["year"]}"' in html
        assert f"data-done>{year['done']}<" in html and f"data-total>{year['total']}<" in html
    assert data["scope"] == "全区" and data["updated"] and TIME.fullmatch(data["updated"])
    # A township's number opens the list of exactly those hazards.
    yingtian = next(t for t in data["townships"] if t["name"] == "营田镇")
    path, query = yingtian["url"].split("?")
    assert path == reverse("hazards:hazard_list") and yingtian["url"] in html.replace("&amp;", "&")
    listed = HazardFilterSet(QueryDict(query), queryset=Hazard.objects.restrict(world.anweiban)).qs
    assert listed.count() == MAJOR_OPEN["营田镇"]
    assert client.get(yingtian["url"]).status_code == 200


def test_a_township_official_sees_its_own_township_and_figures_for_its_scope(hazards: Any) -> None:
    world = hazards
    client = login(Client(), world.yingtian)
    html, data = _page(client), _json(client)

    mine = [t for t in data["townships"] if t["mine"]]
    assert [(t["name"], t["count"]) for t in mine] == [("营田镇", MAJOR_OPEN["营田镇"])]
    others = [t for t in data["townships"] if not t["mine"]]
    assert {t["count"] for t in others} == {None} and {t["url"] for t in others} == {""}
    assert data["scope"] == "营田镇" and data["major_total"] == MAJOR_OPEN["营田镇"]
    tiles = {t["id"]: t["value"] for t in data["indicators"]}
    assert tiles["hazards.major_open"] == str(MAJOR_OPEN["营田镇"])
    assert 'class="zb-s-area zb-s-mine"' in html and html.count("zb-s-heat-out") >= 3


def test_units_and_experts_may_not_open_the_screen(world: Any) -> None:
    for persona in ("qiye1", "zhuanjia"):
        client = login(Client(), world.users[persona])
        assert client.get(URL).status_code == 403, persona
        assert client.get(URL, {"format": "json"}).status_code == 403, persona
    assert redirects_to_login(Client().get(URL))


def test_events_name_places_and_units_and_a_tip_says_only_that_one_arrived(world: Any) -> None:
    hazard_services.register_hazard(
        actor=world.qiye2,
        enterprise=world.enterprises["qiye2"],
        level=Level.GENERAL,
        title="灭火器压力不足",
        discovered_on=dt.date.today(),
    )
    village = world.enterprises["fh_fireworks"].region
    tip, _receipt = submit_tip(
        category=Category.MAJOR_HAZARD,
        text=TIP_TEXT,
        enterprise=world.enterprises["fh_fireworks"],
        place=village,
    )
    client = login(Client(), world.anweiban)
    data, html = _json(client), _page(client)

    texts = [e["text"] for e in data["events"]]
    assert "登记一般隐患 · 河市镇 · 岳阳河市化工有限公司" in texts
    assert "收到举报 1 件 · 凤凰乡" in texts
    assert all(TIME.fullmatch(e["time"]) for e in data["events"])
    assert {e["url"] for e in data["events"] if e["kind"] == "举报"} == {""}
    body = json.dumps(data, ensure_ascii=False) + html
    for secret in (TIP_TEXT[:8], world.enterprises["fh_fireworks"].name, tip.code):
        assert secret not in body, secret
    assert world.qiye2.username not in body


# --- in Chromium at 1920×1080 ------------------------------------------------------------------------------------


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
@pytest.mark.skipif(not CHROMIUM.exists(), reason="Debian Chromium (/usr/bin/chromium) is not installed")
def test_the_big_screen_fills_1920_by_1080_without_scrolling(
    live_server: Any, hazards: Any, tmp_path: Any
) -> None:
    sync_api = pytest.importorskip("playwright.sync_api", reason="Playwright for Python is not installed")
    url = live_server.url
    with sync_api.sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        try:
            page = browser.new_context(viewport={"width": 1920, "height": 1080}).new_page()
            page.set_default_timeout(15_000)
            elsewhere: list[str] = []
            page.on("request", lambda r: None if r.url.startswith(url) else elsewhere.append(r.url))
            page.goto(f"{url}/accounts/login/")
            page.fill("input[name=username]", "anweiban")
            page.fill("input[name=password]", settings.DEMO_PASSWORD)
            page.locator("form[action$='/accounts/login/'] button[type=submit]").click()
            page.wait_for_url(f"{url}/")
            page.goto(f"{url}{URL}")
            page.locator("[data-testid=township-map]").wait_for()

            size = page.evaluate(
                "[document.documentElement.scrollWidth, document.documentElement.scrollHeight]"
            )
            assert size[0] <= 1920 and size[1] <= 1080, size
            assert page.locator("[data-testid=township-shape]").count() == 4
            box = page.locator("[data-testid=big-screen]").bounding_box()
            assert box is not None and (round(box["width"]), round(box["height"])) == (1920, 1080)
            # Every panel lies on the screen, none spills past its edge.
            for testid in ("indicators", "tasks", "township-bars", "events", "township-map"):
                b = page.locator(f"[data-testid={testid}]").bounding_box()
                assert b is not None and b["x"] >= 0 and b["y"] >= 0, testid
                assert b["x"] + b["width"] <= 1920 and b["y"] + b["height"] <= 1080, testid
            # The clock ticks in Beijing time; the poller refreshes the numbers without a reload.
            assert TIME.fullmatch(page.locator("[data-clock]").inner_text())
            Hazard.objects.filter(region__code__startswith="430671001", level=Level.MAJOR).update(
                status=Status.CLOSED
            )
            page.evaluate("window.zbScreenPoll()")
            tianwen = page.locator('[data-testid=township-bars] [data-town="430671001"] [data-count]')
            page.wait_for_function("el => el.textContent.trim() === '0'", arg=tianwen.element_handle())
            assert elsewhere == []  # no CDN, no map tiles
            shots = _shots_dir(tmp_path)
            page.screenshot(path=str(shots / "big-screen.png"))
            if os.environ.get("ZHIBEN_SAVE_SCREENSHOTS") == "1":
                DOCS_SHOT.parent.mkdir(parents=True, exist_ok=True)
                page.screenshot(path=str(DOCS_SHOT))

            phone = browser.new_context(viewport={"width": 390, "height": 844}, is_mobile=True)
            phone.add_cookies(page.context.cookies())
            small = phone.new_page()
            small.goto(f"{url}{URL}")
            assert small.evaluate("document.documentElement.scrollWidth") <= 390
            assert small.locator("[data-testid=township-shape]").count() == 4
        finally:
            browser.close()
