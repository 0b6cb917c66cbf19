"""Browser: the office (anweiban) opens the quarter's ranking, clicks a point and lands on the records behind it."""

from __future__ import annotations

from typing import Any

import pytest
from django.conf import settings

from zhiben.assessment import services
from zhiben.campaign.choices import EntryStatus, RegisterKind
from zhiben.conftest import build_world
from zhiben.registry.tests.test_browser import CHROMIUM, CHROMIUM_ARGS

from .test_assessment import Q3, entry, freeze_some, small_scheme


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
@pytest.mark.skipif(not CHROMIUM.exists(), reason="Debian Chromium (/usr/bin/chromium) is not installed")
def test_the_office_clicks_a_point_and_sees_its_records(live_server: Any) -> None:
    sync_api = pytest.importorskip("playwright.sync_api", reason="Playwright for Python is not installed")
    world = build_world()
    entry(world, "营田镇", RegisterKind.CAPACITY)
    entry(world, "营田镇", RegisterKind.CAPACITY, EntryStatus.PLANNED, Q3)
    small_scheme(world)
    freeze_some("2026Q3", ("campaign.grassroots_capacity", "campaign.smart_supervision"))
    services.publish(services.compute(2026, 3, "township", actor=world.anweiban), actor=world.anweiban)
    url = live_server.url
    with sync_api.sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        try:
            page = browser.new_context(viewport={"width": 1280, "height": 900}).new_page()
            page.set_default_timeout(15_000)
            page.goto(f"{url}/accounts/login/")
            page.fill("input[name=username]", "anweiban")
            page.fill("input[name=password]", settings.DEMO_PASSWORD)
            page.locator("form[action$='/accounts/login/'] button[type=submit]").click()
            page.wait_for_url(f"{url}/")
            page.goto(f"{url}/assessment/?year=2026&quarter=3&kind=township")
            row = page.locator("[data-testid=ranking] tr[data-unit=营田镇]")
            assert row.locator("[data-testid=score]").inner_text().startswith("20.00")
            row.locator("[data-testid=point][data-rule=R1]").click()
            page.wait_for_url("**/indicators/campaign.grassroots_capacity/records/**")
            assert "营田镇" in page.content() and "能力建设" in page.content()
        finally:
            browser.close()
