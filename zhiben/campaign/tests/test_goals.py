"""The campaign page's goals × years: each figure counted from records written here, its status and gap, the
links to the records behind it, 未接入 for a source not built, the reader's scope, and the export = the screen."""

from __future__ import annotations

import datetime as dt
import html as htmllib
import io
import re
from dataclasses import replace
from typing import Any
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.test import Client
from django.urls import reverse
from openpyxl import load_workbook

from zhiben.campaign import goals
from zhiben.campaign.choices import TaskStatus
from zhiben.campaign.models import Task
from zhiben.core.testing import login
from zhiben.hazards.choices import Level, Status
from zhiben.indicators import registry
from zhiben.indicators.tests.support import hazard

SH = ZoneInfo("Asia/Shanghai")
TODAY = dt.date(2026, 6, 16)


@pytest.fixture
def clock() -> Any:
    with time_machine.travel(dt.datetime(2026, 6, 16, 9, 0, tzinfo=SH), tick=False) as t:
        yield t


def tasks(**filters: Any) -> Any:
    return Task.objects.unrestricted("test").filter(**filters)


def story(world: Any) -> dict[str, Any]:
    """Four stock major hazards (found in 2023), one closed: 存量清零率 25 % — a 2024 goal, so 滞后 in 2026.
    The 2024 tasks of measure 6 all done, except one 2026 task of measure 17 left open past its date."""
    stock = {"level": Level.MAJOR, "discovered_on": dt.date(2023, 9, 1), "deadline": dt.date(2024, 6, 30)}
    closed = hazard(world, "qiye1", status=Status.CLOSED, closed_on_time=True, **stock)
    open_ = [hazard(world, slot, **stock) for slot in ("qiye2", "yt_gas", "qiye1")]
    tasks(measure__number=6, year=2024).update(status=TaskStatus.DONE, completed_on=dt.date(2024, 12, 1))
    late = tasks(measure__number=17, year=2026).order_by("pk").first()
    tasks(pk=late.pk).update(status=TaskStatus.OPEN, due_on=dt.date(2026, 6, 1))
    return {"closed": closed, "open": open_, "late": late}


def row_of(progress: goals.Progress, code: str) -> goals.GoalRow:
    return next(r for r in progress.stages + progress.overall if r.goal.code == code)


def test_goal_figures_statuses_and_gaps_follow_the_records(world: Any, clock: Any, monkeypatch: Any) -> None:
    # The monitoring goal's indicator as it was before its module existed: declared, with no records.
    coverage = registry.get("monitoring.risk_monitoring_coverage")
    monkeypatch.setitem(registry._REGISTRY, coverage.id, replace(coverage, records=None))
    s = story(world)
    p = goals.progress(world.anweiban, TODAY)
    assert p.scope_label == "全区" and p.years == [2024, 2025, 2026]

    stock = row_of(p, "G-2024-STOCK")  # 1 of 4 closed, due end-2024: behind, 75 points short
    assert [c.text for c in stock.cells] == ["25.0%"] * 3 and stock.cells[0].fraction == "1/4"
    assert stock.status == goals.BEHIND and stock.gap == "差 75 个百分点"

    mechanism = row_of(p, "G-2024-STATS")  # no indicator: measure 6's 2024 tasks, all done
    done = tasks(measure__number=6, year=2024).count()
    assert mechanism.cells[0].text == f"{done}/{done} 项任务完成" and mechanism.status == goals.ACHIEVED
    assert [c.text for c in mechanism.cells[1:]] == ["", ""]

    training = row_of(p, "G-2026-TRAIN")  # a 2026 task of measure 17 overdue: behind before the deadline
    assert training.status == goals.BEHIND and "逾期 1 项" in training.gap

    monitoring = row_of(p, "G-2025-MONITOR")  # its module not connected: 未接入, never 0 %
    assert {c.text for c in monitoring.cells} == {"未接入"} and monitoring.status == goals.UNAVAILABLE

    # Closing the other three meets the target: the 2024 cell turns 达成 and so does the goal.
    for h in s["open"]:
        type(h).objects.unrestricted("test").filter(pk=h.pk).update(
            status=Status.CLOSED, closed_on=dt.date(2024, 5, 1), closed_on_time=True
        )
    stock = row_of(goals.progress(world.anweiban, TODAY), "G-2024-STOCK")
    assert stock.cells[0].text == "100.0%" and stock.status == goals.ACHIEVED and stock.gap == "已达到目标"


def test_every_figure_opens_the_records_it_counts(world: Any, clock: Any) -> None:
    s = story(world)
    client = login(Client(), world.anweiban)
    page = client.get(reverse("campaign:plan")).content.decode()
    table = page.split('data-testid="goal-table"')[1].split("</table>")[0]
    stock_row = table.split('data-goal="G-2024-STOCK"')[1].split("</tr>")[0]
    cell = stock_row.split('data-year="2024"')[1].split("</td>")[0]
    links = {
        part: htmllib.unescape(url) for url, part in re.findall(r'href="([^"]+)" data-part="(\w+)"', cell)
    }
    counted = client.get(links["numerator"]).content.decode().split('data-testid="records"')[1]
    assert set(re.findall(r'data-id="(\d+)"', counted)) == {str(s["closed"].pk)}
    among = client.get(links["denominator"]).content.decode().split('data-testid="records"')[1]
    assert set(re.findall(r'data-id="(\d+)"', among)) == {str(h.pk) for h in [s["closed"], *s["open"]]}

    # A task-based figure opens the plan filtered to those tasks.
    mechanism = table.split('data-goal="G-2024-STATS"')[1].split("</tr>")[0]
    link = htmllib.unescape(re.search(r'href="([^"]+)" data-part="numerator"', mechanism).group(1))
    listed = client.get(link).content.decode()
    expected = {t.code for t in tasks(measure__number=6, year=2024)}
    assert set(re.findall(r'data-task="([^"]+)"', listed)) == expected


def test_the_export_equals_the_screen(world: Any, clock: Any) -> None:
    story(world)
    client = login(Client(), world.anweiban)
    page = client.get(reverse("campaign:plan")).content.decode()
    response = client.get(reverse("campaign:plan"), {"export": "xlsx"})
    assert response.status_code == 200

    sheet = load_workbook(io.BytesIO(response.content)).worksheets[0]
    exported = [[v or "" for v in row] for row in sheet.iter_rows(min_row=4, values_only=True)]
    table = page.split('data-testid="goal-table"')[1].split("</table>")[0]
    on_screen = []
    for tr in re.findall(r"<tr data-goal=[^>]*>(.*?)</tr>", table, flags=re.S):
        cells = []
        for td in re.findall(r"<td[^>]*>(.*?)</td>", tr, flags=re.S):
            td = re.sub(r'<div class="small text-body-secondary">.*?</div>', "", td, count=1, flags=re.S)
            td = re.sub(r'<span class="badge text-bg-warning"[^>]*>待核实</span>', "", td)
            td = re.sub(r'<div class="small">(?:<a[^>]*>)?\d+/\d+(?:</a>)?</div>', "", td)  # the fraction
            parts = [htmllib.unescape(t).strip() for t in re.split(r"<[^>]+>", td)]
            cells.append([t for t in parts if t])
        on_screen.append(cells)
    assert len(exported) == len(on_screen) == 23

    def as_exported(cells: list[list[str]]) -> list[str]:
        out = []
        for i, words in enumerate(cells):
            if 4 <= i < len(cells) - 2 and len(words) == 2:  # a year: the figure, then its status
                out.append(f"{words[0]}（{words[1]}）")
            else:
                out.append("".join(words))
        return out

    assert [row[:1] + row[2:] for row in exported] == [
        (lambda c: c[:1] + c[2:])(as_exported(cells)) for cells in on_screen
    ]
    assert [row[1] for row in exported] == [as_exported(cells)[1] for cells in on_screen]


def test_a_township_reads_its_own_figures(world: Any, clock: Any) -> None:
    story(world)  # 河市镇 holds one of the four stock hazards (qiye2's), open; 营田镇 three, one closed
    heshi = row_of(goals.progress(world.heshi, TODAY), "G-2024-STOCK").cells[0]
    assert (heshi.text, heshi.fraction) == ("0.0%", "0/1")
    yingtian = goals.progress(world.yingtian, TODAY)
    assert yingtian.scope_label == "营田镇"
    assert row_of(yingtian, "G-2024-STOCK").cells[0].fraction == "1/3"
    page = login(Client(), world.heshi).get(reverse("campaign:plan")).content.decode()
    assert "目标进度 · 河市镇" in page and "1/4" not in page.split('data-testid="goal-table"')[1]


def test_the_capacity_items_are_counted_from_the_registers(world: Any, clock: Any) -> None:
    """数字消防接入: done ÷ all registered — one done in 河市镇, one planned in 营田镇: 50 % for the district."""
    from zhiben.campaign import services
    from zhiben.indicators import registry
    from zhiben.indicators.registry import Scope

    done = services.add_entry(
        actor=world.anweiban,
        kind="digital_fire",
        name="河市镇重点场所数字消防接入",
        township=world.regions["河市镇"],
        on=dt.date(2026, 4, 1),
    )
    planned = services.add_entry(
        actor=world.anweiban,
        kind="digital_fire",
        name="营田镇重点场所数字消防接入",
        township=world.regions["营田镇"],
        on=dt.date(2026, 5, 1),
        status="planned",
    )
    ind = registry.get("campaign.digital_fire_access")
    district = ind.value(Scope.district(), "2026Q2")
    assert (district.numerator, district.denominator, district.value) == (1, 2, 50)
    assert ind.value(Scope.township(world.regions["营田镇"]), "2026Q2").value == 0
    parts = ind.parts(Scope.district(), "2026Q2")
    assert list(parts.numerator) == [done] and set(parts.denominator) == {done, planned}
    seven = row_of(goals.progress(world.anweiban, TODAY), "G-SEVEN-5")
    assert (
        seven.cells[-1].text == "50.0%" and seven.status == goals.ON_TRACK and seven.gap == "差 50 个百分点"
    )


def test_tasks_due_within_the_reminder_window_are_listed_and_counted(world: Any, clock: Any) -> None:
    """临期: open tasks due from today up to the widest 到期提醒 rule; the lead's workbench counts the same."""
    from zhiben.campaign.deadlines import reminder_horizon
    from zhiben.core import workbench

    mine = tasks(lead_department__code="emergency").order_by("pk")
    mine.update(status=TaskStatus.DONE)
    soon, later = list(mine[:2])
    tasks(pk=soon.pk).update(status=TaskStatus.OPEN, due_on=TODAY + dt.timedelta(days=10))
    tasks(pk=later.pk).update(status=TaskStatus.OPEN, due_on=reminder_horizon(TODAY) + dt.timedelta(days=1))

    client = login(Client(), world.yingji)
    listed = client.get(reverse("campaign:plan"), {"status": "due", "mine": "1"}).content.decode()
    assert set(re.findall(r'data-task="([^"]+)"', listed)) == {soon.code}
    card = next(c for c in workbench.collect(world.yingji, TODAY) if c.key == "campaign")
    item = next(i for i in card.items if i.key == "mine_soon")
    assert item.count == 1 and "status=due" in item.url
