"""Transactional outbox: nothing leaves before commit, delivery is at-least-once, receivers de-duplicate."""

from __future__ import annotations

import datetime as dt
from unittest import mock

import pytest
from django.db import transaction
from django.utils import timezone

from zhiben.core.models import InboxNotification, OutboxMessage
from zhiben.core.models.outbox import Channel
from zhiben.core.outbox import MAX_ATTEMPTS, deliver, deliver_pending, notify_users, queue_message

pytestmark = pytest.mark.django_db


def test_it_writes_nothing_when_the_business_transaction_rolls_back(world):
    class Boom(Exception):
        pass

    with pytest.raises(Boom), transaction.atomic():
        queue_message(channel=Channel.INAPP, recipient=world.yingtian, subject="整改通知")
        raise Boom
    assert not OutboxMessage.objects.exists()


def test_it_delivers_after_commit(world, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        msg = queue_message(
            channel=Channel.INAPP, recipient=world.yingtian, subject="整改通知", body="请于3个工作日内整改"
        )
    msg.refresh_from_db()
    assert msg.sent_at is not None
    note = InboxNotification.objects.get(message_id=msg.id)
    assert (note.user, note.subject) == (world.yingtian, "整改通知")


def test_it_deduplicates_a_redelivered_message(world):
    msg = queue_message(channel=Channel.INAPP, recipient=world.qiye1, subject="提醒")
    deliver(msg)
    deliver(msg)
    assert InboxNotification.objects.filter(message_id=msg.id).count() == 1


def test_it_backs_off_and_retries_a_failing_gateway(world):
    msg = queue_message(channel=Channel.SMS, recipient=world.qiye1, subject="短信")
    assert msg.address  # the persona has a phone
    now = timezone.now()
    with mock.patch("zhiben.core.outbox.ConsoleSmsBackend.send", side_effect=OSError("gateway down")):
        assert deliver_pending(now=now) == {"sent": 0, "failed": 1}
    msg.refresh_from_db()
    assert (msg.attempts, msg.sent_at) == (1, None)
    assert msg.available_at > now
    assert "gateway down" in msg.last_error
    assert deliver_pending(now=now)["sent"] == 0  # not due yet
    assert deliver_pending(now=now + dt.timedelta(hours=1)) == {"sent": 1, "failed": 0}
    msg.refresh_from_db()
    assert msg.sent_at is not None


def test_it_gives_up_after_the_maximum_attempts(world):
    msg = queue_message(channel=Channel.SMS, recipient=world.qiye1, subject="短信")
    OutboxMessage.objects.filter(pk=msg.pk).update(attempts=MAX_ATTEMPTS)
    assert deliver_pending(now=timezone.now() + dt.timedelta(days=1)) == {"sent": 0, "failed": 0}


def test_it_notifies_each_user_once_with_optional_sms(world):
    messages = notify_users([world.yingtian, world.yingtian, world.qiye1], subject="通知", sms=True)
    assert sorted((m.channel, m.recipient.username) for m in messages) == [
        ("inapp", "qiye1"),
        ("inapp", "yingtian"),
        ("sms", "qiye1"),
        ("sms", "yingtian"),
    ]
