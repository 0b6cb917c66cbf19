"""R11: 三员分立 — the three admin roles exclude each other and business roles, each with its own screens."""

from __future__ import annotations

import pytest
from django.urls import reverse

from zhiben.accounts import events
from zhiben.accounts.models import RoleAssignment
from zhiben.accounts.roles import Role
from zhiben.accounts.services import AccountError, assign_role
from zhiben.core.models import AuditEntry

from .conftest import audit_rows

pytestmark = pytest.mark.django_db


def test_it_refuses_a_second_admin_role(world):
    with pytest.raises(AccountError, match="三员分立"):
        assign_role(world.xitong, actor=world.xitong, role=Role.AUDIT_ADMIN)
    assert set(world.xitong.role_assignments.values_list("role", flat=True)) == {Role.SYSTEM_ADMIN}


def test_it_refuses_a_business_role_to_an_admin_and_an_admin_role_to_a_business_user(world):
    with pytest.raises(AccountError, match="三员分立"):
        assign_role(world.anquan, actor=world.xitong, role=Role.DISTRICT_OFFICE)
    with pytest.raises(AccountError, match="三员分立"):
        assign_role(world.anweiban, actor=world.xitong, role=Role.SECURITY_ADMIN)
    assert not audit_rows(events.ROLE_ASSIGNED, actor=world.xitong)


def test_it_shows_the_separation_error_on_the_assign_role_form(world, client):
    client.force_login(world.xitong)
    response = client.post(
        reverse("accounts:user_assign_role", args=[world.shenji.pk]), {"role": Role.SYSTEM_ADMIN}
    )
    assert response.status_code == 400
    assert "三员分立：管理员角色不能与其他角色兼任。" in response.content.decode()
    assert RoleAssignment.objects.filter(user=world.shenji).count() == 1


@pytest.mark.parametrize(
    ("username", "url_name", "status"),
    [
        ("shenji", "accounts:user_list", 403),
        ("shenji", "accounts:user_create", 403),
        ("shenji", "accounts:calendar", 403),
        ("xitong", "accounts:audit_list", 403),
        ("anquan", "accounts:audit_list", 403),
        ("anquan", "accounts:user_create", 403),
        ("anweiban", "accounts:user_list", 403),
        ("anweiban", "accounts:audit_list", 403),
        ("qiye1", "accounts:lockout_list", 403),
        ("xitong", "accounts:user_list", 200),
        ("anquan", "accounts:user_list", 200),
        ("shenji", "accounts:audit_list", 200),
        ("anquan", "accounts:lockout_list", 200),
        ("xitong", "accounts:calendar", 200),
        ("anweiban", "accounts:calendar", 200),
    ],
)
def test_it_gives_each_admin_only_its_own_screens(world, client, username, url_name, status):
    client.force_login(world.users[username])
    assert client.get(reverse(url_name)).status_code == status


def test_it_keeps_the_admins_out_of_business_data(world, client):
    for admin in ("xitong", "anquan", "shenji"):
        client.force_login(world.users[admin])
        assert client.get(reverse("registry:enterprise_list")).status_code == 403, admin


def test_it_refuses_audit_row_updates_and_deletes_through_the_orm(world):
    entry = AuditEntry.objects.order_by("seq").first()
    entry.object_repr = "changed"
    with pytest.raises(PermissionError):
        entry.save()
    with pytest.raises(PermissionError):
        entry.delete()
    with pytest.raises(PermissionError):
        AuditEntry.objects.filter(pk=entry.pk).update(object_repr="changed")
    with pytest.raises(PermissionError):
        AuditEntry.objects.all().delete()
    assert AuditEntry.objects.get(pk=entry.pk).object_repr != "changed"


def test_it_offers_no_edit_for_audit_rows_even_to_the_audit_admin(world, client):
    client.force_login(world.shenji)
    entry = AuditEntry.objects.order_by("seq").first()
    url = reverse("accounts:audit_detail", args=[entry.pk])
    assert client.get(url).status_code == 200
    assert client.post(url, {"object_repr": "x"}).status_code == 405
