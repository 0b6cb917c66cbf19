"""The 乡镇 × 指标 and 部门 × 指标 tables: each cell is the indicator's value for that scope (the hand-made
records below), opens the records it counts, the export holds the screen's cells, and a township sees its row."""

from __future__ import annotations

import datetime as dt
import html as htmllib
import io
import re
from typing import Any
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.test import Client
from django.urls import reverse
from openpyxl import load_workbook

from zhiben.core.testing import login
from zhiben.hazards.choices import Status

from .support import hazard

SH = ZoneInfo("Asia/Shanghai")
ON_TIME = "hazards.on_time_rectification"


@pytest.fixture
def clock() -> Any:
    with time_machine.travel(dt.datetime(2026, 6, 16, 9, 0, tzinfo=SH), tick=False) as t:
        yield t


def story(world: Any) -> dict[str, Any]:
    """营田镇: one closed on time, one late → 50.0 %; 河市镇: one closed on time → 100.0 %."""
    return {
        "on_time": hazard(world, "qiye1", status=Status.CLOSED, closed_on_time=True),
        "late": hazard(world, "yt_gas", status=Status.CLOSED, closed_on_time=False),
        "heshi": hazard(world, "qiye2", status=Status.CLOSED, closed_on_time=True),
    }


def table_of(html: str) -> tuple[list[str], dict[str, list[tuple[str, str]]]]:
    """(column headers, {row label: [(text, link)]}) of the comparison table."""
    table = html.split('data-testid="compare-table"')[1].split("</table>")[0]
    head = table.split("<tbody>")[0]
    names = [htmllib.unescape(n) for n in re.findall(r'<th><a href="[^"]+">([^<]+)</a>', head)]
    rows = {}
    for tr in re.findall(r"<tr data-key=[^>]*>(.*?)</tr>", table, flags=re.S):
        cells = re.findall(r"<td[^>]*>(.*?)</td>", tr, flags=re.S)
        label = re.sub(r"<[^>]+>", "", cells[0]).strip()
        parsed = []
        for c in cells[1:]:
            link = re.search(r'href="([^"]+)"', c)
            parsed.append(
                (re.sub(r"<[^>]+>", "", c).strip(), htmllib.unescape(link.group(1)) if link else "")
            )
        rows[label] = parsed
    return names, rows


def test_each_cell_is_the_scope_value_and_opens_its_records(
    world: Any, clock: Any, unbuilt_indicator: str
) -> None:
    s = story(world)
    client = login(Client(), world.anweiban)
    html = client.get(reverse("indicators:compare")).content.decode()
    names, rows = table_of(html)
    assert set(rows) == {"天问街道", "营田镇", "河市镇", "凤凰乡"}
    col = names.index("按期整改率")
    assert rows["营田镇"][col][0] == "50.0%" and rows["河市镇"][col][0] == "100.0%"
    assert rows["天问街道"][col] == ("—", "")  # nothing closed or due there: no rate, no link
    counted = client.get(rows["营田镇"][col][1]).content.decode().split('data-testid="records"')[1]
    assert set(re.findall(r'data-id="(\d+)"', counted)) == {str(s["on_time"].pk)}
    # 未接入 is named under the table, not a column of zeros.
    assert "测试用未建模块指标" not in names
    assert "测试用未建模块指标" in html.split('data-testid="absent"')[1].split("</div>")[0]

    names, rows = table_of(client.get(reverse("indicators:compare"), {"by": "department"}).content.decode())
    assert rows["区应急管理局"][names.index("按期整改率")][0] == "66.7%"  # the three are the 应急局's


def test_the_export_equals_the_screen(world: Any, clock: Any) -> None:
    story(world)
    client = login(Client(), world.anweiban)
    names, rows = table_of(client.get(reverse("indicators:compare")).content.decode())
    response = client.get(reverse("indicators:compare"), {"export": "xlsx"})
    sheet = load_workbook(io.BytesIO(response.content)).worksheets[0]
    header = list(next(sheet.iter_rows(min_row=3, max_row=3, values_only=True)))
    exported = {r[0]: list(r[1:]) for r in sheet.iter_rows(min_row=4, values_only=True)}
    assert [h.rsplit("（", 1)[0] for h in header[1:]] == names
    assert exported == {label: [text for text, _link in cells] for label, cells in rows.items()}


def test_a_township_sees_its_own_row_and_units_none(world: Any, clock: Any) -> None:
    story(world)
    _names, rows = table_of(login(Client(), world.heshi).get(reverse("indicators:compare")).content.decode())
    assert list(rows) == ["河市镇"]
    assert login(Client(), world.qiye1).get(reverse("indicators:compare")).status_code == 403
    assert login(Client(), world.anweiban).get(reverse("indicators:compare"), {"by": "x"}).status_code == 404
