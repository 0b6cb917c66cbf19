"""The hazard pages as their users see them: lists in scope, the file of a hazard, each step as a form."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.test import Client
from django.urls import reverse

from zhiben.core.models import AuditEntry
from zhiben.core.testing import login
from zhiben.hazards import services
from zhiben.hazards.choices import Level, Status
from zhiben.hazards.models import Hazard

from .test_lifecycle import PNG, register_major

pytestmark = pytest.mark.django_db


def test_register_page_and_steps_through_the_ui(world: Any, clause: Any, clock: Any) -> None:
    c = login(Client(), world.qiye1)
    page = c.get(reverse("hazards:hazard_create"))
    assert page.status_code == 200 and "登记隐患" in page.content.decode()
    bad = c.post(
        reverse("hazards:hazard_create"),
        {
            "enterprise": world.enterprises["qiye1"].pk,
            "level": "major",
            "title": "x",
            "discovered_on": "2025-03-01",
        },
    )
    assert bad.status_code == 400 and "必须引用判定标准条款" in bad.content.decode()
    ok = c.post(
        reverse("hazards:hazard_create"),
        {
            "enterprise": world.enterprises["qiye1"].pk,
            "level": "major",
            "clause": clause.pk,
            "title": "喷漆房未设置可燃气体报警装置",
            "discovered_on": "2025-03-01",
        },
    )
    assert ok.status_code == 302
    h = Hazard.objects.get(title="喷漆房未设置可燃气体报警装置")
    detail = c.get(h.get_absolute_url())
    html = detail.content.decode()
    assert detail.status_code == 200 and h.code in html and "待判定" in html
    assert 'data-step="confirm"' not in html  # the unit cannot 判定 its own hazard
    dept = login(Client(), world.yingji)
    html = dept.get(h.get_absolute_url()).content.decode()
    assert 'data-step="confirm"' in html
    r = dept.post(
        reverse("hazards:hazard_step", args=[h.pk, "confirm"]),
        {"level": "major", "clause": clause.pk, "version": h.version},
    )
    assert r.status_code == 302, r.content.decode()[:2000]
    h.refresh_from_db()
    assert h.status == Status.CONFIRMED
    stale = dept.post(
        reverse("hazards:hazard_step", args=[h.pk, "reject"]), {"reason": "x", "version": h.version - 1}
    )
    assert stale.status_code == 409 and "已被他人处理" in stale.content.decode()
    html = c.get(h.get_absolute_url()).content.decode()
    assert "主要负责人" in html and "实际控制人" in html  # the notices card
    r = c.post(
        reverse("hazards:hazard_step", args=[h.pk, "plan"]),
        {
            "measures": "安装报警仪",
            "responsible": "王",
            "plan_deadline": h.deadline.isoformat(),
            "version": h.version,
        },
    )
    assert r.status_code == 400 and "应急预案" in r.content.decode()
    r = c.post(
        reverse("hazards:hazard_step", args=[h.pk, "plan"]),
        {
            "measures": "安装报警仪",
            "responsible": "王",
            "plan_deadline": h.deadline.isoformat(),
            "funds": "3",
            "contingency": "预案",
            "interim_measures": "停用",
            "version": h.version,
        },
    )
    assert r.status_code == 302
    h.refresh_from_db()
    from django.core.files.uploadedfile import SimpleUploadedFile

    r = c.post(
        reverse("hazards:hazard_step", args=[h.pk, "progress"]),
        {
            "content": "已安装",
            "percent": 100,
            "version": h.version,
            "files": [SimpleUploadedFile("p.png", PNG)],
        },
    )
    assert r.status_code == 302
    att = h.attachments.get()
    assert c.get(reverse("hazards:attachment", args=[att.pk])).status_code == 200
    assert login(Client(), world.heshi).get(reverse("hazards:attachment", args=[att.pk])).status_code == 404
    assert AuditEntry.objects.filter(event="HAZARD_ATTACHMENT_VIEWED").count() == 1


def test_lists_are_scoped(world: Any, clause: Any, clock: Any) -> None:
    h = register_major(world, clause)
    other = services.register_hazard(
        actor=world.zhujian,
        enterprise=world.enterprises["qiye3"],
        level=Level.GENERAL,
        title="脚手架连墙件缺失",
        discovered_on=dt.date(2025, 3, 2),
    )
    for user, sees, hidden in (
        (world.anweiban, [h, other], []),
        (world.yingji, [h], [other]),
        (world.zhujian, [other], [h]),
        (world.yingtian, [h], [other]),
        (world.qiye1, [h], [other]),
    ):
        html = login(Client(), user).get(reverse("hazards:hazard_list")).content.decode()
        for x in sees:
            assert x.code in html, (user.username, x.code)
        for x in hidden:
            assert x.code not in html, (user.username, x.code)
        assert login(Client(), user).get(other.get_absolute_url()).status_code == (
            200 if other in sees else 404
        )
    assert login(Client(), world.xitong).get(reverse("hazards:hazard_list")).status_code == 403
    office = login(Client(), world.anweiban)
    assert h.code not in office.get(reverse("hazards:major_list") + "?open=true").content.decode()  # 待判定
    services.confirm(h, actor=world.yingji)
    assert office.get(reverse("hazards:major_list")).url == reverse("hazards:major_list") + "?open=true"
    major = office.get(reverse("hazards:major_list") + "?open=true").content.decode()
    assert h.code in major and other.code not in major


def test_export_matches_filters(world: Any, clause: Any, clock: Any) -> None:
    h = register_major(world, clause)
    r = login(Client(), world.anweiban).get(reverse("hazards:hazard_list") + "?level=major&export=xlsx")
    assert r.status_code == 200
    from io import BytesIO

    from openpyxl import load_workbook

    ws = load_workbook(BytesIO(r.content)).active
    codes = [row[0] for row in ws.iter_rows(min_row=2, values_only=True) if row[0]]
    assert h.code in codes


def test_rules_are_editable_by_the_office_only(world: Any) -> None:
    from zhiben.hazards.models import DeadlinePolicy

    policy = DeadlinePolicy.objects.get(
        stage="rectify", level="major"
    )  # shipped by load_hazard_rules (待核实)
    assert not policy.verified
    url = reverse("hazards:rule_edit", args=["deadline", policy.pk])
    assert login(Client(), world.yingji).get(reverse("hazards:rules")).status_code == 200
    assert login(Client(), world.yingji).get(url).status_code == 403
    office = login(Client(), world.anweiban)
    data = {
        "workdays": 45,
        "reminder_workdays": 5,
        "source": "区安委办〔2025〕1号",
        "version": policy.version,
    }
    assert office.post(url, {**data, "workdays": 0}).status_code == 400
    assert office.post(url, data).status_code == 302
    policy.refresh_from_db()
    assert (policy.workdays, policy.reminder_workdays) == (45, 5)
    assert office.post(url, {**data, "version": policy.version - 1}).status_code == 409
    changes = AuditEntry.objects.filter(event="HAZARD_RULES_CHANGED", object_type="hazards.deadlinepolicy")
    assert changes.count() == 1 and changes.get().data["changes"]["workdays"] == {"from": 60, "to": 45}


def test_escalation_list_and_documents_render(world: Any, clause: Any) -> None:
    """An overdue 重大 hazard climbs the ladder; the 逾期督办 list and the hazard page link its documents."""
    import time_machine

    from zhiben.hazards.escalation import apply_escalations
    from zhiben.hazards.models import Escalation

    tz = dt.timezone(dt.timedelta(hours=8))
    with time_machine.travel(dt.datetime(2025, 3, 3, 9, 0, tzinfo=tz), tick=False):
        h = register_major(world, clause)
        services.confirm(h, actor=world.yingji, deadline=dt.date(2025, 3, 14))
    with time_machine.travel(dt.datetime(2025, 3, 24, 9, 0, tzinfo=tz), tick=False):
        apply_escalations()
    step = Escalation.objects.filter(hazard=h).order_by("applied_on").first()
    assert step is not None and step.document is not None
    for user in (world.anweiban, world.yingji, world.qiye1):
        page = login(Client(), user).get(reverse("hazards:escalation_list"))
        assert page.status_code == 200 and h.code in page.content.decode()
    html = login(Client(), world.qiye1).get(h.get_absolute_url()).content.decode()
    assert step.document.number in html
    pdf = login(Client(), world.qiye1).get(reverse("core:document_download", args=[step.document.pk, "pdf"]))
    assert pdf.status_code == 200 and b"".join(pdf.streaming_content).startswith(b"%PDF")
    assert (
        login(Client(), world.heshi)
        .get(reverse("core:document_download", args=[step.document.pk, "pdf"]))
        .status_code
        == 404
    )


def test_a_long_reported_hazard_shows_its_latest_entries_and_all_on_request(world: Any, clause: Any) -> None:
    """A hazard reported on every week for years keeps a page of bounded size: the latest 20 entries of the
    整改台账 and 30 of the 流转记录, the totals, and a link to all of them."""
    from zhiben.hazards.models import HazardProgress, HazardTransition
    from zhiben.hazards.views import SHOWN_HISTORY, SHOWN_PROGRESS

    h = register_major(world, clause)
    start = dt.date(2025, 3, 3)
    HazardProgress.objects.bulk_create(
        HazardProgress(
            hazard=h,
            entry_on=start + dt.timedelta(weeks=n),
            content=f"第{n + 1}周整改进展",
            actor=world.qiye1,
        )
        for n in range(SHOWN_PROGRESS + 5)
    )
    HazardTransition.objects.bulk_create(
        HazardTransition(
            hazard=h, action="progress", from_status="reported", to_status="reported", actor=world.qiye1
        )
        for _ in range(SHOWN_HISTORY + 3)
    )
    c = login(Client(), world.qiye1)
    page = c.get(h.get_absolute_url())
    html = page.content.decode()
    shown = [p.content for p in page.context["progress"]]
    assert shown == [f"第{n + 1}周整改进展" for n in range(5, SHOWN_PROGRESS + 5)]  # the latest, oldest first
    assert "显示最近 20 条，共 25 条" in html and "第1周整改进展" not in html
    assert (
        len(page.context["timeline"]) == SHOWN_HISTORY and page.context["timeline_total"] == SHOWN_HISTORY + 4
    )
    every = c.get(h.get_absolute_url() + "?all=1")
    assert len(every.context["progress"]) == SHOWN_PROGRESS + 5 and "第1周整改进展" in every.content.decode()
    assert len(every.context["timeline"]) == SHOWN_HISTORY + 4
    assert 'data-testid="ledger-more"' not in every.content.decode()
