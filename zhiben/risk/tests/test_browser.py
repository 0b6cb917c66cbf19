"""On a 390 px phone in Debian's Chromium: the unit's safety officer scans a risk point's QR code (opens the URL
it encodes), records 不符合 for one control, and a 一般 hazard linked to the point exists."""

from __future__ import annotations

import os
import re
from typing import Any

import pytest
from django.conf import settings

from zhiben.hazards.choices import Level as HazardLevel
from zhiben.hazards.models import Hazard
from zhiben.registry.tests.test_browser import CHROMIUM, CHROMIUM_ARGS
from zhiben.risk import services
from zhiben.risk.choices import PointStatus
from zhiben.risk.models import Patrol

os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True),
    pytest.mark.skipif(not CHROMIUM.exists(), reason="Debian Chromium (/usr/bin/chromium) is not installed"),
]


@pytest.fixture
def phone_page() -> Any:
    sync_api = pytest.importorskip("playwright.sync_api", reason="Playwright for Python is not installed")
    with sync_api.sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        context = browser.new_context(viewport={"width": 390, "height": 844}, is_mobile=True, has_touch=True)
        page = context.new_page()
        page.set_default_timeout(15_000)
        try:
            yield page
        finally:
            context.close()
            browser.close()


def test_a_phone_patrol_by_qr_code_records_a_nonconformity_as_a_linked_hazard(
    live_server: Any, world: Any, phone_page: Any
) -> None:
    point = services.register_point(
        actor=world.qiye2,
        enterprise=world.enterprises["qiye2"],
        kind="equipment",
        name="氯气汽化器",
        location="合成车间",
        factors=[{"category": "2.2", "text": "氯气泄漏中毒"}],
        controls=[
            {"kind": "engineering", "text": "汽化器出口设置压力报警"},
            {"kind": "ppe", "text": "岗位配备正压式空气呼吸器"},
        ],
        responsible_person="赵主任",
    )
    services.assess_point(point, actor=world.qiye2, method="LEC", L="3", E="6", C="15")
    page = phone_page
    page.goto(f"{live_server.url}/accounts/login/")
    page.fill("input[name=username]", "qiye2")
    page.fill("input[name=password]", settings.DEMO_PASSWORD)
    page.locator("form[action$='/accounts/login/'] button[type=submit]").click()
    page.wait_for_url(f"{live_server.url}/")

    # The QR code encodes the patrol page's address: what the phone's camera opens.
    svg = page.request.get(f"{live_server.url}/risk/points/{point.pk}/qr.svg")
    assert svg.ok and svg.headers["content-type"].startswith("image/svg+xml")
    page.goto(f"{live_server.url}{point.patrol_url()}")
    page.locator("[data-testid=patrol-form]").wait_for()
    assert page.evaluate("document.documentElement.scrollWidth") <= 390
    page.locator("input[name=c1][value=bad]").check()
    page.fill("input[name=n1]", "空气呼吸器压力不足")
    page.locator("[data-testid=submit]").click()
    page.wait_for_url(re.compile(r".*/risk/points/\d+/.*"))
    link = page.locator("[data-testid=patrol-hazard] a").first
    link.wait_for()
    assert "空气呼吸器" in page.locator("[data-testid=patrols]").inner_text()
    assert page.evaluate("document.documentElement.scrollWidth") <= 390

    patrol = Patrol.objects.unrestricted("test").get(point=point)
    assert patrol.conforming is False and patrol.hazard_id is not None
    hazard = Hazard.objects.unrestricted("test").get(pk=patrol.hazard_id)
    assert hazard.level == HazardLevel.GENERAL and hazard.enterprise_id == point.enterprise_id
    assert hazard.code in link.inner_text()
    point.refresh_from_db()
    assert point.status == PointStatus.REASSESS
    link.click()
    page.wait_for_url(re.compile(r".*/hazards/.*"))
    assert "空气呼吸器压力不足" in page.content()
