"""Transactional outbox: `queue_message()` inside the business transaction, `deliver_pending()` in the worker.

Delivery is at-least-once with backoff; the in-app inbox de-duplicates by message id (R33).
"""

from __future__ import annotations

import logging
from collections.abc import Iterable
from datetime import timedelta
from typing import Any

from django.conf import settings
from django.core.mail import send_mail
from django.db import IntegrityError, models, transaction
from django.utils import timezone
from django.utils.module_loading import import_string

from . import audit, events
from .jobs import crontab, enqueue_on_commit, job, periodic_job
from .models.outbox import Channel, InboxNotification, OutboxMessage

log = logging.getLogger(__name__)
MAX_ATTEMPTS = 8


def queue_message(
    *,
    channel: str,
    subject: str,
    body: str = "",
    recipient: Any = None,
    address: str = "",
    url: str = "",
    topic: str = "",
    obj: models.Model | None = None,
) -> OutboxMessage:
    """Write one outbound message; it is sent only if the surrounding transaction commits."""
    if channel == Channel.INAPP and recipient is None:
        raise ValueError("an in-app message needs a recipient user")
    if channel != Channel.INAPP and not address:
        address = _address_of(recipient, channel)
    msg = OutboxMessage.objects.create(
        channel=channel,
        recipient=recipient,
        address=address,
        subject=subject[:200],
        body=body,
        url=url,
        topic=topic,
        object_type=obj._meta.label_lower if obj is not None else "",
        object_id=str(obj.pk) if obj is not None else "",
        available_at=timezone.now(),
    )
    enqueue_on_commit(deliver_outbox)
    return msg


def notify_users(
    users: Iterable[Any],
    *,
    subject: str,
    body: str = "",
    url: str = "",
    topic: str = "",
    obj: models.Model | None = None,
    sms: bool = False,
) -> list[OutboxMessage]:
    """In-app message to each user, plus an SMS to those with a phone when `sms` is set."""
    out = []
    for user in {u.pk: u for u in users if u is not None}.values():
        out.append(
            queue_message(
                channel=Channel.INAPP,
                recipient=user,
                subject=subject,
                body=body,
                url=url,
                topic=topic,
                obj=obj,
            )
        )
        if sms and _address_of(user, Channel.SMS):
            out.append(
                queue_message(
                    channel=Channel.SMS, recipient=user, subject=subject, body=body, topic=topic, obj=obj
                )
            )
    return out


def _address_of(user: Any, channel: str) -> str:
    if user is None:
        return ""
    if channel == Channel.SMS:
        return getattr(user, "phone", "") or ""
    if channel == Channel.EMAIL:
        return getattr(user, "email", "") or ""
    return ""


class ConsoleSmsBackend:
    """Prints SMS instead of sending; the default until a gateway adapter is configured."""

    def send(self, phone: str, text: str) -> None:
        log.info("SMS to %s: %s", phone[:3] + "****" + phone[-4:] if len(phone) > 7 else "***", text)


def _sms_backend() -> Any:
    return import_string(settings.SMS_BACKEND)()


def deliver(msg: OutboxMessage) -> None:
    if msg.channel == Channel.INAPP:
        try:
            with transaction.atomic():
                InboxNotification.objects.create(
                    user_id=msg.recipient_id,  # type: ignore[misc]  # in-app messages always have a recipient
                    message_id=msg.id,
                    subject=msg.subject,
                    body=msg.body,
                    url=msg.url,
                )
        except IntegrityError:
            pass  # delivered before: the receiver de-duplicates by message id
    elif msg.channel == Channel.SMS:
        _sms_backend().send(msg.address, f"【治本】{msg.subject} {msg.body}"[:300])
    elif msg.channel == Channel.EMAIL:
        send_mail(msg.subject, msg.body, None, [msg.address])


def deliver_pending(limit: int = 500, now: Any = None) -> dict[str, int]:
    """Send what is due; failures back off exponentially and are retried up to MAX_ATTEMPTS."""
    now = now or timezone.now()
    sent = failed = 0
    pending = OutboxMessage.objects.filter(
        sent_at__isnull=True, available_at__lte=now, attempts__lt=MAX_ATTEMPTS
    )
    for msg in pending.order_by("available_at")[:limit]:
        try:
            deliver(msg)
        except Exception as exc:
            failed += 1
            attempts = msg.attempts + 1
            OutboxMessage.objects.filter(pk=msg.pk).update(
                attempts=attempts,
                last_error=str(exc)[:2000],
                available_at=now + timedelta(seconds=30 * 2**attempts),
            )
            continue
        OutboxMessage.objects.filter(pk=msg.pk).update(sent_at=now, attempts=msg.attempts + 1)
        sent += 1
    return {"sent": sent, "failed": failed}


@job
def deliver_outbox() -> dict[str, int]:
    """Deliver queued notifications now (enqueued after each commit that queued one)."""
    return deliver_pending()


@periodic_job(crontab(minute="*"))
def deliver_outbox_periodically() -> dict[str, int]:
    """Safety net: retries and anything whose after-commit enqueue was lost."""
    return deliver_pending()


@transaction.atomic
def mark_notifications_read(user: Any, *, actor: Any, ids: Iterable[int | str] | None = None) -> int:
    """Mark the user's unread 站内信 as read: the given ids, or all of them when `ids` is None."""
    unread = InboxNotification.objects.filter(user=user, read_at__isnull=True)
    if ids is not None:
        unread = unread.filter(pk__in=list(ids))
    marked = sorted(unread.values_list("pk", flat=True))
    if not marked:
        return 0
    InboxNotification.objects.filter(pk__in=marked).update(read_at=timezone.now())
    audit.record(
        None,
        events.NOTIFICATION_READ,
        actor=actor,
        object_type="core.inboxnotification",
        data={"ids": marked[:100], "count": len(marked)},
    )
    return len(marked)
