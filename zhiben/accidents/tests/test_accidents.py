"""The accident register: grades at the 493号令 boundaries, 续报 and regrading, the late flags, the loop with
its 409, scope, the indicators, the pages, the API and 责任倒查."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

import pytest
from django.core.exceptions import ValidationError
from django.test import Client
from django.utils import timezone

from zhiben.accidents import reference, services
from zhiben.accidents.lookback import for_accident
from zhiben.accidents.models import Accident
from zhiben.core.audit import AuditEntry
from zhiben.core.errors import Conflict, NotPermitted
from zhiben.core.testing import login
from zhiben.indicators import registry
from zhiben.indicators.registry import Scope

WAN = Decimal(10000)


# --- grades -------------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("deaths", "injuries", "loss", "grade"),
    [
        (0, 0, 0, "general"),
        (2, 0, 0, "general"),
        (3, 0, 0, "larger"),  # 3人以上 includes 3
        (9, 0, 0, "larger"),
        (10, 0, 0, "major"),
        (29, 0, 0, "major"),
        (30, 0, 0, "especially_major"),
        (0, 9, 0, "general"),
        (0, 10, 0, "larger"),
        (0, 49, 0, "larger"),
        (0, 50, 0, "major"),
        (0, 99, 0, "major"),
        (0, 100, 0, "especially_major"),
        (0, 0, 1000 * WAN - Decimal("0.01"), "general"),
        (0, 0, 1000 * WAN, "larger"),
        (0, 0, 5000 * WAN - Decimal("0.01"), "larger"),
        (0, 0, 5000 * WAN, "major"),
        (0, 0, 10000 * WAN - Decimal("0.01"), "major"),
        (0, 0, 10000 * WAN, "especially_major"),
        (2, 10, 0, "larger"),  # the highest of the three criteria
        (3, 0, 5000 * WAN, "major"),
    ],
)
def test_grade_follows_493_at_every_boundary(deaths: int, injuries: int, loss: Decimal, grade: str) -> None:
    assert reference.grade_of(deaths, injuries, loss) == grade


def test_rules_are_data_with_their_source() -> None:
    scheme = reference.grade_scheme()
    assert "493" in scheme.source and scheme.version == "493-2007"
    versions = {tl.version: tl for tl in reference.type_lists()}
    assert len(versions["GB/T 6441-1986"].types) == 20
    assert len(versions["GB 6441-2025"].types) == 27 and not versions["GB 6441-2025"].verified
    assert reference.window("unit_report").hours == 1 and not reference.window("unit_report").verified


# --- helpers ------------------------------------------------------------------------------------------------


def _register(world: Any, actor: Any = None, slot: str = "qiye1", **kw: Any) -> Accident:
    ent = world.enterprises[slot]
    occurred = kw.pop("occurred_at", timezone.now() - dt.timedelta(days=10))
    data: dict[str, Any] = {
        "occurred_at": occurred,
        "reported_at": occurred + dt.timedelta(minutes=40),
        "place": "车间",
        "region": ent.region,
        "industry": ent.primary_industry,
        "accident_type": "1986-03",
        "summary": "冲压作业时发生机械伤害。",
        "reporter": "张建国",
        "enterprise": ent,
        "deaths": 1,
    }
    data.update(kw)
    return services.register_accident(actor=actor or world.anweiban, **data)


# --- registering and 续报 -------------------------------------------------------------------------------------


def test_register_computes_grade_department_and_late_flag(world: Any) -> None:
    now = timezone.now() - dt.timedelta(days=3)
    on_time = _register(world, occurred_at=now, reported_at=now + dt.timedelta(hours=1))
    late = _register(world, occurred_at=now, reported_at=now + dt.timedelta(hours=1, minutes=1), deaths=3)
    assert on_time.grade == "general" and not on_time.reported_late
    assert late.grade == "larger" and late.reported_late
    assert on_time.department is not None and on_time.department.code == "emergency"
    assert on_time.code.startswith("SG") and on_time.code != late.code
    assert AuditEntry.objects.filter(event="ACCIDENT_REGISTERED", object_id=str(on_time.pk)).exists()


def test_register_refuses_bad_input_per_field_and_writes_nothing(world: Any) -> None:
    with pytest.raises(ValidationError) as err:
        _register(
            world,
            occurred_at=timezone.now() + dt.timedelta(days=1),
            accident_type="nonsense",
            enterprise=None,
            unit_name="",
        )
    assert {"occurred_at", "accident_type", "unit_name"} <= set(err.value.message_dict)
    assert not Accident.objects.unrestricted("test").exists()


def test_supplement_regrades_and_flags_a_report_after_the_window(world: Any) -> None:
    a = _register(world, deaths=2)
    u = services.supplement(
        a,
        actor=world.anweiban,
        deaths=3,
        serious_injuries=1,
        missing=0,
        direct_loss=Decimal(0),
        note="又一人抢救无效死亡",
    )
    a.refresh_from_db()
    assert (u.grade_before, u.grade_after, a.grade, a.deaths) == ("general", "larger", "larger", 3)
    assert not u.late
    late = services.supplement(
        a,
        actor=world.anweiban,
        deaths=3,
        serious_injuries=2,
        missing=0,
        direct_loss=Decimal(0),
        note="补报重伤",
        reported_at=a.occurred_at + dt.timedelta(days=31),
    )
    assert late.late


def test_road_accidents_have_a_seven_day_window(world: Any) -> None:
    road = _register(world, slot="hs_road", accident_type="1986-02")
    other = _register(world)
    assert road.supplement_until - road.occurred_at == dt.timedelta(days=7)
    assert other.supplement_until - other.occurred_at == dt.timedelta(days=30)


def test_flag_concealment_through_a_tip(world: Any) -> None:
    from zhiben.tips.choices import Category
    from zhiben.tips.services.intake import submit_tip

    ent = world.enterprises["qiye1"]
    tip, _receipt = submit_tip(
        category=Category.MAJOR_HAZARD,
        text="该厂上周冲床伤人致死，没有上报给政府",
        enterprise=ent,
        place=ent.region,
    )
    a = _register(world)
    with pytest.raises(NotPermitted):
        services.flag(a, actor=world.yingji, concealment="concealed", reason="x")
    services.flag(
        a, actor=world.anweiban, concealment="concealed", reason="经举报核实，单位未报告", tip=tip.pk
    )
    a.refresh_from_db()
    assert a.concealment == "concealed" and a.tip_id == tip.pk
    page = login(Client(), world.anweiban).get(a.get_absolute_url()).content.decode()
    assert "瞒报" in page and "冲床伤人致死" not in page


# --- the loop ------------------------------------------------------------------------------------------------


def test_investigation_to_closing_with_a_409_on_a_stale_version(world: Any) -> None:
    a = _register(world)
    stale = a.version
    services.start_investigation(
        a, actor=world.anweiban, team="应急局、公安、工会", lead_unit="区应急管理局", version=stale
    )
    assert a.investigation_due == a.occurred_on + dt.timedelta(days=60)
    with pytest.raises(Conflict):
        services.submit_report(
            Accident.objects.unrestricted("test").get(pk=a.pk),
            actor=world.anweiban,
            causes="x",
            report_summary="y",
            version=stale,
        )
    client = login(Client(), world.anweiban)
    url = f"/accidents/{a.pk}/step/submit_report/"
    assert (
        client.post(url, {"causes": "违章作业", "report_summary": "……", "version": stale}).status_code == 409
    )
    a.refresh_from_db()
    assert (
        client.post(url, {"causes": "违章作业", "report_summary": "……", "version": a.version}).status_code
        == 302
    )
    a.refresh_from_db()
    with pytest.raises(ValidationError):  # no finding yet
        services.close(
            a, actor=world.anweiban, approval_number="屈政函〔2026〕1号", closed_on=timezone.localdate()
        )
    services.add_finding(
        a,
        actor=world.anweiban,
        subject_kind="person",
        name="张建国",
        role="principal",
        finding="未履行职责",
        measure="penalty",
    )
    services.add_rectification(
        a,
        actor=world.anweiban,
        measure="冲床加装光电保护",
        responsible="营田机械",
        due_on=timezone.localdate(),
    )
    services.close(
        a, actor=world.anweiban, approval_number="屈政函〔2026〕1号", closed_on=timezone.localdate()
    )
    a.refresh_from_db()
    assert a.status == "closed"
    assert list(a.history.values_list("action", flat=True)) == [
        "register",
        "investigate",
        "submit_report",
        "add_finding",
        "add_rectification",
        "close",
    ]
    r = a.rectifications.get()
    services.follow_up(a, actor=world.yingji, rectification=r.pk, follow_up="已加装", done=True)
    r.refresh_from_db()
    assert r.status == "done"
    with pytest.raises(NotPermitted):  # the township does not investigate
        services.extend_investigation(a, actor=world.yingtian, days=10, reason="x")


# --- scope ----------------------------------------------------------------------------------------------------


def test_township_and_unit_see_their_own_and_get_404_otherwise(world: Any) -> None:
    mine = _register(world)  # 营田镇, qiye1
    other = _register(world, slot="qiye2")  # 河市镇
    cases = [
        ("yingtian", mine, 200),
        ("yingtian", other, 404),
        ("qiye1", mine, 200),
        ("qiye1", other, 404),
        ("qiye2", other, 200),
        ("yingji", mine, 200),
        ("lingdao", other, 200),
    ]
    for persona, accident, status in cases:
        client = login(Client(), world.users[persona])
        assert client.get(accident.get_absolute_url()).status_code == status, (persona, accident.unit_name)
    assert login(Client(), world.zhuanjia).get("/accidents/").status_code == 403
    unit = login(Client(), world.qiye1)
    assert unit.get(f"/accidents/{mine.pk}/lookback/").status_code == 403
    listing = unit.get("/accidents/").content.decode()
    assert mine.code in listing and other.code not in listing
    assert login(Client(), world.heshi).get(f"/api/v1/accidents/{mine.pk}/").status_code == 404


# --- indicators -----------------------------------------------------------------------------------------------


def test_indicators_count_by_township_and_department(world: Any) -> None:
    day = timezone.now() - dt.timedelta(days=1)
    _register(world, occurred_at=day, reported_at=day + dt.timedelta(minutes=5), deaths=2)
    b = _register(world, slot="qiye2", occurred_at=day, reported_at=day + dt.timedelta(minutes=5), deaths=1)
    services.flag(b, actor=world.anweiban, concealment="false", reason="谎报伤亡")
    period = registry.current_period(timezone.localdate(day))
    count, deaths, concealed = (
        registry.get(i) for i in ("accidents.count", "accidents.deaths", "accidents.concealed")
    )
    yingtian, heshi = world.regions["营田镇"], world.regions["河市镇"]
    assert count.live_value(Scope.district(), period).value == 2
    assert count.live_value(Scope.township(yingtian), period).value == 1
    assert deaths.live_value(Scope.district(), period).value == 3
    assert concealed.live_value(Scope.township(heshi), period).value == 1
    assert concealed.live_value(Scope.township(yingtian), period).value == 0
    emergency = world.departments["emergency"]
    assert count.live_value(Scope.department(emergency), period).value == 2  # both industries led by 应急局
    grouped = {v.scope.key: v.value for v in count.live_values(registry.scopes_of("township"), period)}
    assert grouped[yingtian.code] == 1 and grouped[heshi.code] == 1
    assert sum(grouped.values()) == 2


def test_the_snapshot_freezer_keeps_the_accident_indicators_of_a_closed_quarter(world: Any) -> None:
    from zhiben.core.calendar import quarter_of, quarter_start
    from zhiben.indicators import snapshots
    from zhiben.indicators.models import IndicatorSnapshot

    last = quarter_of(quarter_start(registry.current_period()) - dt.timedelta(days=1))
    day = dt.datetime.combine(
        quarter_start(last) + dt.timedelta(days=5), dt.time(10), tzinfo=timezone.get_current_timezone()
    )
    a = _register(world, occurred_at=day, reported_at=day + dt.timedelta(minutes=20), deaths=2)
    assert snapshots.freeze(last) > 0
    rows = IndicatorSnapshot.objects.filter(
        period=last, indicator__startswith="accidents.", scope_kind="district"
    )
    assert {r.indicator: r.value for r in rows} == {
        "accidents.count": 1,
        "accidents.deaths": 2,
        "accidents.concealed": 0,
    }
    services.supplement(
        a, actor=world.anweiban, deaths=4, serious_injuries=0, missing=0, direct_loss=Decimal(0), note="续报"
    )
    assert (
        registry.get("accidents.deaths").value(Scope.district(), last).value == 2
    )  # the frozen figure stands


# --- pages and API ----------------------------------------------------------------------------------------------


def test_pages_exports_and_api(world: Any) -> None:
    a = _register(world)
    client = login(Client(), world.anweiban)
    for url in (
        "/accidents/",
        "/accidents/stats/",
        a.get_absolute_url(),
        "/accidents/new/",
        f"/accidents/{a.pk}/step/supplement/",
    ):
        assert client.get(url).status_code == 200, url
    for url in (
        "/accidents/?export=xlsx",
        "/accidents/stats/?export=xlsx",
        f"/accidents/{a.pk}/lookback/?export=xlsx",
    ):
        r = client.get(url)
        assert r.status_code == 200 and r["Content-Type"].startswith("application/vnd.openxml"), url
    bad = client.post("/accidents/new/", {"place": "x", "deaths": "-1"})
    assert bad.status_code == 400 and "请更正" in bad.content.decode()
    stats = client.get("/accidents/stats/").content.decode()
    assert "营田镇" in stats
    api = client.post(
        "/api/v1/accidents/",
        {
            "occurred_at": (timezone.now() - dt.timedelta(hours=5)).isoformat(),
            "reported_at": (timezone.now() - dt.timedelta(hours=4, minutes=30)).isoformat(),
            "place": "仓库",
            "region": world.regions["凤凰乡"].code,
            "industry": "FIREWORKS",
            "unit_name": "无证烟花作坊",
            "accident_type": "1986-14",
            "deaths": 0,
            "serious_injuries": 10,
            "summary": "非法储存烟花爆竹爆炸。",
            "reporter": "凤凰乡安监员",
        },
        content_type="application/json",
    )
    assert api.status_code == 201, api.content
    body = api.json()
    assert body["grade"] == "larger" and body["reported_late"] is False
    step = client.post(
        f"/api/v1/accidents/{body['id']}/supplement/",
        {
            "deaths": 1,
            "serious_injuries": 10,
            "missing": 0,
            "direct_loss": "0",
            "note": "一人死亡",
            "version": body["version"],
        },
        content_type="application/json",
    )
    assert step.status_code == 200, step.content
    stale = client.post(
        f"/api/v1/accidents/{body['id']}/supplement/",
        {
            "deaths": 1,
            "serious_injuries": 10,
            "missing": 0,
            "direct_loss": "0",
            "note": "重复",
            "version": body["version"],
        },
        content_type="application/json",
    )
    assert stale.status_code == 409


# --- 责任倒查 ----------------------------------------------------------------------------------------------------


def test_lookback_shows_missed_self_checks_and_the_open_letter_before_it(world: Any) -> None:
    from zhiben.hazards import services as hazard_services
    from zhiben.hazards.models import Escalation, EscalationRule
    from zhiben.inspections.choices import OccurrenceStatus
    from zhiben.inspections.models import DutyOccurrence, DutyRule, SelfCheck

    ent = world.enterprises["qiye1"]
    today = timezone.localdate()
    rule = DutyRule.objects.order_by("pk").first()
    assert rule is not None
    DutyOccurrence.objects.create(
        enterprise=ent,
        rule=rule,
        period_start=today - dt.timedelta(days=90),
        period_end=today - dt.timedelta(days=61),
        status=OccurrenceStatus.MISSED,
    )
    SelfCheck.objects.create(enterprise=ent, checked_on=today - dt.timedelta(days=100), led_by_name="张建国")
    hazard = hazard_services.register_hazard(
        actor=world.qiye1,
        enterprise=ent,
        level="general",
        title="冲床防护罩缺失",
        discovered_on=today - dt.timedelta(days=80),
    )
    letter = EscalationRule.objects.filter(
        stage="rectify", kind="letter"
    ).first() or EscalationRule.objects.create(
        stage="rectify", level="general", kind="letter", overdue_workdays=3, template_code="x"
    )
    Escalation.objects.create(
        hazard=hazard,
        rule=letter,
        kind="letter",
        deadline=today - dt.timedelta(days=50),
        overdue_workdays=5,
        applied_on=today - dt.timedelta(days=40),
    )
    accident = _register(world, occurred_at=timezone.now() - dt.timedelta(days=10))
    after = accident.occurred_on + dt.timedelta(days=1)
    SelfCheck.objects.create(enterprise=ent, checked_on=after, led_by_name="张建国")  # after it: not shown

    lb = for_accident(accident, world.anweiban)
    assert lb.principal == "张建国" and lb.controller == "李建国"
    assert lb.department is not None and lb.department.code == "emergency"
    assert lb.township is not None and lb.township.name == "营田镇"
    assert len(lb.missed_checks) == 1
    assert (
        [e.text for e in lb.unanswered]
        and "函告" in lb.unanswered[0].text
        and "未回应" in lb.unanswered[0].text
    )
    assert all(e.on <= accident.occurred_on for e in lb.events)
    page = login(Client(), world.anweiban).get(f"/accidents/{accident.pk}/lookback/").content.decode()
    assert "应查未查" in page and "函告" in page and "冲床防护罩缺失" in page
    assert (
        login(Client(), world.anweiban).get(f"/accidents/{accident.pk}/lookback/?print=1").status_code == 200
    )


# --- workbench and the unit's file ---------------------------------------------------------------------------


def test_workbench_counts_overdue_investigations_and_links_to_exactly_them(world: Any) -> None:
    from zhiben.accidents.workbench import cards

    late = _register(world, occurred_at=timezone.now() - dt.timedelta(days=70))
    services.start_investigation(late, actor=world.anweiban, team="调查组", lead_unit="区应急管理局")
    fresh = _register(world, slot="qiye2")
    services.start_investigation(fresh, actor=world.anweiban, team="调查组", lead_unit="区应急管理局")
    (card,) = cards(world.anweiban, timezone.localdate())
    items = {i.key: i for i in card.items}
    assert items["overdue"].count == 1 and items["supplement"].count == 1
    listing = login(Client(), world.anweiban).get(items["overdue"].url).content.decode()
    assert late.code in listing and fresh.code not in listing
    assert cards(world.zhuanjia, timezone.localdate()) == []
    unit_file = (
        login(Client(), world.qiye1).get(world.enterprises["qiye1"].get_absolute_url()).content.decode()
    )
    assert "生产安全事故" in unit_file
