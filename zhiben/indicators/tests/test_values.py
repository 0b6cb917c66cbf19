"""Indicator values built from hand-written records: value = numerator ÷ denominator over exactly those
records, the same figure as the statistics pages that already show it, and 未接入 (never 0) where the source
module is not built.

The clock stands at 16 June 2026 (the second quarter).
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

import pytest
import time_machine

from zhiben.core.codes import make_uscc
from zhiben.enforcement import stats as enforcement_stats
from zhiben.enforcement.choices import MeasureKind
from zhiben.enforcement.tests.test_stats import decide, find, inspect, open_case
from zhiben.hazards import stats as hazard_stats
from zhiben.hazards import tally
from zhiben.hazards.choices import Level, Status
from zhiben.indicators import registry
from zhiben.indicators.registry import Scope
from zhiben.inspections.choices import OccurrenceStatus
from zhiben.inspections.models import DutyOccurrence, DutyRule, SelfCheck
from zhiben.registry.choices import StandardisationGrade
from zhiben.registry.models import Enterprise
from zhiben.registry.services import create_enterprise

from .support import hazard

pytestmark = pytest.mark.django_db

SH = dt.timezone(dt.timedelta(hours=8))
Q2 = "2026Q2"


@pytest.fixture
def clock() -> Any:
    with time_machine.travel(dt.datetime(2026, 6, 16, 9, 0, tzinfo=SH), tick=False) as t:
        yield t


def ids(qs: Any) -> set[int]:
    return set(qs.values_list("pk", flat=True))


def on_time_story(world: Any) -> dict[str, Any]:
    """Two closed on time, one closed late, one open past its deadline, one open within it, one report."""
    return {
        "on_time_1": hazard(world, "qiye1", status=Status.CLOSED, closed_on_time=True),
        "on_time_2": hazard(world, "qiye2", status=Status.CLOSED, closed_on_time=True),
        "late": hazard(world, "yt_gas", status=Status.CLOSED, closed_on_time=False),
        "overdue": hazard(world, "qiye1", deadline=dt.date(2026, 5, 1)),
        "in_time": hazard(world, "qiye3", deadline=dt.date(2026, 9, 1)),
        "report": hazard(world, "qiye1", status=Status.REPORTED, deadline=None),
        "next_quarter": hazard(
            world, "qiye1", discovered_on=dt.date(2026, 7, 2), deadline=dt.date(2026, 1, 1)
        ),
    }


def test_on_time_rate_is_closed_on_time_over_closed_and_overdue(world: Any, clock: Any) -> None:
    s = on_time_story(world)
    ind = registry.get("hazards.on_time_rectification")

    parts = ind.parts(Scope.district(), Q2)
    assert ids(parts.numerator) == {s["on_time_1"].pk, s["on_time_2"].pk}
    assert ids(parts.denominator) == {s["on_time_1"].pk, s["on_time_2"].pk, s["late"].pk, s["overdue"].pk}
    v = ind.value(Scope.district(), Q2)
    assert (v.available, v.numerator, v.denominator, v.value) == (True, 2, 4, Decimal("50.0"))

    # 营田镇: qiye1's on-time closure, yt_gas's late one and qiye1's overdue hazard.
    yingtian = ind.value(Scope.township(world.regions["营田镇"]), Q2)
    assert (yingtian.numerator, yingtian.denominator, yingtian.value) == (1, 3, Decimal("33.3"))


def test_on_time_rate_agrees_with_the_hazard_statistics(world: Any, clock: Any) -> None:
    on_time_story(world)
    tally.rebuild()
    ratio = hazard_stats.figures(world.anweiban, hazard_stats.StatsFilter(quarter_to=Q2)).totals.on_time_rate
    v = registry.get("hazards.on_time_rectification").value(Scope.district(), Q2)

    assert (v.numerator, v.denominator) == (ratio.numerator, ratio.denominator)
    assert float(v.value) == ratio.percent


def test_stock_clearance_counts_only_major_stock(world: Any, clock: Any) -> None:
    closed = hazard(
        world,
        "qiye1",
        level=Level.MAJOR,
        discovered_on=dt.date(2023, 5, 1),
        status=Status.CLOSED,
        closed_on_time=True,
    )
    still_open = hazard(world, "qiye2", level=Level.MAJOR, discovered_on=dt.date(2023, 8, 1))
    hazard(world, "qiye3", level=Level.GENERAL, discovered_on=dt.date(2023, 8, 1))  # general: not counted
    hazard(world, "qiye3", level=Level.MAJOR, discovered_on=dt.date(2024, 2, 1))  # not stock

    parts = registry.get("hazards.stock_clearance").parts(Scope.district(), Q2)
    assert ids(parts.numerator) == {closed.pk}
    assert ids(parts.denominator) == {closed.pk, still_open.pk}
    assert registry.get("hazards.stock_clearance").value(Scope.district(), Q2).value == Decimal("50.0")


def test_new_major_hazards_against_the_same_period_a_year_earlier(world: Any, clock: Any) -> None:
    for day in (dt.date(2026, 1, 5), dt.date(2026, 5, 5), dt.date(2026, 6, 1)):
        hazard(world, "qiye1", level=Level.MAJOR, discovered_on=day)
    for day in (dt.date(2025, 2, 5), dt.date(2025, 6, 30), dt.date(2025, 7, 1)):  # the last: after the period
        hazard(world, "qiye2", level=Level.MAJOR, discovered_on=day)

    v = registry.get("hazards.new_major_yoy").value(Scope.district(), Q2)
    assert (v.numerator, v.denominator, v.value) == (3, 2, Decimal("150.0"))


def test_above_scale_standardisation_reads_the_registry_flags(world: Any, clock: Any) -> None:
    industries = world.industries
    graded = world.enterprises["qiye1"]  # 机械: 工贸
    Enterprise.objects.filter(pk=graded.pk).update(
        is_above_scale=True, standardisation_grade=StandardisationGrade.GRADE_3
    )
    ungraded = create_enterprise(
        actor=None,
        uscc=make_uscc("9", "1", "430671", "MA4L0099"),
        name="营田纺织有限公司",
        region=world.enterprises["qiye1"].region,
        primary_industry=industries["INDTRADE-TEXTILE"],
        industries=[industries["INDTRADE-TEXTILE"]],
        is_above_scale=True,
    )
    # Above scale but not 工贸 (a chemical plant): outside the denominator.
    Enterprise.objects.filter(pk=world.enterprises["qiye2"].pk).update(is_above_scale=True)

    ind = registry.get("campaign.above_scale_standardisation")
    parts = ind.parts(Scope.district(), Q2)
    assert ids(parts.numerator) == {graded.pk}
    assert ids(parts.denominator) == {graded.pk, ungraded.pk}
    v = ind.value(Scope.district(), Q2)
    assert (v.numerator, v.denominator, v.value) == (1, 2, Decimal("50.0"))
    assert ind.verified is False  # the industry set is data, 待核实
    assert ind.value(Scope.township(world.regions["凤凰乡"]), Q2).value is None  # no denominator: no rate


def test_an_indicator_without_its_module_says_unavailable_never_zero(
    world: Any, clock: Any, unbuilt_indicator: str
) -> None:
    ind = registry.get(unbuilt_indicator)
    v = ind.value(Scope.district(), Q2)

    assert ind.available is False
    assert (v.available, v.numerator, v.denominator, v.value) == (False, None, None, None)
    assert v.display == "未接入"
    for tip_id in (
        "tips.accept_on_time",
        "tips.verify_on_time",
        "tips.founded_rate",
        "tips.reward_paid_rate",
        "tips.internal_reports",
    ):  # declared here, wired by the tips app (tips/indicators.connect_registry)
        assert registry.get(tip_id).available is True


def test_connect_wires_a_placeholder_to_its_records(world: Any, clock: Any) -> None:
    original = registry.get("campaign.team_staffing")
    try:
        connected = registry.connect(
            "campaign.team_staffing",
            lambda scope, w: registry.Parts(
                numerator=Enterprise.objects.unrestricted("test").filter(pk=world.enterprises["qiye1"].pk),
                denominator=Enterprise.objects.unrestricted("test"),
            ),
        )
        assert connected.available and connected.name == original.name
        v = connected.value(Scope.district(), Q2)
        assert (v.numerator, v.denominator) == (1, Enterprise.objects.count())
    finally:
        registry.register(original)


def test_self_check_coverage_and_missed_duties(world: Any, clock: Any) -> None:
    rule = DutyRule.objects.order_by("pk").first()
    assert rule is not None
    q2 = (dt.date(2026, 4, 1), dt.date(2026, 6, 30))
    for slot in ("qiye1", "yt_gas", "qiye2"):
        DutyOccurrence.objects.create(
            enterprise=world.enterprises[slot], rule=rule, period_start=q2[0], period_end=q2[1]
        )
    missed = DutyOccurrence.objects.create(
        enterprise=world.enterprises["qiye3"],
        rule=rule,
        period_start=dt.date(2026, 4, 1),
        period_end=dt.date(2026, 4, 30),
        status=OccurrenceStatus.MISSED,
    )
    SelfCheck.objects.create(
        enterprise=world.enterprises["qiye1"], checked_on=dt.date(2026, 5, 2), led_by_name="张建国"
    )
    SelfCheck.objects.create(
        enterprise=world.enterprises["yt_gas"], checked_on=dt.date(2026, 3, 2), led_by_name="张燃明"
    )

    coverage = registry.get("inspections.self_check_coverage")
    v = coverage.value(Scope.district(), Q2)
    assert (v.numerator, v.denominator) == (1, 4)  # qiye1 checked; yt_gas checked last quarter
    yingtian = coverage.value(Scope.township(world.regions["营田镇"]), Q2)
    assert (yingtian.numerator, yingtian.denominator, yingtian.value) == (1, 2, Decimal("50.0"))
    parts = registry.get("inspections.missed").parts(Scope.district(), Q2)
    assert ids(parts.numerator) == {missed.pk}


def test_enforcement_indicators_agree_with_the_enforcement_statistics(world: Any) -> None:
    with time_machine.travel(dt.datetime(2025, 6, 16, 9, 0, tzinfo=SH), tick=False):
        housing, fire = world.departments["housing"], world.departments["fire"]
        i1 = inspect(world, "qiye1", "housing", dt.date(2025, 1, 6))
        find(i1, housing)
        i2 = inspect(world, "qiye2", "fire", dt.date(2025, 2, 3))
        case = open_case(world, "fire", "qiye2", finding=find(i2, fire))
        decide(case, MeasureKind.FINE, dt.date(2025, 2, 28), "10000")
        inspect(world, "qiye3", "housing", dt.date(2025, 3, 8))  # nothing found

        figures = enforcement_stats.figures(
            world.anweiban, enforcement_stats.StatsFilter(year=2025, quarter=1)
        )
        flagged = {f.code for f in figures.zero_penalty if f.kind == "department"}
        zero = registry.get("enforcement.zero_penalty_departments").parts(Scope.district(), "2025Q1")
        assert set(zero.numerator.values_list("code", flat=True)) == flagged == {"housing"}
        assert set(zero.denominator.values_list("code", flat=True)) == {"housing", "fire"}

        rate = registry.get("enforcement.inspection_penalty_rate").value(Scope.district(), "2025Q1")
        totals = figures.totals
        assert (rate.numerator, rate.denominator) == (
            totals.with_findings - totals.unhandled,
            totals.with_findings,
        )
        assert rate.value == Decimal("50.0")
        fire_rate = registry.get("enforcement.inspection_penalty_rate").value(
            Scope.department(fire), "2025Q1"
        )
        assert (fire_rate.numerator, fire_rate.denominator) == (1, 1)


def test_township_and_department_tables_count_each_scope_as_its_own_value(world: Any, clock: Any) -> None:
    # The tables count every township (department) in one grouped query, the district its two counts in one:
    # the same numbers as each scope's records counted by themselves, scopes without hazards included.
    on_time_story(world)
    hazard(world, "qiye1", level=Level.MAJOR, discovered_on=dt.date(2023, 5, 1), status=Status.CLOSED)
    hazard(world, "yt_gas", level=Level.MAJOR, discovered_on=dt.date(2025, 3, 1), department="housing")
    hazard(world, "qiye2", level=Level.MAJOR, discovered_on=dt.date(2026, 2, 1))
    for ind_id in (
        "hazards.on_time_rectification",
        "hazards.stock_clearance",
        "hazards.new_major_yoy",
        "hazards.major_open",
    ):
        ind = registry.get(ind_id)
        assert ind.grouped is not None
        for kind in (registry.DISTRICT, registry.TOWNSHIP, registry.DEPARTMENT):
            scopes = registry.scopes_of(kind)
            one_by_one = [ind._counted(s, Q2, None) for s in scopes]  # the records counted, no grouping
            assert ind.live_values(scopes, Q2) == one_by_one, (ind_id, kind)
            assert any(v.numerator for v in one_by_one), (ind_id, kind)  # the story reaches the tables


def test_counted_together_the_hazard_goals_are_one_scan_with_the_same_numbers(world: Any, clock: Any) -> None:
    """A page that shows many indicators (the campaign plan, the workbench's figures) counts them together:
    every hazard indicator's district numbers come from one aggregate over the register, each equal to what
    it counts alone."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    on_time_story(world)
    hazard(world, "qiye1", level=Level.MAJOR, discovered_on=dt.date(2023, 5, 1), status=Status.CLOSED)
    hazard(world, "qiye2", level=Level.MAJOR, discovered_on=dt.date(2025, 5, 1), deadline=dt.date(2026, 2, 1))
    hazard(world, "qiye3", level=Level.MAJOR, discovered_on=dt.date(2026, 5, 1))
    names = [i.id for i in registry.all() if i.id.startswith("hazards.") and i.supports(Scope.district())]
    assert len(names) >= 5

    def values() -> dict[str, tuple[Any, Any]]:
        out = {}
        for name in names:
            v = registry.get(name).value(Scope.district(), Q2)
            out[name] = (v.numerator, v.denominator)
        return out

    with CaptureQueriesContext(connection) as alone_queries:
        alone = values()
    with registry.counting_together(), CaptureQueriesContext(connection) as together_queries:
        together = values()
    assert together == alone
    assert any(n for n, _d in alone.values())  # the story gives each kind of count something to count
    scans = [q for q in together_queries.captured_queries if 'FROM "hazards_hazard"' in q["sql"]]
    assert (
        len(scans)
        == 1
        < len([q for q in alone_queries.captured_queries if 'FROM "hazards_hazard"' in q["sql"]])
    )
    # Outside the block nothing is kept: a new hazard counts at once.
    hazard(world, "qiye3", level=Level.MAJOR, discovered_on=dt.date(2026, 5, 2))
    assert (
        registry.get("hazards.major_open").value(Scope.district(), Q2).numerator
        == alone["hazards.major_open"][0] + 1
    )
