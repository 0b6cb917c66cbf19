"""A 通报 dated D counts what was true on D: hazards found, registered, closed or extended after D do not move
its figures, however late it is issued (issue 10, finding 5)."""

from __future__ import annotations

import datetime as dt
import re
import shutil
import subprocess
from typing import Any

import pytest

from zhiben.hazards import bulletins, services
from zhiben.hazards.choices import Level

from .test_stats import bulletin_templates, plan, register  # noqa: F401 - the templates fixture

pytestmark = pytest.mark.django_db
BEIJING = dt.timezone(dt.timedelta(hours=8))


def at(clock: Any, day: dt.date) -> None:
    clock.move_to(dt.datetime(day.year, day.month, day.day, 10, 0, tzinfo=BEIJING), tick=False)


def finish(h: Any, rectifier: Any, reviewer: Any) -> None:
    """申请验收 → 企业验收 → 销号 of a hazard whose plan is in."""
    services.request_acceptance(h, actor=rectifier)
    services.self_accept(h, actor=rectifier, acceptor="验收人")
    services.close(h, actor=reviewer)


def major(world: Any, clause: Any, found: dt.date, deadline: dt.date, slot: str = "qiye1") -> Any:
    actor = {"qiye1": world.yingtian, "qiye2": world.heshi}[slot]
    h = register(world, slot, actor, level=Level.MAJOR, clause=clause, discovered_on=found)
    services.confirm(h, actor=world.yingji, deadline=deadline)
    return h


@pytest.fixture
def quarter(world: Any, clause: Any, clock: Any) -> dict[str, Any]:
    """Hazards on both sides of 2025-03-31, the last day of 2025Q1; the bulletin is asked for in October."""
    d = dt.date
    at(clock, d(2025, 3, 3))
    made = {
        "closed_in": major(world, clause, d(2025, 3, 3), d(2025, 3, 20)),
        "closed_after": major(world, clause, d(2025, 2, 10), d(2025, 3, 14), "qiye2"),
        "open": major(world, clause, d(2025, 3, 3), d(2025, 4, 30)),
        "extended_after": major(world, clause, d(2025, 3, 3), d(2025, 3, 25)),
        "stock": major(world, clause, d(2023, 12, 1), d(2025, 4, 20), "qiye2"),
        "reopened_after": major(world, clause, d(2025, 3, 3), d(2025, 3, 28)),
    }
    for key in ("closed_in", "closed_after", "stock", "reopened_after"):
        plan(made[key], world.qiye2 if key in ("closed_after", "stock") else world.qiye1)
    at(clock, d(2025, 3, 10))
    finish(made["closed_in"], world.qiye1, world.yingji)  # on time, inside the quarter
    at(clock, d(2025, 3, 20))
    finish(made["reopened_after"], world.qiye1, world.yingji)  # closed inside the quarter, reopened in April
    at(clock, d(2025, 4, 10))
    # Found in March, registered in April: not in the register on 03-31.
    made["registered_after"] = major(world, clause, d(2025, 3, 20), d(2025, 5, 30))
    at(clock, d(2025, 4, 15))
    ext = services.request_extension(
        made["extended_after"], actor=world.qiye1, requested_deadline=d(2025, 6, 30), reason="设备到货延迟"
    )
    services.decide_extension(ext, actor=world.yingji, approve=True)
    at(clock, d(2025, 4, 21))
    services.reopen(
        made["reopened_after"], actor=world.yingji, reason="复查发现整改不到位", deadline=d(2025, 5, 30)
    )
    at(clock, d(2025, 5, 6))
    finish(made["closed_after"], world.qiye2, world.yingji)  # late, after the quarter
    made["found_after"] = major(world, clause, d(2025, 5, 6), d(2025, 8, 1))
    at(clock, d(2025, 6, 3))
    finish(made["stock"], world.qiye2, world.yingji)
    at(clock, d(2025, 10, 10))
    return made


def test_new_hazards_of_the_period_are_those_registered_by_its_end(world: Any, quarter: Any) -> None:
    s = bulletins.bulletin_context("2025Q1", world.anweiban)["stats"]
    # closed_in, closed_after, open, extended_after, reopened_after; not registered_after (registered in
    # April) nor found_after
    assert s["new_major"] == 5


def test_closed_in_the_period_counts_only_closures_by_its_end(world: Any, quarter: Any) -> None:
    s = bulletins.bulletin_context("2025Q1", world.anweiban)["stats"]
    # closed_in and reopened_after (closed 03-20, reopened in April); closed_after (05-06) and stock (06-03)
    # were still open on 03-31
    assert s["closed"] == 2


def test_open_major_hazards_are_those_open_on_the_date(world: Any, quarter: Any) -> None:
    s = bulletins.bulletin_context("2025Q1", world.anweiban)["stats"]
    assert s["as_of"] == dt.date(2025, 3, 31)
    assert s["open_major"] == 4  # closed_after, open, extended_after, stock


def test_overdue_uses_the_deadline_in_force_on_the_date(world: Any, quarter: Any) -> None:
    context = bulletins.bulletin_context("2025Q1", world.anweiban)
    assert context["stats"]["overdue"] == context["overdue_count"] == 2
    rows = {r["code"]: r["deadline"] for r in context["overdue_rows"]}
    assert rows == {
        quarter["closed_after"].code: dt.date(2025, 3, 14),
        quarter["extended_after"].code: dt.date(2025, 3, 25),  # extended to 06-30 only in April
    }


def test_on_time_rate_is_that_of_the_date(world: Any, quarter: Any) -> None:
    s = bulletins.bulletin_context("2025Q1", world.anweiban)["stats"]
    # closed on time: closed_in, reopened_after; denominator: 2 closed + 2 overdue on 03-31
    assert (s["on_time_numerator"], s["on_time_denominator"], s["on_time_rate"]) == (2, 4, "50%")


def test_stock_clearance_is_that_of_the_date(world: Any, quarter: Any) -> None:
    s = bulletins.bulletin_context("2025Q1", world.anweiban)["stats"]
    assert (s["stock_total"], s["stock_closed"], s["stock_rate"]) == (1, 0, "0%")


def test_region_and_all_hazard_figures_are_those_of_the_date(world: Any, quarter: Any) -> None:
    context = bulletins.bulletin_context("2025Q1", world.anweiban)
    a = context["all_hazards"]
    assert (a["counted"], a["open"], a["closed"], a["overdue"]) == (6, 4, 2, 2)
    by_name = {r["name"]: r for r in context["region_rows"]}
    assert (by_name["营田镇"]["new"], by_name["营田镇"]["closed"], by_name["营田镇"]["open"]) == (4, 2, 2)
    assert (by_name["河市镇"]["open"], by_name["河市镇"]["overdue"]) == (2, 1)


def test_the_issued_bulletin_prints_the_figures_of_its_date(
    world: Any,
    quarter: Any,
    bulletin_templates: None,  # noqa: F811 - the fixture imported above
) -> None:
    doc = bulletins.issue_bulletin("2025Q1", world.anweiban)
    texts = [re.sub(r"\s+", "", doc.body)]
    if shutil.which("pdftotext") and doc.pdf.name:
        pdf = subprocess.run(["pdftotext", doc.pdf.path, "-"], capture_output=True, text=True, check=True)
        texts.append(re.sub(r"\s+", "", pdf.stdout))
    for text in texts:
        assert "全区新增重大事故隐患5项" in text and "完成整改销号2项" in text
        assert "截至2025年3月31日，在治重大事故隐患4项，其中逾期未整改2项" in text
        assert "按期整改率为50%" in text
        assert "存量重大事故隐患1项，已整改销号0项，清零率0%" in text
        assert "整改期限2025年3月25日" in text
        assert quarter["found_after"].code not in text and quarter["registered_after"].code not in text
