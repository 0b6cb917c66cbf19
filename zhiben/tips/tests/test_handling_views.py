"""The handlers' pages: the list with tabs and export, a tip's page (the original for the custodian only, and
audited), the step pages, scope (404 / 403), the reminders and the escalation ladder (idempotent)."""

from __future__ import annotations

import datetime as dt
import io
from typing import Any

import openpyxl
import pytest
import time_machine
from django.test import Client

from zhiben.core.models import AuditEntry, OutboxMessage
from zhiben.tips.choices import Category, TipStatus
from zhiben.tips.models import Tip
from zhiben.tips.reminders import apply_tip_escalations, send_tip_reminders
from zhiben.tips.services import handling as h
from zhiben.tips.testing import SENTINEL_NAME, make_tip

pytestmark = pytest.mark.django_db

WORKING = "某燃气经营部仓库内违规存放液化气瓶，消防通道堵塞。"


@pytest.fixture
def clock() -> Any:
    with time_machine.travel(
        dt.datetime(2025, 3, 3, 9, 0, tzinfo=dt.timezone(dt.timedelta(hours=8))), tick=False
    ) as t:
        yield t


def page(user: Any) -> Client:
    c = Client()
    c.force_login(user)
    return c


def transferred(world: Any) -> Tip:
    tip = make_tip(identity=True)
    h.accept(
        tip,
        actor=world.jubao,
        working_text=WORKING,
        category=Category.HAZARD,
        enterprise=world.enterprises["yt_gas"],
        version=tip.version,
    )
    h.transfer(
        tip,
        actor=world.jubao,
        department=world.departments["housing"],
        township=world.regions["营田镇"],
        version=tip.version,
    )
    return tip


def test_list_tabs_and_export(world: Any, clock: Any) -> None:
    tip = transferred(world)
    make_tip()
    c = page(world.jubao)
    r = c.get("/tips/manage/")
    assert r.status_code == 200
    text = r.content.decode()
    assert 'data-tab="overdue"' in text and tip.code in text and tip.original_text not in text
    r = c.get("/tips/manage/?tab=verifying")
    assert tip.code in r.content.decode()
    r = c.get("/tips/manage/?tab=received")
    assert tip.code not in r.content.decode()
    r = c.get("/tips/manage/?tab=verifying&export=xlsx")
    assert r.status_code == 200
    sheet = openpyxl.load_workbook(io.BytesIO(r.content)).active
    cells = [str(v) for row in sheet.iter_rows(values_only=True) for v in row if v is not None]
    assert tip.code in cells and not any(tip.original_text in v or SENTINEL_NAME in v for v in cells)
    # The department lists what was transferred to it; an enterprise is refused.
    assert tip.code in page(world.zhujian).get("/tips/manage/").content.decode()
    assert tip.code not in page(world.yingji).get("/tips/manage/").content.decode()
    assert page(world.qiye1).get("/tips/manage/").status_code == 403


def test_detail_shows_the_original_to_the_custodian_only(world: Any, clock: Any) -> None:
    tip = transferred(world)
    url = f"/tips/manage/{tip.pk}/"
    before = AuditEntry.objects.filter(event="TIP_ORIGINAL_VIEWED").count()
    r = page(world.jubao).get(url)
    assert r.status_code == 200 and tip.original_text in r.content.decode()
    assert AuditEntry.objects.filter(event="TIP_ORIGINAL_VIEWED").count() == before + 1
    for user in ("zhujian", "yingtian", "anweiban", "lingdao"):
        r = page(world.users[user]).get(url)
        assert r.status_code == 200, user
        text = r.content.decode()
        assert WORKING in text and tip.original_text not in text and SENTINEL_NAME not in text
    assert 'data-step="conclude"' in page(world.zhujian).get(url).content.decode()
    assert 'data-step="conclude"' not in page(world.yingtian).get(url).content.decode()
    assert page(world.yingji).get(url).status_code == 404
    assert page(world.heshi).get(url).status_code == 404
    assert page(world.qiye1).get(url).status_code == 403


def test_step_pages(world: Any, clock: Any) -> None:
    tip = make_tip(identity=True)
    c = page(world.jubao)
    url = f"/tips/manage/{tip.pk}/step/accept/"
    r = c.get(url)
    assert r.status_code == 200 and tip.original_text in r.content.decode()  # beside the form, custodian only
    r = c.post(url, {"working_text": "", "category": "hazard", "version": tip.version})
    assert r.status_code == 400 and "请填写另行编辑件" in r.content.decode()
    gas = world.enterprises["yt_gas"]
    r = c.post(
        url, {"working_text": WORKING, "category": "hazard", "enterprise": gas.pk, "version": tip.version}
    )
    assert r.status_code == 302
    tip.refresh_from_db()
    assert tip.status == TipStatus.ACCEPTED
    # A stale page: 409 with the conflict notice.
    r = c.post(f"/tips/manage/{tip.pk}/step/reject/", {"rejection_reason": "x", "version": 1})
    assert r.status_code in (400, 409)
    r = c.get(f"/tips/manage/{tip.pk}/step/transfer/")
    assert r.status_code == 200
    assert f'value="{world.departments["housing"].code}" selected' in r.content.decode()
    r = c.post(f"/tips/manage/{tip.pk}/step/transfer/", {"department": "housing", "version": 1})
    assert r.status_code == 409
    assert page(world.zhujian).get(f"/tips/manage/{tip.pk}/step/transfer/").status_code in (403, 404)


def test_reminders_and_escalation_are_idempotent(world: Any, clock: Any) -> None:
    tip = transferred(world)  # 核查期限 2025-05-02
    assert send_tip_reminders(dt.date(2025, 4, 1))["reminded"] == 0  # not yet within the lead
    sent = send_tip_reminders(dt.date(2025, 4, 30))
    assert sent["reminded"] == 1
    n = OutboxMessage.objects.count()
    assert send_tip_reminders(dt.date(2025, 4, 30))["reminded"] == 0
    assert send_tip_reminders(dt.date(2025, 5, 1))["reminded"] == 0  # one reminder per deadline
    assert OutboxMessage.objects.count() == n
    # Overdue: 逾期提醒 on day 1, 函告 from day 5, one rung per run, nothing twice.
    assert apply_tip_escalations(dt.date(2025, 5, 2))["escalated"] == 0  # the last day is not late
    assert apply_tip_escalations(dt.date(2025, 5, 3))["escalated"] == 1
    tip.refresh_from_db()
    assert tip.escalation == "overdue_notice"
    n = OutboxMessage.objects.count()
    assert apply_tip_escalations(dt.date(2025, 5, 3))["escalated"] == 0
    assert apply_tip_escalations(dt.date(2025, 5, 5))["escalated"] == 0  # 函告 waits for 5 days overdue
    assert OutboxMessage.objects.count() == n
    assert apply_tip_escalations(dt.date(2025, 5, 7))["escalated"] == 1
    tip.refresh_from_db()
    assert tip.escalation == "overdue_letter"
    office = OutboxMessage.objects.filter(
        recipient=world.anweiban, object_id=str(tip.pk), topic="tip_escalated"
    )
    assert office.exists()
    assert apply_tip_escalations(dt.date(2025, 5, 20))["escalated"] == 0  # the ladder's top
    for m in OutboxMessage.objects.filter(object_type="tips.tip"):
        assert tip.original_text not in m.body and SENTINEL_NAME not in m.body
    # The department's page shows the deadline as 已超期.
    with time_machine.travel(dt.datetime(2025, 5, 8, 9, 0, tzinfo=dt.timezone(dt.timedelta(hours=8)))):
        text = page(world.zhujian).get(f"/tips/manage/{tip.pk}/").content.decode()
        assert "已超期" in text and "函告" in text


def test_workbench_card_and_the_units_file(world: Any, clock: Any) -> None:
    tip = transferred(world)
    make_tip()
    text = page(world.jubao).get("/").content.decode()  # the custodian's 工作台 (core/workbench.py)
    assert 'data-testid="wb-tips"' in text and 'data-count="tips.received">1<' in text
    text = page(world.zhujian).get("/").content.decode()
    assert 'data-count="tips.verifying">1<' in text and 'data-count="tips.received"' not in text
    assert 'data-testid="wb-tips"' not in page(world.qiye1).get("/").content.decode()
    gas = world.enterprises["yt_gas"]
    from zhiben.registry.enterprise_file import sections_for

    titles = {s.title for s in sections_for(gas, world.zhujian)}
    assert "举报核查" in titles
    assert "举报核查" not in {s.title for s in sections_for(gas, world.yingji)}  # nothing transferred to it
    assert "举报核查" not in {s.title for s in sections_for(gas, world.users["qiye1"])}
    section = next(s for s in sections_for(gas, world.jubao) if s.title == "举报核查")
    assert section.total == 1 and tip.code in section.rows[0].text and WORKING not in section.rows[0].text


def test_attachment_working_copies_are_scoped_and_audited(
    world: Any, clock: Any, settings: Any, tmp_path: Any
) -> None:
    from django.core.files.base import ContentFile

    from zhiben.tips.models import TipAttachment

    settings.MEDIA_ROOT = str(tmp_path)
    tip = transferred(world)
    att = TipAttachment(tip=tip, name="附件1.jpg", content_type="image/jpeg", size=4, sha256="0" * 64)
    att.original_file.save("o.bin", ContentFile(b"ENCRYPTED"), save=False)
    att.working_file.save("w.jpg", ContentFile(b"\xff\xd8\xff\xd9"), save=False)
    att.save()
    url = f"/tips/manage/{tip.pk}/attachments/{att.pk}/"
    assert f'href="{url}"' in page(world.zhujian).get(f"/tips/manage/{tip.pk}/").content.decode()
    r = page(world.zhujian).get(url)
    assert r.status_code == 200 and b"".join(r.streaming_content) == b"\xff\xd8\xff\xd9"
    assert r["X-Content-Type-Options"] == "nosniff"
    assert AuditEntry.objects.filter(event="TIP_ATTACHMENT_VIEWED", object_id=str(att.pk)).count() == 1
    assert page(world.yingji).get(url).status_code == 404
    assert page(world.qiye1).get(url).status_code == 403
