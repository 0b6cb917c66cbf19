"""FilterSets of the judgement-standard library, shared by the UI lists and the API."""

from __future__ import annotations

from typing import Any

import django_filters
from django.db.models import Q, QuerySet
from django.http import QueryDict
from django.utils.translation import gettext_lazy as _

from zhiben.core.filtersets import BaseFilterSet

from .models import Clause, Confidence, Standard, StandardVersion


def sector_choices() -> list[tuple[str, str]]:
    """The sectors of the library, in the library's order (a callable: read when the form is built)."""
    seen: dict[str, str] = {}
    for sector in Standard.objects.order_by("sort_order", "code").values_list("sector", flat=True):
        seen.setdefault(sector, sector)
    return list(seen.items())


def standard_by_key(value: Any) -> Standard | None:
    """A standard named by its code or its id (API clients use either)."""
    text = str(value or "").strip()
    if not text or "\x00" in text:
        return None
    found = Standard.objects.filter(code=text).first()
    if found is None and text.isdigit() and len(text) < 18:
        found = Standard.objects.filter(pk=int(text)).first()
    return found


def search_terms(queryset: QuerySet[Any], value: str, fields: tuple[str, ...]) -> QuerySet[Any]:
    """Every whitespace-separated term must match one of `fields` (icontains): "煤气 报警" narrows."""
    for term in (value or "").split()[:10]:
        q = Q()
        for f in fields:
            q |= Q(**{f"{f}__icontains": term})
        queryset = queryset.filter(q)
    return queryset


class TermsSearchMixin:
    search_fields: tuple[str, ...] = ()

    def search(self, queryset: QuerySet[Any], name: str, value: str) -> QuerySet[Any]:
        return search_terms(queryset, value, self.search_fields)


class StandardFilterSet(TermsSearchMixin, BaseFilterSet):
    search_fields = ("name", "sector", "code", "versions__doc_number", "versions__title")

    sector = django_filters.ChoiceFilter(label=_("行业领域"), choices=sector_choices)
    text_found = django_filters.BooleanFilter(label=_("已收录条款"))

    class Meta:
        model = Standard
        fields = ["q", "sector", "text_found"]

    def search(self, queryset: QuerySet[Any], name: str, value: str) -> QuerySet[Any]:
        # Matching through versions joins one row per version: select the matching standards first.
        matched = search_terms(Standard.objects.all(), value, self.search_fields).values("pk")
        return queryset.filter(pk__in=matched)


class StandardVersionFilterSet(TermsSearchMixin, BaseFilterSet):
    search_fields = ("title", "label", "doc_number", "standard__name")

    standard = django_filters.CharFilter(label=_("判定标准"), method="filter_standard")
    sector = django_filters.ChoiceFilter(
        label=_("行业领域"), field_name="standard__sector", choices=sector_choices
    )
    current = django_filters.BooleanFilter(label=_("现行有效"), field_name="is_current")
    confidence = django_filters.ChoiceFilter(label=_("核实状态"), choices=Confidence.choices)

    class Meta:
        model = StandardVersion
        fields = ["q", "standard", "sector", "current", "confidence"]

    def filter_standard(self, queryset: QuerySet[Any], name: str, value: str) -> QuerySet[Any]:
        """A standard's code or id."""
        standard = standard_by_key(value)
        return queryset.filter(standard=standard) if standard is not None else queryset.none()


class ClauseFilterSet(TermsSearchMixin, BaseFilterSet):
    """Clauses across all standards: free text over the item text, its code and article."""

    search_fields = ("text", "code", "article")

    sector = django_filters.ChoiceFilter(
        label=_("行业领域"), field_name="version__standard__sector", choices=sector_choices
    )
    standard = django_filters.CharFilter(label=_("判定标准"), method="filter_standard")
    # A number, as on the version page's links; an unknown id simply matches nothing.
    version = django_filters.NumberFilter(label=_("标准版本"), field_name="version_id")
    current = django_filters.BooleanFilter(label=_("仅现行版本"), field_name="version__is_current")

    class Meta:
        model = Clause
        fields = ["q", "sector", "standard", "version", "current"]

    def filter_standard(self, queryset: QuerySet[Any], name: str, value: str) -> QuerySet[Any]:
        """A standard's code or id."""
        standard = standard_by_key(value)
        return queryset.filter(version__standard=standard) if standard is not None else queryset.none()


class ClauseSearchFilterSet(ClauseFilterSet):
    """The clause search page: current versions only unless the user chooses otherwise (全部版本)."""

    current = django_filters.BooleanFilter(label=_("版本范围"), field_name="version__is_current")

    def __init__(self, data: QueryDict | None = None, *args: Any, **kwargs: Any) -> None:
        data = data.copy() if data is not None else QueryDict(mutable=True)
        if "current" not in data:
            data["current"] = "true"
        super().__init__(data, *args, **kwargs)
