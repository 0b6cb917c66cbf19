"""End to end in Debian's Chromium at phone width (390 × 844): a citizen files a tip with a photo on /tips/,
reads the receipt, and checks its status with it (issue 12, "Done when").

Screenshots go to $ZHIBEN_SCREENSHOTS when set (e.g. /tmp/shots), otherwise to the test's tmp dir.
"""

from __future__ import annotations

import re
from typing import Any

import pytest
from django.core.cache import cache

from zhiben.registry.tests.test_browser import CHROMIUM, CHROMIUM_ARGS, _shots_dir
from zhiben.tips.models import Tip, TipAttachment
from zhiben.tips.tests.test_intake import TEXT, jpeg_with_gps

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True),
    pytest.mark.skipif(not CHROMIUM.exists(), reason="Debian Chromium (/usr/bin/chromium) is not installed"),
]


@pytest.fixture
def phone(tmp_path: Any) -> Any:
    sync_api = pytest.importorskip("playwright.sync_api", reason="Playwright for Python is not installed")
    with sync_api.sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        context = browser.new_context(
            viewport={"width": 390, "height": 844}, device_scale_factor=2, is_mobile=True
        )
        page = context.new_page()
        page.set_default_timeout(15_000)
        try:
            yield page
        finally:
            context.close()
            browser.close()


def test_citizen_files_a_tip_with_a_photo_and_follows_it_by_receipt(
    live_server: Any, world: Any, phone: Any, tmp_path: Any
) -> None:
    cache.clear()
    page, url, shots = phone, live_server.url, _shots_dir(tmp_path)
    photo = tmp_path / "现场.jpg"
    photo.write_bytes(jpeg_with_gps((64, 48)))
    requests_elsewhere: list[str] = []
    page.on("request", lambda r: None if r.url.startswith(url) else requests_elsewhere.append(r.url))

    page.goto(f"{url}/tips/")
    assert page.evaluate("document.documentElement.scrollWidth") <= 390  # nothing wider than the phone
    # Submitting nothing lists every missing thing in Chinese, and files no tip.
    page.locator("[data-testid=submit]").click()
    errors = page.locator("[data-testid=form-errors]").inner_text()
    assert "请选择举报类别" in errors and "请填写举报内容" in errors
    page.screenshot(path=str(shots / "tips_portal_errors.png"), full_page=False)
    assert not Tip.objects.unrestricted("test").exists()
    page.get_by_label("重大事故隐患").check()
    page.fill("[data-testid=unit-name]", "营田燃气")
    page.locator("[data-testid=unit-suggestions] [role=option]", has_text="营田燃气经营部").click()
    assert page.input_value("input[name=enterprise]") == str(world.enterprises["yt_gas"].pk)
    page.select_option("select[name=place]", label="营田镇（不确定哪个村、社区）")
    page.fill("input[name=address]", "老街东头仓库")
    page.fill("[data-testid=text]", TEXT)
    page.set_input_files("[data-testid=files]", str(photo))
    assert (
        "只有区安委办举报受理保密员可以查看" in page.locator("[data-testid=identity-statement]").inner_text()
    )
    page.screenshot(path=str(shots / "tips_portal_filled.png"), full_page=True)
    page.locator("[data-testid=submit]").click()

    receipt = page.locator("[data-testid=receipt]").inner_text().strip()
    assert re.fullmatch(r"\d{5}( \d{5}){4}", receipt)
    code = page.locator("[data-testid=code]").inner_text().strip()
    page.screenshot(path=str(shots / "tips_portal_receipt.png"), full_page=True)
    tip = Tip.objects.unrestricted("test").get(code=code)
    assert tip.enterprise == world.enterprises["yt_gas"] and tip.place.name == "营田镇"
    assert TipAttachment.objects.unrestricted("test").get(tip=tip).name == "附件1.jpg"
    assert page.context.cookies() == []  # the portal set no cookie

    page.get_by_role("link", name="查询办理进度").click()
    page.fill("[data-testid=receipt-input]", receipt.replace(" ", "-"))
    page.locator("[data-testid=lookup]").click()
    assert page.locator("[data-testid=public-status]").inner_text() == "已收到，等待受理"
    assert code in page.locator("[data-testid=status-result]").inner_text()
    page.screenshot(path=str(shots / "tips_status.png"), full_page=True)
    assert page.evaluate("document.documentElement.scrollWidth") <= 390

    page.goto(f"{url}/tips/status/")
    page.fill("[data-testid=receipt-input]", "1" * 25)
    page.locator("[data-testid=lookup]").click()
    assert "查询码不正确" in page.locator("[data-testid=lookup-error]").inner_text()
    assert requests_elsewhere == []
