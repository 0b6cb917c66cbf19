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
