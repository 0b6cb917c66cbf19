"""R01: the password policy, as a table of accepted and rejected passwords with their Chinese messages."""

from __future__ import annotations

import pytest
from django.conf import settings
from django.contrib.auth.hashers import Argon2PasswordHasher
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.test import override_settings
from django.urls import reverse

from zhiben.accounts import events
from zhiben.accounts.models import User
from zhiben.accounts.services import change_password

from .conftest import audit_rows, login_via_page

pytestmark = pytest.mark.django_db

TOO_SHORT_8 = "密码至少需要 8 个字符。"
TOO_SHORT_12 = "密码至少需要 12 个字符。"
CLASSES = "密码须包含大写字母、小写字母、数字、符号中的至少三类。"
CONTEXT = "密码不能包含账号名、地名或平台名等易猜词语。"
TOO_LONG = "密码不能超过 128 个字符。"

# (password, government account?, expected message or None when accepted)
CASES = [
    ("Ab1!xyz", False, TOO_SHORT_8),
    ("Tz7#kqmw", False, None),
    ("Tz7#kqmwLp2", True, TOO_SHORT_12),
    ("Tz7#kqmwLp2$", True, None),
    ("alllowercaseletters", False, CLASSES),
    ("ALLUPPER12345", False, CLASSES),  # upper case and digits: two classes only
    ("abcd-efgh-ijkl", False, CLASSES),
    ("Quyuan#2024ok", False, CONTEXT),
    ("Zhiben-Secure9", False, CONTEXT),
    ("My屈原Pass9!", False, CONTEXT),
    ("Password123!", False, CONTEXT),
    ("a" * 100 + "B1!" + "c" * 26, False, TOO_LONG),
    ("Vq8$" + "mRt3#pLw9!zXc2&" * 4, True, None),  # 64 characters
]


@pytest.mark.parametrize(("password", "government", "message"), CASES)
def test_it_applies_the_password_policy(world, password, government, message):
    user = world.zhujian if government else world.qiye1
    if message is None:
        validate_password(password, user)
        return
    with pytest.raises(ValidationError) as exc:
        validate_password(password, user)
    assert message in exc.value.messages


def test_it_rejects_the_username_inside_the_password(world):
    with pytest.raises(ValidationError) as exc:
        validate_password("Xx9#qiye1-secure", world.qiye1)
    assert CONTEXT in exc.value.messages


def test_it_accepts_and_logs_in_with_a_64_character_password(world, client):
    password = "Vq8$" + "mRt3#pLw9!zXc2&" * 4
    assert len(password) == 64
    client.force_login(world.zhujian)
    response = client.post(
        reverse("accounts:password_change"),
        {"old_password": "Demo#2024-Safe", "new_password1": password, "new_password2": password},
    )
    assert response.status_code == 302
    user = User.objects.get(pk=world.zhujian.pk)
    assert user.check_password(password)
    assert audit_rows(events.PASSWORD_CHANGED, object_id=str(user.pk))
    client.logout()
    assert login_via_page(client, "zhujian", password).status_code == 302
    assert client.session["_auth_user_id"] == str(user.pk)


def test_it_shows_the_validators_messages_on_the_change_password_page(world, client):
    client.force_login(world.yingtian)
    response = client.post(
        reverse("accounts:password_change"),
        {"old_password": "Demo#2024-Safe", "new_password1": "short1A", "new_password2": "short1A"},
    )
    assert response.status_code == 400
    assert TOO_SHORT_12 in response.content.decode()
    assert User.objects.get(pk=world.yingtian.pk).check_password("Demo#2024-Safe")


def test_it_refuses_a_wrong_old_password_and_mismatched_new_passwords(world, client):
    client.force_login(world.qiye1)
    url = reverse("accounts:password_change")
    wrong_old = client.post(
        url, {"old_password": "nope", "new_password1": "Tz7#kqmwLp2$", "new_password2": "Tz7#kqmwLp2$"}
    )
    assert wrong_old.status_code == 400
    assert "原密码不正确。" in wrong_old.content.decode()
    mismatch = client.post(
        url,
        {"old_password": "Demo#2024-Safe", "new_password1": "Tz7#kqmwLp2$", "new_password2": "Tz7#kqmwLp2%"},
    )
    assert mismatch.status_code == 400
    assert "两次输入的新密码不一致。" in mismatch.content.decode()
    assert not audit_rows(events.PASSWORD_CHANGED, object_id=str(world.qiye1.pk))


def test_it_stores_passwords_with_argon2_in_production_settings(world):
    production_hashers = [h for h in settings.PASSWORD_HASHERS if "MD5" not in h]
    with override_settings(PASSWORD_HASHERS=production_hashers):
        change_password(world.qiye1, actor=world.qiye1, new_password="Tz7#kqmwLp2$")
        user = User.objects.get(pk=world.qiye1.pk)
        assert user.password.startswith("argon2$argon2id$v=19$m=47104,t=1,p=1$")
        assert "Tz7#kqmwLp2$" not in user.password
        assert user.check_password("Tz7#kqmwLp2$")


def test_a_hash_with_djangos_argon2_defaults_still_verifies_and_is_upgraded_at_login(world):
    production_hashers = [h for h in settings.PASSWORD_HASHERS if "MD5" not in h]
    old = Argon2PasswordHasher().encode("Tz7#kqmwLp2$", Argon2PasswordHasher().salt())
    assert "m=102400,t=2,p=8" in old
    User.objects.filter(pk=world.qiye1.pk).update(password=old)
    with override_settings(PASSWORD_HASHERS=production_hashers):
        user = User.objects.get(pk=world.qiye1.pk)
        assert user.check_password("Tz7#kqmwLp2$") and not user.check_password("Tz7#kqmwLp2%")
        assert User.objects.get(pk=world.qiye1.pk).password.startswith(
            "argon2$argon2id$v=19$m=47104,t=1,p=1$"
        )
