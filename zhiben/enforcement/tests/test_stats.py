"""执法统计 as the committee office, the departments and the townships read it.

A read-model test: the inspections, findings, cases and measures are written straight through the ORM (the
services that normally write them are built in parallel), so each story states exactly the records behind a
figure and the figure is checked against the definition in stats.py / docs/enforcement-statistics.md.

The story of the first quarter of 2025: 住建局 (housing) inspects twice in 营田镇 and never penalises; 消防
(fire) inspects once in 河市镇 and fines the unit; the two of them visit qiye1 together once.
"""

from __future__ import annotations

import datetime as dt
import itertools
from decimal import Decimal
from typing import Any

import pytest
import time_machine
from django.urls import reverse

from zhiben.core.testing import login
from zhiben.enforcement import stats
from zhiben.enforcement.choices import CaseStatus, MeasureKind
from zhiben.enforcement.models import Case, CaseMeasure
from zhiben.enforcement.stats import StatsFilter
from zhiben.inspections.choices import FindingHandling, InspectionStatus, Mode
from zhiben.inspections.models import Finding, Inspection, InspectionDepartment

pytestmark = pytest.mark.django_db

SH = dt.timezone(dt.timedelta(hours=8))
TODAY = dt.date(2025, 6, 16)
Q1 = StatsFilter(year=2025, quarter=1)
_codes = itertools.count(1)


@pytest.fixture
def clock() -> Any:
    with time_machine.travel(dt.datetime(2025, 6, 16, 9, 0, tzinfo=SH), tick=False) as t:
        yield t


# --- records, written as the services would leave them ----------------------------------------------------


def inspect(
    world: Any,
    slot: str,
    department: str,
    day: dt.date | dt.datetime,
    *,
    mode: str = Mode.ROUTINE,
    joined: tuple[str, ...] = (),
    status: str = InspectionStatus.COMPLETED,
    region: Any = None,
) -> Inspection:
    """A visit to `slot` led by `department` (with `joined` departments taking part), finished on `day`."""
    enterprise = world.enterprises[slot]
    finished = day if isinstance(day, dt.datetime) else dt.datetime.combine(day, dt.time(10), tzinfo=SH)
    inspection = Inspection.objects.create(
        code=f"JC-{next(_codes):05d}",
        enterprise=enterprise,
        region=region or enterprise.region,
        industry=enterprise.primary_industry,
        department=world.departments[department],
        mode=Mode.JOINT if joined and mode == Mode.ROUTINE else mode,
        status=status,
        planned_on=finished.date(),
        started_at=finished - dt.timedelta(hours=2),
        finished_at=finished if status == InspectionStatus.COMPLETED else None,
    )
    for i, code in enumerate((department, *joined)):
        InspectionDepartment.objects.create(
            inspection=inspection, department=world.departments[code], is_lead=i == 0
        )
    return inspection


def find(inspection: Inspection, department: Any, *, level: str = "general", hazard: Any = None) -> Finding:
    return Finding.objects.create(
        inspection=inspection,
        department=department,
        level=level,
        title="检查发现的问题",
        handling=FindingHandling.HAZARD,
        hazard=hazard,
    )


def open_case(
    world: Any,
    department: str,
    slot: str,
    *,
    inspection: Inspection | None = None,
    finding: Finding | None = None,
    filed_on: dt.date = dt.date(2025, 2, 1),
    status: str = CaseStatus.DECIDED,
    is_typical: bool = False,
    summary: str = "",
) -> Case:
    enterprise = world.enterprises[slot]
    return Case.objects.create(
        code=f"AJ-{next(_codes):05d}",
        enterprise=enterprise,
        subject_name=enterprise.name,
        region=enterprise.region,
        department=world.departments[department],
        inspection=inspection,
        finding=finding,
        violation="未按规定排查治理事故隐患",
        status=status,
        filed_on=filed_on,
        decided_on=filed_on + dt.timedelta(days=20) if status != CaseStatus.FILED else None,
        is_typical=is_typical,
        typical_summary=summary,
    )


def decide(case: Case, kind: str, day: dt.date, amount: str | None = None) -> CaseMeasure:
    return CaseMeasure.objects.create(
        case=case, kind=kind, decided_on=day, amount=Decimal(amount) if amount is not None else None
    )


def row(rows: list[stats.Row], code: str) -> stats.Counts:
    return next(r.counts for r in rows if r.code == code)


def flagged(f: stats.Figures) -> set[tuple[str, str]]:
    return {(flag.kind, flag.code) for flag in f.zero_penalty}


def quarter_story(world: Any) -> dict[str, Any]:
    """The first quarter of 2025 told in the module docstring."""
    h1 = inspect(world, "qiye1", "housing", dt.date(2025, 1, 10))
    h2 = inspect(world, "yt_gas", "housing", dt.date(2025, 2, 10), mode=Mode.UNANNOUNCED)
    f1 = inspect(world, "qiye2", "fire", dt.date(2025, 2, 20), mode=Mode.UNANNOUNCED)
    joint = inspect(world, "qiye1", "housing", dt.date(2025, 3, 5), joined=("fire",))
    fire_case = open_case(world, "fire", "qiye2", inspection=f1, filed_on=dt.date(2025, 2, 21))
    decide(fire_case, MeasureKind.FINE, dt.date(2025, 3, 1), "20000")
    return {"h1": h1, "h2": h2, "f1": f1, "joint": joint, "fire_case": fire_case}


# --- Done when: 零处罚 -------------------------------------------------------------------------------------


def test_it_flags_a_department_with_inspections_and_no_penalties(world: Any, clock: Any) -> None:
    story = quarter_story(world)
    f = stats.figures(world.anweiban, Q1, TODAY)
    housing, fire = row(f.departments, "housing"), row(f.departments, "fire")
    assert (housing.inspections, housing.penalties, housing.zero_penalty) == (3, 0, True)
    assert (fire.inspections, fire.penalties, fire.zero_penalty) == (2, 1, False)
    assert ("department", "housing") in flagged(f) and ("department", "fire") not in flagged(f)
    # Townships: 营田镇 (qiye1, yt_gas) was inspected and nobody penalised there; 河市镇 had the fine.
    yingtian, heshi = world.regions["营田镇"].code, world.regions["河市镇"].code
    assert ("township", yingtian) in flagged(f) and ("township", heshi) not in flagged(f)

    # A corrective order is not a penalty: the flag stays.
    order = open_case(world, "housing", "qiye1", inspection=story["h1"], filed_on=dt.date(2025, 1, 12))
    decide(order, MeasureKind.ORDER_RECTIFY, dt.date(2025, 1, 12))
    f = stats.figures(world.anweiban, Q1, TODAY)
    assert row(f.departments, "housing").orders == 1 and ("department", "housing") in flagged(f)

    # A penalty decided after the quarter does not count for it …
    late = open_case(world, "housing", "yt_gas", inspection=story["h2"], filed_on=dt.date(2025, 2, 11))
    decide(late, MeasureKind.FINE, dt.date(2025, 4, 2), "5000")
    assert ("department", "housing") in flagged(stats.figures(world.anweiban, Q1, TODAY))
    assert ("department", "housing") not in flagged(
        stats.figures(world.anweiban, StatsFilter(year=2025, quarter=2), TODAY)
    )  # … and in the second quarter housing penalised without inspecting: not 零处罚 either

    # After a penalty decision inside the quarter, housing is no longer flagged (nor 营田镇, where it was).
    decide(order, MeasureKind.SUSPEND, dt.date(2025, 3, 20))
    f = stats.figures(world.anweiban, Q1, TODAY)
    assert row(f.departments, "housing").penalties == 1
    assert ("department", "housing") not in flagged(f) and ("township", yingtian) not in flagged(f)


def test_it_lists_the_zero_penalty_units_at_the_top_of_the_page(client: Any, world: Any, clock: Any) -> None:
    story = quarter_story(world)
    login(client, world.anweiban)
    html = client.get(reverse("enforcement:stats"), {"year": 2025, "quarter": 1}).content.decode()
    zero_list = html.split('data-testid="zero-penalty-list"')[1].split("</ul>")[0]
    assert 'data-kind="department" data-code="housing"' in zero_list
    assert 'data-code="fire"' not in zero_list
    assert "区住房和城乡建设局" in zero_list and "检查 3 次，处罚决定 0 件" in zero_list
    assert html.index('data-testid="zero-penalty"') < html.index('data-testid="kpis"')  # at the top
    definitions = html.split('data-testid="definitions"')[1]
    assert "口径说明" in definitions and "docs/" not in definitions  # officials read no file paths
    housing_row = (
        html.split('data-testid="departments-table"')[1].split('data-code="housing"')[1].split("</tr>")[0]
    )
    assert 'data-flag="zero"' in housing_row

    decide(
        story["fire_case"], MeasureKind.FINE, dt.date(2025, 3, 2), "1000"
    )  # fire's second measure: still 1
    case = open_case(world, "housing", "qiye1", inspection=story["h1"])
    decide(case, MeasureKind.FINE, dt.date(2025, 3, 3), "30000")
    html = client.get(reverse("enforcement:stats"), {"year": 2025, "quarter": 1}).content.decode()
    top = html.split('data-testid="zero-penalty"')[1].split('data-testid="kpis"')[0]
    assert 'data-code="housing"' not in top and 'data-code="fire"' not in top
    assert 'data-kpi="penalties">2<' in html  # two cases, however many measures


# --- the figures' definitions ------------------------------------------------------------------------------


def test_it_counts_inspections_that_found_violations_but_had_no_measure(world: Any, clock: Any) -> None:
    housing, fire = world.departments["housing"], world.departments["fire"]
    # housing: I1 found a problem, nothing followed → counted in the numerator.
    i1 = inspect(world, "qiye1", "housing", dt.date(2025, 1, 6))
    find(i1, housing)
    # housing: I2 found two problems; a 责令限期整改 on a case linked to the inspection → handled.
    i2 = inspect(world, "yt_gas", "housing", dt.date(2025, 1, 7))
    find(i2, housing)
    find(i2, housing)
    decide(
        open_case(world, "housing", "yt_gas", inspection=i2), MeasureKind.ORDER_RECTIFY, dt.date(2025, 1, 8)
    )
    # housing: I3 found nothing → not in the denominator.
    inspect(world, "qiye3", "housing", dt.date(2025, 1, 8))
    # fire: I4's finding became a case (linked through the finding only) with a fine → handled.
    i4 = inspect(world, "qiye2", "fire", dt.date(2025, 2, 3))
    case4 = open_case(world, "fire", "qiye2", finding=find(i4, fire))
    decide(case4, MeasureKind.FINE, dt.date(2025, 2, 28), "10000")
    # fire: I5's finding became a case still under investigation: no measure yet → numerator.
    i5 = inspect(world, "hs_road", "fire", dt.date(2025, 2, 4))
    open_case(world, "fire", "hs_road", finding=find(i5, fire), status=CaseStatus.INVESTIGATING)
    # joint visit: both departments found something; housing fined on its finding, fire did nothing.
    joint = inspect(world, "qiye1", "housing", dt.date(2025, 3, 3), joined=("fire",))
    h_finding = find(joint, housing)
    find(joint, fire)
    decide(
        open_case(world, "housing", "qiye1", finding=h_finding), MeasureKind.FINE, dt.date(2025, 3, 4), "8000"
    )
    # Not in the period: planned (not done) and done in the second quarter.
    find(inspect(world, "qiye1", "housing", dt.date(2025, 3, 9), status=InspectionStatus.PLANNED), housing)
    find(inspect(world, "qiye1", "housing", dt.date(2025, 4, 9)), housing)

    f = stats.figures(world.anweiban, Q1, TODAY)
    # Whole visits: I1, I2, I4, I5, joint found problems; I1 and I5 had no measure.
    assert f.totals.inspections == 6
    assert f.totals.inspect_only_rate == stats.Ratio(2, 5)
    assert f.totals.inspect_only_rate.percent == 40.0
    # Per department: housing I1, I2, joint → I1 unhandled; fire I4, I5, joint → I5 and joint unhandled.
    assert row(f.departments, "housing").inspect_only_rate == stats.Ratio(1, 3)
    assert row(f.departments, "fire").inspect_only_rate == stats.Ratio(2, 3)
    # The same numerator and denominator on the page.
    html = client_page(world, Q1)
    assert 'data-kpi="inspect_only_rate">40%<' in html
    assert 'data-kpi="inspect_only_fraction">未采取措施 2 / 发现问题的检查 5<' in html


def client_page(world: Any, filters: StatsFilter, user: Any = None) -> str:
    from django.test import Client

    client = login(Client(), user or world.anweiban)
    response = client.get(reverse("enforcement:stats"), dict(filters.query_items()))
    assert response.status_code == 200
    return response.content.decode()


def test_it_counts_major_hazards_found_per_thousand_inspections(world: Any, clock: Any) -> None:
    from zhiben.hazards import services as hazards
    from zhiben.hazards.choices import Level
    from zhiben.standards.models import Clause, Standard, StandardVersion

    standard = Standard.objects.create(
        code="jianzhu-t", sector="建筑施工", name="房屋市政工程重大事故隐患判定标准"
    )
    version = StandardVersion.objects.create(standard=standard, label="2022版", title=standard.name)
    clause = Clause.objects.create(
        version=version, code="第四条（一）", article="第四条", text="未取得安全生产许可证"
    )
    housing, fire = world.departments["housing"], world.departments["fire"]

    def hazard(level: str) -> Any:
        return hazards.register_hazard(
            actor=None,
            enterprise=world.enterprises["qiye3"],
            level=level,
            clause=clause if level == Level.MAJOR else None,
            title="脚手架隐患",
            discovered_on=dt.date(2025, 2, 1),
        )

    a = inspect(world, "qiye3", "housing", dt.date(2025, 2, 1))
    find(a, housing, level="major")  # recorded as 重大
    find(a, housing, level="general", hazard=hazard(Level.MAJOR))  # recorded as 一般, its hazard is 重大
    find(a, housing, level="general", hazard=hazard(Level.GENERAL))
    b = inspect(world, "qiye3", "housing", dt.date(2025, 2, 2), joined=("fire",))
    find(b, fire, level="major")  # routed to fire's ledger on a visit housing led
    find(b, housing, level="general")
    inspect(world, "qiye1", "housing", dt.date(2025, 2, 3))
    inspect(world, "qiye2", "fire", dt.date(2025, 2, 4))
    find(inspect(world, "qiye3", "housing", dt.date(2025, 5, 1)), housing, level="major")  # second quarter

    f = stats.figures(world.anweiban, Q1, TODAY)
    assert (f.totals.inspections, f.totals.major_found) == (4, 3)
    assert f.totals.major_per_inspection == 0.75  # 3 ÷ 4: on average three in four checks find one
    h, fi = row(f.departments, "housing"), row(f.departments, "fire")
    assert (h.inspections, h.major_found, h.major_per_inspection) == (3, 2, 0.67)
    assert (fi.inspections, fi.major_found, fi.major_per_inspection) == (2, 1, 0.5)
    assert stats.Counts().major_per_inspection is None  # no inspections, no figure
    page = client_page(world, Q1)
    assert 'data-kpi="major_per_inspection">0.75</span> <small>项</small>' in page
    assert "平均每次检查发现重大隐患" in page and "每千次" not in page


def test_it_counts_penalty_decisions_once_per_case_and_fines_separately_from_orders(
    world: Any, clock: Any
) -> None:
    inspect(world, "qiye2", "fire", dt.date(2025, 1, 5))
    a = open_case(world, "fire", "qiye2")
    decide(a, MeasureKind.FINE, dt.date(2025, 1, 20), "20000")
    decide(a, MeasureKind.SUSPEND, dt.date(2025, 1, 20))  # the same decision: still one case
    b = open_case(world, "fire", "hs_road")
    decide(b, MeasureKind.DAILY_FINE, dt.date(2025, 2, 20), "15000.50")
    c = open_case(world, "fire", "qiye2")
    decide(c, MeasureKind.ORDER_RECTIFY, dt.date(2025, 2, 1))
    withdrawn = open_case(world, "fire", "qiye2", status=CaseStatus.WITHDRAWN)
    decide(withdrawn, MeasureKind.FINE, dt.date(2025, 2, 2), "99999")
    judicial = open_case(world, "fire", "qiye2")
    decide(judicial, MeasureKind.JUDICIAL, dt.date(2025, 2, 3))  # a transfer is not a penalty
    f = stats.figures(world.anweiban, Q1, TODAY)
    fire = row(f.departments, "fire")
    assert (fire.penalties, fire.orders, fire.fines) == (2, 1, Decimal("35000.50"))
    assert (f.totals.penalties, f.totals.orders, f.totals.fines) == (2, 1, Decimal("35000.50"))


def test_it_counts_a_joint_inspection_once_in_total_and_for_every_department(world: Any, clock: Any) -> None:
    inspect(world, "qiye1", "housing", dt.date(2025, 2, 5), joined=("fire", "emergency"))
    # A visit whose lead has no participation row (as an older record might be) still counts for the lead.
    lone = inspect(world, "qiye2", "fire", dt.date(2025, 2, 6), mode=Mode.UNANNOUNCED)
    InspectionDepartment.objects.filter(inspection=lone).delete()
    f = stats.figures(world.anweiban, Q1, TODAY)
    assert f.totals.inspections == 2
    assert {r.code: r.counts.inspections for r in f.departments} == {"emergency": 1, "housing": 1, "fire": 2}
    assert f.totals.modes == {"unannounced": 1, "joint": 1}
    assert f.totals.unannounced_share == stats.Ratio(1, 2)
    assert row(f.departments, "fire").unannounced_share == stats.Ratio(1, 2)


def test_it_rolls_villages_up_to_their_township(world: Any, clock: Any) -> None:
    yingtian = world.regions["营田镇"]
    assert world.enterprises["qiye1"].region.parent_id == yingtian.pk  # the unit sits in a village
    inspect(world, "qiye1", "housing", dt.date(2025, 1, 6))
    inspect(world, "yt_gas", "housing", dt.date(2025, 1, 7))
    inspect(world, "yt_shop", "fire", dt.date(2025, 1, 8), region=yingtian)  # recorded at township level
    inspect(world, "qiye2", "fire", dt.date(2025, 1, 9))
    case = open_case(world, "fire", "yt_shop")
    decide(case, MeasureKind.FINE, dt.date(2025, 1, 10), "3000")
    f = stats.figures(world.anweiban, Q1, TODAY)
    assert [(r.code, r.label) for r in f.townships] == [
        (yingtian.code, "营田镇"),
        (world.regions["河市镇"].code, "河市镇"),
    ]
    yt = row(f.townships, yingtian.code)
    assert (yt.inspections, yt.penalties, yt.fines) == (3, 1, Decimal("3000.00"))
    assert sum(r.counts.inspections for r in f.townships) == f.totals.inspections == 4
    # The region filter takes the township and everything below it.
    only = stats.figures(world.anweiban, StatsFilter(year=2025, quarter=1, region=yingtian.code), TODAY)
    assert only.totals.inspections == 3 and [r.code for r in only.townships] == [yingtian.code]


def test_it_filters_by_quarter_and_date_range_in_local_time(world: Any, clock: Any) -> None:
    # 2025-03-31 23:30 in Shanghai is still the first quarter; 2025-04-01 00:30 (16:30 UTC on 31 March) is not.
    inspect(world, "qiye1", "housing", dt.datetime(2025, 3, 31, 23, 30, tzinfo=SH))
    inspect(world, "yt_gas", "housing", dt.datetime(2025, 4, 1, 0, 30, tzinfo=SH))
    inspect(world, "qiye2", "fire", dt.date(2024, 12, 30))
    case = open_case(world, "housing", "qiye1")
    decide(case, MeasureKind.FINE, dt.date(2025, 4, 1), "1000")

    def count(**kw: Any) -> tuple[int, int]:
        f = stats.figures(world.anweiban, StatsFilter(**kw), TODAY)
        return f.totals.inspections, f.totals.penalties

    assert count(year=2025, quarter=1) == (1, 0)
    assert count(year=2025, quarter=2) == (1, 1)
    assert count(year=2024, quarter=4) == (1, 0)
    assert count(date_from=dt.date(2025, 3, 31), date_to=dt.date(2025, 4, 1)) == (2, 1)
    assert count(date_from=dt.date(2024, 12, 1), date_to=dt.date(2025, 3, 31)) == (2, 0)
    # A year: every quarter to date, each with its own figures; the current one stops at today.
    f = stats.figures(world.anweiban, StatsFilter(year=2025), TODAY)
    assert [(r.code, r.counts.inspections, r.counts.penalties) for r in f.quarters] == [
        ("2025Q1", 1, 0),
        ("2025Q2", 1, 1),
    ]
    assert (
        f.period == stats.Period(dt.date(2025, 1, 1), TODAY, f.period.label)
        and "截至6月16日" in f.period.label
    )
    assert stats.figures(world.anweiban, None, TODAY).period.start == dt.date(
        2025, 1, 1
    )  # default: this year


def test_it_lists_typical_cases_of_the_period(world: Any, clock: Any) -> None:
    typical = open_case(world, "fire", "qiye2", is_typical=True, summary="未落实重大隐患整改被处罚款")
    open_case(world, "fire", "qiye2")  # not typical
    open_case(world, "fire", "qiye2", is_typical=True, filed_on=dt.date(2025, 5, 1))  # second quarter
    f = stats.figures(world.anweiban, Q1, TODAY)
    assert [(c.code, c.summary, c.township) for c in f.typical] == [
        (typical.code, "未落实重大隐患整改被处罚款", "河市镇")
    ]
    assert f.typical_total == 1
    html = client_page(world, Q1)
    assert typical.code in html.split('data-testid="typical-table"')[1]


# --- scope ---------------------------------------------------------------------------------------------------


def test_it_limits_a_township_to_its_territory(client: Any, world: Any, clock: Any) -> None:
    quarter_story(world)
    inspect(world, "fh_school", "emergency", dt.date(2025, 1, 20))  # 凤凰乡
    everyone = stats.figures(world.anweiban, Q1, TODAY)
    yingtian = stats.figures(world.yingtian, Q1, TODAY)
    assert everyone.totals.inspections == 5 and yingtian.totals.inspections == 3  # h1, h2, joint
    assert [r.label for r in yingtian.townships] == ["营田镇"]
    assert yingtian.totals.penalties == 0  # the fine was in 河市镇
    assert {r.code for r in yingtian.departments} == {"housing", "fire"}  # their work in 营田镇 only
    assert row(yingtian.departments, "fire").inspections == 1
    # Asking for another township's figures is refused on the field; the page stays in its territory.
    login(client, world.yingtian)
    response = client.get(
        reverse("enforcement:stats"), {"year": 2025, "quarter": 1, "region": world.regions["河市镇"].code}
    )
    html = response.content.decode()
    assert response.status_code == 200 and 'data-testid="filter-errors"' in html
    assert 'data-kpi="inspections">3<' in html


def test_it_shows_a_department_its_own_figures(world: Any, clock: Any) -> None:
    quarter_story(world)
    f = stats.figures(world.zhujian, Q1, TODAY)
    assert f.by_department and [r.code for r in f.departments] == ["housing"]
    assert f.totals == f.departments[0].counts  # its page adds up to its own row
    assert f.totals.inspections == 3 and ("department", "housing") in flagged(f)
    # Within its figures a township row is its work there, not the township's enforcement: no township flags.
    assert not f.flags_townships and flagged(f) == {("department", "housing")}
    assert any(r.counts.zero_penalty for r in f.townships)
    assert stats.department_choices(world.zhujian) == [("housing", "区住房和城乡建设局")]
    # The fire department's joint visit with housing counts for fire; its fine is fire's.
    fire = stats.figures(world.xiaofang, Q1, TODAY)
    assert (fire.totals.inspections, fire.totals.penalties) == (2, 1)
    # The office choosing a department sees the same figures as that department.
    assert stats.figures(
        world.anweiban, StatsFilter(year=2025, quarter=1, department="fire"), TODAY
    ).totals == (fire.totals)


def test_it_refuses_the_page_to_units_experts_and_strangers(client: Any, world: Any) -> None:
    for name in ("enforcement:stats", "enforcement:stats_export"):
        assert client.get(reverse(name)).status_code == 302  # to the login page
    for username in ("qiye1", "zhuanjia", "xitong"):
        login(client, world.users[username])
        for name in ("enforcement:stats", "enforcement:stats_export"):
            assert client.get(reverse(name)).status_code == 403, (username, name)
    for username in ("anweiban", "lingdao", "zhujian", "yingtian"):
        login(client, world.users[username])
        assert client.get(reverse("enforcement:stats")).status_code == 200, username


def test_it_answers_every_persona_without_an_error(client: Any, world: Any, clock: Any) -> None:
    """The permission crawl in small: each persona gets the page and the export, or a clear 403."""
    quarter_story(world)
    for username, user in world.users.items():
        login(client, user)
        may = stats.may_view_statistics(user)
        for name in ("enforcement:stats", "enforcement:stats_export"):
            status = client.get(reverse(name), {"year": 2025, "quarter": 1}).status_code
            assert status == (200 if may else 403), (username, name, status)
    assert {u for u, user in world.users.items() if stats.may_view_statistics(user)} == {
        "anweiban",
        "lingdao",
        "yingji",
        "zhujian",
        "jiaotong",
        "xiaofang",
        "shichang",
        "tianwen",
        "yingtian",
        "heshi",
        "fenghuang",
    }
