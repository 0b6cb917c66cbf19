"""Base FilterSet: one per model, shared by the UI list and the API, with a free-text `q`."""

from __future__ import annotations

from typing import Any

import django_filters
from django.db.models import Q, QuerySet
from django.utils.translation import gettext_lazy as _


class BaseFilterSet(django_filters.FilterSet):
    """Subclasses set `search_fields`; `q` matches any of them (icontains)."""

    search_fields: tuple[str, ...] = ()

    q = django_filters.CharFilter(label=_("搜索"), method="search")

    def search(self, queryset: QuerySet[Any], name: str, value: str) -> QuerySet[Any]:
        value = (value or "").strip()
        if not value or not self.search_fields:
            return queryset
        q = Q()
        for f in self.search_fields:
            q |= Q(**{f"{f}__icontains": value})
        return queryset.filter(q)
