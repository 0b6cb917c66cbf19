"""API tokens: obtained with the password, shown once, stored hashed, revocable, dead with the account."""

from __future__ import annotations

import datetime as dt
import re

import pytest
import time_machine
from django.conf import settings
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from zhiben.accounts import events
from zhiben.accounts.models import ApiToken
from zhiben.accounts.services import (
    change_password,
    create_token,
    disable_user,
    end_user_sessions,
    reset_password,
)
from zhiben.core.formats import local_time

from .conftest import audit_rows, login_via_page

pytestmark = pytest.mark.django_db


def test_it_issues_a_token_that_reads_the_api_within_scope(world, client):
    response = client.post(
        reverse("api-token"),
        {"username": "qiye1", "password": settings.DEMO_PASSWORD},
        content_type="application/json",
    )
    assert response.status_code == 200
    key = response.json()["token"]
    assert ApiToken.objects.get(user=world.qiye1).key_hash == ApiToken.hash(key)
    assert not ApiToken.objects.filter(key_hash=key).exists()

    api = Client()
    listing = api.get("/api/v1/enterprises/", headers={"Authorization": f"Token {key}"})
    assert listing.status_code == 200
    ids = {row["id"] for row in listing.json()["results"]}
    assert ids == {world.enterprises["qiye1"].pk}
    assert audit_rows(events.TOKEN_CREATED, actor=world.qiye1)


def test_it_answers_401_for_a_disabled_users_token_and_a_bad_key(world, client):
    key = client.post(
        reverse("api-token"),
        {"username": "anweiban", "password": settings.DEMO_PASSWORD},
        content_type="application/json",
    ).json()["token"]
    disable_user(world.anweiban, actor=world.xitong)
    assert client.get("/api/v1/enterprises/", headers={"Authorization": f"Token {key}"}).status_code == 401
    assert client.get("/api/v1/enterprises/", headers={"Authorization": "Token nonsense"}).status_code == 401


def test_it_refuses_bad_token_requests_with_field_errors(world, client):
    response = client.post(reverse("api-token"), {"username": "qiye1"}, content_type="application/json")
    assert response.status_code == 400
    assert "password" in response.json()


def test_it_creates_and_revokes_tokens_on_my_account_page(world, client):
    client.force_login(world.xiaofang)
    page = client.get(reverse("accounts:profile"))
    assert page.status_code == 200
    assert "消防监督员" in page.content.decode() and "创建令牌" in page.content.decode()

    created = client.post(reverse("accounts:profile"), {"name": "监测对接", "lifetime": "30"})
    key = re.search(r'data-testid="new-token">([0-9a-f]+)<', created.content.decode()).group(1)
    token = ApiToken.objects.get(user=world.xiaofang)
    assert token.key_hash == ApiToken.hash(key) and token.name == "监测对接"
    assert 29 <= (token.expires_at - token.created_at).days <= 30
    assert key not in client.get(reverse("accounts:profile")).content.decode()  # shown once

    response = client.post(reverse("accounts:token_revoke", args=[token.pk]))
    assert response.status_code == 302
    assert not ApiToken.objects.filter(pk=token.pk).exists()
    assert audit_rows(events.TOKEN_REVOKED, actor=world.xiaofang)


def test_it_refuses_to_revoke_someone_elses_token(world, client):
    client.post(
        reverse("api-token"),
        {"username": "qiye2", "password": settings.DEMO_PASSWORD},
        content_type="application/json",
    )
    token = ApiToken.objects.get(user=world.qiye2)
    client.force_login(world.qiye1)
    assert client.post(reverse("accounts:token_revoke", args=[token.pk])).status_code == 404
    assert ApiToken.objects.filter(pk=token.pk).exists()


def test_it_requires_a_purpose_for_a_token(world, client):
    client.force_login(world.qiye1)
    response = client.post(reverse("accounts:profile"), {"name": "", "lifetime": "30"})
    assert response.status_code == 400
    assert "请填写令牌用途" in response.content.decode()
    assert not ApiToken.objects.filter(user=world.qiye1).exists()


@pytest.mark.parametrize("persona", ["lingdao", "zhuanjia", "xitong"])
def test_it_offers_no_api_token_to_roles_that_do_not_hold_one(world, client, persona):
    """Leaders, experts and the 三员 use the pages: 我的账号 offers no token, and none is issued (roles data)."""
    user = getattr(world, persona)
    client.force_login(user)
    page = client.get(reverse("accounts:profile")).content.decode()
    assert "API 令牌" not in page and "创建令牌" not in page
    assert client.post(reverse("accounts:profile"), {"name": "对接", "lifetime": "30"}).status_code == 403
    refused = Client().post(
        reverse("api-token"),
        {"username": persona, "password": settings.DEMO_PASSWORD},
        content_type="application/json",
    )
    assert refused.status_code == 403 and "不使用 API 令牌" in refused.json()["detail"]
    assert not ApiToken.objects.filter(user=user).exists()


def test_it_refuses_a_token_whose_holder_lost_the_role_that_allowed_it(world, client):
    key = client.post(
        reverse("api-token"),
        {"username": "yingtian", "password": settings.DEMO_PASSWORD},
        content_type="application/json",
    ).json()["token"]
    headers = {"Authorization": f"Token {key}"}
    assert client.get("/api/v1/enterprises/", headers=headers).status_code == 200
    world.yingtian.role_assignments.update(role="leader", region_code="")
    assert client.get("/api/v1/enterprises/", headers=headers).status_code == 401


def _obtain(client: Client, username: str, **extra: str) -> dict:
    response = client.post(
        reverse("api-token"),
        {"username": username, "password": settings.DEMO_PASSWORD, **extra},
        content_type="application/json",
    )
    assert response.status_code == 200, response.content
    return response.json()


def _reads(key: str) -> int:
    return Client().get("/api/v1/enterprises/", headers={"Authorization": f"Token {key}"}).status_code


def test_a_token_from_the_api_expires_after_the_configured_lifetime(world, client):
    """Issue 11: tokens had no end date; now `API_TOKEN_LIFETIME` (30 days) and then 401."""
    body = _obtain(client, "qiye1")
    token = ApiToken.objects.get(user=world.qiye1)
    assert dt.timedelta(days=30) == settings.API_TOKEN_LIFETIME
    assert abs(token.expires_at - token.created_at - settings.API_TOKEN_LIFETIME) < dt.timedelta(seconds=5)
    assert body["expires_at"] and body["name"] == "api"
    assert _reads(body["token"]) == 200
    with time_machine.travel(token.expires_at + dt.timedelta(seconds=1)):
        assert _reads(body["token"]) == 401


def test_a_token_made_without_an_end_date_expires_one_lifetime_after_it_was_made(world):
    token, key = create_token(world.qiye1, actor=world.qiye1, name="旧令牌")
    ApiToken.objects.filter(pk=token.pk).update(expires_at=None)
    assert _reads(key) == 200
    with time_machine.travel(token.created_at + settings.API_TOKEN_LIFETIME + dt.timedelta(minutes=1)):
        assert _reads(key) == 401


def test_asking_again_under_the_same_client_name_rotates_the_token(world, client):
    first = _obtain(client, "qiye1")["token"]
    second = _obtain(client, "qiye1")["token"]
    other = _obtain(client, "qiye1", name="监测设备")["token"]
    assert _reads(first) == 401 and _reads(second) == 200 and _reads(other) == 200
    assert sorted(ApiToken.objects.filter(user=world.qiye1).values_list("name", flat=True)) == [
        "api",
        "监测设备",
    ]
    assert any(r.data.get("reason") == "rotated" for r in audit_rows(events.TOKEN_REVOKED))


def test_my_account_page_cannot_make_a_token_longer_than_the_maximum(world):
    token, _key = create_token(
        world.qiye1, actor=world.qiye1, name="x", expires_at=timezone.now() + dt.timedelta(days=9999)
    )
    assert token.expires_at - token.created_at <= settings.API_TOKEN_MAX_LIFETIME


@pytest.mark.parametrize("how", ["password_change", "password_reset", "disable", "end_sessions"])
def test_every_token_is_revoked_when_the_password_changes_or_the_account_is_shut(world, client, how):
    key = _obtain(client, "anweiban")["token"]
    other = _obtain(client, "anweiban", name="上级平台")["token"]
    user = world.anweiban
    if how == "password_change":
        change_password(user, actor=user, new_password="Kite-Harbor#Lamp-2931")
    elif how == "password_reset":
        reset_password(user, actor=world.xitong)
    elif how == "disable":
        disable_user(user, actor=world.xitong)
    else:
        end_user_sessions(user, actor=world.anquan)
    assert _reads(key) == 401 and _reads(other) == 401
    assert not ApiToken.objects.filter(user=user).exists()


def test_changing_the_password_on_the_page_revokes_the_tokens(world, client):
    key = _obtain(client, "anweiban")["token"]
    browser = Client()
    login_via_page(browser, "anweiban")
    new = "Kite-Harbor#Lamp-2931"
    response = browser.post(
        reverse("accounts:password_change"),
        {"old_password": settings.DEMO_PASSWORD, "new_password1": new, "new_password2": new},
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    assert _reads(key) == 401


def test_my_account_lists_each_token_with_its_end_date(world, client):
    token, _key = create_token(world.qiye1, actor=world.qiye1, name="监测对接")
    client.force_login(world.qiye1)
    page = client.get(reverse("accounts:profile")).content.decode()
    assert "监测对接" in page and local_time(token.expires_at) in page and "长期" not in page
