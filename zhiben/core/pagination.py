"""Pagination: the pages' `IdsFirstPaginator` and the API's `Pagination` (its own module: DRF imports it while
importing viewsets)."""

from typing import Any

from django.core import signing
from django.core.exceptions import FieldDoesNotExist
from django.core.paginator import Page, Paginator
from django.db.models import Q, QuerySet
from rest_framework import pagination
from rest_framework.exceptions import ValidationError
from rest_framework.response import Response
from rest_framework.utils.urls import replace_query_param


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
    """`?page=N` from 1 (a page past the end is a 404, as documented); `?page_size=` up to 500.

    Keyset ("next page") mode for clients that walk a whole collection: `?cursor=` (empty) starts it, and each
    answer's `next` carries an opaque, signed cursor holding the last row's sort values; the next page is the
    rows after those values in the list's own order, found through the index with no OFFSET, so page 50 000
    costs what page 1 does and rows added meanwhile are neither skipped nor repeated. `count` and `previous`
    are null in this mode. A list sorted by a nullable column walks by id instead."""

    page_size = 50
    page_size_query_param = "page_size"
    max_page_size = 500
    cursor_query_param = "cursor"
    _keyset: bool = False

    def paginate_queryset(self, queryset: Any, request: Any, view: Any = None) -> Any:
        self._keyset = self.cursor_query_param in request.query_params
        if not self._keyset:
            return super().paginate_queryset(queryset, request, view)
        self.request = request
        size = self.get_page_size(request) or self.page_size
        token = request.query_params.get(self.cursor_query_param) or ""
        if not isinstance(queryset, QuerySet):  # a list built in memory (the indicator registry): by position
            values = read_cursor(token) if token else [0]
            start = values[0] if len(values) == 1 else None
            if not isinstance(start, int) or start < 0:
                raise ValidationError({"cursor": [BAD_CURSOR]})
            rows = list(queryset[start : start + size + 1])
            self._next_values = [start + size] if len(rows) > size else None
            return rows[:size]
        order = keyset_order(queryset)
        qs = queryset.order_by(*(f"-{name}" if desc else name for name, desc in order))
        if token:
            qs = qs.filter(after(order, read_cursor(token)))
        rows = list(qs[: size + 1])
        self._next_values = (
            [_plain(getattr(rows[size - 1], n)) for n, _ in order] if len(rows) > size else None
        )
        return rows[:size]

    def get_paginated_response(self, data: Any) -> Any:
        if not self._keyset:
            return super().get_paginated_response(data)
        return Response({"count": None, "next": self._cursor_link(), "previous": None, "results": data})

    def _cursor_link(self) -> str | None:
        if self._next_values is None:
            return None
        token = signing.dumps(self._next_values, salt=CURSOR_SALT, compress=True)
        assert self.request is not None  # set by paginate_queryset
        return replace_query_param(self.request.build_absolute_uri(), self.cursor_query_param, token)

    def get_paginated_response_schema(self, schema: dict[str, Any]) -> dict[str, Any]:
        body = super().get_paginated_response_schema(schema)
        body["properties"]["count"].update(nullable=True, description="总条数；游标翻页时为 null")
        return body

    def get_schema_operation_parameters(self, view: Any) -> list[dict[str, Any]]:
        parameters = super().get_schema_operation_parameters(view)
        for parameter in parameters:
            if parameter["name"] == self.page_query_param:
                parameter["schema"]["minimum"] = 1
            elif parameter["name"] == self.page_size_query_param:
                parameter["schema"].update(minimum=1, maximum=self.max_page_size)
        parameters.append(
            {
                "name": self.cursor_query_param,
                "required": False,
                "in": "query",
                "description": "游标翻页：留空开始，之后使用上一页 next 链接中的值（与 page 二选一）",
                "schema": {"type": "string", "maxLength": 2000},
            }
        )
        return parameters


CURSOR_SALT = "zhiben.api.cursor"
BAD_CURSOR = "翻页游标无效，请从第一页（cursor 留空）重新开始。"


def keyset_order(qs: QuerySet[Any]) -> list[tuple[str, bool]]:
    """The list's order as (field, descending) pairs ending in the id; by id alone when a sort column may be
    null or lies across a relation (the keyset comparison needs plain, non-null values)."""
    order: list[tuple[str, bool]] = []
    for item in qs.query.order_by or qs.model._meta.ordering or ():
        if not isinstance(item, str):
            return [("pk", True)]
        name = item.lstrip("-")
        name = "pk" if name in ("id", "pk") else name
        try:
            field = qs.model._meta.get_field(name) if name != "pk" else None
        except FieldDoesNotExist:
            return [("pk", True)]
        if field is not None and (field.null or field.is_relation):
            return [("pk", True)]
        order.append((name, item.startswith("-")))
        if name == "pk":
            return order
    return [*order, ("pk", True)] if order else [("pk", True)]


def after(order: list[tuple[str, bool]], values: list[Any]) -> Q:
    """Rows that come after `values` in `order`: (a > x) or (a = x and b > y) or …, each > a < when descending."""
    if len(values) != len(order):
        raise ValidationError({"cursor": [BAD_CURSOR]})
    q = Q()
    for i in reversed(range(len(order))):
        name, desc = order[i]
        beyond = Q(**{f"{name}__{'lt' if desc else 'gt'}": values[i]})
        q = beyond if i == len(order) - 1 else beyond | (Q(**{name: values[i]}) & q)
    return q


def read_cursor(token: str) -> list[Any]:
    try:
        values = signing.loads(token, salt=CURSOR_SALT)
    except (signing.BadSignature, ValueError, TypeError):
        raise ValidationError({"cursor": [BAD_CURSOR]}) from None
    if not isinstance(values, list):
        raise ValidationError({"cursor": [BAD_CURSOR]})
    return values


def _plain(value: Any) -> Any:
    """A sort value as JSON keeps it (dates, times and decimals as text; the lookup reads them back)."""
    return value if isinstance(value, int | str) else str(value)
