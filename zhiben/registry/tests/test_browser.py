"""End to end in Debian's Chromium: 营田镇's official signs in, filters the enterprise list and exports it.

Screenshots go to $ZHIBEN_SCREENSHOTS when set (e.g. /tmp/shots), otherwise to the test's tmp dir.
"""

from __future__ import annotations

import io
import os
from pathlib import Path

import pytest
from django.conf import settings
from openpyxl import load_workbook

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--disable-quic",
    "--no-first-run",
]

# Playwright's sync API runs an event loop in this thread; Django refuses ORM calls there unless told
# the test knows what it is doing (research/ecosystem.md §7 gotcha 9).
os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True),
    pytest.mark.skipif(not CHROMIUM.exists(), reason="Debian Chromium (/usr/bin/chromium) is not installed"),
]


@pytest.fixture
def browser_page(tmp_path):
    sync_api = pytest.importorskip("playwright.sync_api", reason="Playwright for Python is not installed")
    with sync_api.sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        context = browser.new_context(viewport={"width": 1440, "height": 900}, accept_downloads=True)
        page = context.new_page()
        page.set_default_timeout(15_000)
        try:
            yield page
        finally:
            context.close()
            browser.close()


def _shots_dir(tmp_path: Path) -> Path:
    directory = Path(os.environ.get("ZHIBEN_SCREENSHOTS") or tmp_path)
    directory.mkdir(parents=True, exist_ok=True)
    return directory


def _names_on_screen(page) -> list[str]:
    return [
        t.strip()
        for t in page.locator("[data-testid=object-table] tbody tr td:first-child a").all_inner_texts()
    ]


def test_it_lets_yingtian_export_exactly_the_rows_on_screen(live_server, world, browser_page, tmp_path):
    page = browser_page
    shots = _shots_dir(tmp_path)
    yingtian_names = {world.enterprises[s].name for s in ("qiye1", "yt_gas", "yt_shop")}
    other_names = {e.name for e in world.enterprises.values()} - yingtian_names

    # Sign in through the login form.
    page.goto(f"{live_server.url}/accounts/login/")
    page.fill("input[name=username]", "yingtian")
    page.fill("input[name=password]", settings.DEMO_PASSWORD)
    page.locator("form[action$='/accounts/login/'] button[type=submit]").click()
    page.wait_for_url(f"{live_server.url}/")
    page.locator("[data-testid=kpis]").wait_for()
    page.screenshot(path=str(shots / "browser_dashboard.png"), full_page=True)

    # Open the enterprise list from the sidebar: only 营田镇's enterprises are there.
    page.locator("#zb-sidebar").get_by_role("link", name="生产经营单位").click()
    page.wait_for_url("**/registry/enterprises/")
    on_screen = _names_on_screen(page)
    assert set(on_screen) == yingtian_names
    assert not set(on_screen) & other_names
    assert page.locator("[data-testid=total-count]").inner_text() == str(len(yingtian_names))

    # Sort by name descending through the header (htmx swaps the table and pushes the URL).
    page.locator("th a[data-sort=name]").click()
    page.wait_for_url("**sort=-name**")
    page.wait_for_function(
        "names => [...document.querySelectorAll('[data-testid=object-table] tbody td:first-child a')]"
        ".map(a => a.textContent.trim()).join('|') === names",
        arg="|".join(sorted(yingtian_names, reverse=True)),
    )
    on_screen = _names_on_screen(page)
    assert on_screen == sorted(yingtian_names, reverse=True)
    page.screenshot(path=str(shots / "browser_enterprise_list.png"), full_page=True)

    # The export link carries the current query: the file has the same rows in the same order.
    with page.expect_download() as download_info:
        page.locator("[data-testid=export-xlsx]").click()
    download = download_info.value
    sheet = load_workbook(io.BytesIO(Path(download.path()).read_bytes())).worksheets[0]
    header, *rows = sheet.iter_rows(values_only=True)
    names = list(header).index("名称")
    assert [r[names] for r in rows if r[names]] == on_screen
    # Cell for cell: the file's columns and values are the table's ("—" on screen is an empty cell).
    screen_header = page.locator("[data-testid=object-table] thead th").all_inner_texts()
    assert [h.strip() for h in screen_header] == list(header)
    screen_rows = page.locator("[data-testid=object-table] tbody tr").evaluate_all(
        "trs => trs.map(tr => Array.from(tr.cells).map(td => td.innerText.trim()))"
    )
    assert screen_rows == [["—" if v in (None, "") else str(v) for v in r] for r in rows]

    # Detail and edit pages render for an enterprise in scope.
    page.get_by_role("link", name=world.enterprises["yt_gas"].name).click()
    page.wait_for_url(f"**{world.enterprises['yt_gas'].get_absolute_url()}")
    assert "138****0001" in page.locator("[data-testid=principal-phone]").inner_text()
    page.screenshot(path=str(shots / "browser_enterprise_detail.png"), full_page=True)
    page.get_by_role("link", name="编辑").click()
    page.wait_for_url("**/edit/")
    page.locator("input[name=version]").wait_for(state="attached")
    page.screenshot(path=str(shots / "browser_enterprise_edit.png"), full_page=True)
