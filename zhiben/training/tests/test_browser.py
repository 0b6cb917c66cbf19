"""On a 390 px phone in Debian's Chromium: an inspector types a worker's certificate number, sees it expired
and records the finding on the open inspection; an attendee signs in to a session by its QR link, once.

Screenshots go to $ZHIBEN_SCREENSHOTS when set, otherwise to the test's tmp dir."""

from __future__ import annotations

import datetime as dt
import re
from decimal import Decimal
from typing import Any

import pytest
from django.utils import timezone

from zhiben.hazards.tests.test_browser import sign_in
from zhiben.inspections.models import Finding
from zhiben.registry.tests.test_browser import CHROMIUM, _shots_dir
from zhiben.training.choices import OrganiserKind, SessionKind
from zhiben.training.models import Attendance, TrainingTheme
from zhiben.training.services import sessions

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True),
    pytest.mark.skipif(not CHROMIUM.exists(), reason="Debian Chromium (/usr/bin/chromium) is not installed"),
]

PHONE = {"width": 390, "height": 844}


def fits_the_screen(page: Any) -> bool:
    return bool(page.evaluate("document.documentElement.scrollWidth <= window.innerWidth"))


def test_an_inspector_finds_an_expired_certificate_on_a_phone_and_records_the_finding(
    live_server: Any, world: Any, make_cert: Any, inspection: Any, browser_page: Any, tmp_path: Any
) -> None:
    cert = make_cert(
        "qiye2", "T430671201900031", timezone.localdate() - dt.timedelta(days=15), holder="孙焊工"
    )
    page, url, shots = browser_page, live_server.url, _shots_dir(tmp_path)
    page.set_viewport_size(PHONE)
    sign_in(page, url, "yingji")
    page.goto(f"{url}/training/verify/")
    page.fill("input[name=number]", "t430671201900031")
    page.locator("[data-testid=check]").click()
    page.wait_for_selector("[data-testid=result]")
    assert page.locator("[data-testid=result-state]").inner_text() == "已过期"
    assert "孙焊工" in page.locator("[data-testid=result]").inner_text()
    assert fits_the_screen(page)
    page.screenshot(path=str(shots / "training-verify-phone.png"), full_page=True)

    form = page.locator("[data-testid=finding-form]")
    assert "岳阳河市化工有限公司" in form.inner_text()
    form.locator("textarea[name=note]").fill("现场正在进行焊接作业")
    form.locator("[data-testid=record-finding]").click()
    page.wait_for_url(re.compile(rf".*/inspections/{inspection.pk}/$"))
    finding = Finding.objects.get(inspection=inspection)
    assert cert.number in finding.title and finding.handling == "case"
    assert "孙焊工" in page.content()


def test_an_attendee_signs_in_by_qr_on_a_phone_once(live_server: Any, world: Any, browser_page: Any) -> None:
    session = sessions.create_session(
        actor=world.yingji,
        title="燃气企业主要负责人专题培训",
        kind=SessionKind.THEME,
        theme=TrainingTheme.objects.get(year=2024),
        organiser_kind=OrganiserKind.DEPARTMENT,
        department=world.departments["emergency"],
        held_on=dt.date(2024, 6, 6),
        hours=Decimal(8),
        content="重大事故隐患判定标准（城镇燃气）",
    )
    sessions.open_session(session, actor=world.yingji)
    page, url = browser_page, live_server.url
    page.set_viewport_size(PHONE)
    link = f"{url}/training/s/{session.signin_token}/"
    for attempt in (1, 2):
        page.goto(link)
        page.fill("input[name=name]", "张燃明")
        page.fill("input[name=phone]", "13812345678")
        page.select_option("select[name=enterprise]", label="营田燃气经营部")
        page.select_option("select[name=role]", value="principal")
        assert fits_the_screen(page)
        page.locator("[data-testid=submit]").click()
        page.wait_for_load_state()
        if attempt == 1:
            assert "签到成功" in page.locator("[data-testid=signed-in]").inner_text()
        else:
            assert "无需重复签到" in page.content()
    assert Attendance.objects.filter(session=session).count() == 1
