"""Test helpers of the whistleblower channel: a tip as received, without going through the portal."""

from __future__ import annotations

import secrets
from typing import Any

from django.utils import timezone

from .choices import Category, TipStatus
from .models import Tip, TipIdentity

SENTINEL_NAME = "哨兵甲乙丙"  # a planted identity that must never leak outside the vault (R13)
SENTINEL_PHONE = "13912340000"
SENTINEL_ID = "430671199001011234"


def make_tip(*, identity: bool = False, **fields: Any) -> Tip:
    """A tip in status 待受理 (or as `fields` say), with a random receipt locator; `identity=True` plants the
    sentinel identity in its vault row."""
    n = Tip.objects.unrestricted("test factory").count() + 1
    values: dict[str, Any] = {
        # The real form (JB2026-000123, intake.py), numbered from 900001 so no test meets a code the intake gave.
        "code": f"JB{timezone.localdate().year}-{900000 + n:06d}",
        "category": Category.HAZARD,
        "original_text": "仓库里堆放了大量液化气瓶，消防通道被堵。",
        "received_at": timezone.now(),
        "receipt_index": secrets.token_hex(16),
        "receipt_hash": "!",
        "real_name": identity,
    }
    values.update(fields)
    if values.get("status", TipStatus.RECEIVED) not in (TipStatus.RECEIVED, TipStatus.REJECTED):
        values.setdefault("accepted_on", timezone.localdate())  # past 受理, as the loop would have it
    tip = Tip.objects.create(**values)
    if identity:
        TipIdentity.objects.create(
            tip=tip,
            name=SENTINEL_NAME,
            phone=SENTINEL_PHONE,
            id_number=SENTINEL_ID,
            employer="某某化工",
            works_there="是",
        )
    return tip
