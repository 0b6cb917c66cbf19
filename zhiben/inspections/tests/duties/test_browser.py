"""End to end in Debian's Chromium on a 390-pixel-wide phone: 河市化工's manager opens 我的自查任务, records this
month's principal-led check with the unit's checklist, a photo from the camera input and the phone's position,
and the month is done; the failed clause item is a 重大 hazard waiting for 应急管理局's 判定.

Screenshots go to $ZHIBEN_SCREENSHOTS when set (e.g. /tmp/shots), otherwise to the test's tmp dir.
"""

from __future__ import annotations

import re
from decimal import Decimal
from typing import Any

import pytest
from django.conf import settings
from django.utils import timezone

from zhiben.hazards.choices import Level, Status
from zhiben.inspections.choices import OccurrenceStatus
from zhiben.inspections.models import DutyOccurrence, InspectionPhoto, SelfCheck
from zhiben.inspections.services.duties import generate_occurrences
from zhiben.registry.tests.test_browser import CHROMIUM, CHROMIUM_ARGS, _shots_dir

from .support import jpeg

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True),
    pytest.mark.skipif(not CHROMIUM.exists(), reason="Debian Chromium (/usr/bin/chromium) is not installed"),
]

POSITION = {"latitude": 28.841234, "longitude": 112.901234, "accuracy": 12}


@pytest.fixture
def phone_page() -> Any:
    sync_api = pytest.importorskip("playwright.sync_api", reason="Playwright for Python is not installed")
    with sync_api.sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        context = browser.new_context(
            viewport={"width": 390, "height": 844},
            is_mobile=True,
            has_touch=True,
            permissions=["geolocation"],
            geolocation=POSITION,
        )
        page = context.new_page()
        page.set_default_timeout(15_000)
        try:
            yield page
        finally:
            context.close()
            browser.close()


def test_a_manager_records_the_monthly_check_on_a_phone(
    live_server: Any, world: Any, phone_page: Any, tmp_path: Any
) -> None:
    from zhiben.standards.checklists import create_checklist
    from zhiben.standards.models import Clause

    page, url, shots = phone_page, live_server.url, _shots_dir(tmp_path)
    qiye2 = world.enterprises["qiye2"]
    today = timezone.localdate()
    generate_occurrences(year=today.year)
    clauses = list(Clause.objects.filter(version__standard__code="hazchem", version__is_current=True)[:2])
    checklist = create_checklist(
        actor=world.qiye2, name="主要负责人带队自查表", clauses=clauses, custom_items=["应急物资是否齐全"]
    )
    photo = tmp_path / "tank.jpg"
    photo.write_bytes(jpeg(taken=f"{today:%Y:%m:%d} 09:30:00"))

    page.goto(f"{url}/accounts/login/")
    page.fill("input[name=username]", "qiye2")
    page.fill("input[name=password]", settings.DEMO_PASSWORD)
    page.locator("form[action$='/accounts/login/'] button[type=submit]").click()
    page.wait_for_url(f"{url}/")
    page.goto(f"{url}/inspections/duties/")
    page.screenshot(path=str(shots / "duties_mine_phone.png"), full_page=True)
    page.locator("[data-testid=record]").click()
    page.wait_for_url(re.compile(r".*/self-checks/new/"))

    page.select_option("#pick-checklist", str(checklist.pk))  # submits itself (selfcheck.js)
    page.wait_for_url(re.compile(rf".*checklist={checklist.pk}"))
    items = list(checklist.items.order_by("sort_order", "pk"))
    page.locator(f"label[for=id_item_{items[0].pk}_2]").click()  # 不符合
    page.fill(f"[name=note_{items[0].pk}]", "主要负责人考核证书过期")
    for item in items[1:]:
        page.locator(f"label[for=id_item_{item.pk}_1]").click()  # 符合
    page.fill("[name=participants]", "王安全、赵设备")
    page.set_input_files("#photo-camera", str(photo))
    page.locator("[data-geo-status]").filter(has_text="已记录位置").wait_for()
    page.screenshot(path=str(shots / "selfcheck_form_phone.png"), full_page=True)
    page.locator("[data-testid=submit]").click()
    page.wait_for_url(re.compile(r".*/self-checks/\d+/$"))
    page.locator("[data-testid=fulfilled]").filter(has_text="已自查").wait_for()
    page.screenshot(path=str(shots / "selfcheck_detail_phone.png"), full_page=True)

    check = SelfCheck.objects.get(enterprise=qiye2)
    assert check.checked_on == today and check.participants == "王安全、赵设备"
    stored = InspectionPhoto.objects.get(self_check=check)
    assert (stored.latitude, stored.longitude) == (Decimal("28.841234"), Decimal("112.901234"))
    assert stored.captured_at is not None and timezone.localtime(stored.captured_at).date() == today
    hazard = check.answers.get(item=items[0]).hazard
    assert (hazard.level, hazard.status, hazard.clause_id) == (
        Level.MAJOR,
        Status.REPORTED,
        items[0].clause_id,
    )
    month = DutyOccurrence.objects.get(
        enterprise=qiye2, period_start__lte=today, period_end__gte=today, rule__frequency="monthly"
    )
    assert (month.status, month.self_check) == (OccurrenceStatus.DONE, check)
