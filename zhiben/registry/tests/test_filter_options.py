"""registry.filter_options: the ledgers' filter options, kept briefly — per reader for regions (their scope
decides which), for everyone for industries and departments."""

from __future__ import annotations

import datetime as dt
from typing import Any

import time_machine
from django.core.cache import cache
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from zhiben.core.testing import login
from zhiben.registry import filter_options
from zhiben.registry.models import Industry, Region

START = dt.datetime(2026, 12, 7, 9, 30, tzinfo=dt.UTC)


def test_a_reader_sees_only_the_regions_of_their_scope_and_each_keeps_their_own(
    world: Any, settings: Any
) -> None:
    settings.ZHIBEN_CHOICES_TTL = 60
    cache.clear()
    township = world.regions["河市镇"]
    mine = dict(filter_options.region_options(world.heshi))
    everyone = dict(filter_options.region_options(world.anweiban))
    assert township.code in mine and world.regions["营田镇"].code not in mine
    assert set(mine) < set(everyone) and world.regions["营田镇"].code in everyone
    assert dict(filter_options.region_options(world.heshi)) == mine  # kept for them, not the district's
    cache.clear()


def test_the_options_are_kept_for_the_ttl_and_read_afresh_after_it(world: Any, settings: Any) -> None:
    settings.ZHIBEN_CHOICES_TTL = 60
    cache.clear()
    client = login(Client(), world.anweiban)
    url = reverse("registry:enterprise_list")
    with time_machine.travel(START, tick=False):
        client.get(url)
        with CaptureQueriesContext(connection) as first:
            client.get(url)
        read = [q["sql"] for q in first.captured_queries if 'FROM "registry_industry"' in q["sql"]]
        assert not read  # the industry options came from the cache
        root = Industry.objects.filter(parent__isnull=True).order_by("sort_order", "code").first()
        assert root is not None
        Industry.objects.create(code="ZZ-NEW", name="新兴行业（测试）", parent=root, sort_order=9999)
        village = Region.objects.create(
            code=world.regions["河市镇"].code[:9] + "999",
            name="新建社区（测试）",
            level=5,
            parent=world.regions["河市镇"],
        )
        assert "新兴行业（测试）" not in client.get(url).content.decode()  # within the TTL: as it was
    with time_machine.travel(START + dt.timedelta(seconds=61), tick=False):
        page = client.get(url).content.decode()
    assert "新兴行业（测试）" in page and village.name in page
    cache.clear()


def test_with_no_ttl_every_page_reads_the_options(world: Any, settings: Any) -> None:
    settings.ZHIBEN_CHOICES_TTL = 0
    assert filter_options.department_options() == filter_options.department_options()
    with CaptureQueriesContext(connection) as queries:
        filter_options.industry_options()
    assert len(queries) == 1
