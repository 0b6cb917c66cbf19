"""待办 workbench (工作台): what is due, overdue or waiting for *this* user, across every module.

Each app registers a provider from its AppConfig.ready() (`<app>/workbench.py`: `register()`), as apps register
their sections of the unit's file (registry/enterprise_file.py); core knows no domain nouns. A provider is
`(user, today) -> list[Card]` and reads only through `restrict(user)`: a few COUNT aggregates on indexed
filters, never a Python loop over a queryset. It returns no card for a module the user has no part in.

A card holds figures (`Item`: label, count, the link to the list that shows exactly those records, tone) and
its `due`: the number of distinct records that wait for the user's own act (one COUNT with the OR of the
items' filters, so an overdue record that is also 待销号 counts once). Figures the user watches without acting
(a township's hazards waiting for the department's 判定, a leader's figures) are items outside `due`.
The navigation's badge is the sum of the cards' `due` (`due_count`, cached briefly per user). Concrete rows
(up to five) are built only when a page shows them (`Card.rows` is lazy), so the badge never pays for them.

The page (`page_cards`) counts every module's records (50–80 queries, the platform's most read page): it keeps
what it counted for the user for `settings.ZHIBEN_WORKBENCH_TTL` seconds (30; 0 counts on every visit), says when
it counted, and counts afresh at once after the user changed anything (`forget`, called by
`WorkbenchFreshnessMiddleware` after every successful write of theirs), so one's own act never lingers on it.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from functools import cached_property
from typing import Any
from urllib.parse import urlencode

from django.conf import settings
from django.core.cache import cache
from django.db.models import Q
from django.utils import timezone, translation

from .scoping import grants_for

OVERDUE = "overdue"  # red: past its deadline
SOON = "soon"  # amber: due soon, or a decision waiting
WAITING = "waiting"  # neutral: in hand, nothing late yet
TONES = (OVERDUE, SOON, WAITING)
MAX_ROWS = 5
BADGE_TTL = 60  # seconds the navigation's count may lag behind (the page: settings.ZHIBEN_WORKBENCH_TTL)


@dataclass(frozen=True)
class Item:
    """One figure of a card: `count` records, shown by `url` (a list filtered to exactly those records)."""

    label: str
    count: int
    url: str
    tone: str = WAITING
    hint: str = ""  # a few words under the label (关注: watched, not the user's own act)
    key: str = ""  # a stable name for pages and tests (data-item="<card>.<key>")

    @property
    def late(self) -> bool:
        return self.tone == OVERDUE and self.count > 0


@dataclass(frozen=True)
class Row:
    """A concrete record under a card: its title, a subtitle with names and a Beijing date, a badge."""

    title: str
    subtitle: str
    url: str
    badge: str = ""
    tone: str = WAITING


@dataclass
class Card:
    key: str  # the provider's key, unique per card (a data-testid on the page)
    label: str  # the module: 隐患排查治理, 监督检查 …
    icon: str  # a Bootstrap icon name
    items: list[Item] = field(default_factory=list)
    due: int = 0  # distinct records waiting for the user's own act
    more_url: str = ""  # the module's list
    more_label: str = ""
    build_rows: Callable[[], Sequence[Row]] | None = None  # called only when a page shows the rows
    order: int = 100

    @cached_property
    def rows(self) -> list[Row]:
        return list(self.build_rows()[:MAX_ROWS]) if self.build_rows else []

    @property
    def overdue(self) -> int:
        return sum(i.count for i in self.items if i.tone == OVERDUE)

    @property
    def shown_items(self) -> list[Item]:
        """The figures worth a glance: those with records, or all of them when none has any."""
        return [i for i in self.items if i.count]

    @property
    def empty(self) -> bool:
        return not any(i.count for i in self.items)


Provider = Callable[[Any, dt.date], list[Card]]


@dataclass(frozen=True)
class _Registered:
    key: str
    order: int
    provider: Provider


_PROVIDERS: dict[str, _Registered] = {}


def register(key: str, provider: Provider, *, order: int) -> None:
    """Add (or replace, on a reload) the provider `key`; its cards keep `order` among equals."""
    _PROVIDERS[key] = _Registered(key, order, provider)


def roles_of(user: Any) -> set[str]:
    """The user's roles (grants are computed once per request: no query)."""
    return {str(g.role) for g in grants_for(user)}


def link(url: str, **params: Any) -> str:
    """A list URL with its filters, in a fixed order (the page shows exactly what the figure counted)."""
    query = urlencode([(k, v) for k, v in params.items() if v is not None])
    return f"{url}?{query}" if query else url


def any_of(filters: Iterable[Q]) -> Q | None:
    """The OR of the filters (None for none): the records a card's `due` counts once each."""
    combined: Q | None = None
    for q in filters:
        combined = q if combined is None else combined | q
    return combined


def providers() -> list[str]:
    return [p.key for p in sorted(_PROVIDERS.values(), key=lambda p: p.order)]


def collect(user: Any, today: dt.date | None = None) -> list[Card]:
    """Every card for the user: those with records first, those with overdue records before them."""
    if user is None or not user.is_authenticated:
        return []
    today = today or timezone.localdate()
    cards: list[Card] = []
    for registered in sorted(_PROVIDERS.values(), key=lambda p: p.order):
        for card in registered.provider(user, today):
            card.order = registered.order
            cards.append(card)
    return sorted(cards, key=lambda c: (c.empty, c.overdue == 0, c.due == 0, c.order))


def _page_key(user: Any) -> str:
    return f"workbench:page:{user.pk}"


def page_cards(user: Any) -> tuple[list[Card], dt.datetime]:
    """The cards the workbench page shows, their rows built, and when they were counted: kept per user for
    `ZHIBEN_WORKBENCH_TTL` seconds, for today and the user's language (see the module's docstring)."""
    ttl = settings.ZHIBEN_WORKBENCH_TTL
    today, language = timezone.localdate(), translation.get_language()
    kept = cache.get(_page_key(user)) if ttl else None
    if kept is not None and kept[:2] == (today, language):
        return kept[2], kept[3]
    cards, counted_at = collect(user, today), timezone.now()
    if ttl:
        for card in cards:
            if not card.empty:
                card.rows  # noqa: B018 - built now: what is kept holds the rows, not the queries behind them
            card.build_rows = None
        cache.set(_page_key(user), (today, language, cards, counted_at), ttl)
    return cards, counted_at


def forget(user: Any) -> None:
    """The user changed something: their workbench and badge count afresh at the next look."""
    cache.delete_many([_page_key(user), _cache_key(user)])


def total_due(cards: list[Card]) -> int:
    return sum(c.due for c in cards)


def _cache_key(user: Any) -> str:
    return f"workbench:due:{user.pk}"


def remember(user: Any, cards: list[Card]) -> int:
    """Store the total the workbench page just counted, so the badge agrees with the page at once."""
    total = total_due(cards)
    cache.set(_cache_key(user), total, BADGE_TTL)
    return total


def due_count(user: Any) -> int:
    """The navigation's badge: records waiting for the user, counted at most once a minute per user."""
    if user is None or not user.is_authenticated:
        return 0
    cached = cache.get(_cache_key(user))
    if cached is not None:
        return int(cached)
    return remember(user, collect(user))
