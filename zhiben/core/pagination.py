"""Pagination: the pages' `IdsFirstPaginator` and the API's `Pagination` (its own module: DRF imports it while
importing viewsets)."""

from typing import Any

from django.core.paginator import Page, Paginator
from django.db.models import QuerySet
from rest_framework import pagination


class IdsFirstPaginator(Paginator):
    """A list page in two steps: the page's ids from the filtered, scoped, sorted query alone (a narrow scan
    that reads the sort key and the filters' columns, never the joined rows of the pages before), then those
    ids' rows with everything the page shows. At page 50 000 of a ledger, OFFSET over the full four-table join
    reads and throws away 2.5 million joined rows; over the ids it reads index entries.

    The second query is the same queryset (its scope, filters, `select_related` and `only`) limited to the ids,
    so a row is shown only if it is still in scope; the rows come back in the ids' order."""

    def page(self, number: Any) -> Page:
        number = self.validate_number(number)
        bottom = (number - 1) * self.per_page
        top = bottom + self.per_page
        if top + self.orphans >= self.count:
            top = self.count
        qs: QuerySet[Any] = self.object_list  # type: ignore[assignment]  # a queryset, as the views pass
        ids = list(qs.values_list("pk", flat=True)[bottom:top])
        rows = {obj.pk: obj for obj in qs.filter(pk__in=ids).order_by()} if ids else {}
        return Page([rows[pk] for pk in ids if pk in rows], number, self)


class Pagination(pagination.PageNumberPagination):
    """`?page=N` from 1 (a page past the end is a 404, as documented); `?page_size=` up to 500."""

    page_size = 50
    page_size_query_param = "page_size"
    max_page_size = 500

    def get_schema_operation_parameters(self, view: Any) -> list[dict[str, Any]]:
        parameters = super().get_schema_operation_parameters(view)
        for parameter in parameters:
            if parameter["name"] == self.page_query_param:
                parameter["schema"]["minimum"] = 1
            elif parameter["name"] == self.page_size_query_param:
                parameter["schema"].update(minimum=1, maximum=self.max_page_size)
        return parameters
