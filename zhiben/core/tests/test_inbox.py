"""站内信: the inbox page lists the user's own notifications; marking read goes through a service."""

from __future__ import annotations

import pytest
from django.db import transaction
from django.urls import reverse

from zhiben.core import events
from zhiben.core.models import AuditEntry
from zhiben.core.models.outbox import InboxNotification
from zhiben.core.outbox import deliver_pending, notify_users

pytestmark = pytest.mark.django_db


def _notify(user, subject, url=""):
    with transaction.atomic():
        notify_users([user], subject=subject, body="区安委办交办", url=url)
    deliver_pending()
    return InboxNotification.objects.get(user=user, subject=subject)


def test_it_lists_only_the_users_own_notifications(client, world):
    _notify(world.yingtian, "营田镇燃气专项检查")
    _notify(world.heshi, "河市镇危化品专项检查")
    client.force_login(world.yingtian)
    response = client.get(reverse("core:inbox"))
    html = response.content.decode()
    assert response.status_code == 200
    assert "营田镇燃气专项检查" in html and "河市镇危化品专项检查" not in html
    assert response.context["unread_notifications"] == 1


def test_it_marks_one_notification_read_and_audits_it(client, world):
    first = _notify(world.yingtian, "第一条")
    second = _notify(world.yingtian, "第二条")
    client.force_login(world.yingtian)
    response = client.post(reverse("core:inbox_read"), {"id": first.pk})
    assert response.status_code == 302
    first.refresh_from_db()
    second.refresh_from_db()
    assert first.read_at is not None and second.read_at is None
    entry = AuditEntry.objects.get(event=events.NOTIFICATION_READ)
    assert entry.actor == world.yingtian and entry.data["ids"] == [first.pk]


def test_it_cannot_mark_another_users_notification(client, world):
    theirs = _notify(world.heshi, "河市镇的通知")
    client.force_login(world.yingtian)
    client.post(reverse("core:inbox_read"), {"id": theirs.pk})
    theirs.refresh_from_db()
    assert theirs.read_at is None
    assert not AuditEntry.objects.filter(event=events.NOTIFICATION_READ).exists()


def test_it_marks_all_read_and_follows_only_local_links(client, world):
    note = _notify(world.yingtian, "请查看企业台账", url="/registry/enterprises/")
    _notify(world.yingtian, "另一条")
    client.force_login(world.yingtian)
    response = client.post(reverse("core:inbox_read"), {"id": note.pk, "next": note.url})
    assert response["Location"] == "/registry/enterprises/"
    response = client.post(reverse("core:inbox_read"), {"all": "1", "next": "https://evil.example/"})
    assert response["Location"] == reverse("core:inbox")
    assert not InboxNotification.objects.filter(user=world.yingtian, read_at__isnull=True).exists()


def test_it_refuses_get_on_mark_read(client, world):
    client.force_login(world.yingtian)
    assert client.get(reverse("core:inbox_read")).status_code == 405
