"""An inspector's day on a phone (390 × 844) in Debian's Chromium: 消防救援大队's officer opens the joint visit
assigned to them, works the checklist item by item, records a finding, and sees the hazard in the ledger.

The screenshots go to $ZHIBEN_SCREENSHOTS when set (e.g. /tmp/shots), otherwise to the test's tmp dir; the
phone screenshot of the checklist in docs/inspection-phone.png is refreshed by hand from there (a test run
does not rewrite a tracked file).
"""

from __future__ import annotations

import re
from typing import Any

import pytest
from django.utils import timezone

from zhiben.hazards.models import Hazard
from zhiben.hazards.tests.test_browser import sign_in
from zhiben.inspections.choices import Mode, Origin
from zhiben.inspections.models import Finding, InspectionCap
from zhiben.inspections.services import records
from zhiben.registry.tests.test_browser import CHROMIUM, _shots_dir

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True),
    pytest.mark.skipif(not CHROMIUM.exists(), reason="Debian Chromium (/usr/bin/chromium) is not installed"),
]

PHONE = {"width": 390, "height": 844}


def fits_the_screen(page: Any) -> bool:
    """Nothing scrolls sideways on the phone."""
    return page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")


def test_an_inspector_works_an_assigned_check_on_a_phone(
    live_server: Any, world: Any, inspectors: Any, checklists: Any, browser_page: Any, tmp_path: Any
) -> None:
    InspectionCap.objects.all().delete()
    inspection = records.create_inspection(
        actor=world.zhujian,
        enterprise=world.enterprises["yt_gas"],
        department=world.departments["housing"],
        mode=Mode.JOINT,
        origin=Origin.SPECIAL,
        planned_on=timezone.localdate(),
        officers=[inspectors["zhujian"], inspectors["xiaofang"]],
        assistants=[inspectors["zhuanjia"]],
        departments=[world.departments["fire"]],
        checklists={
            world.departments["housing"].pk: checklists["housing"],
            world.departments["fire"].pk: checklists["fire"],
        },
        subject="城镇燃气安全专项检查",
    )
    page, url, shots = browser_page, live_server.url, _shots_dir(tmp_path)
    page.set_viewport_size(PHONE)

    # 消防's officer opens today's assigned visit from 我的检查.
    sign_in(page, url, "xiaofang")
    page.goto(f"{url}/inspections/mine/")
    card = page.locator("[data-testid=my-inspection]").first
    assert "营田燃气经营部" in card.inner_text() and "今天" in card.inner_text()
    assert fits_the_screen(page)
    page.screenshot(path=str(shots / "inspection-mine-phone.png"))
    card.click()
    page.wait_for_url(re.compile(rf".*/inspections/{inspection.pk}/$"))
    team = page.locator("[data-testid=team]").inner_text()
    assert "执法主体" in team and "不作为执法主体" in team and "安全生产专家" in team

    page.locator("[data-testid=start]").click()
    page.wait_for_url(re.compile(rf".*/inspections/{inspection.pk}/$"))
    assert page.locator("[data-testid=status]").inner_text() == "检查中"
    page.screenshot(path=str(shots / "inspection-detail-phone.png"), full_page=True)

    # The fire checklist, one card per item: the first items pass, the clause item fails.
    fire = page.locator("section[data-department=fire]")
    items = fire.locator("[data-testid=item]")
    count = items.count()
    assert count == checklists["fire"].items.count() >= 2
    clause_item = checklists["fire"].items.exclude(clause=None).order_by("sort_order").last()
    for i in range(count):
        item_id = items.nth(i).get_attribute("data-item")
        result = "fail" if item_id == str(clause_item.pk) else "pass"
        card = page.locator(f"#item-{item_id}")
        card.locator(f"button[data-result={result}]").click()
        # htmx swaps the card in place (no page load): wait for the new answer badge.
        page.locator(f"#item-{item_id} [data-testid=answer]").wait_for()
        expected = "不符合" if result == "fail" else "符合"
        assert page.locator(f"#item-{item_id} [data-testid=answer]").inner_text() == expected
    assert fire.locator("[data-testid=progress]").inner_text().startswith(f"{count}/{count}")
    assert fits_the_screen(page)

    failed = page.locator(f"#item-{clause_item.pk}")
    failed.scroll_into_view_if_needed()
    page.screenshot(path=str(shots / "inspection-phone.png"))
    button = failed.locator("[data-testid=record-finding]")
    box = button.bounding_box()
    assert box is not None and box["height"] >= 44  # a thumb-sized target
    button.click()

    # The finding form comes from the item: 重大 citing its clause, routed to 消防's ledger.
    page.wait_for_url(re.compile(r".*/findings/new/\?answer=\d+$"))
    assert clause_item.clause.citation in page.locator("[data-testid=from-item]").inner_text()
    page.fill("[name=location]", "液化气瓶储存间")
    assert fits_the_screen(page)
    page.screenshot(path=str(shots / "inspection-finding-phone.png"))
    page.locator("[data-testid=submit]").click()
    page.wait_for_url(re.compile(rf".*/inspections/{inspection.pk}/#findings$"))

    finding = Finding.objects.get(inspection=inspection)
    hazard = Hazard.objects.get(pk=finding.hazard_id)
    link = page.locator("[data-testid=hazard-link]")
    assert hazard.code in link.inner_text()
    link.click()
    page.wait_for_url(re.compile(rf".*/hazards/{hazard.pk}/$"))
    assert page.locator("[data-testid=status]").inner_text() == "待判定"
    assert page.locator("[data-testid=department]").inner_text() == "区消防救援大队"
    assert hazard.level == "major" and hazard.clause_id == clause_item.clause_id
    assert fits_the_screen(page)
    page.screenshot(path=str(shots / "inspection-hazard-phone.png"))
