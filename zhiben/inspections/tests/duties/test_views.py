"""Self-inspection duty pages: the 应查未查 list for regulators, 我的自查任务 and 记录自查 for units, the rules.

"Done when" (issue 4): a high-risk unit that skipped last month's check appears on the 应查未查 list of its
township and of its supervising department, and its manager gets a reminder.
"""

from __future__ import annotations

import datetime as dt
import io
from typing import Any

import openpyxl
import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse

from zhiben.core.models import AuditEntry, InboxNotification
from zhiben.core.models.outbox import Channel, OutboxMessage
from zhiben.core.outbox import deliver_pending
from zhiben.core.testing import ViewCase, assert_access, assert_audited, login
from zhiben.demo.personas import PERSONAS
from zhiben.hazards.choices import Level
from zhiben.inspections import events, tasks
from zhiben.inspections.choices import OccurrenceStatus
from zhiben.inspections.models import DutyOccurrence, DutyRule, InspectionPhoto, SelfCheck

from .support import *  # noqa: F403
from .support import at, jpeg

EVERYONE = [p.username for p in PERSONAS]


def names_on(response: Any) -> str:
    return response.content.decode()


def test_it_lists_a_high_risk_unit_that_skipped_last_month_for_its_township_and_department(
    client: Client, world: Any, duties_2025: Any, duty_clock: Any
) -> None:
    qiye2 = world.enterprises["qiye2"]  # 河市化工: 危险化学品生产, 河市镇, supervised by 应急管理局
    duty_clock.move_to(at(2025, 1, 16, 15))
    login(client, world.qiye2)
    response = client.post(
        reverse("inspections:selfcheck_create"),
        {
            "enterprise": qiye2.pk,
            "checked_on": "2025-01-16",
            "led_by_name": "张河生",
            "led_by_title": "总经理",
            "summary": "检查罐区和装卸作业",
            "findings-TOTAL_FORMS": "0",
            "findings-INITIAL_FORMS": "0",
        },
    )
    assert response.status_code == 302, response.content.decode()[:500]

    # February passes without a check. The reminder comes five days before the end of the month …
    duty_clock.move_to(at(2025, 2, 24, 8))
    tasks.remind_duties.call_local()
    february = DutyOccurrence.objects.get(enterprise=qiye2, period_start=dt.date(2025, 2, 1))
    assert OutboxMessage.objects.filter(
        object_id=str(february.pk), topic="duty_reminder", recipient=world.qiye2
    )
    # … and on 1 March the night job marks February 应查未查 and tells the manager and the principal once.
    duty_clock.move_to(at(2025, 3, 1, 1))
    tasks.maintain_duties.call_local()
    duty_clock.move_to(at(2025, 3, 1, 8, 30))
    tasks.remind_duties.call_local()
    tasks.remind_duties.call_local()
    deliver_pending()
    february.refresh_from_db()
    assert february.status == OccurrenceStatus.MISSED
    inbox = InboxNotification.objects.filter(user=world.qiye2, subject__contains="应查未查")
    assert inbox.count() == 1
    sms = OutboxMessage.objects.filter(object_id=str(february.pk), topic="duty_missed", channel=Channel.SMS)
    assert sms.count() == 1 and sms.get().address == qiye2.principal_phone

    url = reverse("inspections:duty_missed")
    for persona in ("heshi", "yingji", "anweiban"):
        login(client, world.users[persona])
        page = client.get(url)
        assert page.status_code == 200
        assert qiye2.name in names_on(page), persona
        assert "2025年2月" in names_on(page)
    for persona in ("yingtian", "zhujian"):  # another township; a department of other industries
        login(client, world.users[persona])
        page = client.get(url)
        assert page.status_code == 200
        assert qiye2.name not in names_on(page), persona
    # January was done: it is not on the list.
    login(client, world.heshi)
    assert client.get(url, {"due_month": "2025-01"}).content.decode().count(qiye2.name) == 0


def test_it_filters_sorts_and_exports_the_missed_list_as_shown(
    client: Client, world: Any, duties_2025: Any, duty_clock: Any
) -> None:
    duty_clock.move_to(at(2025, 4, 2))
    tasks.maintain_duties.call_local()
    login(client, world.anweiban)
    url = reverse("inspections:duty_missed")

    everything = client.get(url)
    high = client.get(url, {"high_risk": "true", "sort": "enterprise__name"})
    heshi = client.get(url, {"region": world.regions["河市镇"].code, "due_month": "2025-03"})

    missed = DutyOccurrence.objects.filter(status=OccurrenceStatus.MISSED)
    assert f'data-testid="total-count">{missed.count()}<' in names_on(everything)
    assert world.enterprises["qiye1"].name in names_on(everything)  # Q1 of a quarterly unit
    assert world.enterprises["qiye1"].name not in names_on(high)
    assert world.enterprises["qiye2"].name in names_on(heshi)
    assert world.enterprises["yt_gas"].name not in names_on(heshi)
    in_heshi_march = missed.filter(
        enterprise__region__parent__name="河市镇",
        period_end__range=(dt.date(2025, 3, 1), dt.date(2025, 3, 31)),
    )
    assert f'data-testid="total-count">{in_heshi_march.count()}<' in names_on(heshi)

    export = client.get(
        url, {"region": world.regions["河市镇"].code, "due_month": "2025-03", "export": "xlsx"}
    )
    sheet = openpyxl.load_workbook(io.BytesIO(export.content)).active
    rows = list(sheet.iter_rows(values_only=True))
    assert rows[0][:3] == ("生产经营单位", "乡镇（街道）", "主行业")
    assert len(rows) - 1 == in_heshi_march.count()
    assert {r[1] for r in rows[1:]} == {"河市镇"}
    assert_audited("EXPORT_DOWNLOADED", actor=world.anweiban)


def test_it_shows_a_unit_its_tasks_and_sends_regulators_to_the_missed_list(
    client: Client, world: Any, duties_2025: Any, duty_clock: Any
) -> None:
    duty_clock.move_to(at(2025, 2, 10))
    tasks.maintain_duties.call_local()
    login(client, world.qiye2)

    page = client.get(reverse("inspections:duty_mine"))

    body = names_on(page)
    assert page.status_code == 200
    assert "2025年2月" in body and "应查未查（1）" in body  # January missed, February open
    assert reverse("inspections:selfcheck_create") in body
    login(client, world.heshi)
    assert client.get(reverse("inspections:duty_mine")).url == reverse("inspections:duty_missed")


def test_it_records_a_check_with_a_checklist_findings_and_a_located_photo(
    client: Client, world: Any, duties_2025: Any, duty_clock: Any, unit_checklist: Any
) -> None:
    duty_clock.move_to(at(2025, 3, 12, 10))
    qiye2 = world.enterprises["qiye2"]
    login(client, world.qiye2)
    form = client.get(reverse("inspections:selfcheck_create"), {"checklist": unit_checklist.pk})
    assert form.status_code == 200
    body = names_on(form)
    assert 'capture="environment"' in body and "inspections/selfcheck.js" in body
    items = list(unit_checklist.items.order_by("sort_order", "pk"))
    data = {
        "enterprise": qiye2.pk,
        "checklist": unit_checklist.pk,
        "checked_on": "2025-03-12",
        "led_by_name": "张河生",
        "participants": "王安全、赵设备",
        f"item_{items[0].pk}": "fail",
        f"note_{items[0].pk}": "一号罐区紧急切断阀失效",
        f"item_{items[1].pk}": "pass",
        f"item_{items[2].pk}": "na",
        "findings-TOTAL_FORMS": "1",
        "findings-INITIAL_FORMS": "0",
        "findings-0-title": "配电室门未关闭",
        "findings-0-level": "general",
        "latitude": "28.841234",
        "longitude": "112.901234",
        "photos": [
            SimpleUploadedFile(
                "a.jpg",
                jpeg(taken="2025:03:12 09:41:07", gps=((28.0, 50.0, 0.0), "N", (112.0, 54.0, 0.0), "E")),
            )
        ],
    }

    response = client.post(reverse("inspections:selfcheck_create"), data)

    assert response.status_code == 302, names_on(response)[:2000]
    check = SelfCheck.objects.get()
    assert response.url == check.get_absolute_url()
    assert (check.enterprise, check.checklist, check.recorded_by) == (qiye2, unit_checklist, world.qiye2)
    hazard = check.answers.get(item=items[0]).hazard
    assert hazard.level == Level.MAJOR and hazard.clause_id == items[0].clause_id
    assert qiye2.hazards.filter(title="配电室门未关闭").exists()
    photo = InspectionPhoto.objects.get(self_check=check)
    # The browser's position wins over the camera's; the capture time comes from EXIF (Asia/Shanghai).
    assert (str(photo.latitude), str(photo.longitude)) == ("28.841234", "112.901234")
    assert photo.captured_at == at(2025, 3, 12, 9).replace(minute=41, second=7)
    march = DutyOccurrence.objects.get(enterprise=qiye2, period_start=dt.date(2025, 3, 1))
    assert (march.status, march.self_check) == (OccurrenceStatus.DONE, check)

    detail = client.get(check.get_absolute_url())
    assert detail.status_code == 200
    assert hazard.code in names_on(detail) and reverse("inspections:photo", args=[photo.pk]) in names_on(
        detail
    )
    image = client.get(reverse("inspections:photo", args=[photo.pk]))
    assert image.status_code == 200 and image["Content-Type"] == "image/jpeg"
    assert image["X-Content-Type-Options"] == "nosniff"
    assert_audited(events.INSPECTION_PHOTO_VIEWED, photo, actor=world.qiye2)


def test_it_answers_400_with_field_errors_and_saves_nothing(
    client: Client, world: Any, duties_2025: Any, duty_clock: Any, unit_checklist: Any
) -> None:
    duty_clock.move_to(at(2025, 3, 12, 10))
    login(client, world.qiye2)
    items = list(unit_checklist.items.order_by("sort_order", "pk"))
    base = {
        "enterprise": world.enterprises["qiye2"].pk,
        "checked_on": "2025-03-12",
        "led_by_name": "张河生",
        "findings-TOTAL_FORMS": "0",
        "findings-INITIAL_FORMS": "0",
    }
    audit_rows = AuditEntry.objects.count()

    cases = [
        ({**base, "checked_on": "2025-04-01", "summary": "x"}, "检查日期不能晚于今天"),
        ({**base, "led_by_name": "", "summary": "x"}, "请填写带队负责人"),
        ({**base}, "未使用检查表时，请填写检查情况"),
        ({**base, "checklist": unit_checklist.pk, f"item_{items[0].pk}": "pass"}, "请选择检查结果"),
        (
            {
                **base,
                "summary": "x",
                "findings-TOTAL_FORMS": "1",
                "findings-0-title": "液氨储罐无液位报警",
                "findings-0-level": "major",
            },
            "重大事故隐患必须引用判定标准条款",
        ),
        (
            {**base, "summary": "x", "photos": [SimpleUploadedFile("report.jpg", b"%PDF-1.7 not a photo")]},
            "不是照片：只接受 JPEG 或 PNG 图片",
        ),
    ]
    for data, message in cases:
        response = client.post(reverse("inspections:selfcheck_create"), data)
        assert response.status_code == 400, (message, response.status_code)
        assert message in names_on(response), message

    assert not SelfCheck.objects.exists()
    assert not InspectionPhoto.objects.exists()
    assert AuditEntry.objects.count() == audit_rows


def test_it_hides_other_units_checks_and_tasks(
    client: Client, world: Any, duties_2025: Any, duty_clock: Any
) -> None:
    from zhiben.inspections.services.selfchecks import record_self_check

    duty_clock.move_to(at(2025, 1, 20))
    check = record_self_check(
        actor=world.qiye2,
        enterprise=world.enterprises["qiye2"],
        checked_on=dt.date(2025, 1, 20),
        led_by_name="张河生",
        summary="检查了罐区",
        photos=[],
    )
    occurrence = DutyOccurrence.objects.filter(enterprise=world.enterprises["qiye2"]).first()
    # 河市化工 (危险化学品): 应急局 leads; 交通、市场监管 co-supervise (三管三必须); 河市镇 is its township.
    in_scope = ["anweiban", "yingji", "jiaotong", "shichang", "heshi", "qiye2", "lingdao"]
    no_permission = ["zhuanjia", "xitong", "anquan", "shenji", "jubao"]
    hidden = [p for p in EVERYONE if p not in in_scope + no_permission]
    assert_access(
        client,
        world,
        ViewCase(
            "inspections:selfcheck_detail",
            kwargs={"pk": check.pk},
            allowed=in_scope,
            forbidden=no_permission,
            hidden=hidden,
        ),
        ViewCase(
            "inspections:duty_occurrence_detail",
            kwargs={"pk": occurrence.pk},
            allowed=in_scope,
            forbidden=no_permission,
            hidden=hidden,
        ),
    )


def test_it_refuses_to_record_for_another_unit_or_without_the_permission(
    client: Client, world: Any, duties_2025: Any, duty_clock: Any
) -> None:
    data = {
        "enterprise": world.enterprises["qiye2"].pk,
        "checked_on": "2025-01-02",
        "led_by_name": "李",
        "summary": "x",
        "findings-TOTAL_FORMS": "0",
        "findings-INITIAL_FORMS": "0",
    }
    login(client, world.qiye1)
    assert client.post(reverse("inspections:selfcheck_create"), data).status_code == 404
    login(client, world.heshi)
    assert client.get(reverse("inspections:selfcheck_create")).status_code == 403
    assert client.post(reverse("inspections:selfcheck_create"), data).status_code == 403
    assert not SelfCheck.objects.exists()


def test_it_lets_the_office_edit_a_rule(
    client: Client, world: Any, duties_2025: Any, duty_clock: Any
) -> None:
    rule = DutyRule.objects.get(code="principal-quarterly")
    login(client, world.anweiban)
    page = client.get(reverse("inspections:duty_rules"))
    assert page.status_code == 200 and rule.source in names_on(page)

    form = {
        "name": rule.name,
        "frequency": "quarterly",
        "led_by": "主要负责人",
        "reminder_days": "7",
        "source": "区安委办试行",
        "active": "on",
        "version": str(rule.version),
    }
    assert client.post(reverse("inspections:duty_rule_edit", args=[rule.pk]), form).status_code == 302
    rule.refresh_from_db()
    assert (rule.reminder_days, rule.verified) == (7, False)
    assert_audited(events.DUTY_RULE_CHANGED, rule, actor=world.anweiban)
    assert 'data-testid="unverified"' in names_on(client.get(reverse("inspections:duty_rules")))
    stale = client.post(reverse("inspections:duty_rule_edit", args=[rule.pk]), {**form, "reminder_days": "3"})
    assert stale.status_code == 409
    login(client, world.yingji)
    assert client.get(reverse("inspections:duty_rules")).status_code == 200
    assert client.get(reverse("inspections:duty_rule_edit", args=[rule.pk])).status_code == 403


def test_it_lets_the_office_put_an_industry_on_the_high_risk_list(
    client: Client, world: Any, duties_2025: Any, duty_clock: Any, django_capture_on_commit_callbacks: Any
) -> None:
    login(client, world.anweiban)
    machinery = world.industries["INDTRADE-MACHINE"]
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            reverse("inspections:duty_high_risk_toggle", args=[machinery.pk]),
            {"high_risk": "1", "version": str(machinery.version)},
        )
    assert response.status_code == 302
    machinery.refresh_from_db()
    assert machinery.high_risk is True
    # The regeneration job ran after the commit: qiye1 owes monthly checks from February on.
    qiye1 = world.enterprises["qiye1"]
    assert DutyOccurrence.objects.filter(enterprise=qiye1, rule__frequency="monthly").count() == 11

    login(client, world.yingji)
    assert (
        client.post(
            reverse("inspections:duty_high_risk_toggle", args=[machinery.pk]),
            {"high_risk": "0", "version": str(machinery.version)},
        ).status_code
        == 403
    )
    assert AuditEntry.objects.filter(event=events.INDUSTRY_RISK_CHANGED).count() == 1


@pytest.mark.parametrize(
    "name",
    ["duty_missed", "duty_occurrence_list", "selfcheck_list", "duty_rules", "duty_high_risk"],
)
def test_it_renders_each_list_for_the_office(
    client: Client, world: Any, duties_2025: Any, duty_clock: Any, name: str
) -> None:
    login(client, world.anweiban)
    assert client.get(reverse(f"inspections:{name}")).status_code == 200


def test_it_reads_the_missed_list_in_a_fixed_number_of_queries(
    client: Client, world: Any, duties_2025: Any, duty_clock: Any, django_assert_max_num_queries: Any
) -> None:
    duty_clock.move_to(at(2025, 4, 2))  # (the personas' passwords expire by the summer)
    tasks.maintain_duties.call_local()
    assert DutyOccurrence.objects.filter(status=OccurrenceStatus.MISSED).count() > 15
    login(client, world.anweiban)
    client.get(reverse("inspections:duty_missed"))  # the nav's 待办 badge is counted once a minute
    with django_assert_max_num_queries(15):
        assert client.get(reverse("inspections:duty_missed")).status_code == 200
