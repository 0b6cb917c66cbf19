"""执法统计: the Excel export holds exactly what the page shows, and the page reads in a fixed number of queries."""

from __future__ import annotations

import datetime as dt
import io
import re
from decimal import Decimal
from html.parser import HTMLParser
from typing import Any

import pytest
from django.urls import reverse
from openpyxl import load_workbook

from zhiben.core.models import AuditEntry
from zhiben.core.testing import login
from zhiben.enforcement import stats
from zhiben.enforcement.choices import MeasureKind
from zhiben.enforcement.stats import StatsFilter
from zhiben.inspections.choices import Mode

from .test_stats import TODAY, clock, decide, find, inspect, open_case, quarter_story  # noqa: F401

pytestmark = pytest.mark.django_db


class Tables(HTMLParser):
    """The text of every cell of every table that has a data-testid, row by row."""

    def __init__(self) -> None:
        super().__init__()
        self.tables: dict[str, list[list[str]]] = {}
        self._table: str | None = None
        self._row: list[str] | None = None
        self._cell: list[str] | None = None

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        a = dict(attrs)
        if tag == "table" and a.get("data-testid"):
            self._table = a["data-testid"]
            self.tables[self._table] = []
        elif self._table and tag == "tr":
            self._row = []
        elif self._row is not None and tag in ("td", "th"):
            self._cell = []
        elif self._cell is not None and tag in ("small", "span", "br"):
            self._cell.append(" ")

    def handle_endtag(self, tag: str) -> None:
        if tag in ("td", "th") and self._cell is not None and self._row is not None:
            self._row.append(re.sub(r"\s+", " ", "".join(self._cell)).strip())
            self._cell = None
        elif tag == "tr" and self._row is not None and self._table:
            self.tables[self._table].append(self._row)
            self._row = None
        elif tag == "table":
            self._table = None

    def handle_data(self, data: str) -> None:
        if self._cell is not None:
            self._cell.append(data)


def pct(value: Any) -> str:
    return "—" if value is None else f"{value:g}%"


def sheet_rows(wb: Any, title: str) -> tuple[list[Any], list[Any], list[list[Any]]]:
    """(banner rows, header, body) of one exported sheet."""
    rows = [list(r) for r in wb[title].iter_rows(values_only=True)]
    return rows[:2], rows[2], rows[3:]


def as_shown(row: list[Any], *, flags: bool) -> list[str]:
    """A workbook row of a breakdown sheet written the way the page shows it."""
    (
        label,
        n,
        unannounced,
        share,
        major,
        per_k,
        penalties,
        fines,
        orders,
        denominator,
        numerator,
        rate,
        *rest,
    ) = row
    shown = [
        label,
        str(n),
        f"{unannounced} {pct(share)}",
        str(major),
        "—" if per_k is None else str(float(per_k)),  # Excel hands 200.0 back as 200
        str(penalties),
        f"{Decimal(str(fines)):,.2f}",
        str(orders),
        f"{pct(rate)} {numerator}/{denominator}",
    ]
    if flags:
        shown.append("零处罚" if rest[0] == "是" else "")
    return shown


@pytest.mark.parametrize(
    ("username", "scope", "inspections"),
    [("anweiban", "全区", 5), ("zhujian", "区住房和城乡建设局本部门", 3), ("yingtian", "营田镇", 3)],
)
def test_it_exports_exactly_the_figures_on_the_page(
    client: Any,
    world: Any,
    clock: Any,  # noqa: F811
    username: str,
    scope: str,
    inspections: int,
) -> None:
    story = quarter_story(world)
    find(story["h1"], world.departments["housing"], level="major")
    find(story["joint"], world.departments["fire"])
    decide(
        open_case(world, "housing", "qiye1", inspection=story["joint"]),
        MeasureKind.ORDER_RECTIFY,
        dt.date(2025, 3, 6),
    )
    inspect(world, "fh_school", "emergency", dt.date(2025, 2, 14), mode=Mode.UNANNOUNCED)
    open_case(world, "fire", "qiye2", is_typical=True, summary="=SUM(A1) 典型案例")  # a formula-looking text
    open_case(world, "housing", "yt_gas", is_typical=True, summary="拒不整改被责令停产整顿")
    query = {"year": "2025", "quarter": "1"}

    user = world.users[username]
    login(client, user)
    page = client.get(reverse("enforcement:stats"), query)
    html = page.content.decode()
    parser = Tables()
    parser.feed(html)
    tables = parser.tables
    link = re.search(r'href="([^"]+)" data-testid="stats-export"', html).group(1).replace("&amp;", "&")
    response = client.get(link)
    assert response.status_code == 200
    wb = load_workbook(io.BytesIO(response.content))
    f = stats.figures(user, StatsFilter(year=2025, quarter=1), TODAY)
    assert f.totals.inspections == inspections and f.zero_penalty  # the story has something to show

    assert wb.sheetnames == [
        "概览",
        "零处罚单位",
        "按部门",
        "按乡镇（街道）",
        "按季度",
        "检查方式",
        "典型案例",
    ]
    for ws in wb.worksheets:
        assert f"统计范围：{scope}；" in ws["A2"].value and "统计期间：2025年一季度" in ws["A2"].value

    # Overview = the cards.
    _b, _h, overview = sheet_rows(wb, "概览")
    values = {r[0]: r[1:] for r in overview}
    assert f'data-kpi="inspections">{values["检查次数"][0]}<' in html
    assert f'data-kpi="unannounced_share">{pct(values["四不两直占比（%）"][0])}<' in html
    assert f'data-kpi="major_found">{values["发现重大隐患"][0]}<' in html
    assert f'data-kpi="major_per_inspection">{float(values["平均每次检查发现重大隐患（项）"][0])}<' in html
    assert f'data-kpi="penalties">{values["处罚决定"][0]}<' in html
    assert f'data-kpi="fines">{Decimal(str(values["罚款金额（元）"][0])):,.2f}<' in html
    assert f'data-kpi="orders">{values["责令限期整改"][0]}<' in html
    rate, numerator, denominator = values["只检查不处罚率（%）"]
    assert f'data-kpi="inspect_only_rate">{pct(rate)}<' in html
    assert f'data-kpi="inspect_only_fraction">未采取措施 {numerator} / 发现问题的检查 {denominator}<' in html
    assert f'data-kpi="zero_penalty">{values["零处罚单位"][0]}<' in html

    # Breakdowns = the page's tables, row for row, totals included.
    for title, testid, flags in (
        ("按部门", "departments-table", True),
        ("按乡镇（街道）", "townships-table", f.flags_townships),
        ("按季度", "quarters-table", False),
    ):
        _b, exported_header, body = sheet_rows(wb, title)
        screen = tables[testid][1:]  # without the header row
        assert len(screen) == len(body)
        for shown, exported in zip(screen, body, strict=True):
            expected = as_shown(exported, flags=flags)
            if exported[0] == "合计":
                shown[0] = "合计"  # the page says which way joint visits are counted under the word
            assert shown == expected, title
        header = tables[testid][0]
        assert (header[-1] == "零处罚") == flags == (exported_header[-1] == "零处罚")
    # The 零处罚 list, the modes and the typical cases.
    _b, _h, zero = sheet_rows(wb, "零处罚单位")
    zero_list = html.split('data-testid="zero-penalty-list"')[1].split("</ul>")[0]
    assert [(r[0], r[1]) for r in zero] == [(flag.kind_label, flag.label) for flag in f.zero_penalty]
    for _kind, label, n, penalties in zero:
        assert label in zero_list and f"检查 {n} 次，处罚决定 {penalties} 件" in zero_list
    _b, _h, modes = sheet_rows(wb, "检查方式")
    assert [[m, str(n), pct(share)] for m, n, share in modes] == tables["modes-table"][1:]
    _b, _h, typical = sheet_rows(wb, "典型案例")
    assert typical and [r[0] for r in typical] == [r[0] for r in tables["typical-table"][1:]]
    assert [r[0] for r in typical] == [c.code for c in f.typical]
    if username == "anweiban":
        assert "'=SUM(A1) 典型案例" in [r[5] for r in typical]  # neutralised, not a formula

    # The download is audited.
    entry = AuditEntry.objects.filter(object_type="enforcement.statistics").latest("pk")
    assert entry.data["filters"] == {"year": "2025", "quarter": "1"}


def test_it_reads_the_page_in_the_same_number_of_queries_whatever_it_counts(
    client: Any,
    world: Any,
    clock: Any,  # noqa: F811
    django_assert_max_num_queries: Any,
) -> None:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    quarter_story(world)
    login(client, world.anweiban)
    with CaptureQueriesContext(connection) as small:
        assert client.get(reverse("enforcement:stats"), {"year": 2025}).status_code == 200
    for i, slot in enumerate(
        ("qiye1", "qiye2", "qiye3", "yt_gas", "yt_shop", "hs_road", "fh_school", "fh_fireworks")
    ):
        for department in ("housing", "fire", "emergency", "market"):
            visit = inspect(world, slot, department, dt.date(2025, 1 + i % 5, 3), joined=("transport",))
            finding = find(visit, world.departments[department], level="major")
            case = open_case(world, department, slot, inspection=visit, finding=finding, is_typical=True)
            decide(case, MeasureKind.FINE, dt.date(2025, 1 + i % 5, 4), "1000")
    with django_assert_max_num_queries(len(small.captured_queries)):
        assert client.get(reverse("enforcement:stats"), {"year": 2025}).status_code == 200


def test_it_reports_bad_filters_on_their_fields(client: Any, world: Any, clock: Any) -> None:  # noqa: F811
    quarter_story(world)
    login(client, world.anweiban)
    response = client.get(
        reverse("enforcement:stats"),
        {"year": "1999", "quarter": "1", "date_from": "2025-02-30", "department": "nobody"},
    )
    assert response.status_code == 200
    html = response.content.decode()
    errors = re.sub(r"<[^>]+>", "", html.split('data-testid="filter-errors">')[1].split("</div>")[0])
    assert "年度" in errors and "1999" in errors and "部门" in errors and "或日期自" in errors
    # The bad fields are left out; the valid one (quarter 1 of the current year) still applies.
    f = stats.figures(world.anweiban, StatsFilter(quarter=1), TODAY)
    assert f.totals.inspections == 4 and f'data-kpi="inspections">{f.totals.inspections}<' in html
    # A start date alone runs to today.
    response = client.get(reverse("enforcement:stats"), {"date_from": "2025-02-15"})
    html = response.content.decode()
    assert 'data-testid="filter-errors"' not in html and "2025-02-15至2025-06-16" in html
    assert 'data-kpi="inspections">2<' in html  # f1 (20 Feb) and the joint visit (5 Mar)
    # A range the wrong way round, or longer than five years, is refused on the end date.
    for start, end in (("2025-03-01", "2025-01-01"), ("2019-01-01", "2025-01-01"), ("2025-07-01", "")):
        response = client.get(reverse("enforcement:stats"), {"date_from": start, "date_to": end})
        html = response.content.decode()
        assert response.status_code == 200 and 'data-testid="filter-errors"' in html
        assert "2019-01-01至" not in html  # a refused range is not cut to a longer one
