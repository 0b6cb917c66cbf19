"""Sequential numbers without gaps: `next_value("屈安办函/2025")` → 1, 2, 3 … inside the caller's transaction.

The row is locked (SELECT … FOR UPDATE on PostgreSQL; SQLite's writer lock serialises anyway), so two
transactions never draw the same number, and a rolled-back transaction gives its number back.
"""

from __future__ import annotations

from django.db import IntegrityError, transaction
from django.db.models import F

from .models.sequence import Sequence


def next_value(key: str) -> int:
    with transaction.atomic():
        updated = Sequence.objects.filter(key=key).update(last=F("last") + 1)
        if not updated:
            try:
                with transaction.atomic():
                    Sequence.objects.create(key=key, last=1)
                return 1
            except IntegrityError:  # created by a concurrent transaction in between
                Sequence.objects.filter(key=key).update(last=F("last") + 1)
        return Sequence.objects.filter(key=key).values_list("last", flat=True).get()


def current_value(key: str) -> int:
    return Sequence.objects.filter(key=key).values_list("last", flat=True).first() or 0
