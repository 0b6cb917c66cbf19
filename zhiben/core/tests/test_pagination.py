"""The pages' paginator: the page's ids first, then their rows — the same rows, in the same order, as OFFSET over
the full query, and never a row out of the reader's scope."""

from __future__ import annotations

from typing import Any

from django.core.paginator import Paginator
from django.db import connection
from django.test.utils import CaptureQueriesContext

from zhiben.core.pagination import IdsFirstPaginator
from zhiben.registry.models import Enterprise


def test_every_page_holds_the_rows_offset_would_in_the_same_order(world: Any) -> None:
    qs = (
        Enterprise.objects.restrict(world.anweiban)
        .select_related("region", "primary_industry")
        .order_by("region__code", "-pk")
    )
    plain, first = Paginator(qs, 3), IdsFirstPaginator(qs, 3)
    assert first.num_pages == plain.num_pages > 1
    for number in plain.page_range:
        expected = [e.pk for e in plain.page(number)]
        with CaptureQueriesContext(connection) as queries:
            page = first.page(number)
            rows = [(e.pk, e.region.code, e.primary_industry.name) for e in page]
        assert [pk for pk, _, _ in rows] == expected
        assert len(queries) == 2  # the ids, then their rows with what the page shows (the count is cached)
        ids_query, rows_query = (q["sql"] for q in queries.captured_queries)
        # The ids need neither the joined industry nor the unit's other columns; the rows query brings both.
        assert '"registry_industry"' not in ids_query and '"registry_industry"' in rows_query
        assert (
            '"registry_enterprise"."name"' not in ids_query and '"registry_enterprise"."name"' in rows_query
        )


def test_a_reader_sees_only_rows_in_scope_and_a_page_past_the_end_is_the_last(world: Any) -> None:
    township = Enterprise.objects.restrict(world.heshi).order_by("pk")
    pages = IdsFirstPaginator(township, 2)
    shown = [e.pk for n in pages.page_range for e in pages.page(n)]
    assert shown == list(township.values_list("pk", flat=True))
    assert set(shown) < set(Enterprise.objects.restrict(world.anweiban).values_list("pk", flat=True))
    assert [e.pk for e in pages.get_page(999)] == [e.pk for e in pages.page(pages.num_pages)]


def _ids_sql(queries: CaptureQueriesContext) -> str:
    return queries.captured_queries[0]["sql"]


def test_a_page_nearer_the_end_is_read_backwards_from_it_with_the_same_rows(world: Any) -> None:
    qs = Enterprise.objects.restrict(world.anweiban).order_by("name", "pk")
    plain, first = Paginator(qs, 2), IdsFirstPaginator(qs, 2)
    assert plain.num_pages >= 4
    first.count  # noqa: B018 - counted once, outside the captured queries
    for number in plain.page_range:
        with CaptureQueriesContext(connection) as queries:
            rows = [e.pk for e in first.page(number)]
        assert rows == [e.pk for e in plain.page(number)], number
        skipped = (number - 1) * 2
        if skipped > first.count - skipped - 2:  # the second half: a small OFFSET from the end, not the start
            assert f"OFFSET {skipped}" not in _ids_sql(queries)
    with CaptureQueriesContext(connection) as queries:
        first.page(first.num_pages)
    assert "OFFSET" not in _ids_sql(queries)  # the last page skips nothing


def _walk(pages: IdsFirstPaginator, page: Any, forward: bool) -> list[Any]:
    """Follow the next (or previous) links from `page` to the end, as a person clicking would."""
    from urllib.parse import parse_qs

    from django.http import QueryDict

    from zhiben.core.pagination import page_links

    seen = [page]
    while True:
        link = getattr(page_links(page, QueryDict("sort=name")), "next" if forward else "previous")
        if link is None:
            return seen
        query = QueryDict(link[1:])
        assert "sort" in query and ("page" in query or ("after" if forward else "before") in query)
        page = pages.page_at(query)
        seen.append(page)
        assert len(seen) < 100, parse_qs(link)


def test_deep_in_a_long_list_the_links_walk_by_key_through_the_same_pages(world: Any) -> None:
    qs = Enterprise.objects.restrict(world.anweiban).order_by("-name", "-pk")
    plain = Paginator(qs, 2)
    pages = IdsFirstPaginator(qs, 2)
    pages.deep_rows = 0  # every page but the two ends is deep: the links between them are cursors
    expected = [[e.pk for e in plain.page(n)] for n in plain.page_range]
    forward = _walk(pages, pages.page(1), True)
    assert [[e.pk for e in p] for p in forward] == expected
    assert [p.number for p in forward] == list(plain.page_range)
    backward = _walk(pages, pages.page(pages.num_pages), False)
    assert [[e.pk for e in p] for p in reversed(backward)] == expected
    assert [p.number for p in reversed(backward)] == list(plain.page_range)
    # A page reached by key is read through the index from the cursor: no OFFSET at all.
    from django.http import QueryDict

    from zhiben.core.pagination import page_links

    middle = pages.page(2)
    link = page_links(middle, QueryDict()).next
    assert link is not None and "after=" in link
    with CaptureQueriesContext(connection) as queries:
        third = pages.page_at(QueryDict(link[1:]))
    assert [e.pk for e in third] == expected[2] and "OFFSET" not in _ids_sql(queries)
    # The numbered links shown from a deep page are only the cheap ones: the two ends.
    numbers = [n for n, url in page_links(third, QueryDict()).numbers if url]
    assert numbers and all(not pages.is_deep(n) for n in numbers)


def test_a_cursor_that_is_not_this_lists_gives_the_first_page(world: Any) -> None:
    from django.http import QueryDict

    qs = Enterprise.objects.restrict(world.anweiban).order_by("-name", "-pk")
    pages = IdsFirstPaginator(qs, 2)
    token = pages.cursor(pages.page(2), forward=True)
    assert token is not None
    first = [e.pk for e in pages.page(1)]
    by_other_sort = IdsFirstPaginator(qs.order_by("name", "pk"), 2)
    for query, paginator in (
        (QueryDict(mutable=True), by_other_sort),
        (QueryDict(mutable=True), pages),
    ):
        query["after"] = token if paginator is by_other_sort else token[:-3] + "xyz"
        page = paginator.page_at(query)
        expected = first if paginator is pages else [e.pk for e in by_other_sort.page(1)]
        assert page.number == 1 and [e.pk for e in page] == expected


def test_a_ledger_page_deep_in_the_list_links_by_key_and_the_links_lead_on(
    world: Any, client: Any, monkeypatch: Any
) -> None:
    """The enterprise ledger as a person pages it: the 下一页 link of a deep page carries a cursor, following
    it shows the next rows, and sorting from there starts again at the first page."""
    import re

    from django.urls import reverse

    from zhiben.registry.views import EnterpriseListView

    monkeypatch.setattr(EnterpriseListView, "paginate_by", 2)
    monkeypatch.setattr(IdsFirstPaginator, "deep_rows", 0)
    client.force_login(world.anweiban)
    url = reverse("registry:enterprise_list")
    expected = list(
        Enterprise.objects.restrict(world.anweiban).order_by("name", "pk").values_list("pk", flat=True)
    )
    assert len(expected) >= 6
    shown: list[int] = []
    address, keyed = url, ""
    for _ in range(len(expected)):
        html = client.get(address).content.decode()
        shown += [int(pk) for pk in re.findall(r'href="/registry/enterprises/(\d+)/"', html)]
        found = re.search(r'href="([^"]+)"[^>]*aria-label="下一页"', html)
        if found is None:
            break
        address = url + found.group(1).replace("&amp;", "&")
        keyed = address if "after=" in address else keyed
    assert shown == expected
    assert keyed  # the steps between the ends were taken by key (the ends themselves by number)
    # A sort header from a page reached by key drops the cursor: it starts the new order from the top.
    html = client.get(keyed).content.decode()
    assert "after=" not in "".join(re.findall(r"<th[^>]*>.*?</th>", html, re.S))
    bad = client.get(url, {"after": "not-a-cursor"})
    assert bad.status_code == 200 and "第 1/" in bad.content.decode()


def test_rows_added_before_a_page_reached_by_key_lead_back_to_the_first_page(world: Any) -> None:
    """A page reached by key says "page 2" as its link did; if rows were added before it meanwhile, its
    previous link still leads to a first page, never past the end."""
    from django.http import QueryDict

    from zhiben.core.pagination import page_links

    qs = Enterprise.objects.restrict(world.anweiban).order_by("-name", "-pk")
    pages = IdsFirstPaginator(qs, 2)
    pages.deep_rows = 0
    second = pages.page_at(QueryDict(page_links(pages.page(1), QueryDict()).next[1:]))  # type: ignore[index]
    assert second.number == 2
    token = pages.cursor(second, forward=False)
    assert token is not None
    query = QueryDict(mutable=True)
    query["before"] = token
    first = pages.page_at(query)
    assert first.number == 1 and [e.pk for e in first] == [e.pk for e in pages.page(1)]
    first.previous_exists = True  # as if rows had been added before it since
    link = page_links(first, QueryDict()).previous
    assert link is not None and QueryDict(link[1:]).get("page") == "1"
