"""API tokens: obtained with the password, shown once, stored hashed, revocable, dead with the account."""

from __future__ import annotations

import re

import pytest
from django.conf import settings
from django.test import Client
from django.urls import reverse

from zhiben.accounts import events
from zhiben.accounts.models import ApiToken
from zhiben.accounts.services import disable_user

from .conftest import audit_rows

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
