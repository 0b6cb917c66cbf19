"""举报办理情况公开 (/tips/outcomes/): the anonymised outcomes of the channel, for everyone, no login.

Per month and category: tips received, concluded (办结) and founded; the anonymised summaries (`public_summary`,
written by the custodian) of closed tips that have one — with month and category only, never a code, a unit, a
place or a name; and the rewards paid (count and total). The page sets no cookie, is never cached
(`Cache-Control: no-store`), sends no referrer (the portal's `public` wrapper and base), loads nothing from
another origin and carries no staff navigation.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from django.db.models import Count, Sum
from django.db.models.functions import TruncMonth
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import timezone
from django.views.decorators.http import require_safe

from ..choices import Category, Outcome, RewardStatus, TipStatus
from ..indicators import FOUNDED_Q
from ..models import Reward, Tip
from .public import public

MONTHS = 12
SUMMARIES = 30


@dataclass
class MonthRow:
    month: dt.date
    cells: dict[str, list[int]] = field(default_factory=dict)  # category → [received, concluded, founded]

    @property
    def label(self) -> str:
        return f"{self.month.year}年{self.month.month}月"

    def values(self) -> list[list[int]]:
        return [self.cells.get(c, [0, 0, 0]) for c in Category.values]

    @property
    def total(self) -> list[int]:
        return [sum(v[i] for v in self.values()) for i in range(3)]


def _first_month(today: dt.date) -> dt.date:
    month = today.month - (MONTHS - 1)
    year = today.year + (month - 1) // 12
    return dt.date(year, (month - 1) % 12 + 1, 1)


def _month(value: Any) -> dt.date:
    if isinstance(value, dt.datetime):
        value = timezone.localtime(value).date() if timezone.is_aware(value) else value.date()
    return dt.date(value.year, value.month, 1)


def outcome_figures(today: dt.date) -> dict[str, Any]:
    """Everything the public page shows, from aggregates over every tip (no record is listed but summaries)."""
    start = _first_month(today)
    tz = timezone.get_default_timezone()
    since = dt.datetime.combine(start, dt.time.min, tzinfo=tz)
    tips = Tip.objects.unrestricted("public outcomes: anonymised aggregates").exclude(status=TipStatus.MERGED)
    rows: dict[dt.date, MonthRow] = {}
    m = start
    while m <= today:
        rows[m] = MonthRow(m)
        m = dt.date(m.year + (m.month == 12), m.month % 12 + 1, 1)
    received = (
        tips.filter(received_at__gte=since)
        .annotate(m=TruncMonth("received_at", tzinfo=tz))
        .values("m", "category")
        .annotate(n=Count("pk"))
        .order_by()
    )
    for r in received:
        row = rows.get(_month(r["m"]))
        if row is not None:
            row.cells.setdefault(r["category"], [0, 0, 0])[0] += r["n"]
    concluded = (
        tips.filter(concluded_on__gte=start)
        .exclude(outcome="")
        .annotate(m=TruncMonth("concluded_on"))
        .values("m", "category")
        .annotate(n=Count("pk"), founded=Count("pk", filter=FOUNDED_Q))
        .order_by()
    )
    for r in concluded:
        row = rows.get(_month(r["m"]))
        if row is not None:
            cell = row.cells.setdefault(r["category"], [0, 0, 0])
            cell[1] += r["n"]
            cell[2] += r["founded"]
    months = sorted(rows.values(), key=lambda x: x.month, reverse=True)
    totals = [
        [sum(row.values()[i][k] for row in months) for k in range(3)] for i in range(len(Category.values))
    ]
    summaries = [
        {
            "month": f"{d.year}年{d.month}月" if d else "",
            "category": Category(c).label,
            "outcome": Outcome(o).label if o else "",
            "summary": s,
        }
        for d, c, o, s in tips.filter(status=TipStatus.CLOSED)
        .exclude(public_summary="")
        .order_by("-concluded_on", "-pk")
        .values_list("concluded_on", "category", "outcome", "public_summary")[:SUMMARIES]
    ]
    paid = (
        Reward.objects.unrestricted("public outcomes: rewards paid, count and total")
        .filter(status=RewardStatus.PAID, paid_on__gte=start)
        .aggregate(n=Count("pk"), total=Sum("amount"))
    )
    return {
        "start": start,
        "today": today,
        "categories": [str(label) for _v, label in Category.choices],
        "months": months,
        "category_totals": list(zip([str(lbl) for _v, lbl in Category.choices], totals, strict=True)),
        "grand_total": [sum(t[k] for t in totals) for k in range(3)],
        "summaries": summaries,
        "rewards_paid": paid["n"] or 0,
        "rewards_total": f"{(paid['total'] or Decimal('0')):,.2f}",
    }


@public  # the portal's privacy headers: no-store, no-referrer, noindex; no CSRF cookie
@require_safe
def outcomes_page(request: HttpRequest) -> HttpResponse:
    today = timezone.localdate()
    return render(request, "tips/outcomes/page.html", {"title": "举报办理情况公开", **outcome_figures(today)})
