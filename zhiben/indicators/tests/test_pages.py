"""指标库 pages: the registry with its 未接入 badges, an indicator's page (my scope, townships, departments,
trend) whose numbers open their records, its Excel export equal to the screen, and who may read them."""

from __future__ import annotations

import datetime as dt
import io
import re
from typing import Any

import pytest
import time_machine
from django.test import Client
from django.urls import reverse
from openpyxl import load_workbook

from zhiben.core.testing import login
from zhiben.hazards.choices import Status

from .support import hazard

pytestmark = pytest.mark.django_db

SH = dt.timezone(dt.timedelta(hours=8))
ON_TIME = "hazards.on_time_rectification"


@pytest.fixture
def clock() -> Any:
    with time_machine.travel(dt.datetime(2026, 6, 16, 9, 0, tzinfo=SH), tick=False) as t:
        yield t


def page(world: Any, who: str, url: str, **params: Any) -> Any:
    return login(Client(), getattr(world, who)).get(url, params)


def story(world: Any) -> dict[str, Any]:
    return {
        "on_time": hazard(world, "qiye1", status=Status.CLOSED, closed_on_time=True),
        "late": hazard(world, "yt_gas", status=Status.CLOSED, closed_on_time=False),
        "elsewhere": hazard(world, "qiye2", status=Status.CLOSED, closed_on_time=True),
    }


def test_the_registry_page_shows_definitions_and_unavailable_badges(
    world: Any, clock: Any, unbuilt_indicator: str
) -> None:
    html = page(world, "anweiban", reverse("indicators:index")).content.decode()

    assert "按期整改率" in html and "按期销号的隐患" in html
    row = html.split(f'data-indicator="{unbuilt_indicator}"')[1].split("</li>")[0]
    assert "未接入" in row
    on_time = html.split(f'data-indicator="{ON_TIME}"')[1].split("</li>")[0]
    assert "未接入" not in on_time
    assert (
        "待核实" in html.split('data-indicator="campaign.above_scale_standardisation"')[1].split("</li>")[0]
    )


def test_the_indicator_page_links_each_number_to_its_records(world: Any, clock: Any) -> None:
    s = story(world)
    html = page(world, "anweiban", reverse("indicators:detail", args=[ON_TIME])).content.decode()

    townships = html.split('data-testid="township-table"')[1].split("</table>")[0]
    yingtian_row = townships.split(f'data-key="{world.regions["营田镇"].code}"')[1].split("</tr>")[0]
    assert "50.0%" in yingtian_row
    link = re.search(r'href="([^"]+)" data-part="numerator"', yingtian_row).group(1).replace("&amp;", "&")
    records = page(world, "anweiban", link).content.decode()
    listed = set(re.findall(r'data-id="(\d+)"', records.split('data-testid="records"')[1]))
    assert listed == {str(s["on_time"].pk)}
    assert 'data-testid="department-table"' in html and 'data-testid="trend-table"' in html
    assert "2026年二季度" in html


def test_the_export_equals_the_screen(world: Any, clock: Any) -> None:
    story(world)
    client = login(Client(), world.anweiban)
    url = reverse("indicators:detail", args=[ON_TIME])
    html = client.get(url).content.decode()
    response = client.get(url, {"export": "xlsx"})

    book = load_workbook(io.BytesIO(response.content))
    sheet = book.worksheets[1]  # 按乡镇（街道）
    exported = {row[0]: row[1] for row in sheet.iter_rows(min_row=4, values_only=True)}
    townships = html.split('data-testid="township-table"')[1].split("</table>")[0]
    on_screen = dict(re.findall(r"<tr[^>]*>\s*<td>([^<]+)</td>\s*<td[^>]*>([^<]+?)\s*</td>", townships))
    assert len(exported) == 4 and exported == {k: v.strip() for k, v in on_screen.items()}


def test_a_township_sees_its_own_row_and_units_are_refused(world: Any, clock: Any) -> None:
    story(world)
    html = page(world, "yingtian", reverse("indicators:detail", args=[ON_TIME])).content.decode()

    townships = html.split('data-testid="township-table"')[1].split("</table>")[0]
    assert "营田镇" in townships and "河市镇" not in townships
    assert 'data-testid="department-table"' not in html
    heshi = world.regions["河市镇"].code
    assert (
        page(
            world, "yingtian", reverse("indicators:records", args=[ON_TIME]), scope="township", key=heshi
        ).status_code
        == 404
    )
    assert page(world, "qiye1", reverse("indicators:index")).status_code == 403
    assert page(world, "anweiban", reverse("indicators:detail", args=["nothing.here"])).status_code == 404


def test_every_indicator_page_answers(world: Any, clock: Any) -> None:
    from zhiben.indicators import registry

    client = login(Client(), world.anweiban)
    for ind in registry.all():
        response = client.get(reverse("indicators:detail", args=[ind.id]))
        assert response.status_code == 200, ind.id
        if not ind.available:
            assert "未接入" in response.content.decode()


def test_the_definitions_table_in_the_docs_is_the_registry() -> None:
    from pathlib import Path

    from django.conf import settings

    from zhiben.indicators.management.commands.indicators import definitions_table

    docs = (Path(settings.BASE_DIR) / "docs" / "indicators.md").read_text(encoding="utf-8")
    assert definitions_table() in docs, "docs/indicators.md: regenerate with `zhiben indicators markdown`"
