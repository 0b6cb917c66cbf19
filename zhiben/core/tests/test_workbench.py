"""The workbench registry (core/workbench.py): providers in order, cards with records first and overdue first,
rows built only when shown, and the navigation's count cached per user."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

import pytest
from django.core.cache import cache

from zhiben.core import workbench as wb


@dataclass
class Person:
    pk: int
    is_authenticated: bool = True


@pytest.fixture
def registry(monkeypatch: pytest.MonkeyPatch) -> Any:
    monkeypatch.setattr(wb, "_PROVIDERS", {})
    cache.clear()
    yield wb
    cache.clear()


def card(key: str, *counts: tuple[int, str], due: int = 0, rows: Any = None) -> wb.Card:
    items = [
        wb.Item(f"{key}{i}", n, f"/{key}/?i={i}", tone, key=str(i)) for i, (n, tone) in enumerate(counts)
    ]
    return wb.Card(key, key, "circle", items, due=due, build_rows=rows)


def test_it_puts_cards_with_records_first_and_overdue_before_them(registry: Any) -> None:
    registry.register("quiet", lambda u, d: [card("quiet", (0, wb.WAITING))], order=1)
    registry.register("waiting", lambda u, d: [card("waiting", (3, wb.WAITING), due=3)], order=2)
    registry.register("late", lambda u, d: [card("late", (1, wb.OVERDUE), (2, wb.SOON), due=3)], order=3)
    registry.register("watched", lambda u, d: [card("watched", (4, wb.WAITING))], order=4)
    cards = registry.collect(Person(1), dt.date(2026, 3, 2))
    assert [c.key for c in cards] == ["late", "waiting", "watched", "quiet"]
    assert [i.count for i in cards[0].shown_items] == [1, 2] and cards[-1].shown_items == []
    assert registry.total_due(cards) == 6  # a watched figure is not the user's own act
    assert registry.providers() == ["quiet", "waiting", "late", "watched"]


def test_it_builds_rows_only_when_a_page_reads_them_and_at_most_five(registry: Any) -> None:
    built: list[int] = []

    def rows() -> list[wb.Row]:
        built.append(1)
        return [wb.Row(f"隐患{i}", "单位 · 2026-03-02", f"/h/{i}/") for i in range(8)]

    registry.register("h", lambda u, d: [card("h", (8, wb.OVERDUE), due=8, rows=rows)], order=1)
    assert registry.due_count(Person(2)) == 8 and built == []
    (only,) = registry.collect(Person(2))
    assert len(only.rows) == wb.MAX_ROWS and len(only.rows) == 5 and built == [1]


def test_the_badge_is_cached_per_user_until_the_workbench_counts_again(registry: Any) -> None:
    due = {"n": 2}
    registry.register("x", lambda u, d: [card("x", (due["n"], wb.SOON), due=due["n"])], order=1)
    assert registry.due_count(Person(3)) == 2
    due["n"] = 5
    assert registry.due_count(Person(3)) == 2  # within the minute: the cached count
    assert registry.due_count(Person(4)) == 5  # another user counts its own
    assert registry.remember(Person(3), registry.collect(Person(3))) == 5  # the workbench page counts afresh
    assert registry.due_count(Person(3)) == 5


def test_it_counts_nothing_for_an_anonymous_visitor(registry: Any) -> None:
    registry.register("x", lambda u, d: pytest.fail("a provider ran for an anonymous visitor"), order=1)
    assert registry.collect(Person(0, is_authenticated=False)) == []
    assert registry.due_count(Person(0, is_authenticated=False)) == 0


def test_links_keep_their_filters_in_order_and_any_of_joins_filters() -> None:
    assert wb.link("/hazards/", status="reported", judge_overdue="false", level=None) == (
        "/hazards/?status=reported&judge_overdue=false"
    )
    assert wb.link("/hazards/") == "/hazards/"
    assert wb.any_of([]) is None
