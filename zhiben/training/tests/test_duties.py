"""Duties as data and the gaps they leave: 应训未训 of a year's theme equals the hand-computed set of its audience
without attendance; 应练未练 treats high-risk units by half-year and others by year; reminders are sent once."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

import pytest
import time_machine
from django.test import Client
from django.urls import reverse

from zhiben.core.models import OutboxMessage
from zhiben.core.testing import login
from zhiben.registry.models import Enterprise
from zhiben.training import duties, reminders
from zhiben.training.choices import DrillKind, OrganiserKind, SessionKind
from zhiben.training.models import Attendance, DutyReminder, TrainingTheme
from zhiben.training.services import drills, sessions

pytestmark = pytest.mark.django_db
BEIJING = dt.timezone(dt.timedelta(hours=8))


def theme_session(world: Any, year: int = 2024) -> Any:
    s = sessions.create_session(
        actor=world.yingji,
        title=f"{year}年危化企业主要负责人专题培训",
        kind=SessionKind.THEME,
        theme=TrainingTheme.objects.get(year=year),
        organiser_kind=OrganiserKind.DEPARTMENT,
        department=world.departments["emergency"],
        held_on=dt.date(year, 5, 16),
        hours=Decimal(8),
        content="重大事故隐患判定标准、安全生产法主要负责人职责",
        covers_major_hazard=True,
    )
    return sessions.open_session(s, actor=world.yingji)


def test_the_2024_theme_gaps_are_the_hand_computed_principals_without_attendance(world: Any) -> None:
    theme = TrainingTheme.objects.get(year=2024)
    units = Enterprise.objects.all()
    # By hand: the world's operating units in 危险化学品 (with its sub-industries), 城镇燃气 or 医疗机构.
    by_hand = {
        e.pk
        for e in world.enterprises.values()
        if {i.code.split("-")[0] for i in e.industries.all()} & {"HAZCHEM", "GAS", "HEALTH"}
    }
    assert by_hand == {world.enterprises["qiye2"].pk, world.enterprises["yt_gas"].pk}
    gaps = duties.theme_gaps(theme, units)
    assert {(g.enterprise.pk, g.role) for g in gaps} == {(pk, "principal") for pk in by_hand}

    session = theme_session(world)
    # qiye2's safety manager attending does not stand for its principal.
    sessions.sign_in(
        session,
        name="赵安全",
        phone="13700000011",
        enterprise=world.enterprises["qiye2"],
        role="safety_manager",
    )
    assert {g.enterprise.pk for g in duties.theme_gaps(theme, units)} == by_hand
    sessions.sign_in(
        session, name="张河生", phone="13700000012", enterprise=world.enterprises["qiye2"], role="principal"
    )
    gaps = duties.theme_gaps(theme, units)
    assert [(g.enterprise.pk, g.role) for g in gaps] == [(world.enterprises["yt_gas"].pk, "principal")]
    assert gaps[0].detail == "张燃明"  # the unit's 主要负责人 by name

    # The page lists the same, by township and department, within the reader's scope.
    page = login(Client(), world.anweiban).get(reverse("training:gaps") + "?year=2024")
    assert page.status_code == 200
    assert [r["unit"].pk for r in page.context["rows"]] == [world.enterprises["yt_gas"].pk]
    assert [(t.name, n) for t, n in page.context["by_township"]] == [("营田镇", 1)]
    sheet = login(Client(), world.anweiban).get(reverse("training:gaps") + "?year=2024&export=xlsx")
    assert sheet.status_code == 200 and "spreadsheet" in sheet["Content-Type"]
    heshi = login(Client(), world.heshi).get(reverse("training:gaps") + "?year=2024")
    assert heshi.context["rows"] == []  # 营田镇's gas shop is not 河市镇's


def test_a_unit_outside_the_theme_may_not_sign_in_to_it(world: Any) -> None:
    session = theme_session(world)
    with pytest.raises(Exception) as err:
        sessions.sign_in(
            session,
            name="张建国",
            phone="13700000013",
            enterprise=world.enterprises["qiye1"],
            role="principal",
        )
    assert "不在本次培训的对象范围内" in str(err.value)


def _held(world: Any, slot: str, on: dt.date) -> None:
    with time_machine.travel(dt.datetime(on.year, on.month, on.day, 10, tzinfo=BEIJING), tick=False):
        drills.record_held_drill(
            actor=None,
            enterprise=world.enterprises[slot],
            kind=DrillKind.EVACUATION,
            scenario="仓库火灾疏散逃生",
            held_on=on,
            participants=40,
            evaluation="疏散用时 4 分钟，符合预案要求",
        )


def test_drills_due_are_by_half_year_for_high_risk_units_and_by_year_for_others(world: Any) -> None:
    qiye2, qiye1, shop = (world.enterprises[s] for s in ("qiye2", "qiye1", "yt_shop"))
    assert qiye2.is_high_risk and not qiye1.is_high_risk and not shop.is_high_risk
    for slot in ("qiye2", "qiye1"):
        _held(world, slot, dt.date(2026, 3, 12))
    units = Enterprise.objects.filter(pk__in=[qiye2.pk, qiye1.pk, shop.pk])

    # August: the high-risk plant owes its second half-year; the machine works is done for the year.
    dues = {
        (d.enterprise.pk, d.period, d.overdue) for d in duties.drill_dues(2026, units, dt.date(2026, 8, 10))
    }
    assert dues == {(qiye2.pk, "2026年下半年", False), (shop.pk, "2026年", False)}
    # The workbench's figures count the same periods without building the units.
    assert duties.drill_due_counts(2026, units, dt.date(2026, 8, 10)) == (0, 2)

    # After the year: both unmet periods are 逾期未练.
    dues = {
        (d.enterprise.pk, d.period, d.overdue) for d in duties.drill_dues(2026, units, dt.date(2027, 1, 5))
    }
    assert dues == {(qiye2.pk, "2026年下半年", True), (shop.pk, "2026年", True)}
    assert duties.drill_due_counts(2026, units, dt.date(2027, 1, 5)) == (2, 0)

    # A planned drill does not count until it is recorded as held.
    drills.plan_drill(
        actor=None,
        enterprise=shop,
        kind=DrillKind.EVACUATION,
        scenario="营业厅疏散",
        planned_on=dt.date(2026, 9, 1),
    )
    assert (shop.pk, "2026年", True) in {
        (d.enterprise.pk, d.period, d.overdue) for d in duties.drill_dues(2026, units, dt.date(2027, 1, 5))
    }


def test_reminders_are_sent_once_per_unit_and_period(world: Any) -> None:
    with time_machine.travel(dt.datetime(2026, 8, 10, 2, tzinfo=BEIJING), tick=False):
        first = reminders.send_duty_reminders()
        messages = OutboxMessage.objects.count()
        again = reminders.send_duty_reminders()
    assert first["drill"] >= 3 and again == {"training": 0, "drill": 0}
    assert OutboxMessage.objects.count() == messages
    assert DutyReminder.objects.filter(kind="drill").count() == first["drill"]
    # qiye2's account heard of its own unit (a digest when several items of a kind reach one person).
    assert OutboxMessage.objects.filter(recipient=world.qiye2).exists()


def test_refresher_hours_are_summed_over_the_year(world: Any) -> None:
    s = theme_session(world)
    sessions.sign_in(
        s, name="张河生", phone="13700000012", enterprise=world.enterprises["qiye2"], role="principal"
    )
    units = Enterprise.objects.filter(pk=world.enterprises["qiye2"].pk)
    gaps = duties.refresher_gaps(2024, units)
    # 8 of the 16 hours a high-risk unit's principal owes (data, 待核实).
    assert len(gaps) == 1 and "已参训 8 学时，应不少于 16 学时" in gaps[0].detail
    assert Attendance.objects.count() == 1


def test_first_lesson_and_the_inspectors_round_are_tracked_the_same_way(world: Any) -> None:
    from zhiben.inspections.choices import InspectorKind
    from zhiben.inspections.models import Inspector
    from zhiben.sourcecontrol.models import ConstructionProject

    builder = world.enterprises["qiye3"]
    project = ConstructionProject.objects.create(
        name="天问街道安置房二期",
        builder=builder,
        industry=world.industries["CONSTRUCTION"],
        township=world.regions["天问街道"],
        cost=Decimal("12000000"),
        start_date=dt.date(2026, 3, 2),
    )
    projects = ConstructionProject.objects.all()
    assert duties.first_lesson_gaps(2026, projects) == [project]
    lesson = sessions.create_session(
        actor=None,
        title="安置房二期开工第一课",
        kind=SessionKind.FIRST_LESSON,
        organiser_kind=OrganiserKind.ENTERPRISE,
        enterprise=builder,
        project=project,
        held_on=dt.date(2026, 3, 2),
        hours=Decimal(2),
        content="施工现场安全风险",
    )
    assert duties.first_lesson_gaps(2026, projects) == [project]  # planned is not held
    sessions.open_session(lesson, actor=None)
    assert duties.first_lesson_gaps(2026, projects) == []
    with pytest.raises(Exception, match="开工第一课须选择建设工程项目"):
        sessions.create_session(
            actor=None,
            title="无项目",
            kind=SessionKind.FIRST_LESSON,
            organiser_kind=OrganiserKind.ENTERPRISE,
            enterprise=builder,
            held_on=dt.date(2026, 3, 2),
            hours=Decimal(2),
            content="x",
        )

    a, b = (
        Inspector.objects.create(
            name=n, department=world.departments["emergency"], kind=InspectorKind.OFFICER
        )
        for n in ("执法员甲", "执法员乙")
    )
    roster = Inspector.objects.all()
    round_session = sessions.open_session(
        sessions.create_session(
            actor=None,
            title="执法人员集中轮训",
            kind=SessionKind.INSPECTORS,
            organiser_kind=OrganiserKind.BODY,
            body_name="岳阳市应急管理培训中心",
            held_on=dt.date(2025, 9, 18),
            hours=Decimal(24),
            content="执法实务",
        ),
        actor=None,
    )
    sessions.sign_in(round_session, name="", role="inspector", inspector=a)
    assert duties.round_of(2026) == (2024, 2026) and duties.round_of(2027) == (2027, 2029)
    assert duties.inspector_gaps(2026, roster) == [b]
    assert set(duties.inspector_gaps(2027, roster)) == {a, b}  # a new round begins
