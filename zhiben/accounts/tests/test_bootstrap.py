"""R06: no default accounts; the first administrator gets a one-time random password."""

from __future__ import annotations

import io

import pytest
from django.core.management import CommandError, call_command
from django.test import Client

from zhiben.accounts.models import RoleAssignment, User
from zhiben.accounts.roles import Role

pytestmark = pytest.mark.usefixtures("empty_db")  # a fresh installation: no user at all


def test_it_has_no_default_credentials_on_a_fresh_installation():
    assert not User.objects.exists()
    client = Client()
    for username, password in [
        ("admin", "admin"),
        ("admin", "123456"),
        ("root", "root"),
        ("xitong", "Demo#2024-Safe"),
    ]:
        response = client.post("/accounts/login/", {"username": username, "password": password})
        assert response.status_code == 400


def test_it_bootstraps_one_system_admin_who_must_change_the_password():
    out = io.StringIO()
    call_command("bootstrap_admin", username="sysadmin", stdout=out)
    password = out.getvalue().strip().rsplit("：", 1)[1]
    user = User.objects.get(username="sysadmin")
    assert user.must_change_password and user.check_password(password)
    assert RoleAssignment.objects.get(user=user).role == Role.SYSTEM_ADMIN
    client = Client()
    client.post("/accounts/login/", {"username": "sysadmin", "password": password})
    assert client.get("/").url.startswith("/accounts/password/")
    with pytest.raises(CommandError, match="已存在系统管理员"):
        call_command("bootstrap_admin", username="another")
    assert not User.objects.filter(username="another").exists()
