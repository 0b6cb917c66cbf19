"""Issue 11 #7: a per-source-address login limit, the client address from the trusted proxy only (R21), and
`zhiben unlock USER` as the recovery path for a locked security admin."""

from __future__ import annotations

import datetime as dt

import pytest
import time_machine
from django.conf import settings
from django.core.management import call_command
from django.test import RequestFactory, override_settings
from django.urls import reverse

from zhiben.accounts import events
from zhiben.accounts.models import LoginFailure
from zhiben.accounts.services import locked_until
from zhiben.core.middleware import client_ip

from .conftest import audit_rows

pytestmark = pytest.mark.django_db

SPRAYER = "203.0.113.7"
T0 = dt.datetime(2025, 3, 3, 9, 0, tzinfo=dt.UTC)


def _token(client, username, password, ip=SPRAYER, **extra):
    return client.post(
        reverse("api-token"),
        {"username": username, "password": password},
        content_type="application/json",
        REMOTE_ADDR=ip,
        **extra,
    )


@override_settings(LOGIN_ADDRESS_FAILURE_LIMIT=4)
def test_one_address_cannot_spray_passwords_across_accounts(world, client):
    with time_machine.travel(T0, tick=False):
        for name in ("qiye1", "qiye2", "qiye3", "anweiban"):
            assert _token(client, name, "Wrong#Pass123").status_code == 400
        # No account is locked (one failure each), yet the address is refused, even with a right password.
        refused = _token(client, "qiye1", settings.DEMO_PASSWORD)
        assert refused.status_code == 429 and "该地址登录失败次数过多" in refused.json()["detail"]
        assert 0 < int(refused["Retry-After"]) <= settings.LOGIN_FAILURE_WINDOW.total_seconds() + 1
        page = client.post(
            reverse("accounts:login"),
            {"username": "qiye2", "password": settings.DEMO_PASSWORD},
            REMOTE_ADDR=SPRAYER,
        )
        assert page.status_code == 400 and "该地址登录失败次数过多" in page.content.decode()
        # Attempts while blocked are not counted against the accounts: the sprayer cannot lock anyone.
        for _ in range(6):
            _token(client, "anquan", "Wrong#Pass123")
        assert not LoginFailure.objects.filter(username="anquan").exists()
        assert locked_until("anquan") is None
        # Another address is not affected.
        assert _token(client, "qiye1", settings.DEMO_PASSWORD, ip="198.51.100.2").status_code == 200
        assert any(r.data.get("reason") == "address_blocked" for r in audit_rows(events.USER_LOGIN_FAILED))
    with time_machine.travel(T0 + settings.LOGIN_FAILURE_WINDOW + dt.timedelta(seconds=1), tick=False):
        assert _token(client, "qiye1", settings.DEMO_PASSWORD).status_code == 200


@override_settings(LOGIN_ADDRESS_FAILURE_LIMIT=2)
def test_a_spoofed_forwarded_for_does_not_change_the_limiter_key(world, client):
    for i in range(2):
        _token(client, "qiye1", "Wrong#Pass123", HTTP_X_FORWARDED_FOR=f"192.0.2.{i}")
    spoofed = _token(client, "qiye1", settings.DEMO_PASSWORD, HTTP_X_FORWARDED_FOR="192.0.2.99")
    assert spoofed.status_code == 429
    assert set(LoginFailure.objects.values_list("ip", flat=True)) == {SPRAYER}


def test_the_client_address_comes_from_the_trusted_proxy_hop_only():
    rf = RequestFactory()
    direct = rf.get("/", REMOTE_ADDR="203.0.113.7", HTTP_X_FORWARDED_FOR="1.1.1.1")
    assert client_ip(direct) == "203.0.113.7"
    with override_settings(TRUSTED_PROXIES=["10.0.0.1"]):
        # The client wrote "1.1.1.1"; the proxy appended the address it saw.
        proxied = rf.get("/", REMOTE_ADDR="10.0.0.1", HTTP_X_FORWARDED_FOR="1.1.1.1, 198.51.100.9")
        assert client_ip(proxied) == "198.51.100.9"
        assert client_ip(rf.get("/", REMOTE_ADDR="10.0.0.1")) == "10.0.0.1"
        garbage = rf.get("/", REMOTE_ADDR="10.0.0.1", HTTP_X_FORWARDED_FOR="not-an-address")
        assert client_ip(garbage) == "10.0.0.1"


def test_zhiben_unlock_lifts_the_security_admins_lockout_from_the_server(world, client, capsys):
    for i in range(settings.LOGIN_FAILURE_LIMIT):
        _token(client, "anquan", "Wrong#Pass123", ip=f"198.51.100.{i}")  # spread: no address limit
    assert locked_until("anquan") is not None
    assert _token(client, "anquan", settings.DEMO_PASSWORD, ip="198.51.100.50").status_code == 400

    call_command("unlock", "anquan")
    assert "已解除锁定" in capsys.readouterr().out
    assert locked_until("anquan") is None
    row = audit_rows(events.USER_UNLOCKED)[-1]
    assert row.actor is None and row.data["username"] == "anquan"


@override_settings(LOGIN_ADDRESS_FAILURE_LIMIT=2)
def test_zhiben_unlock_address_lifts_an_address_limit(world, client, capsys):
    for _ in range(2):
        _token(client, "qiye1", "Wrong#Pass123")
    assert _token(client, "qiye1", settings.DEMO_PASSWORD).status_code == 429
    call_command("unlock", address=SPRAYER)
    assert "已解除限制" in capsys.readouterr().out
    assert _token(client, "qiye1", settings.DEMO_PASSWORD).status_code == 200
