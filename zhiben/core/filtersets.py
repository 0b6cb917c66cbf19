"""Base FilterSet: one per model, shared by the UI list and the API, with a free-text `q`.

Every number filter is bounded (core/bounds.py): an id or a year is a whole number within the column's range,
so `?enterprise=99999999999999999999999` or `?enterprise=1.5` is a field error (API 400, an error on the page's
filter form), never a 500 and never silently read as 1. Text filters are capped at the text limit.
"""

from __future__ import annotations

from typing import Any

import django_filters
from django import forms
from django.db import models
from django.db.models import Q, QuerySet
from django.utils.translation import gettext_lazy as _
from django_filters.utils import get_model_field

from .bounds import INT_MAX, INT_MIN, MESSAGES, TEXT_MAX_LENGTH, column_range


def bound_filter(f: django_filters.Filter, model: type[models.Model] | None) -> None:
    """Number filters become whole numbers in the column's range; text filters get a maximum length."""
    if isinstance(f, django_filters.NumberFilter):
        model_field = get_model_field(model, f.field_name) if model is not None and not f.method else None
        if isinstance(model_field, models.DecimalField | models.FloatField):
            f.extra.setdefault("max_value", 10**12)
            f.extra.setdefault("min_value", -(10**12))
            return
        low, high = (
            column_range(model_field)
            if isinstance(model_field, models.IntegerField | models.ForeignKey)
            else (INT_MIN, INT_MAX)
        )
        if f.field_name.endswith(
            "__year"
        ):  # a date's year: outside 1–9999 the lookup cannot build its bounds
            low, high = 1, 9999
        f.field_class = forms.IntegerField
        f.extra["min_value"] = max(f.extra.get("min_value", low), low)
        f.extra["max_value"] = min(f.extra.get("max_value", high), high)
        f.extra.setdefault(
            "error_messages",
            {
                "invalid": _("请输入整数。"),
                "max_value": MESSAGES["max_value"],
                "min_value": MESSAGES["min_value"],
            },
        )
    elif isinstance(f, django_filters.CharFilter):
        f.extra.setdefault("max_length", TEXT_MAX_LENGTH)


class BaseFilterSet(django_filters.FilterSet):
    """Subclasses set `search_fields`; `q` matches any of them (icontains)."""

    search_fields: tuple[str, ...] = ()

    q = django_filters.CharFilter(label=_("搜索"), method="search")

    @classmethod
    def get_filters(cls) -> dict[str, Any]:
        filters = super().get_filters()
        model = cls._meta.model
        for f in filters.values():
            bound_filter(f, model)
        return filters

    def search(self, queryset: QuerySet[Any], name: str, value: str) -> QuerySet[Any]:
        value = (value or "").strip()
        if not value or not self.search_fields:
            return queryset
        q = Q()
        for f in self.search_fields:
            q |= Q(**{f"{f}__icontains": value})
        return queryset.filter(q)
