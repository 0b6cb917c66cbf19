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
    client.force_login(world.zhuanjia)
    page = client.get(reverse("accounts:profile"))
    assert page.status_code == 200
    assert "安全生产专家" in page.content.decode()

    created = client.post(reverse("accounts:profile"), {"name": "监测对接", "lifetime": "30"})
    key = re.search(r'data-testid="new-token">([0-9a-f]+)<', created.content.decode()).group(1)
    token = ApiToken.objects.get(user=world.zhuanjia)
    assert token.key_hash == ApiToken.hash(key) and token.name == "监测对接"
    assert 29 <= (token.expires_at - token.created_at).days <= 30
    assert key not in client.get(reverse("accounts:profile")).content.decode()  # shown once

    response = client.post(reverse("accounts:token_revoke", args=[token.pk]))
    assert response.status_code == 302
    assert not ApiToken.objects.filter(pk=token.pk).exists()
    assert audit_rows(events.TOKEN_REVOKED, actor=world.zhuanjia)


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
