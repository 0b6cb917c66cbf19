"""Transactional outbox: `queue_message()` inside the business transaction, `deliver_pending()` in the worker.

Delivery is at-least-once with backoff; the in-app inbox de-duplicates by message id (R33). Any number of
workers may deliver at once: each claims a few messages with a lease before sending them (`SELECT … FOR UPDATE
SKIP LOCKED` on PostgreSQL, a conditional UPDATE on SQLite), so a message is sent at most once per attempt; a
message whose worker died is taken again when its lease lapses.

A run over many items (a daily job) wraps itself in `collect_digests()`: the in-app messages of the declared
kinds are written as usual, each in its item's transaction, but held; when the run ends, a person told of
`DigestKind.minimum` or more items of one kind gets one digest listing them, with a link to the filtered list,
and the held messages are folded into it; the others are released as they are. A run that dies before its
end leaves its held messages to be delivered one by one when the hold expires (still at least once).
"""

from __future__ import annotations

import logging
import uuid
from collections import defaultdict
from collections.abc import Callable, Iterable, Iterator, Mapping
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass, field
from datetime import timedelta
from typing import Any

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.mail import send_mail
from django.db import IntegrityError, models, transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.module_loading import import_string
from django.utils.translation import gettext as _

from . import audit, events
from .jobs import crontab, enqueue_on_commit, job, periodic_job
from .models.outbox import Channel, InboxNotification, OutboxMessage

log = logging.getLogger(__name__)
MAX_ATTEMPTS = 8
DIGEST_MINIMUM = 3  # this many items of one kind to one person in one run make a digest
DIGEST_LINES = 30  # a digest lists this many items and counts the rest
DIGEST_HOLD = timedelta(hours=1)  # held messages of a run that never ended are sent one by one after this
CLAIM_BATCH = 20  # a worker claims this many messages at a time
LEASE = timedelta(
    minutes=5
)  # a claim lapses after this (its worker died or hung); well above a batch's sending


@dataclass(frozen=True)
class DigestKind:
    """How a digest of one topic reads: `subject` takes %(n)s (the number of items), `url` is the filtered list
    (the reader's own scope applies there)."""

    subject: str
    url: str = ""
    minimum: int = DIGEST_MINIMUM


@dataclass
class _Run:
    kinds: Mapping[str, DigestKind]
    key: str = field(default_factory=lambda: uuid.uuid4().hex)
    lines: dict[uuid.UUID, str] = field(default_factory=dict)


_RUN: ContextVar[_Run | None] = ContextVar("outbox_digest_run", default=None)


def queue_message(**message: Any) -> OutboxMessage:
    """Write one outbound message (the keywords of `_message`); it is sent only if the surrounding transaction
    commits.

    Inside `collect_digests()`, an in-app message of a collected topic is held for the run's digest; `line`
    is how the digest lists it (default: the subject)."""
    return _queue([_message(**message)])[0]


def _message(
    *,
    channel: str,
    subject: str,
    body: str = "",
    recipient: Any = None,
    address: str = "",
    url: str = "",
    topic: str = "",
    obj: models.Model | None = None,
    line: str = "",
) -> tuple[OutboxMessage, str | None]:
    """An unsaved message and how its digest lists it (None: not held for a digest, delivered after commit)."""
    if channel == Channel.INAPP and recipient is None:
        raise ValueError("an in-app message needs a recipient user")
    if channel != Channel.INAPP and not address:
        address = _address_of(recipient, channel)
    run = _RUN.get()
    held = run is not None and channel == Channel.INAPP and topic in run.kinds
    now = timezone.now()
    msg = OutboxMessage(
        channel=channel,
        **({"recipient_id": recipient} if isinstance(recipient, int) else {"recipient": recipient}),
        address=address,
        subject=subject[:200],
        body=body,
        url=url,
        topic=topic,
        object_type=obj._meta.label_lower if obj is not None else "",
        object_id=str(obj.pk) if obj is not None else "",
        available_at=now + DIGEST_HOLD if held else now,
        batch=run.key if held and run is not None else "",
    )
    return msg, (line or subject) if held else None


def _queue(messages: list[tuple[OutboxMessage, str | None]]) -> list[OutboxMessage]:
    """Insert the messages in one statement; held ones wait for their run's digest, the rest are delivered
    after commit."""
    if not messages:
        return []
    out = [msg for msg, _line in messages]
    if len(out) == 1:
        out[0].save(force_insert=True)
    else:
        OutboxMessage.objects.bulk_create(out)
    run = _RUN.get()
    for msg, line in messages:
        if line is not None and run is not None:
            run.lines[msg.id] = line
    if any(line is None for _msg, line in messages):
        enqueue_on_commit(deliver_outbox)
    return out


@contextmanager
def collect_digests(kinds: Mapping[str, DigestKind]) -> Iterator[None]:
    """Within the block (one run of a job), many in-app messages of one of `kinds`' topics to one person become
    one digest: see the module's docstring."""
    run = _Run(kinds=kinds)
    token = _RUN.set(run)
    try:
        yield
    finally:
        _RUN.reset(token)
        _fold(run)


def _fold(run: _Run) -> None:
    """End of a run: fold each person's many held messages of one kind into a digest; release the rest."""
    now = timezone.now()
    with transaction.atomic():
        # A run longer than the hold: a worker may be sending some of its messages one by one; leave those.
        held = list(
            OutboxMessage.objects.filter(batch=run.key, sent_at__isnull=True, digest__isnull=True)
            .filter(Q(lease_until__isnull=True) | Q(lease_until__lte=now))
            .select_for_update(skip_locked=True)
            .order_by("created_at", "pk")
        )
        if not held:
            return
        groups: dict[tuple[Any, str], list[OutboxMessage]] = defaultdict(list)
        for msg in held:
            groups[(msg.recipient_id, msg.topic)].append(msg)
        release: list[Any] = []
        for (recipient_id, topic), msgs in groups.items():
            kind = run.kinds[topic]
            if len(msgs) < kind.minimum:
                release += [m.pk for m in msgs]
                continue
            lines = [run.lines.get(m.id, m.subject) for m in msgs]
            body = "\n".join(f"{i}. {line}" for i, line in enumerate(lines[:DIGEST_LINES], start=1))
            if len(lines) > DIGEST_LINES:
                body += "\n" + _("……另有 %(n)s 项，请在列表中查看。") % {"n": len(lines) - DIGEST_LINES}
            digest = OutboxMessage.objects.create(
                channel=Channel.INAPP,
                recipient_id=recipient_id,
                subject=(kind.subject % {"n": len(msgs)})[:200],
                body=body,
                url=kind.url,
                topic=topic,
                available_at=now,
            )
            OutboxMessage.objects.filter(pk__in=[m.pk for m in msgs]).update(digest=digest, sent_at=now)
        if release:
            OutboxMessage.objects.filter(pk__in=release).update(available_at=now)
        enqueue_on_commit(deliver_outbox)


def notify_users(
    users: Iterable[Any],
    *,
    subject: str,
    body: str = "",
    url: str = "",
    topic: str = "",
    obj: models.Model | None = None,
    sms: bool = False,
    line: str = "",
) -> list[OutboxMessage]:
    """In-app message to each user, plus an SMS to those with a phone when `sms` is set (`line`: how a
    digest lists the item, see collect_digests). `users` may hold user ids instead of users (an in-app
    message needs no more); for an SMS their rows are read."""
    pending: list[tuple[OutboxMessage, str | None]] = []
    texted: set[str] = set()  # two accounts of one person (one phone) get one SMS
    by_pk = {(u if isinstance(u, int) else u.pk): u for u in users if u is not None}
    if sms and any(isinstance(u, int) for u in by_pk.values()):
        by_pk.update(get_user_model().objects.in_bulk([pk for pk, u in by_pk.items() if isinstance(u, int)]))
    for user in by_pk.values():
        pending.append(
            _message(
                channel=Channel.INAPP,
                recipient=user,
                subject=subject,
                body=body,
                url=url,
                topic=topic,
                obj=obj,
                line=line,
            )
        )
        phone = _address_of(user, Channel.SMS) if sms else ""
        if phone and phone not in texted:
            texted.add(phone)
            pending.append(
                _message(
                    channel=Channel.SMS, recipient=user, subject=subject, body=body, topic=topic, obj=obj
                )
            )
    return _queue(pending)


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
                    created_at=msg.created_at,  # the time of the event, not of the delivery
                )
        except IntegrityError:
            pass  # delivered before: the receiver de-duplicates by message id
    elif msg.channel == Channel.SMS:
        _sms_backend().send(msg.address, f"【治本】{msg.subject} {msg.body}"[:300])
    elif msg.channel == Channel.EMAIL:
        send_mail(msg.subject, msg.body, None, [msg.address])


def _due(now: Any) -> models.QuerySet[OutboxMessage]:
    """Messages a worker may take now: unsent, due, attempts left, and nobody's live claim on them."""
    return OutboxMessage.objects.filter(
        Q(lease_until__isnull=True) | Q(lease_until__lte=now),
        sent_at__isnull=True,
        available_at__lte=now,
        attempts__lt=MAX_ATTEMPTS,
    )


def _claim(token: str, now: Any, limit: int) -> list[OutboxMessage]:
    """Take up to `limit` due messages for the worker `token` until `now + LEASE`; each claim is one attempt.

    PostgreSQL: `SELECT … FOR UPDATE SKIP LOCKED`, so two workers take disjoint messages without waiting on
    each other. SQLite has no row locks (select_for_update is a no-op there): its write transactions are
    serialised (BEGIN IMMEDIATE), and the UPDATE repeats the conditions, so a message another worker claimed
    in between is not taken again. Either way a message is in at most one live claim."""
    with transaction.atomic():
        ids = list(
            _due(now)
            .select_for_update(skip_locked=True)
            .order_by("available_at", "pk")
            .values_list("pk", flat=True)[:limit]
        )
        if not ids:
            return []
        _due(now).filter(pk__in=ids).update(
            claimed_by=token, lease_until=now + LEASE, attempts=models.F("attempts") + 1
        )
        return list(OutboxMessage.objects.filter(pk__in=ids, claimed_by=token).order_by("available_at", "pk"))


def _still_mine(msg: OutboxMessage, token: str, now: Any) -> bool:
    """Just before sending: the claim is still this worker's and has not lapsed (a worker paused past its lease
    must not send what another has taken over), and nobody marked the message sent or folded it meanwhile."""
    return OutboxMessage.objects.filter(
        pk=msg.pk, claimed_by=token, lease_until__gt=now, sent_at__isnull=True
    ).exists()


def _deliver_claimed(claimed: list[OutboxMessage], token: str, clock: Callable[[], Any]) -> dict[str, int]:
    """Send each claimed message at most once, then record the outcome and release the claim."""
    sent = failed = 0
    for msg in claimed:
        if not _still_mine(msg, token, clock()):
            log.warning("outbox: claim on %s lapsed before sending; left to the worker that took it", msg.pk)
            continue
        mine = OutboxMessage.objects.filter(pk=msg.pk, claimed_by=token)
        try:
            deliver(msg)
        except Exception as exc:
            failed += 1
            mine.update(
                claimed_by="",
                lease_until=None,
                last_error=str(exc)[:2000],
                available_at=clock() + timedelta(seconds=30 * 2**msg.attempts),
            )
            continue
        mine.update(sent_at=clock(), claimed_by="", lease_until=None)
        sent += 1
    return {"sent": sent, "failed": failed}


def deliver_pending(limit: int = 500, now: Any = None) -> dict[str, int]:
    """Send what is due: claim a few messages at a time (see `_claim`), send each at most once per claim;
    failures back off exponentially and are retried up to MAX_ATTEMPTS. Any number of workers may run this
    at once; a message whose worker died is taken again when its lease lapses (delivery stays at least once)."""
    clock: Callable[[], Any] = (lambda: now) if now is not None else timezone.now
    token = uuid.uuid4().hex
    totals = {"sent": 0, "failed": 0}
    taken = 0
    while taken < limit:
        claimed = _claim(token, clock(), min(CLAIM_BATCH, limit - taken))
        if not claimed:
            break
        taken += len(claimed)
        for key, n in _deliver_claimed(claimed, token, clock).items():
            totals[key] += n
    return totals


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
