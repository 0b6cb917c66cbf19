"""R02: first-login and 90-day forced password change, for pages and for the API."""

from __future__ import annotations

import datetime as dt

import pytest
import time_machine
from django.urls import reverse
from django.utils import timezone

from zhiben.accounts.models import User
from zhiben.accounts.services import create_token, reset_password

from .conftest import login_via_page

pytestmark = pytest.mark.django_db

NEW = "Tz7#kqmwLp2$"


def test_it_sends_a_user_with_a_reset_password_to_the_change_page_everywhere(world, client):
    password = reset_password(world.yingtian, actor=world.xitong)
    assert login_via_page(client, "yingtian", password).status_code == 302
    for url in ("/", reverse("registry:enterprise_list"), reverse("accounts:profile")):
        response = client.get(url)
        assert response.status_code == 302, url
        assert response["Location"].startswith(reverse("accounts:password_change"))
    page = client.get(reverse("accounts:password_change"))
    assert page.status_code == 200
    assert "首次登录或密码被重置后，须先修改密码。" in page.content.decode()

    api = client.get("/api/v1/enterprises/")
    assert api.status_code == 403
    assert api.json()["code"] == "password_change_required"

    response = client.post(
        reverse("accounts:password_change") + "?next=/registry/enterprises/",
        {
            "old_password": password,
            "new_password1": NEW,
            "new_password2": NEW,
            "next": "/registry/enterprises/",
        },
    )
    assert response.status_code == 302
    assert response["Location"] == "/registry/enterprises/"
    assert not User.objects.get(pk=world.yingtian.pk).must_change_password
    assert client.get(reverse("registry:enterprise_list")).status_code == 200  # session kept after change


def test_it_forces_a_change_of_a_government_password_older_than_90_days(world, client):
    start = dt.datetime(2025, 1, 6, 2, 0, tzinfo=dt.UTC)
    User.objects.filter(pk=world.zhujian.pk).update(password_changed_at=start)
    User.objects.filter(pk=world.qiye1.pk).update(password_changed_at=start)
    with time_machine.travel(start + dt.timedelta(days=91), tick=False):
        login_via_page(client, "zhujian")
        response = client.get(reverse("registry:enterprise_list"))
        assert response.status_code == 302
        assert response["Location"].startswith(reverse("accounts:password_change"))
        assert "密码已超过 90 天未修改" in client.get(reverse("accounts:password_change")).content.decode()
        # Enterprise accounts are outside the 90-day rule (R02 names government and admin accounts).
        enterprise = client.__class__()
        login_via_page(enterprise, "qiye1")
        assert enterprise.get(reverse("registry:enterprise_list")).status_code == 200


def test_it_lets_logout_through_while_a_change_is_pending(world, client):
    password = reset_password(world.qiye2, actor=world.xitong)
    login_via_page(client, "qiye2", password)
    response = client.post(reverse("accounts:logout"))
    assert response.status_code == 302
    assert response["Location"] == reverse("accounts:login")


def test_it_refuses_api_tokens_of_a_user_who_must_change_the_password(world, client):
    _, key = create_token(world.heshi, actor=world.heshi)
    headers = {"Authorization": f"Token {key}"}
    assert client.get("/api/v1/enterprises/", headers=headers).status_code == 200
    # A reset revokes the user's tokens outright (issue 11 §4) ...
    reset_password(world.heshi, actor=world.xitong)
    assert client.get("/api/v1/enterprises/", headers=headers).status_code == 401
    # ... and a token held while the password is over 90 days old is refused until it is changed (R02).
    User.objects.filter(pk=world.heshi.pk).update(must_change_password=False)
    _, key = create_token(User.objects.get(pk=world.heshi.pk), actor=world.heshi)
    User.objects.filter(pk=world.heshi.pk).update(password_changed_at=timezone.now() - dt.timedelta(days=91))
    response = client.get("/api/v1/enterprises/", headers={"Authorization": f"Token {key}"})
    assert response.status_code == 403
    assert "修改密码" in response.json()["detail"]
