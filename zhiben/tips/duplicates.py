"""疑似重复 and the first rewardable report: queries over tips, below the steps and services (forms, pages,
services and rewards read them)."""

from __future__ import annotations

import datetime as dt
import re
import unicodedata
from typing import Any

from . import deadlines
from .choices import TipStatus
from .models import Tip


def _normal(text: str) -> str:
    """Text compared as meaning: full-width to half-width, no spaces or punctuation, lower case."""
    text = unicodedata.normalize("NFKC", text or "")
    return re.sub(r"[\s\W_]+", "", text).lower()


# --- duplicates and the first rewardable report ---------------------------------------------------------------


def unit_key(tip: Tip) -> str:
    """The unit a tip is about, normalised: the registered unit's name, else the name the reporter gave."""
    if tip.enterprise_id is not None:
        return _normal(tip.enterprise.name)  # type: ignore[union-attr]
    return _normal(tip.unit_name)


def find_duplicates(tip: Tip, user: Any = None) -> list[Tip]:
    """疑似重复: other tips about the same unit (the registered unit, or the same normalised name) and of the same
    category, received within the window (rule "duplicate_window") before or after this one; rejected tips
    aside. With `user`, only those the user may see."""
    key = unit_key(tip)
    if not key:
        return []
    window = dt.timedelta(days=deadlines.duplicate_window_days())
    qs = (
        Tip.objects.unrestricted("duplicate detection; filtered below by the reader's scope")
        .filter(category=tip.category)
        .filter(received_at__gte=tip.received_at - window, received_at__lte=tip.received_at + window)
        .exclude(pk=tip.pk)
        .exclude(status=TipStatus.REJECTED)
        .select_related("enterprise")
        .order_by("received_at", "pk")
    )
    if user is not None:
        qs = qs.filter(pk__in=Tip.objects.restrict(user, "view").values("pk"))
    out = []
    for other in qs:
        same_unit = tip.enterprise_id is not None and other.enterprise_id == tip.enterprise_id
        if same_unit or unit_key(other) == key:
            out.append(other)
    return out


def root_of(tip: Tip) -> Tip:
    """The tip a merged tip was (eventually) merged into."""
    seen = {tip.pk}
    while tip.merged_into_id is not None and tip.merged_into_id not in seen:
        seen.add(tip.merged_into_id)
        tip = tip.merged_into  # type: ignore[assignment]
    return tip


def group_of(tip: Tip) -> list[Tip]:
    """The tip, the one it was merged into, every tip merged into that, and their suspected duplicates."""
    root = root_of(tip)
    members: dict[int, Tip] = {root.pk: root}
    frontier = [root.pk]
    while frontier:
        merged = list(Tip.objects.unrestricted("the merged group").filter(merged_into_id__in=frontier))
        frontier = [t.pk for t in merged if t.pk not in members]
        members.update({t.pk: t for t in merged})
    for other in find_duplicates(root):
        members.setdefault(other.pk, other)
    members.setdefault(tip.pk, tip)
    return list(members.values())


def first_rewardable(tip: Tip) -> Tip | None:
    """The report a reward goes to (domain.md §6: several reporters of one matter — the first accepted real-name
    report is rewarded, once): among the tip, its merged group and its suspected duplicates, the earliest
    received real-name tip that was accepted (受理). None when none of them is."""
    candidates = [t for t in group_of(tip) if t.real_name and t.accepted_on is not None]
    candidates.sort(key=lambda t: (t.received_at, t.pk))
    return candidates[0] if candidates else None
