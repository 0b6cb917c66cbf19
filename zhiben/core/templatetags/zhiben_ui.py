"""Template helpers of the UI shell: navigation state, sortable headers, query strings and Bootstrap fields.

Everything here returns escaped markup through templates or format_html; nothing marks user data safe.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django import forms, template
from django.http import HttpRequest, QueryDict
from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe

from zhiben.core.formats import local_time

register = template.Library()


@register.filter
def when(value: Any) -> str:
    """A time as a person reads it: Beijing time, '2026-12-06 14:56' (zhiben.core.formats)."""
    return local_time(value)


@register.filter
def document_name(code: str) -> str:
    """A document template's name for its code (函告, 约谈通知书 …): codes stay in data and the API."""
    from zhiben.core.models import DocumentTemplate  # the tag library loads before the app registry is ready

    name = DocumentTemplate.objects.filter(code=code).values_list("name", flat=True).first()
    return name or "—"


# Widgets that Bootstrap styles as a select rather than a text box.
_SELECTS = (forms.Select, forms.SelectMultiple, forms.NullBooleanSelect)
_CHECKS = (forms.CheckboxInput,)


@register.simple_tag(takes_context=True)
def nav_active(context: template.Context, url: str, exact: bool = False) -> str:
    """ "active" when the current page is `url` (or below it, unless `exact`)."""
    request: HttpRequest | None = context.get("request")
    if request is None or not url:
        return ""
    path = request.path
    if exact:
        return "active" if path == url else ""
    current = context.get("nav_current")
    if current:  # a navigation item: only the most specific one lights up
        return "active" if url == current else ""
    return "active" if path.startswith(url) else ""


def _params(request: HttpRequest | None, **changes: Any) -> str:
    params = request.GET.copy() if request is not None else None
    if params is None:
        params = QueryDict(mutable=True)
    params.pop("export", None)  # an export link is built on purpose, never inherited
    for key, value in changes.items():
        if value is None:
            params.pop(key, None)
        else:
            params[key] = str(value)
    encoded = params.urlencode()
    return f"?{encoded}" if encoded else "?"


@register.simple_tag(takes_context=True)
def query_with(context: template.Context, **changes: Any) -> str:
    """The current query string with some keys changed (None removes a key); always starts with "?"."""
    return _params(context.get("request"), **changes)


@register.inclusion_tag("core/includes/sort_header.html", takes_context=True)
def sort_header(context: template.Context, column: Any) -> dict[str, Any]:
    """A column header; sortable columns link to the opposite direction and show the current one."""
    sort = context.get("sort", "")
    key = getattr(column, "sort", None)
    state = None
    if key:
        if sort == key:
            state = "asc"
        elif sort == f"-{key}":
            state = "desc"
    from zhiben.core.pagination import PAGE_KEYS  # DRF's settings load with it: only when drawn

    url = (
        _params(
            context.get("request"),
            sort=(f"-{key}" if state == "asc" else key),
            **dict.fromkeys(PAGE_KEYS),  # a new order starts at its first page
        )
        if key
        else ""
    )
    return {"column": column, "state": state, "url": url}


def _css_for(widget: forms.Widget, size: str = "") -> str:
    suffix = f" form-select-{size}" if size and isinstance(widget, _SELECTS) else ""
    if isinstance(widget, _CHECKS):
        return "form-check-input"
    if isinstance(widget, _SELECTS):
        return "form-select" + suffix
    return "form-control" + (f" form-control-{size}" if size else "")


@register.simple_tag
def widget(field: forms.BoundField, size: str = "", **attrs: Any) -> str:
    """Render a bound field's widget with Bootstrap classes, `is-invalid` on errors and extra attributes."""
    css = _css_for(field.field.widget, size)
    existing = field.field.widget.attrs.get("class", "")
    if field.errors:
        css += " is-invalid"
    merged = {"class": f"{existing} {css}".strip(), **{k.replace("_", "-"): v for k, v in attrs.items()}}
    return field.as_widget(attrs=merged)


@register.inclusion_tag("core/includes/form_field.html")
def form_field(field: forms.BoundField, col: str = "col-md-6") -> dict[str, Any]:
    """One form field in a Bootstrap grid column: label, widget, help text and field errors."""
    return {
        "field": field,
        "col": col,
        "is_check": isinstance(field.field.widget, _CHECKS),
    }


_DASH = mark_safe('<span class="text-body-tertiary">—</span>')
_YES = mark_safe(
    '<span class="badge text-bg-danger-subtle text-danger-emphasis border border-danger-subtle">是</span>'
)
_NO = mark_safe('<span class="text-body-secondary">否</span>')


def _cell(value: Any, link: str | None) -> str:
    # Every interpolated value goes through escape(); the fixed markup is ours.
    if link is not None:
        return (
            f'<a href="{escape(link)}" class="fw-medium">{escape("—" if value in ("", None) else value)}</a>'
        )
    if getattr(value, "color", None):
        return f'<span class="badge text-bg-{escape(value.color)}">{escape(value)}</span>'
    if isinstance(value, bool):
        return _YES if value else _NO
    if value == "" or value is None:
        return _DASH
    if isinstance(value, dt.date):
        return escape(local_time(value))  # str() of an aware datetime is UTC with microseconds
    return escape(value)


@register.simple_tag
def table_cells(obj: Any, values: list[Any], columns: list[Any]) -> SafeString:
    """The <td> cells of one list row, built in Python: a list page renders hundreds of cells, and one tag
    per row instead of a template loop per cell keeps a page within a few times its SQL cost."""
    first_link = next((i for i, c in enumerate(columns) if getattr(c, "link", False)), None)
    cells = (_cell(v, obj.get_absolute_url() if i == first_link else None) for i, v in enumerate(values))
    return mark_safe("".join(f"<td>{c}</td>" for c in cells))  # noqa: S308 - each cell is escaped in _cell


@register.simple_tag(takes_context=True)
def page_links(context: template.Context, page: Any) -> Any:
    """The page's previous, next and numbered links (core.pagination.page_links: by key deep in a long list)."""
    from zhiben.core.pagination import page_links as links  # DRF's settings load with it: only when drawn

    request = context.get("request")
    return links(page, request.GET if request is not None else QueryDict())
