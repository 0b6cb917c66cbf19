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


def test_two_accounts_with_one_phone_get_one_sms(world):
    world.yingtian.phone = world.qiye1.phone
    world.yingtian.save(update_fields=["phone"])
    messages = notify_users([world.yingtian, world.qiye1], subject="通知", sms=True)
    assert sorted(m.channel for m in messages) == ["inapp", "inapp", "sms"]


def test_a_run_folds_many_messages_of_one_kind_to_one_person_into_one_digest(world):
    """Issue 10 #13: a job telling one official of 40 items sends one digest, not 40 messages; a person told
    of fewer than the minimum gets them one by one, and other topics are not held."""
    from zhiben.core.outbox import DigestKind, collect_digests

    kinds = {"duty_missed": DigestKind(subject="应查未查：%(n)s 家单位", url="/inspections/duties/missed/")}
    with collect_digests(kinds):
        for i in range(40):
            with transaction.atomic():  # each item in its own transaction, as the jobs do
                notify_users([world.heshi], subject=f"应查未查 {i}", topic="duty_missed", line=f"单位{i}")
        notify_users([world.yingtian], subject="应查未查 甲", topic="duty_missed")
        notify_users([world.heshi], subject="别的事", topic="other")
        # Held while the run goes on: nothing of the collected kind reached an inbox yet.
        assert not InboxNotification.objects.filter(subject__startswith="应查未查").exists()
    deliver_pending()

    heshi = InboxNotification.objects.filter(user=world.heshi)
    assert sorted(heshi.values_list("subject", flat=True)) == sorted(["应查未查：40 家单位", "别的事"])
    digest = heshi.get(subject="应查未查：40 家单位")
    assert digest.url == "/inspections/duties/missed/"
    assert digest.body.startswith("1. 单位0\n2. 单位1\n") and "另有 10 项" in digest.body
    assert OutboxMessage.objects.filter(digest__isnull=False).count() == 40
    assert list(InboxNotification.objects.filter(user=world.yingtian).values_list("subject", flat=True)) == [
        "应查未查 甲"
    ]


def test_the_inbox_shows_the_time_the_message_was_written_not_delivered(world):
    written = timezone.now() - dt.timedelta(days=20)
    msg = queue_message(channel=Channel.INAPP, recipient=world.heshi, subject="旧事")
    OutboxMessage.objects.filter(pk=msg.pk).update(created_at=written)
    msg.refresh_from_db()
    deliver(msg)
    assert InboxNotification.objects.get(message_id=msg.id).created_at == written
