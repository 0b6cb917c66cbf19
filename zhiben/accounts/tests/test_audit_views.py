"""The audit admin's screens: filtered, sorted, exported audit log, detail, and chain verification."""

from __future__ import annotations

import io

import pytest
from django.db import connection
from django.urls import reverse
from openpyxl import load_workbook

from zhiben.accounts import events
from zhiben.core import events as core_events
from zhiben.core.models import AuditEntry

from .conftest import audit_rows, login_via_page

pytestmark = pytest.mark.django_db


@pytest.fixture
def auditor(world, client):
    login_via_page(client, "qiye1", "Wrong#Pass123")
    login_via_page(client, "qiye1")
    client.logout()
    client.force_login(world.shenji)
    return client


def test_it_lists_audit_rows_with_chinese_event_labels(world, auditor):
    response = auditor.get(reverse("accounts:audit_list"))
    body = response.content.decode()
    assert response.status_code == 200
    assert "登录失败" in body and "创建用户" in body
    assert f"#{AuditEntry.objects.order_by('-seq').first().seq}" in body


def test_it_filters_by_event_actor_object_type_and_date(world, auditor):
    url = reverse("accounts:audit_list")
    failures = auditor.get(url, {"event": events.USER_LOGIN_FAILED}).context["rows"]
    assert [entry.event for entry, _ in failures] == [events.USER_LOGIN_FAILED]
    by_actor = auditor.get(url, {"actor": "QIYE1"}).context["rows"]
    assert by_actor and all(entry.actor_name == "qiye1" for entry, _ in by_actor)
    by_type = auditor.get(url, {"object_type": "registry.enterprise"}).context["page"].paginator.count
    assert by_type == AuditEntry.objects.filter(object_type="registry.enterprise").count() > 0
    today = AuditEntry.objects.order_by("-seq").first().at.astimezone().date().isoformat()
    assert auditor.get(url, {"date_from": today, "date_to": today}).context["page"].paginator.count > 0
    assert (
        auditor.get(url, {"date_from": "2001-01-01", "date_to": "2001-01-02"}).context["page"].paginator.count
        == 0
    )


def test_it_reports_bad_filters_as_field_errors_not_errors(world, auditor):
    url = reverse("accounts:audit_list")
    bad_date = auditor.get(url, {"date_from": "2025-13-45"})
    assert bad_date.status_code == 200
    assert "请输入有效的日期（年-月-日）。" in bad_date.content.decode()
    reversed_range = auditor.get(url, {"date_from": "2025-05-02", "date_to": "2025-05-01"})
    assert "结束日期不能早于开始日期。" in reversed_range.content.decode()
    bad_event = auditor.get(url, {"event": "NOT_AN_EVENT"})
    assert bad_event.status_code == 200 and "请选择列表中的选项。" in bad_event.content.decode()


def test_it_sorts_by_whitelisted_columns_only(world, auditor):
    url = reverse("accounts:audit_list")
    ascending = [e.seq for e, _ in auditor.get(url, {"sort": "seq"}).context["rows"]]
    assert ascending == sorted(ascending) and ascending[0] == 1
    ignored = [e.seq for e, _ in auditor.get(url, {"sort": "mac"}).context["rows"]]
    assert ignored == sorted(ignored, reverse=True)


def test_it_exports_exactly_the_filtered_rows(world, auditor):
    response = auditor.get(
        reverse("accounts:audit_list"), {"event": events.USER_LOGIN_FAILED, "export": "xlsx"}
    )
    assert response.status_code == 200
    sheet = load_workbook(io.BytesIO(response.content)).active
    rows = list(sheet.iter_rows(values_only=True))
    assert rows[0][0] == "序号"
    assert len(rows) == 2
    assert rows[1][4] == core_events.label(events.USER_LOGIN_FAILED)
    assert audit_rows(core_events.EXPORT_DOWNLOADED, actor=world.shenji)


def test_it_shows_one_audit_row_in_detail(world, auditor):
    entry = audit_rows(events.USER_LOGIN_FAILED)[0]
    response = auditor.get(reverse("accounts:audit_detail", args=[entry.pk]))
    body = response.content.decode()
    assert response.status_code == 200
    assert entry.mac in body and "登录失败" in body and "qiye1" in body


def test_it_verifies_the_chain_from_the_screen_and_names_a_tampered_row(world, auditor):
    intact = auditor.post(reverse("accounts:audit_verify"))
    assert 'data-testid="chain-intact"' in intact.content.decode()

    target = AuditEntry.objects.order_by("seq")[2]
    with connection.cursor() as cur:
        if connection.vendor == "postgresql":
            cur.execute("SET session_replication_role = replica")
        cur.execute("UPDATE core_auditentry SET object_repr = %s WHERE seq = %s", ["篡改", target.seq])
        if connection.vendor == "postgresql":
            cur.execute("SET session_replication_role = origin")
    broken = auditor.post(reverse("accounts:audit_verify")).content.decode()
    assert 'data-testid="chain-broken"' in broken
    assert f"第 {target.seq} 条记录被篡改" in broken
    rows = audit_rows(events.AUDIT_CHAIN_VERIFIED, actor=world.shenji)
    assert [r.outcome for r in rows] == ["success", "failure"]
    assert rows[1].data["first_broken_seq"] == target.seq


def test_it_keeps_verification_from_other_roles(world, client):
    client.force_login(world.xitong)
    assert client.post(reverse("accounts:audit_verify")).status_code == 403
    assert client.get(reverse("accounts:audit_detail", args=[1])).status_code == 403
