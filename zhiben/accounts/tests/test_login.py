"""R03: login, the 5-in-15-minutes lockout, identical failure answers and the security admin's unlock."""

from __future__ import annotations

import datetime as dt

import pytest
import time_machine
from django.conf import settings
from django.urls import reverse

from zhiben.accounts import events
from zhiben.accounts.models import LoginFailure, User
from zhiben.accounts.services import reset_password

from .conftest import audit_rows, login_via_page, normalised

pytestmark = pytest.mark.django_db

LOCKED = "登录失败次数过多，账号已锁定30分钟。"
GENERIC = "账号或密码错误。"
T0 = dt.datetime(2025, 3, 3, 9, 0, tzinfo=dt.UTC)


def test_it_renders_the_login_page_as_the_platform(client):
    response = client.get(reverse("accounts:login"))
    body = response.content.decode()
    assert response.status_code == 200
    assert "治本·安全生产治本攻坚平台" in body
    assert "屈原管理区安全生产委员会" in body
    assert 'class="zb-sidebar' not in body  # no menu on the login page


def test_it_logs_in_and_redirects_to_next(world, client):
    response = client.post(
        reverse("accounts:login") + "?next=/registry/enterprises/",
        {"username": "qiye1", "password": settings.DEMO_PASSWORD, "next": "/registry/enterprises/"},
    )
    assert response.status_code == 302
    assert response["Location"] == "/registry/enterprises/"
    assert audit_rows(events.USER_LOGGED_IN, actor=world.qiye1)


def test_it_refuses_an_offsite_next(world, client):
    response = client.post(
        reverse("accounts:login"),
        {"username": "qiye1", "password": settings.DEMO_PASSWORD, "next": "https://evil.example/"},
    )
    assert response["Location"] == "/"


def test_it_answers_unknown_user_and_wrong_password_identically(world, client):
    wrong = login_via_page(client, "qiye1", "Wrong#Pass123")
    unknown = login_via_page(client, "nobody42", "Wrong#Pass123")
    assert wrong.status_code == unknown.status_code == 400
    assert GENERIC in wrong.content.decode()
    assert normalised(wrong.content, "qiye1") == normalised(unknown.content, "nobody42")
    api = reverse("api-token")
    api_wrong = client.post(api, {"username": "qiye1", "password": "x"}, content_type="application/json")
    api_unknown = client.post(api, {"username": "nobody42", "password": "x"}, content_type="application/json")
    assert api_wrong.status_code == api_unknown.status_code == 400
    assert api_wrong.content == api_unknown.content


def test_it_locks_after_five_failures_and_unlocks_after_thirty_minutes(world, client):
    with time_machine.travel(T0, tick=False) as traveller:
        for _ in range(5):
            assert login_via_page(client, "qiye2", "Wrong#Pass123").status_code == 400
            traveller.shift(dt.timedelta(minutes=2))
        refused = login_via_page(client, "qiye2")  # the correct password, still refused
        assert refused.status_code == 400
        assert LOCKED in refused.content.decode()
        assert "_auth_user_id" not in client.session

        traveller.shift(dt.timedelta(minutes=31))
        assert login_via_page(client, "qiye2").status_code == 302
        assert client.session["_auth_user_id"] == str(world.qiye2.pk)

    failed = audit_rows(events.USER_LOGIN_FAILED, object_repr="qiye2")
    assert len(failed) == 6
    assert failed[-1].data == {"username": "qiye2", "reason": "locked"}
    assert all(row.outcome == "failure" for row in failed)
    assert len(audit_rows(events.USER_LOCKED_OUT, object_repr="qiye2")) == 1
    assert audit_rows(events.USER_LOGGED_IN, actor=world.qiye2)
    assert not LoginFailure.objects.filter(username="qiye2", cleared=False).exists()


def test_it_does_not_lock_when_failures_are_spread_over_more_than_fifteen_minutes(world, client):
    with time_machine.travel(T0, tick=False) as traveller:
        for _ in range(5):
            login_via_page(client, "qiye3", "Wrong#Pass123")
            traveller.shift(dt.timedelta(minutes=4))
        assert login_via_page(client, "qiye3").status_code == 302


def test_it_locks_unknown_usernames_the_same_way(world, client):
    for _ in range(5):
        login_via_page(client, "ghost", "Wrong#Pass123")
    assert LOCKED in login_via_page(client, "ghost", "Wrong#Pass123").content.decode()


def test_it_lets_the_security_admin_see_and_lift_a_lockout(world, client):
    for _ in range(5):
        login_via_page(client, "qiye1", "Wrong#Pass123")
    admin = client.__class__()
    admin.force_login(world.anquan)
    page = admin.get(reverse("accounts:lockout_list"))
    assert page.status_code == 200
    assert "qiye1" in page.content.decode()
    assert page.content.decode().count('data-testid="lockout-row"') == 1

    response = admin.post(reverse("accounts:lockout_unlock"), {"username": "qiye1"})
    assert response.status_code == 302
    assert login_via_page(client, "qiye1").status_code == 302
    unlocked = audit_rows(events.USER_UNLOCKED, actor=world.anquan)
    assert unlocked[0].data == {"username": "qiye1", "failures_cleared": 5}


def test_it_refuses_the_lockout_screens_to_other_admins(world, client):
    client.force_login(world.xitong)
    assert client.get(reverse("accounts:lockout_list")).status_code == 403
    assert client.post(reverse("accounts:lockout_unlock"), {"username": "qiye1"}).status_code == 403
    client.force_login(world.shenji)
    assert client.post(reverse("accounts:lockout_unlock"), {"username": "qiye1"}).status_code == 403
    assert not audit_rows(events.USER_UNLOCKED)


def test_it_refuses_an_initial_password_older_than_72_hours(world, client):
    with time_machine.travel(T0, tick=False) as traveller:
        password = reset_password(world.qiye1, actor=world.xitong)
        traveller.shift(dt.timedelta(hours=73))
        response = login_via_page(client, "qiye1", password)
        assert response.status_code == 400
        assert "初始密码已超过 72 小时有效期" in response.content.decode()
        rows = audit_rows(events.USER_LOGIN_FAILED, object_id=str(world.qiye1.pk))
        assert rows[-1].data["reason"] == "initial_password_expired"


def test_it_refuses_a_disabled_user_with_the_generic_message(world, client):
    User.objects.filter(pk=world.qiye3.pk).update(is_active=False)
    response = login_via_page(client, "qiye3")
    assert GENERIC in response.content.decode()


def test_it_logs_out_only_by_post(world, client):
    client.force_login(world.qiye1)
    assert client.get(reverse("accounts:logout")).status_code == 405
    response = client.post(reverse("accounts:logout"))
    assert response.status_code == 302
    assert "_auth_user_id" not in client.session
    assert audit_rows(events.USER_LOGGED_OUT, actor=world.qiye1)
