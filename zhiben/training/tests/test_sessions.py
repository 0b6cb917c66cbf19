"""Sessions on the loop kit: QR sign-in on a phone (no login; once per person and session, with a clear
message), exam results and certificates of completion as documents, the pages, the workbench and the file."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

import pytest
from django.db import IntegrityError, transaction
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from zhiben.core.models.documents import OfficialDocument
from zhiben.core.testing import login
from zhiben.indicators.registry import Scope, get
from zhiben.training.choices import OrganiserKind, SessionKind, SessionStatus
from zhiben.training.models import Attendance, TrainingTheme
from zhiben.training.services import sessions

pytestmark = pytest.mark.django_db


def make_session(world: Any, *, exam: bool = False) -> Any:
    return sessions.create_session(
        actor=world.yingji,
        title="危化企业主要负责人专题培训",
        kind=SessionKind.THEME,
        theme=TrainingTheme.objects.get(year=2024),
        organiser_kind=OrganiserKind.DEPARTMENT,
        department=world.departments["emergency"],
        held_on=dt.date(2024, 5, 16),
        hours=Decimal(8),
        content="重大事故隐患判定标准",
        exam=exam,
    )


def signin(client: Client, session: Any, world: Any, **extra: Any) -> Any:
    data = {
        "name": "张河生",
        "phone": "13712345678",
        "enterprise": world.enterprises["qiye2"].pk,
        "role": "principal",
        **extra,
    }
    return client.post(reverse("training:signin", args=[session.signin_token]), data)


def test_qr_sign_in_works_without_login_and_only_once_per_person_and_session(world: Any) -> None:
    session = make_session(world)
    phone = Client()  # the attendee's phone: no account
    page = phone.get(reverse("training:signin", args=[session.signin_token]))
    assert page.status_code == 200 and "尚未开始签到" in page.content.decode()
    assert signin(phone, session, world).status_code == 400  # refused before 开始签到
    assert Attendance.objects.count() == 0

    # The organiser opens the sign-in from the session page: the QR code shows there.
    organiser = login(Client(), world.yingji)
    step = organiser.post(
        reverse("training:session_step", args=[session.pk, "open"]), {"note": "", "version": session.version}
    )
    assert step.status_code == 302
    detail = organiser.get(session.get_absolute_url()).content.decode()
    assert 'data-testid="qr"' in detail and "<svg" in detail

    done = signin(phone, session, world)
    assert done.status_code == 200 and "签到成功" in done.content.decode()
    again = signin(phone, session, world, name="张河生")
    assert again.status_code == 400
    assert "无需重复签到" in again.content.decode()
    assert Attendance.objects.filter(session=session).count() == 1
    # The same person is one row even when the constraint alone must refuse it (two taps at once).
    row = Attendance.objects.get()
    with pytest.raises(IntegrityError), transaction.atomic():
        Attendance.objects.create(
            session=session,
            name="张河生",
            role="principal",
            person_key=row.person_key,
            signed_at=timezone.now(),
        )
    # Another person signs in; a closed session takes no more.
    assert (
        signin(phone, session, world, name="赵安全", phone="13712345679", role="safety_manager").status_code
        == 200
    )
    session.refresh_from_db()
    sessions.close_session(session, actor=world.yingji)
    late = signin(phone, session, world, name="钱迟到", phone="13712345670")
    assert late.status_code == 400 and "签到已结束" in late.content.decode()
    assert Attendance.objects.filter(session=session).count() == 2
    assert phone.get(reverse("training:signin", args=["没有这个码"])).status_code == 404


def test_exam_results_and_certificates_of_completion(world: Any) -> None:
    session = sessions.open_session(make_session(world, exam=True), actor=world.yingji)
    a = sessions.sign_in(
        session, name="张河生", phone="13712345678", enterprise=world.enterprises["qiye2"], role="principal"
    )
    b = sessions.sign_in(
        session, name="张燃明", phone="13712345677", enterprise=world.enterprises["yt_gas"], role="principal"
    )
    sessions.close_session(session, actor=world.yingji)
    client = login(Client(), world.yingji)
    assert (
        client.post(
            reverse("training:session_exam", args=[session.pk]),
            {"attendance": a.pk, "score": 92, "passed": "on"},
        ).status_code
        == 302
    )
    assert (
        client.post(
            reverse("training:session_exam", args=[session.pk]), {"attendance": b.pk, "score": 150}
        ).status_code
        == 302
    )
    b.refresh_from_db()
    assert b.score is None  # 150 refused
    sessions.record_exam(session, actor=world.yingji, attendance=b.pk, score=55, passed=False)
    issued = sessions.issue_certificates(session, actor=world.yingji)
    assert [r.pk for r in issued] == [a.pk]
    a.refresh_from_db()
    doc = OfficialDocument.objects.get(pk=a.certificate_id)
    assert "张河生" in doc.body and "考核合格" in doc.body and doc.number.startswith("屈安培证")
    session.refresh_from_db()
    assert session.status == SessionStatus.CLOSED
    with pytest.raises(Exception, match="没有可发放结业证书"):
        sessions.issue_certificates(session, actor=world.yingji)
    # The unit reads its own attendance's certificate; another unit cannot.
    url = reverse("core:document_download", args=[doc.pk, "pdf"])
    assert login(Client(), world.qiye2).get(url).status_code == 200
    assert login(Client(), world.qiye1).get(url).status_code == 404


def test_scope_pages_workbench_and_the_units_file(world: Any) -> None:
    session = make_session(world)
    assert login(Client(), world.yingji).get(session.get_absolute_url()).status_code == 200
    assert login(Client(), world.zhujian).get(session.get_absolute_url()).status_code == 404
    assert login(Client(), world.zhuanjia).get(reverse("training:session_list")).status_code == 403
    office = login(Client(), world.anweiban)
    for name in (
        "session_list",
        "gaps",
        "certificate_list",
        "drill_list",
        "drills_due",
        "plan_list",
        "resources",
        "publicity_list",
        "rules",
        "verify",
    ):
        assert office.get(reverse(f"training:{name}")).status_code == 200, name
    new = office.post(
        reverse("training:session_create"),
        {
            "title": "培训",
            "kind": "theme",
            "organiser_kind": "department",
            "held_on": "2026-05-01",
            "hours": "4",
            "content": "内容",
        },
    )
    assert new.status_code == 400
    errors = new.context["form"].errors
    assert "请选择组织部门。" in errors["department"] and "年度主题培训须选择年度主题。" in errors["theme"]

    home = login(Client(), world.qiye2).get(reverse("dashboard:home"))
    cards = {c.key: c for c in home.context["cards"] + home.context["quiet_cards"]}
    assert "training" in cards
    drills_due = [i for i in cards["training"].items if i.key in ("drill_overdue", "drill_due")]
    assert sum(i.count for i in drills_due) >= 1 and cards["training"].due >= 1
    file_page = login(Client(), world.heshi).get(world.enterprises["qiye2"].get_absolute_url())
    html = file_page.content.decode()
    # The unit's 主要负责人 (from its registry entry) is listed without a certificate on file: 无证.
    assert file_page.status_code == 200 and "培训演练与持证上岗" in html and "张河生（主要负责人）" in html


def test_theme_coverage_indicator_counts_the_attended_audience(world: Any) -> None:
    session = sessions.open_session(make_session(world), actor=world.yingji)
    sessions.sign_in(
        session, name="张河生", phone="13712345678", enterprise=world.enterprises["qiye2"], role="principal"
    )
    value = get("training.theme_coverage").live_value(Scope.district(), "2024Q4")
    assert (value.numerator, value.denominator) == (1, 2)
