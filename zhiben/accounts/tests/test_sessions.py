"""R05: idle timeout (30 minutes, 15 for admins), absolute 12-hour lifetime, sessions ended by admins."""

from __future__ import annotations

import datetime as dt

import pytest
import time_machine
from django.contrib.sessions.models import Session
from django.test import Client
from django.urls import reverse

from zhiben.accounts import events

from .conftest import audit_rows, login_via_page

pytestmark = pytest.mark.django_db

T0 = dt.datetime(2025, 3, 3, 1, 0, tzinfo=dt.UTC)


def _expired_redirect(response) -> bool:
    return (
        response.status_code == 302
        and "expired=1" in response["Location"]
        and "/accounts/login/" in (response["Location"])
    )


@pytest.mark.parametrize(
    ("username", "still_fine", "expired"),
    [("yingtian", 29, 31), ("xitong", 14, 16)],
)
def test_it_ends_idle_sessions(world, client, username, still_fine, expired):
    with time_machine.travel(T0, tick=False) as traveller:
        assert login_via_page(client, username).status_code == 302
        session_key = client.session.session_key
        traveller.shift(dt.timedelta(minutes=still_fine))
        assert client.get(reverse("accounts:profile")).status_code == 200
        traveller.shift(dt.timedelta(minutes=expired))
        response = client.get(reverse("accounts:profile"))
        assert _expired_redirect(response)
        assert not Session.objects.filter(session_key=session_key).exists()
    assert audit_rows(events.SESSION_EXPIRED, actor=world.users[username])


def test_it_ends_sessions_after_twelve_hours_even_when_active(world, client):
    with time_machine.travel(T0, tick=False) as traveller:
        login_via_page(client, "anweiban")
        for _ in range(28):  # a request every 25 minutes: never idle, 11 h 40 min in all
            traveller.shift(dt.timedelta(minutes=25))
            assert client.get(reverse("accounts:profile")).status_code == 200
        traveller.shift(dt.timedelta(minutes=25))
        assert _expired_redirect(client.get(reverse("accounts:profile")))


def test_it_writes_the_session_at_most_once_a_minute(world, client):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    def session_writes() -> int:
        with CaptureQueriesContext(connection) as ctx:
            assert client.get(reverse("registry:enterprise_list")).status_code == 200
        return sum(
            1 for q in ctx.captured_queries if q["sql"].startswith("UPDATE") and "django_session" in q["sql"]
        )

    with time_machine.travel(T0, tick=False) as traveller:
        login_via_page(client, "yingtian")
        traveller.shift(dt.timedelta(seconds=20))
        assert session_writes() == 0  # a page view within the minute reads only
        traveller.shift(dt.timedelta(seconds=50))
        assert session_writes() == 1  # past the minute: the idle clock moves on
        traveller.shift(dt.timedelta(minutes=29, seconds=30))
        assert client.get(reverse("accounts:profile")).status_code == 200  # 29½ min after the last touch


def test_it_shows_the_expiry_notice_on_the_login_page(client):
    response = client.get(reverse("accounts:login") + "?expired=1")
    assert 'data-testid="session-expired"' in response.content.decode()


def test_it_issues_a_new_session_key_at_login(world, client):
    client.get(reverse("accounts:login"))
    client.cookies["sessionid"] = "attacker-chosen-session-key"
    login_via_page(client, "qiye1")
    assert client.session.session_key != "attacker-chosen-session-key"


def test_it_lets_the_security_admin_end_a_users_sessions(world, client):
    victim = Client()
    login_via_page(victim, "heshi")
    other = Client()
    login_via_page(other, "heshi")
    assert victim.get(reverse("accounts:profile")).status_code == 200

    client.force_login(world.anquan)
    assert client.get(reverse("accounts:user_end_sessions", args=[world.heshi.pk])).status_code == 200
    response = client.post(reverse("accounts:user_end_sessions", args=[world.heshi.pk]))
    assert response.status_code == 302

    for c in (victim, other):
        page = c.get(reverse("accounts:profile"))
        assert page.status_code == 302 and "/accounts/login/" in page["Location"]
    row = audit_rows(events.SESSIONS_ENDED, actor=world.anquan)[0]
    assert row.object_id == str(world.heshi.pk)
    assert row.data == {"sessions_ended": 2, "api_keys_revoked": 0}


def test_it_refuses_ending_sessions_to_the_system_and_audit_admins(world, client):
    for admin in (world.xitong, world.shenji):
        client.force_login(admin)
        assert client.post(reverse("accounts:user_end_sessions", args=[world.heshi.pk])).status_code == 403
