"""End to end in Debian's Chromium: 应急管理局's inspector sets up a 双随机 draw (the pool size follows the
filters live), commits, draws and publishes it; then anyone opens the public page on a phone and sees the
results with the seed that matches the published commitment.

Screenshots go to $ZHIBEN_SCREENSHOTS when set (e.g. /tmp/shots), otherwise to the test's tmp dir.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

import pytest
from django.conf import settings
from playwright.sync_api import expect

from zhiben.inspections.draw_algorithm import seed_digest
from zhiben.inspections.models import Draw
from zhiben.registry.tests.test_browser import CHROMIUM

from .draw_fixtures import district_fixture  # noqa: F401

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True),
    pytest.mark.skipif(not CHROMIUM.exists(), reason="Debian Chromium (/usr/bin/chromium) is not installed"),
]


def _shots(tmp_path: Path) -> Path:
    directory = Path(os.environ.get("ZHIBEN_SCREENSHOTS") or tmp_path)
    directory.mkdir(parents=True, exist_ok=True)
    return directory


def _count(page: Any) -> int:
    return int(page.locator("[data-testid=entity-count]").inner_text())


def test_it_runs_and_publishes_a_draw_in_the_browser(
    live_server: Any, district: Any, browser_page: Any, tmp_path: Path
) -> None:
    page, shots = browser_page, _shots(tmp_path)
    page.goto(f"{live_server.url}/accounts/login/")
    page.fill("input[name=username]", "yingji")
    page.fill("input[name=password]", settings.DEMO_PASSWORD)
    page.locator("form[action$='/accounts/login/'] button[type=submit]").click()
    page.wait_for_url(f"{live_server.url}/")

    page.goto(f"{live_server.url}/inspections/draws/new/")
    page.locator("[data-testid=entity-count]").wait_for()
    everyone = _count(page)
    assert everyone >= len(district.units)
    heshi = district.world.regions["河市镇"]
    page.select_option("select[name=region]", heshi.code)
    # A locator assertion, not wait_for_function: the page's CSP forbids the eval a string predicate needs.
    expect(page.locator("[data-testid=entity-count]")).not_to_have_text(str(everyone))
    in_heshi = _count(page)
    assert 0 < in_heshi < everyone
    page.fill("input[name=title]", "河市镇工贸企业双随机抽查")
    page.fill("input[name=count]", "2")
    page.screenshot(path=str(shots / "draw_form.png"), full_page=True)
    page.get_by_test_id("submit").click()
    page.wait_for_url("**/inspections/draws/*/")
    draw = Draw.objects.get(title="河市镇工贸企业双随机抽查")

    page.on("dialog", lambda dialog: dialog.accept())  # the confirmations of commit and publish
    page.get_by_test_id("commit").click()
    page.get_by_test_id("seed-digest").wait_for()
    page.get_by_test_id("perform").click()
    page.get_by_test_id("results").wait_for()
    page.get_by_test_id("publish").click()
    page.get_by_test_id("verify-ok").wait_for()
    page.screenshot(path=str(shots / "draw_detail.png"), full_page=True)
    draw.refresh_from_db()
    assert draw.status == "published" and draw.entity_count == in_heshi

    phone = page.context.browser.new_context(viewport={"width": 390, "height": 844}).new_page()
    phone.goto(f"{live_server.url}/inspections/public/draws/{draw.pk}/")
    seed = phone.get_by_test_id("seed").inner_text().strip()
    assert seed_digest(seed) == phone.get_by_test_id("seed-digest").inner_text().strip()
    phone.get_by_test_id("verify-ok").wait_for()
    names = phone.get_by_test_id("results").inner_text()
    assert all(a.enterprise.name in names for a in draw.assignments.select_related("enterprise"))
    assert phone.evaluate("document.documentElement.scrollWidth") <= 390
    phone.screenshot(path=str(shots / "draw_public_phone.png"), full_page=True)
