"""registry.filters: the region and industry filter fields other apps' FilterSets are built from."""

from __future__ import annotations

from typing import Any

import django_filters

from zhiben.registry.filters import IndustryFilter, RegionFilter, UnitIndustryFilter
from zhiben.registry.models import Enterprise


class UnitFilters(django_filters.FilterSet):
    region = RegionFilter()
    region_by_code = RegionFilter(field_name="region", by_id=False)
    industry = UnitIndustryFilter(field_name="pk")
    primary = IndustryFilter(field_name="primary_industry")

    class Meta:
        model = Enterprise
        fields: list[str] = []


def _names(**params: Any) -> set[str]:
    qs = UnitFilters(params, queryset=Enterprise.objects.unrestricted("test: the filter alone")).qs
    return set(qs.values_list("name", flat=True))


def test_it_keeps_a_township_and_everything_below_it(world: Any) -> None:
    town = world.regions["营田镇"]
    expected = {"屈原营田机械制造有限公司", "营田燃气经营部", "营田兰花超市"}
    assert _names(region=town.code) == expected
    assert _names(region=str(town.pk)) == expected  # a short id is accepted where by_id
    assert _names(region_by_code=str(town.pk)) == set()  # … and not where only codes are
    assert _names(region="999999999") == set()
    assert len(_names(region="")) == len(world.enterprises)  # empty: no filter


def test_it_keeps_an_industry_with_its_sub_industries(world: Any) -> None:
    gas = world.industries["GAS"]
    assert _names(industry="GAS") == {"营田燃气经营部"}
    assert _names(primary=str(gas.pk)) == {"营田燃气经营部"}
    assert _names(industry="NO-SUCH-INDUSTRY") == set()
    parent = gas.parent
    if parent is not None:  # the parent covers its children
        assert "营田燃气经营部" in _names(industry=parent.code)
