"""Keyset pages in the API (`?cursor=`): the whole collection in the list's own order, each row once, with no
OFFSET; a row added while walking is neither skipped nor repeated; a forged cursor is a 400 in Chinese."""

from __future__ import annotations

import datetime as dt
from typing import Any
from urllib.parse import parse_qs, urlsplit

from django.test import Client

from zhiben.core.pagination import keyset_order
from zhiben.core.testing import obtain_token, token_header
from zhiben.hazards.models import Hazard
from zhiben.indicators.tests.support import hazard

URL = "/api/v1/hazards/"


def walk(client: Client, headers: dict[str, str], first: str) -> list[list[int]]:
    pages, url = [], first
    while url:
        body = client.get(url, headers=headers).json()
        assert body["count"] is None and body["previous"] is None
        pages.append([row["id"] for row in body["results"]])
        url = body["next"]
    return pages


def test_the_cursor_walks_every_row_in_the_lists_order(world: Any) -> None:
    days = [dt.date(2026, 3, d) for d in (5, 5, 5, 9, 1, 9, 7)]  # ties on the sort column
    for i, day in enumerate(days):
        hazard(world, ("qiye1", "qiye2", "yt_gas")[i % 3], discovered_on=day)
    client = Client()
    headers = token_header(obtain_token(client, "anweiban"))
    by_pages = [row["id"] for row in client.get(URL, {"page_size": 500}, headers=headers).json()["results"]]

    pages = walk(client, headers, f"{URL}?cursor=&page_size=3")

    assert [len(p) for p in pages] == [3, 3, 1]
    assert [pk for p in pages for pk in p] == by_pages  # same order as the numbered pages, each row once
    assert keyset_order(Hazard.objects.order_by("-discovered_on", "-id")) == [
        ("discovered_on", True),
        ("pk", True),
    ]


def test_a_row_added_while_walking_is_not_repeated_and_a_forged_cursor_is_refused(world: Any) -> None:
    for day in (1, 2, 3, 4):
        hazard(world, "qiye1", discovered_on=dt.date(2026, 3, day))
    client = Client()
    headers = token_header(obtain_token(client, "anweiban"))
    first = client.get(URL, {"cursor": "", "page_size": 2}, headers=headers).json()
    hazard(world, "qiye1", discovered_on=dt.date(2026, 3, 31))  # newest: belongs before the cursor
    rest = walk(client, headers, first["next"])
    seen = [r["id"] for r in first["results"]] + [pk for p in rest for pk in p]
    assert len(seen) == len(set(seen)) == Hazard.objects.count() - 1

    token = parse_qs(urlsplit(first["next"]).query)["cursor"][0]
    assert client.get(URL, {"cursor": token}, headers=headers).status_code == 200
    forged = client.get(URL, {"cursor": token[:-1] + ("A" if token[-1] != "A" else "B")}, headers=headers)
    assert forged.status_code == 400 and "游标无效" in forged.json()["cursor"][0]


def test_a_list_built_in_memory_walks_by_position(world: Any) -> None:
    client = Client()
    headers = token_header(obtain_token(client, "anweiban"))
    everything = [
        r["id"]
        for r in client.get("/api/v1/indicators/", {"page_size": 500}, headers=headers).json()["results"]
    ]

    pages = walk(client, headers, "/api/v1/indicators/?cursor=&page_size=7")

    assert [pk for p in pages for pk in p] == everything and len(pages) == -(-len(everything) // 7)
