"""User management by the system admin: list, create with a one-time password, roles, disable, reset."""

from __future__ import annotations

import re

import pytest
from django.test import Client
from django.urls import reverse

from zhiben.accounts import events
from zhiben.accounts.models import ApiToken, RoleAssignment, User
from zhiben.accounts.roles import Role
from zhiben.accounts.services import create_token

from .conftest import audit_rows, login_via_page

pytestmark = pytest.mark.django_db


@pytest.fixture
def admin(world, client):
    client.force_login(world.xitong)
    return client


def test_it_lists_users_with_their_roles_and_filters_them(world, admin):
    response = admin.get(reverse("accounts:user_list"))
    body = response.content.decode()
    assert response.status_code == 200
    assert "yingtian" in body and "营田镇安监员" in body
    filtered = admin.get(reverse("accounts:user_list"), {"role": Role.TOWNSHIP}).content.decode()
    assert "yingtian" in filtered and "qiye1" not in filtered


def test_it_exports_the_user_list_for_the_system_admin_only(world, admin, client):
    response = admin.get(reverse("accounts:user_list"), {"export": "xlsx"})
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/vnd.openxmlformats")
    security = Client()
    security.force_login(world.anquan)
    assert security.get(reverse("accounts:user_list"), {"export": "xlsx"}).status_code == 403


def test_it_creates_a_user_with_a_one_time_password_that_must_be_changed(world, admin):
    response = admin.post(
        reverse("accounts:user_create"),
        {"username": "wangwu", "display_name": "王五", "organisation": "营田镇", "phone": "13907300001"},
    )
    assert response.status_code == 200
    password = re.search(r'data-testid="issued-password">([^<]+)<', response.content.decode()).group(1)
    user = User.objects.get(username="wangwu")
    assert user.must_change_password
    assert user.check_password(password)
    assert user.phone == "13907300001"
    row = audit_rows(events.USER_CREATED, actor=world.xitong)[0]
    assert row.object_id == str(user.pk)
    assert password not in str(row.data)

    newcomer = Client()
    login_via_page(newcomer, "wangwu", password)
    assert newcomer.get("/")["Location"].startswith(reverse("accounts:password_change"))


def test_it_refuses_a_duplicate_username_and_a_bad_phone_with_field_errors(world, admin):
    response = admin.post(
        reverse("accounts:user_create"), {"username": "QIYE1", "display_name": "重复", "phone": "12345"}
    )
    body = response.content.decode()
    assert response.status_code == 400
    assert "账号“QIYE1”已存在。" in body
    assert "请输入 11 位手机号码。" in body
    assert not User.objects.filter(username="QIYE1").exists()


def test_it_assigns_a_township_role_with_its_scope(world, admin):
    user = User.objects.create(username="zhaoliu", display_name="赵六")
    town = world.regions["河市镇"]
    response = admin.post(
        reverse("accounts:user_assign_role", args=[user.pk]),
        {"role": Role.TOWNSHIP, "region_code": town.scope_prefix},
    )
    assert response.status_code == 302
    assignment = RoleAssignment.objects.get(user=user)
    assert (assignment.role, assignment.region_code) == (Role.TOWNSHIP, town.scope_prefix)
    assert audit_rows(events.ROLE_ASSIGNED, actor=world.xitong)[0].data["region_code"] == town.scope_prefix
    detail = admin.get(reverse("accounts:user_detail", args=[user.pk])).content.decode()
    assert "乡镇（街道）" in detail


def test_it_assigns_an_enterprise_role_by_its_credit_code(world, admin):
    user = User.objects.create(username="qianba")
    enterprise = world.enterprises["yt_gas"]
    url = reverse("accounts:user_assign_role", args=[user.pk])
    typed = " " + enterprise.uscc.lower() + " "  # as people paste it
    assert admin.post(url, {"role": Role.ENTERPRISE, "enterprise": typed}).status_code == 302
    assert RoleAssignment.objects.get(user=user).enterprise == enterprise
    missing = admin.post(url, {"role": Role.ENTERPRISE, "enterprise": "91430671MA4L9999X0"})
    assert missing.status_code == 400
    body = missing.content.decode()
    assert "统一社会信用代码" in body
    assert RoleAssignment.objects.filter(user=user).count() == 1


def test_it_requires_the_scope_that_the_role_needs(world, admin):
    user = User.objects.create(username="sunqi")
    for role, message in [
        (Role.DEPARTMENT, "监管部门角色必须指定部门。"),
        (Role.ENTERPRISE, "生产经营单位角色必须指定单位。"),
        (Role.TOWNSHIP, "乡镇（街道）角色必须指定辖区。"),
    ]:
        response = admin.post(reverse("accounts:user_assign_role", args=[user.pk]), {"role": role})
        assert response.status_code == 400
        assert message in response.content.decode()
    bad = admin.post(reverse("accounts:user_assign_role", args=[user.pk]), {"role": "emperor"})
    assert bad.status_code == 400
    assert not RoleAssignment.objects.filter(user=user).exists()


def test_it_revokes_a_role_and_the_user_loses_access_on_the_next_request(world, admin):
    official = Client()
    official.force_login(world.fenghuang)
    assert official.get(reverse("registry:enterprise_list")).status_code == 200
    assignment = RoleAssignment.objects.get(user=world.fenghuang)
    response = admin.post(reverse("accounts:user_revoke_role", args=[assignment.pk]))
    assert response.status_code == 302
    assert not RoleAssignment.objects.filter(pk=assignment.pk).exists()
    assert official.get(reverse("registry:enterprise_list")).status_code == 403
    assert audit_rows(events.ROLE_REVOKED, actor=world.xitong)[0].data["role"] == Role.TOWNSHIP


def test_it_disables_a_leaver_with_sessions_and_tokens_in_one_action(world, admin):
    leaver = Client()
    login_via_page(leaver, "jiaotong")
    _, key = create_token(world.jiaotong, actor=world.jiaotong)
    assert admin.get(reverse("accounts:user_disable", args=[world.jiaotong.pk])).status_code == 200
    response = admin.post(reverse("accounts:user_disable", args=[world.jiaotong.pk]))
    assert response.status_code == 302

    assert not User.objects.get(pk=world.jiaotong.pk).is_active
    assert not ApiToken.objects.filter(user=world.jiaotong).exists()
    assert leaver.get(reverse("accounts:profile"))["Location"].startswith(reverse("accounts:login"))
    assert leaver.get("/api/v1/enterprises/", headers={"Authorization": f"Token {key}"}).status_code == 401
    row = audit_rows(events.USER_DISABLED, actor=world.xitong)[0]
    assert row.data == {"reason": "manual", "api_keys_revoked": 1, "sessions_ended": 1}

    assert admin.post(reverse("accounts:user_enable", args=[world.jiaotong.pk])).status_code == 302
    assert User.objects.get(pk=world.jiaotong.pk).is_active
    assert audit_rows(events.USER_ENABLED, actor=world.xitong)


def test_it_refuses_to_let_the_system_admin_disable_itself(world, admin):
    response = admin.post(reverse("accounts:user_disable", args=[world.xitong.pk]))
    assert response.status_code == 302
    assert User.objects.get(pk=world.xitong.pk).is_active
    assert not audit_rows(events.USER_DISABLED)


def test_it_resets_a_password_and_shows_it_once(world, admin):
    response = admin.post(reverse("accounts:user_reset_password", args=[world.qiye3.pk]))
    assert response.status_code == 200
    password = re.search(r'data-testid="issued-password">([^<]+)<', response.content.decode()).group(1)
    user = User.objects.get(pk=world.qiye3.pk)
    assert user.must_change_password and user.check_password(password)
    assert audit_rows(events.PASSWORD_RESET, actor=world.xitong)


def test_it_leaves_user_management_writes_to_the_system_admin(world, client):
    client.force_login(world.anquan)
    target = world.qiye1.pk
    assert client.post(reverse("accounts:user_disable", args=[target])).status_code == 403
    assert client.post(reverse("accounts:user_reset_password", args=[target])).status_code == 403
    assert (
        client.post(reverse("accounts:user_assign_role", args=[target]), {"role": "leader"}).status_code
        == 403
    )
    assignment = RoleAssignment.objects.get(user=world.qiye1)
    assert client.post(reverse("accounts:user_revoke_role", args=[assignment.pk])).status_code == 403
    assert User.objects.get(pk=target).is_active


def test_it_answers_404_for_a_user_that_does_not_exist(world, admin):
    assert admin.get(reverse("accounts:user_detail", args=[999999])).status_code == 404
