"""Pagination: the pages' `IdsFirstPaginator` and the API's `Pagination` (its own module: DRF imports it while
importing viewsets)."""

from dataclasses import dataclass
from typing import Any

from django.core import signing
from django.core.exceptions import FieldDoesNotExist
from django.core.paginator import Page, Paginator
from django.db.models import Q, QuerySet
from django.http import QueryDict
from rest_framework import pagination
from rest_framework.exceptions import ValidationError
from rest_framework.response import Response
from rest_framework.utils.urls import replace_query_param

# The query keys that choose a list's page: a link to another sort or filter drops them all.
PAGE_KEYS = ("page", "after", "before")


class IdsFirstPaginator(Paginator):
    """A list page in two steps: the page's ids from the filtered, scoped, sorted query alone (a narrow scan
    that reads the sort key and the filters' columns, never the joined rows of the pages before), then those
    ids' rows with everything the page shows. At page 50 000 of a ledger, OFFSET over the full four-table join
    reads and throws away 2.5 million joined rows; over the ids it reads index entries.

    A page nearer the end than the start is read backwards from the end (the reversed order, a small OFFSET):
    the last page costs what the first does, and no numbered page skips more than half the list.

    Past `deep_rows` rows from either end the pages' own links walk by key instead (`?after=` / `?before=`
    a signed cursor holding the neighbouring row's sort values and the page's number, `page_at`): the next
    page is the rows after that row in the list's order, found through the index with no OFFSET, so every
    page a person reaches by clicking costs what page 1 does. A page number typed into the address still works
    (by OFFSET from the nearer end).

    The second query is the same queryset (its scope, filters, `select_related` and `only`) limited to the ids,
    so a row is shown only if it is still in scope; the rows come back in the ids' order."""

    deep_rows = 10_000

    def page(self, number: Any) -> Page:
        number = self.validate_number(number)
        bottom = (number - 1) * self.per_page
        top = bottom + self.per_page
        if top + self.orphans >= self.count:
            top = self.count
        qs: QuerySet[Any] = self.object_list  # type: ignore[assignment]  # a queryset, as the views pass
        if bottom > self.count - top and _total_order(qs) is not None:
            # Nearer the end: the same rows, read backwards from the end of the list.
            ids = list(qs.reverse().values_list("pk", flat=True)[self.count - top : self.count - bottom])
            ids.reverse()
        else:
            ids = list(qs.values_list("pk", flat=True)[bottom:top])
        return Page(self._rows(qs, ids), number, self)

    def _rows(self, qs: QuerySet[Any], ids: list[Any]) -> list[Any]:
        rows = {obj.pk: obj for obj in qs.filter(pk__in=ids).order_by()} if ids else {}
        return [rows[pk] for pk in ids if pk in rows]

    def page_at(self, params: Any) -> Page:
        """The page a request's query asks for: `after` or `before` a cursor from one of the page's links
        (below), else `page` as `get_page` reads it. A cursor that is not valid for this list and sort (edited,
        or from before a change of sort) gives the first page, as a page number that is not one does."""
        for direction in ("after", "before"):
            token = params.get(direction)
            if token is None:
                continue
            order = _total_order(self.object_list)  # type: ignore[arg-type]
            cursor = _read_web_cursor(token, order)
            if order is None or cursor is None:
                return self.page(1)
            number, values = cursor
            return self._walk(order, values, number, forward=direction == "after")
        return self.get_page(params.get("page"))

    def _walk(self, order: list[tuple[str, bool]], values: list[Any], number: int, *, forward: bool) -> Page:
        qs: QuerySet[Any] = self.object_list  # type: ignore[assignment]
        if not forward:  # the rows before the cursor, nearest first, then put back in the list's order
            order = [(name, not desc) for name, desc in order]
            qs = qs.reverse()
        ids = list(qs.filter(after(order, values)).values_list("pk", flat=True)[: self.per_page + 1])
        more = len(ids) > self.per_page
        ids = ids[: self.per_page]
        if not ids:  # nothing left on that side any more (rows closed or moved meanwhile)
            return self.page(self.num_pages if forward else 1)
        if not forward:
            ids.reverse()
        number = max(1, min(number + (1 if forward else -1), self.num_pages))
        page = KeysetPage(self._rows(qs, ids), number, self)
        # The cursor's page number is the page's place when its link was made; rows added or removed since
        # may shift it, so whether there is a neighbouring page is read from the rows themselves.
        page.next_exists = more if forward else True
        page.previous_exists = True if forward else more
        return page

    def is_deep(self, number: int) -> bool:
        """Whether page `number` lies more than `deep_rows` rows from both ends (reached by key, not number)."""
        bottom = (number - 1) * self.per_page
        return min(bottom, self.count - bottom - self.per_page) > self.deep_rows

    def cursor(self, page: Page, *, forward: bool) -> str | None:
        """The `after` (forward) or `before` value of a link leaving `page`: its last or first row's sort
        values and its number, signed. None when the list's order is not one a key can walk."""
        order = _total_order(self.object_list)  # type: ignore[arg-type]
        rows = page.object_list
        if order is None or not rows:
            return None
        row = rows[-1] if forward else rows[0]
        values = [_plain(getattr(row, name)) for name, _desc in order]
        return signing.dumps([page.number, _order_key(order), values], salt=WEB_CURSOR_SALT, compress=True)


@dataclass(frozen=True)
class PageLinks:
    """A page's navigation: the previous and next links and the numbered ones ("…" for gaps, None for the
    current page). Each link is one the list answers cheaply: by number near either end, by key elsewhere."""

    previous: str | None
    next: str | None
    numbers: list[tuple[Any, str | None]]


def page_links(page: Page, params: QueryDict) -> PageLinks:
    """The links of `page`, built on the request's query (`params`) with its paging keys replaced."""
    paginator = page.paginator
    deep = paginator.is_deep if isinstance(paginator, IdsFirstPaginator) else (lambda n: False)

    def link(**changes: Any) -> str:
        query = params.copy()
        for key in (*PAGE_KEYS, "export"):
            query.pop(key, None)
        for key, value in changes.items():
            query[key] = str(value)
        return "?" + query.urlencode()

    def neighbour(number: int, forward: bool) -> str:
        # A page reached by key carries the number its link was made with; rows added since may leave rows
        # before "page 1" or after the last: those are then the first or last page.
        number = max(1, min(number, paginator.num_pages))
        if deep(number) and isinstance(paginator, IdsFirstPaginator):
            token = paginator.cursor(page, forward=forward)
            if token is not None:
                return link(**{"after" if forward else "before": token})
        return link(page=number)

    numbers: list[tuple[Any, str | None]] = []
    for n in paginator.get_elided_page_range(page.number, on_each_side=2, on_ends=1):
        if n == page.number:
            numbers.append((n, None))
        elif not isinstance(n, int) or deep(n):  # "…", or a number only OFFSET reaches
            if not numbers or numbers[-1][0] != paginator.ELLIPSIS:
                numbers.append((paginator.ELLIPSIS, None))
        else:
            numbers.append((n, link(page=n)))
    return PageLinks(
        previous=neighbour(page.number - 1, False) if page.has_previous() else None,
        next=neighbour(page.number + 1, True) if page.has_next() else None,
        numbers=numbers,
    )


class KeysetPage(Page):
    """A page reached by key: whether it has neighbours is known from the rows read, not from its number."""

    next_exists = False
    previous_exists = False

    def has_next(self) -> bool:
        return self.next_exists

    def has_previous(self) -> bool:
        return self.previous_exists

    def next_page_number(self) -> int:
        return min(self.number + 1, self.paginator.num_pages)

    def previous_page_number(self) -> int:
        return max(self.number - 1, 1)


WEB_CURSOR_SALT = "zhiben.pages.cursor"


def _total_order(qs: QuerySet[Any]) -> list[tuple[str, bool]] | None:
    """The queryset's order as (field, descending) pairs when it is a total order a key can walk: plain,
    non-null local columns ending in the id (the list views always add the id). None otherwise."""
    if not isinstance(qs, QuerySet) or not qs.query.order_by:
        return None
    order: list[tuple[str, bool]] = []
    for item in qs.query.order_by:
        if not isinstance(item, str):
            return None
        name = item.lstrip("-")
        if name in ("id", "pk"):
            order.append(("pk", item.startswith("-")))
            return order
        try:
            field = qs.model._meta.get_field(name)
        except FieldDoesNotExist:
            return None
        if field.null or field.is_relation or not getattr(field, "concrete", False):
            return None
        order.append((name, item.startswith("-")))
    return None  # no id at the end: rows with equal sort values have no fixed order to walk


def _order_key(order: list[tuple[str, bool]]) -> str:
    return ",".join(f"-{name}" if desc else name for name, desc in order)


def _read_web_cursor(token: str, order: list[tuple[str, bool]] | None) -> tuple[int, list[Any]] | None:
    try:
        number, key, values = signing.loads(token, salt=WEB_CURSOR_SALT)
    except (signing.BadSignature, ValueError, TypeError):
        return None
    if order is None or key != _order_key(order) or not isinstance(number, int) or len(values) != len(order):
        return None
    return number, values


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
    """Rows that come after `values` in `order`: (a > x) or (a = x and b > y) or …, each > a < when descending.

    The leading `a >= x` (`<=` descending) says the same once more as a plain range, so that an index on the
    order starts its scan at the cursor instead of reading the rows before it and discarding them."""
    if len(values) != len(order):
        raise ValidationError({"cursor": [BAD_CURSOR]})
    q = Q()
    for i in reversed(range(len(order))):
        name, desc = order[i]
        beyond = Q(**{f"{name}__{'lt' if desc else 'gt'}": values[i]})
        q = beyond if i == len(order) - 1 else beyond | (Q(**{name: values[i]}) & q)
    if len(order) > 1:
        name, desc = order[0]
        q = Q(**{f"{name}__{'lte' if desc else 'gte'}": values[0]}) & q
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
