"""一会三卡 coverage of a unit, counted from its records:

* posts: active posts holding both a 体检卡 and an 应急处置卡 ÷ active posts;
* meetings: working days (core.calendar) from `start` to `end` with a 班前会 record ÷ working days.

A unit 落实一会三卡 in a window when it has posts, every post has both cards, and every working day of the window
has a 班前会 record (the 100 % the seed asks for).
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass

from django.db.models import Count, Q

from zhiben.core.calendar import WorkCalendar

from .models import Post, ShiftMeeting

REASON = "coverage: counted for units already chosen by the caller's scope"


@dataclass(frozen=True)
class Coverage:
    posts: int
    carded: int
    workdays: int
    meeting_days: int

    @property
    def complete(self) -> bool:
        return self.posts > 0 and self.carded == self.posts and self.meeting_days >= self.workdays

    @staticmethod
    def rate(a: int, b: int) -> str:
        return f"{a * 100 / b:.1f}%" if b else "—"

    @property
    def post_rate(self) -> str:
        return self.rate(self.carded, self.posts)

    @property
    def meeting_rate(self) -> str:
        return self.rate(self.meeting_days, self.workdays)


def workdays(start: dt.date, end: dt.date) -> list[dt.date]:
    """The working days from `start` to `end` inclusive (one calendar read for the window)."""
    if end < start:
        return []
    calendar = WorkCalendar(start, end)
    days = []
    day = start
    while day <= end:
        if calendar.is_workday(day):
            days.append(day)
        day += dt.timedelta(days=1)
    return days


def coverage_of(enterprise_ids: Iterable[int], start: dt.date, end: dt.date) -> dict[int, Coverage]:
    ids = list(enterprise_ids)
    days = workdays(start, end)
    posts = {
        r["enterprise_id"]: r
        for r in Post.objects.unrestricted(REASON)
        .filter(enterprise_id__in=ids, active=True)
        .values("enterprise_id")
        .annotate(
            n=Count("id", distinct=True),
            carded=Count(
                "id",
                distinct=True,
                filter=Q(cards__kind="check")
                & Q(pk__in=Post.objects.unrestricted(REASON).filter(cards__kind="emergency").values("pk")),
            ),
        )
    }
    met: dict[int, set[dt.date]] = defaultdict(set)
    for eid, day in (
        ShiftMeeting.objects.unrestricted(REASON)
        .filter(enterprise_id__in=ids, held_on__in=days)
        .values_list("enterprise_id", "held_on")
        .distinct()
    ):
        met[eid].add(day)
    return {
        eid: Coverage(
            posts=posts.get(eid, {}).get("n", 0),
            carded=posts.get(eid, {}).get("carded", 0),
            workdays=len(days),
            meeting_days=len(met.get(eid, ())),
        )
        for eid in ids
    }
