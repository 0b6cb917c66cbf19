"""Receipt codes (查询码, R14): what a reporter keeps to follow a tip, shown once and never stored.

A code is 25 decimal digits from the operating system's CSPRNG (`secrets`, ≈ 83 bits), written in five groups
of five so it can be read aloud over the 12350 line. The tip keeps only

* `receipt_index`: HMAC-SM3 of the digits under a key derived from the field-encryption keys, to find the
  row without trying every hash (a database dump alone cannot test guesses);
* `receipt_hash`: Django's `make_password` of the digits (Argon2 in production), checked after the index
  matched, so even a stolen key leaves each guess a slow hash.

`find_by_receipt` accepts the code with or without spaces or dashes; `public_view` is all a reporter is told.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import re
import secrets
from dataclasses import dataclass

from django.contrib.auth.hashers import check_password, make_password
from django.utils import timezone

from zhiben.core.crypto import field_keys, hmac_sm3

from ..choices import PublicStatus, TipStatus
from ..models import Tip, TipExtension

DIGITS = 25
GROUP = 5
_NOT_DIGITS = re.compile(r"[\s\-—_.·]+")
# Checked when no row matched, so a wrong code costs as much time as a right one.
_DUMMY_HASH: list[str] = []


def new_receipt() -> str:
    """A fresh code from the CSPRNG, grouped: '12345 67890 12345 67890 12345'."""
    digits = f"{secrets.randbelow(10**DIGITS):0{DIGITS}d}"
    return grouped(digits)


def grouped(digits: str) -> str:
    return " ".join(digits[i : i + GROUP] for i in range(0, len(digits), GROUP))


def normalise(code: str | None) -> str | None:
    """The 25 digits of a code as typed (spaces, dashes, full-width digits allowed), or None."""
    if not code or len(code) > 80:
        return None
    text = _NOT_DIGITS.sub("", code.translate(_FULL_WIDTH))
    if len(text) != DIGITS or not text.isascii() or not text.isdigit():
        return None
    return text


_FULL_WIDTH = str.maketrans("０１２３４５６７８９", "0123456789")


def _index_key() -> bytes:
    return hashlib.sha256(b"tips-receipt-index:" + field_keys()[min(field_keys())]).digest()


def receipt_index(digits: str) -> str:
    return hmac_sm3(_index_key(), digits.encode()).hex()


def receipt_fields(code: str) -> dict[str, str]:
    """The two stored columns for a code (index and slow hash)."""
    digits = normalise(code)
    if digits is None:
        raise ValueError("not a receipt code")
    return {"receipt_index": receipt_index(digits), "receipt_hash": make_password(digits)}


def find_by_receipt(code: str | None) -> Tip | None:
    """The tip a code belongs to, or None (a malformed, unknown or forged code)."""
    digits = normalise(code)
    if digits is None:
        return None
    tip = (
        Tip.objects.unrestricted("a reporter's receipt code locates their tip")
        .filter(receipt_index=receipt_index(digits))
        .first()
    )
    if tip is None:
        if not _DUMMY_HASH:
            _DUMMY_HASH.append(make_password(secrets.token_hex(8)))
        check_password(digits, _DUMMY_HASH[0])
        return None
    if not check_password(digits, tip.receipt_hash):
        return None
    return tip


def _followed(tip: Tip) -> Tip:
    """The tip a merged one was merged into (to the end of the chain)."""
    seen = {tip.pk}
    while tip.status == TipStatus.MERGED and tip.merged_into_id and tip.merged_into_id not in seen:
        seen.add(tip.merged_into_id)
        tip = Tip.objects.unrestricted("the tip a reporter's tip was merged into").get(pk=tip.merged_into_id)
    return tip


_PUBLIC = {
    TipStatus.RECEIVED: PublicStatus.RECEIVED,
    TipStatus.ACCEPTED: PublicStatus.ACCEPTED,
    TipStatus.VERIFYING: PublicStatus.ACCEPTED,
    TipStatus.CONCLUDED: PublicStatus.CONCLUDED,
    TipStatus.CLOSED: PublicStatus.CLOSED,
    TipStatus.REJECTED: PublicStatus.REJECTED,
    TipStatus.MERGED: PublicStatus.ACCEPTED,  # a chain that ends merged (should not happen): still in hand
}


@dataclass(frozen=True)
class PublicView:
    """Everything a reporter may learn from their code — and nothing else: no handler, department, unit's
    reply, conclusion or history."""

    code: str
    category: str
    status: str  # PublicStatus value
    status_label: str
    received_on: dt.date
    accepted_on: dt.date | None
    verify_deadline: dt.date | None
    feedback_on: dt.date | None
    public_feedback: str
    rejection_reason: str
    extension_reason: str
    merged: bool
    updated_at: dt.datetime

    @property
    def open(self) -> bool:
        return self.status not in (PublicStatus.CLOSED, PublicStatus.REJECTED)


def public_view(tip: Tip) -> PublicView:
    """What the reporter of `tip` is told; a merged tip answers with the tip it was merged into."""
    shown = _followed(tip)
    status = _PUBLIC[TipStatus(shown.status)]
    extension = (
        TipExtension.objects.unrestricted("the extension reason told to the reporter")
        .filter(tip=shown, approved=True)
        .order_by("-pk")
        .first()
    )
    return PublicView(
        code=tip.code,
        category=str(tip.get_category_display()),
        status=str(status.value),
        status_label=str(status.label),
        received_on=_local_date(tip.received_at),
        accepted_on=shown.accepted_on,
        verify_deadline=shown.verify_deadline if status == PublicStatus.ACCEPTED else None,
        feedback_on=shown.feedback_on,
        public_feedback=shown.public_feedback,
        rejection_reason=shown.rejection_reason if status == PublicStatus.REJECTED else "",
        extension_reason=extension.reason if (extension is not None and shown.extended) else "",
        merged=shown.pk != tip.pk,
        updated_at=shown.updated_at,
    )


def _local_date(value: dt.datetime) -> dt.date:
    return timezone.localtime(value).date()
