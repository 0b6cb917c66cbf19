"""Filter fields on the registry's dimensions, for any app's FilterSet: a region or an industry with everything
below it. Each takes a code (or, with `by_id`, the row's id); an unknown value matches nothing.
"""

from __future__ import annotations

from typing import Any

import django_filters
from django.db.models import QuerySet
from django_filters.constants import EMPTY_VALUES

from .models import Enterprise, Industry, Region
from .scoping import with_descendants


def region_prefix(value: str, *, by_id: bool = True) -> str | None:
    """A region code (or a short id) → the code prefix covering it and everything below."""
    region = Region.objects.filter(code=value).first() or (
        Region.objects.filter(pk=value).first() if by_id and value.isdigit() and len(value) < 6 else None
    )
    return region.scope_prefix if region else None


def industry_ids(value: str, *, by_id: bool = True) -> set[int] | None:
    """An industry code (or id) → the ids of the industry and its sub-industries."""
    industry = Industry.objects.filter(code=value).first() or (
        Industry.objects.filter(pk=value).first() if by_id and value.isdigit() else None
    )
    return with_descendants({industry.pk}) if industry else None


class _DimensionFilter(django_filters.CharFilter):
    """A code (or, with `by_id`, an id) → the rows `field_name` must be in; an unknown value matches nothing."""

    def __init__(self, *args: Any, by_id: bool = True, **kwargs: Any) -> None:
        self.by_id = by_id
        super().__init__(*args, **kwargs)

    def filter(self, qs: QuerySet[Any], value: Any) -> QuerySet[Any]:
        if value in EMPTY_VALUES:
            return qs
        targets = self.targets(value)
        return qs.none() if targets is None else qs.filter(**{f"{self.field_name}__in": targets})

    def targets(self, value: str) -> Any:
        raise NotImplementedError


class RegionFilter(_DimensionFilter):
    """行政区划: records whose region (`field_name`, a path to a Region) is the given one or below it."""

    def targets(self, value: str) -> Any:
        prefix = region_prefix(value, by_id=self.by_id)
        return None if prefix is None else Region.objects.filter(code__startswith=prefix).values("pk")


class IndustryFilter(_DimensionFilter):
    """行业领域: records whose industry (`field_name`, a path to an Industry) is the given one or below it."""

    def targets(self, value: str) -> Any:
        return industry_ids(value, by_id=self.by_id)


class UnitIndustryFilter(_DimensionFilter):
    """行业领域 of the unit: records whose unit (`field_name`, a path to an Enterprise) works in the industry
    or below it (a unit has several industries)."""

    def targets(self, value: str) -> Any:
        ids = industry_ids(value, by_id=self.by_id)
        if ids is None:
            return None
        return Enterprise.industries.through.objects.filter(industry_id__in=ids).values("enterprise_id")
