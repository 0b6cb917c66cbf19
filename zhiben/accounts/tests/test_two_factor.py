"""Two-factor login (R04): enrolment with one code, a second login step, single-use codes, throttling,
recovery codes, the required roles, the token endpoint and the security admin's audited reset."""

from __future__ import annotations

import re
from typing import Any

import pytest
from django.conf import settings
from django.db import connection
from django.test import Client
from django.urls import reverse

from zhiben.accounts import events, two_factor
from zhiben.accounts.models import RecoveryCode, TwoFactor
from zhiben.core.testing import login

from .conftest import audit_rows, login_via_page

pytestmark = pytest.mark.django_db


def enrol(user: Any) -> tuple[str, list[str]]:
    """Enrol through the services; returns the secret and the recovery codes."""
    device = two_factor.start_enrolment(user)
    codes = two_factor.confirm_enrolment(user, two_factor.code_at(device.secret, two_factor.current_step()))
    return device.secret, codes


def next_code(secret: str) -> str:
    """The next step's code: valid now (one step of drift is allowed) and not yet used by `enrol`."""
    return two_factor.code_at(secret, two_factor.current_step() + 1)


def password_step(client: Client, username: str) -> Any:
    response = login_via_page(client, username)
    assert response.status_code == 302
    assert response.url.startswith(reverse("accounts:login_otp"))
    return response


def test_it_enrols_with_a_qr_code_and_one_code_then_shows_ten_recovery_codes_once(world, client):
    login(client, world.anweiban)
    page = client.get(reverse("accounts:two_factor"))
    assert page.status_code == 200
    assert b'src="data:image/svg+xml;base64,' in page.content
    device = TwoFactor.objects.get(user=world.anweiban)
    assert device.confirmed_at is None and len(device.secret) == 32  # 160-bit CSPRNG secret
    shown = re.search(rb'data-testid="two-factor-secret">([A-Z2-7 ]+)<', page.content)
    assert shown and shown.group(1).decode().replace(" ", "") == device.secret
    with connection.cursor() as cursor:  # stored encrypted, never in clear
        cursor.execute("SELECT secret FROM accounts_twofactor WHERE id = %s", [device.pk])
        assert device.secret not in cursor.fetchone()[0]

    wrong = client.post(reverse("accounts:two_factor"), {"action": "confirm", "code": "000000"})
    assert wrong.status_code == 400
    assert "动态口令不正确" in wrong.content.decode()
    assert not two_factor.enrolled(world.anweiban)

    code = two_factor.code_at(device.secret, two_factor.current_step())
    done = client.post(reverse("accounts:two_factor"), {"action": "confirm", "code": code})
    assert done.status_code == 200
    shown_codes = re.findall(
        r"<code class=\"zb-secret\">([A-Z0-9]{5}-[A-Z0-9]{5})</code>", done.content.decode()
    )
    assert len(shown_codes) == 10
    assert two_factor.enrolled(world.anweiban)
    stored = set(RecoveryCode.objects.filter(user=world.anweiban).values_list("code_hash", flat=True))
    assert len(stored) == 10 and not stored & set(shown_codes)
    assert "zb-secret" not in client.get(reverse("accounts:two_factor")).content.decode()
    assert audit_rows(events.TWO_FACTOR_ENABLED, actor=world.anweiban)


def test_the_password_alone_opens_no_session_until_the_code(world, client):
    secret, _codes = enrol(world.anweiban)
    password_step(client, "anweiban")
    assert client.get(reverse("accounts:profile")).status_code == 302  # not logged in yet
    assert audit_rows(events.PASSWORD_ACCEPTED, actor=world.anweiban)
    assert not audit_rows(events.USER_LOGGED_IN, actor=world.anweiban)

    done = client.post(reverse("accounts:login_otp"), {"code": next_code(secret), "next": "/accounts/me/"})
    assert done.status_code == 302 and done.url == "/accounts/me/"
    assert client.get(reverse("accounts:profile")).status_code == 200
    [row] = audit_rows(events.USER_LOGGED_IN, actor=world.anweiban)
    assert row.data["second_factor"] == "totp"


def test_the_second_step_without_a_password_goes_back_to_login(world, client):
    enrol(world.anweiban)
    response = client.get(reverse("accounts:login_otp"))
    assert response.status_code == 302 and response.url == reverse("accounts:login")


def test_it_refuses_a_code_already_accepted(world, client):
    secret, _codes = enrol(world.anweiban)
    code = next_code(secret)
    password_step(client, "anweiban")
    assert client.post(reverse("accounts:login_otp"), {"code": code}).status_code == 302

    other = Client()
    password_step(other, "anweiban")
    again = other.post(reverse("accounts:login_otp"), {"code": code})
    assert again.status_code == 400
    assert "动态口令或恢复码不正确" in again.content.decode()
    assert other.get(reverse("accounts:profile")).status_code == 302
    assert audit_rows(events.TWO_FACTOR_FAILED, actor=world.anweiban)


def test_it_throttles_wrong_codes_and_audits_them(world, client):
    secret, _codes = enrol(world.anweiban)
    password_step(client, "anweiban")
    for _i in range(two_factor.OTP_FAILURE_LIMIT):
        assert client.post(reverse("accounts:login_otp"), {"code": "123456"}).status_code == 400
    # Even the right code is refused now: guessing cannot go on.
    refused = client.post(reverse("accounts:login_otp"), {"code": next_code(secret)})
    assert refused.status_code == 400
    assert "动态口令错误次数过多" in refused.content.decode()
    assert client.get(reverse("accounts:profile")).status_code == 302
    failed = audit_rows(events.TWO_FACTOR_FAILED, actor=world.anweiban)
    assert len(failed) == two_factor.OTP_FAILURE_LIMIT + 1
    assert failed[-1].data["reason"] == "throttled"
    api = token(Client(), "anweiban", otp=next_code(secret))  # the token endpoint shares the throttle
    assert api.status_code == 429 and int(api["Retry-After"]) > 0


def test_a_recovery_code_logs_in_once(world, client):
    _secret, codes = enrol(world.anweiban)
    password_step(client, "anweiban")
    done = client.post(reverse("accounts:login_otp"), {"code": codes[0].lower()})
    assert done.status_code == 302
    assert client.get(reverse("accounts:profile")).status_code == 200
    assert two_factor.recovery_codes_left(world.anweiban) == 9
    assert audit_rows(events.RECOVERY_CODE_USED, actor=world.anweiban)

    other = Client()
    password_step(other, "anweiban")
    assert other.post(reverse("accounts:login_otp"), {"code": codes[0]}).status_code == 400


def test_the_user_disables_it_with_a_code(world, client):
    secret, _codes = enrol(world.qiye1)
    login(client, world.qiye1)
    assert (
        client.post(reverse("accounts:two_factor"), {"action": "disable", "code": "999999"}).status_code
        == 400
    )
    assert two_factor.enrolled(world.qiye1)
    response = client.post(reverse("accounts:two_factor"), {"action": "disable", "code": next_code(secret)})
    assert response.status_code == 302
    assert not two_factor.enrolled(world.qiye1)
    assert audit_rows(events.TWO_FACTOR_DISABLED, actor=world.qiye1)
    # Without 2FA the password logs in again as before.
    assert login_via_page(Client(), "qiye1").url == "/"


@pytest.mark.parametrize("username", ["anweiban", "xitong", "anquan", "shenji"])
def test_a_required_role_without_enrolment_is_sent_to_enrol_when_the_setting_is_on(
    world, client, settings, username
):
    settings.ZHIBEN_REQUIRE_2FA = True
    login(client, world.users[username])
    response = client.get("/")
    assert response.status_code == 302
    assert response.url.startswith(reverse("accounts:two_factor"))
    page = client.get(reverse("accounts:two_factor"))
    assert page.status_code == 200 and 'data-testid="two-factor-required"' in page.content.decode()
    api = client.get("/api/v1/enterprises/")
    assert api.status_code == 403 and api.json()["code"] == "two_factor_required"


def test_the_requirement_spares_other_roles_and_is_off_by_default(world, client, settings):
    settings.ZHIBEN_REQUIRE_2FA = True
    login(client, world.qiye1)
    assert client.get("/").status_code == 200
    settings.ZHIBEN_REQUIRE_2FA = False
    login(client, world.anweiban)
    assert client.get("/").status_code == 200


def test_an_enrolled_required_user_is_not_redirected(world, client, settings):
    settings.ZHIBEN_REQUIRE_2FA = True
    enrol(world.anweiban)
    login(client, world.anweiban)
    assert client.get("/").status_code == 200


def token(client: Client, username: str, **extra: str) -> Any:
    body = {"username": username, "password": settings.DEMO_PASSWORD, **extra}
    return client.post(reverse("api-token"), body, content_type="application/json")


def test_the_token_endpoint_needs_the_code_of_an_enrolled_user(world, client):
    secret, _codes = enrol(world.anweiban)
    missing = token(client, "anweiban")
    assert missing.status_code == 400 and "动态口令" in missing.json()["detail"]
    wrong = token(client, "anweiban", otp="000000")
    assert wrong.status_code == 400 and "不正确" in wrong.json()["detail"]
    good = token(client, "anweiban", otp=next_code(secret))
    assert good.status_code == 200 and good.json()["token"]
    # Users without 2FA are unchanged.
    assert token(client, "qiye1").status_code == 200


def test_the_token_endpoint_refuses_a_required_user_without_enrolment(world, client, settings):
    settings.ZHIBEN_REQUIRE_2FA = True
    refused = token(client, "anweiban")
    assert refused.status_code == 403 and "双因素认证" in refused.json()["detail"]


def test_the_security_admin_resets_it_and_the_reset_is_audited(world, client):
    enrol(world.anweiban)
    url = reverse("accounts:user_reset_2fa", args=[world.anweiban.pk])
    login(client, world.xitong)
    assert client.post(url).status_code == 403  # the system admin may not
    assert two_factor.enrolled(world.anweiban)

    login(client, world.anquan)
    page = client.get(reverse("accounts:user_detail", args=[world.anweiban.pk]))
    assert url in page.content.decode()
    assert client.get(url).status_code == 200
    assert client.post(url).status_code == 302
    assert not two_factor.enrolled(world.anweiban)
    assert not RecoveryCode.objects.filter(user=world.anweiban).exists()
    [row] = audit_rows(events.TWO_FACTOR_RESET, actor=world.anquan)
    assert row.data["was_enrolled"] is True
    assert login_via_page(Client(), "anweiban").url == "/"


def test_it_is_required_by_default_in_production_only(tmp_path):
    from zhiben.core.tests.test_production import _start  # the production-settings subprocess

    code = "import zhiben.settings as s; print(s.ZHIBEN_REQUIRE_2FA)"
    assert _start(tmp_path, code).stdout.strip() == "True"
    assert _start(tmp_path, code, ZHIBEN_ENV="development").stdout.strip() == "False"
    assert _start(tmp_path, code, ZHIBEN_REQUIRE_2FA="0").stdout.strip() == "False"
