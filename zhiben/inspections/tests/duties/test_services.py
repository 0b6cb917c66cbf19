"""Self-inspection duties as services: which rule applies, generating a year, fulfilment, 应查未查, reminders.

The story runs through 2025: the world registers on 2 January; 河市化工 (qiye2, 危险化学品生产, high-risk) owes a
check every month, 营田机械 (qiye1, machinery) every quarter.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.core.exceptions import ValidationError

from zhiben.core.errors import Conflict, NotPermitted
from zhiben.core.models import AuditEntry
from zhiben.core.models.outbox import Channel, OutboxMessage
from zhiben.core.testing import assert_audited
from zhiben.hazards.choices import Level, Source
from zhiben.hazards.choices import Status as HazardStatus
from zhiben.inspections import events
from zhiben.inspections.choices import Answer, Frequency, OccurrenceStatus
from zhiben.inspections.models import DutyOccurrence, DutyRule, SelfCheck
from zhiben.inspections.services.duties import (
    generate_occurrences,
    mark_missed,
    period_label,
    periods,
    rule_for,
    set_industry_high_risk,
    update_duty_rule,
)
from zhiben.inspections.services.duty_reminders import send_duty_reminders
from zhiben.inspections.services.selfchecks import AnswerInput, FindingInput, record_self_check
from zhiben.registry.services import update_enterprise

from .support import *  # noqa: F403
from .support import at


def occurrences(enterprise: Any, **filters: Any) -> list[DutyOccurrence]:
    return list(
        DutyOccurrence.objects.filter(enterprise=enterprise, **filters).order_by("period_start", "rule")
    )


def starts(enterprise: Any, **filters: Any) -> list[str]:
    return [f"{o.rule.frequency[0]}{o.period_start:%m}" for o in occurrences(enterprise, **filters)]


def simple_check(world: Any, day: dt.date, **extra: Any) -> SelfCheck:
    return record_self_check(
        actor=world.qiye2,
        enterprise=world.enterprises["qiye2"],
        checked_on=day,
        led_by_name="张河生",
        led_by_title="总经理",
        summary="检查了罐区、装卸区和应急物资。",
        **extra,
    )


# --- rules ----------------------------------------------------------------------------------------------------


def test_it_ships_the_seed_rules_with_their_source(world: Any) -> None:
    rules = {r.code: r for r in DutyRule.objects.all()}

    assert rules["principal-monthly-high-risk"].frequency == Frequency.MONTHLY
    assert rules["principal-monthly-high-risk"].high_risk_only is True
    assert rules["principal-quarterly"].frequency == Frequency.QUARTERLY
    assert all("屈安发〔2024〕1号" in r.source for r in rules.values())


def test_it_gives_each_unit_the_most_frequent_rule_that_applies(world: Any) -> None:
    e = world.enterprises

    assert rule_for(e["qiye2"]).frequency == Frequency.MONTHLY  # hazchem, marked high-risk
    assert rule_for(e["qiye1"]).frequency == Frequency.QUARTERLY  # machinery
    assert rule_for(e["fh_school"]).frequency == Frequency.QUARTERLY


def test_it_counts_a_unit_high_risk_by_its_primary_industry_on_the_editable_list(world: Any) -> None:
    machinery = world.industries["INDTRADE-MACHINE"]
    assert rule_for(world.enterprises["qiye1"]).frequency == Frequency.QUARTERLY

    set_industry_high_risk(machinery, actor=world.anweiban, high_risk=True, version=machinery.version)

    world.enterprises["qiye1"].primary_industry.refresh_from_db()
    assert rule_for(world.enterprises["qiye1"]).frequency == Frequency.MONTHLY
    assert_audited(events.INDUSTRY_RISK_CHANGED, machinery, actor=world.anweiban)


def test_it_lets_only_the_office_change_the_high_risk_list_and_refuses_a_stale_version(world: Any) -> None:
    machinery = world.industries["INDTRADE-MACHINE"]
    with pytest.raises(NotPermitted):
        set_industry_high_risk(machinery, actor=world.yingji, high_risk=True, version=machinery.version)
    with pytest.raises(Conflict):
        set_industry_high_risk(machinery, actor=world.anweiban, high_risk=True, version=machinery.version + 1)


def test_it_falls_back_to_the_next_rule_when_one_is_switched_off_and_none_for_a_closed_unit(
    world: Any,
) -> None:
    monthly = DutyRule.objects.get(code="principal-monthly-high-risk")
    update_duty_rule(monthly, actor=world.anweiban, version=monthly.version, active=False)
    assert rule_for(world.enterprises["qiye2"]).frequency == Frequency.QUARTERLY
    assert_audited(events.DUTY_RULE_CHANGED, monthly, actor=world.anweiban)

    update_enterprise(world.enterprises["qiye1"], actor=world.anweiban, status="closed")
    assert rule_for(world.enterprises["qiye1"]) is None


def test_it_validates_a_rule_edit_field_by_field_and_refuses_a_stale_one(world: Any) -> None:
    rule = DutyRule.objects.get(code="principal-quarterly")
    with pytest.raises(ValidationError) as exc:
        update_duty_rule(
            rule, actor=world.anweiban, version=rule.version, frequency="weekly", reminder_days=99
        )
    assert set(exc.value.message_dict) == {"frequency", "reminder_days"}
    with pytest.raises(Conflict):
        update_duty_rule(rule, actor=world.anweiban, version=rule.version + 1, reminder_days=7)
    with pytest.raises(NotPermitted):
        update_duty_rule(rule, actor=world.heshi, version=rule.version, reminder_days=7)


def test_it_names_periods_as_people_say_them() -> None:
    assert periods(Frequency.QUARTERLY, 2025)[0] == (dt.date(2025, 1, 1), dt.date(2025, 3, 31))
    assert periods(Frequency.MONTHLY, 2024)[1] == (dt.date(2024, 2, 1), dt.date(2024, 2, 29))
    assert len(periods(Frequency.HALF_YEARLY, 2025)) == 2
    assert period_label(Frequency.MONTHLY, dt.date(2025, 2, 1)) == "2025年2月"
    assert period_label(Frequency.QUARTERLY, dt.date(2025, 4, 1)) == "2025年第2季度"


# --- generation -----------------------------------------------------------------------------------------------


def test_it_generates_a_year_once_per_unit_and_period(world: Any, duties_2025: dict[str, int]) -> None:
    e = world.enterprises
    operating = 8
    high_risk = sum(1 for slot in e.values() if slot.is_high_risk or slot.primary_industry.high_risk)

    assert len(occurrences(e["qiye2"])) == 12
    assert {o.rule.frequency for o in occurrences(e["qiye2"])} == {Frequency.MONTHLY}
    assert [o.period_start for o in occurrences(e["qiye1"])] == [dt.date(2025, m, 1) for m in (1, 4, 7, 10)]
    assert duties_2025["created"] == high_risk * 12 + (operating - high_risk) * 4
    assert DutyOccurrence.objects.count() == duties_2025["created"]
    assert AuditEntry.objects.filter(event=events.DUTY_OCCURRENCES_GENERATED).exists()

    again = generate_occurrences(actor=world.anweiban, year=2025)

    assert again == {"created": 0, "withdrawn": 0, "enterprises": 0}
    assert DutyOccurrence.objects.count() == duties_2025["created"]


def test_it_owes_a_unit_registered_mid_year_only_the_periods_from_its_registration(
    world: Any, duties_2025: Any, duty_clock: Any
) -> None:
    from zhiben.core.codes import make_uscc
    from zhiben.registry.services import create_enterprise

    duty_clock.move_to(at(2025, 5, 20))
    late = create_enterprise(
        actor=None,
        uscc=make_uscc("9", "1", "430671", "MA4L0099"),
        name="河市新开机械厂",
        region=world.enterprises["qiye2"].region,
        primary_industry=world.industries["INDTRADE-MACHINE"],
        industries=[world.industries["INDTRADE-MACHINE"]],
    )

    counts = generate_occurrences(year=2025)

    assert counts["created"] == 3
    assert [o.period_start.month for o in occurrences(late)] == [4, 7, 10]


def test_it_moves_a_unit_that_became_high_risk_to_monthly_duty_from_the_next_period(
    world: Any, duties_2025: Any, duty_clock: Any
) -> None:
    qiye1 = world.enterprises["qiye1"]
    duty_clock.move_to(at(2025, 5, 10))

    update_enterprise(qiye1, actor=world.anweiban, is_high_risk=True)
    counts = generate_occurrences(year=2025)

    # Q1 and the running Q2 stand as owed; Q3/Q4 are withdrawn; monthly duty starts in June.
    assert starts(qiye1) == ["q01", "q04", "m06", "m07", "m08", "m09", "m10", "m11", "m12"]
    assert counts == {"created": 7, "withdrawn": 2, "enterprises": 1}
    assert generate_occurrences(year=2025) == {"created": 0, "withdrawn": 0, "enterprises": 0}

    duty_clock.move_to(at(2025, 8, 15))
    update_enterprise(qiye1, actor=world.anweiban, is_high_risk=False)
    generate_occurrences(year=2025)

    assert starts(qiye1) == ["q01", "q04", "m06", "m07", "m08", "q10"]


def test_it_keeps_a_fulfilled_future_period_when_the_rule_changes(world: Any, duties_2025: Any) -> None:
    monthly = DutyRule.objects.get(code="principal-monthly-high-risk")
    update_duty_rule(monthly, actor=world.anweiban, version=monthly.version, active=False)

    generate_occurrences(year=2025)

    qiye2 = world.enterprises["qiye2"]
    # January has begun (the clock stands on 2 January): it stays monthly; the rest become quarterly.
    assert starts(qiye2) == ["m01", "q04", "q07", "q10"]


# --- fulfilment -----------------------------------------------------------------------------------------------


def test_it_fulfils_the_period_a_check_is_dated_in(world: Any, duties_2025: Any, duty_clock: Any) -> None:
    duty_clock.move_to(at(2025, 1, 15, 16))
    check = simple_check(world, dt.date(2025, 1, 15))

    january = DutyOccurrence.objects.get(
        enterprise=world.enterprises["qiye2"], period_start=dt.date(2025, 1, 1)
    )
    assert january.status == OccurrenceStatus.DONE
    assert january.self_check == check
    entry = assert_audited(events.SELF_CHECK_RECORDED, check, actor=world.qiye2)
    assert entry.data["fulfilled"]["done"] == [january.pk]
    february = DutyOccurrence.objects.get(
        enterprise=world.enterprises["qiye2"], period_start=dt.date(2025, 2, 1)
    )
    assert february.status == OccurrenceStatus.PENDING


def test_it_marks_a_check_recorded_after_its_period_as_a_late_makeup(
    world: Any, duties_2025: Any, duty_clock: Any
) -> None:
    qiye2 = world.enterprises["qiye2"]
    duty_clock.move_to(at(2025, 2, 3))
    ended = DutyOccurrence.objects.filter(period_end=dt.date(2025, 1, 31))  # the monthly units' January
    assert mark_missed() == ended.count() > 0
    january = DutyOccurrence.objects.get(enterprise=qiye2, period_start=dt.date(2025, 1, 1))
    assert january.status == OccurrenceStatus.MISSED

    # Dated in January, entered in February: 逾期补查, never a silent "done".
    simple_check(world, dt.date(2025, 1, 28))
    january.refresh_from_db()
    assert january.status == OccurrenceStatus.LATE

    # A February check named as the make-up of another missed period also marks that one late.
    duty_clock.move_to(at(2025, 3, 4))
    mark_missed()
    february = DutyOccurrence.objects.get(enterprise=qiye2, period_start=dt.date(2025, 2, 1))
    assert february.status == OccurrenceStatus.MISSED
    check = simple_check(world, dt.date(2025, 3, 4), occurrence=february)
    february.refresh_from_db()
    march = DutyOccurrence.objects.get(enterprise=qiye2, period_start=dt.date(2025, 3, 1))
    assert (february.status, february.self_check) == (OccurrenceStatus.LATE, check)
    assert (march.status, march.self_check) == (OccurrenceStatus.DONE, check)


def test_it_turns_failed_items_and_findings_into_hazards(
    world: Any, duties_2025: Any, duty_clock: Any, unit_checklist: Any
) -> None:
    duty_clock.move_to(at(2025, 1, 20))
    clause_item, second_clause_item, custom_item = list(unit_checklist.items.order_by("sort_order", "pk"))
    check = record_self_check(
        actor=world.qiye2,
        enterprise=world.enterprises["qiye2"],
        checked_on=dt.date(2025, 1, 20),
        led_by_name="张河生",
        checklist=unit_checklist,
        answers=[
            AnswerInput(clause_item, Answer.FAIL, "二号罐区未设置紧急切断"),
            AnswerInput(second_clause_item, Answer.PASS),
            AnswerInput(custom_item, Answer.FAIL, "台账缺三月记录"),
        ],
        findings=[FindingInput(title="消防通道堆放杂物", location="仓库北侧")],
    )

    answers = {a.item_id: a for a in check.answers.select_related("hazard")}
    major = answers[clause_item.pk].hazard
    assert (major.level, major.clause_id, major.source) == (
        Level.MAJOR,
        clause_item.clause_id,
        Source.SELF_CHECK,
    )
    assert major.status == HazardStatus.REPORTED  # a proposal: the department decides (判定)
    assert major.title == "二号罐区未设置紧急切断"
    assert answers[second_clause_item.pk].hazard is None
    general = answers[custom_item.pk].hazard
    assert (general.level, general.clause_id) == (Level.GENERAL, None)
    assert general.status == HazardStatus.CONFIRMED  # a unit's own 一般 hazard: managed at once
    assert (
        world.enterprises["qiye2"].hazards.filter(title="消防通道堆放杂物", source=Source.SELF_CHECK).exists()
    )


def test_it_refuses_an_incomplete_or_foreign_check_field_by_field(
    world: Any, duties_2025: Any, duty_clock: Any, unit_checklist: Any
) -> None:
    duty_clock.move_to(at(2025, 1, 20))
    first = unit_checklist.items.order_by("sort_order", "pk").first()
    with pytest.raises(ValidationError) as exc:
        record_self_check(
            actor=world.qiye2,
            enterprise=world.enterprises["qiye2"],
            checked_on=dt.date(2025, 1, 21),
            led_by_name=" ",
            checklist=unit_checklist,
            answers=[AnswerInput(first, "maybe")],
            findings=[FindingInput(title="重大问题", level=Level.MAJOR)],
        )
    assert set(exc.value.message_dict) == {"checked_on", "led_by_name", "answers", "findings"}
    assert not SelfCheck.objects.exists()

    with pytest.raises(NotPermitted):  # another unit's manager
        record_self_check(
            actor=world.qiye1,
            enterprise=world.enterprises["qiye2"],
            checked_on=dt.date(2025, 1, 20),
            led_by_name="李",
            summary="x",
        )
    with pytest.raises(NotPermitted):  # a township reads checks but does not record them
        record_self_check(
            actor=world.heshi,
            enterprise=world.enterprises["qiye2"],
            checked_on=dt.date(2025, 1, 20),
            led_by_name="李",
            summary="x",
        )


# --- 应查未查 and reminders ---------------------------------------------------------------------------------------


def test_it_marks_missed_periods_once(world: Any, duties_2025: Any, duty_clock: Any) -> None:
    duty_clock.move_to(at(2025, 2, 1))
    monthly_units = DutyOccurrence.objects.filter(
        rule__frequency=Frequency.MONTHLY, period_start=dt.date(2025, 1, 1)
    )

    assert mark_missed() == monthly_units.count()
    assert set(monthly_units.values_list("status", flat=True)) == {OccurrenceStatus.MISSED}
    assert mark_missed() == 0
    assert AuditEntry.objects.filter(event=events.DUTY_OCCURRENCES_MISSED).count() == 1


def test_it_reminds_before_the_due_date_and_once_when_missed(
    world: Any, duties_2025: Any, duty_clock: Any
) -> None:
    qiye2 = world.enterprises["qiye2"]
    january = DutyOccurrence.objects.get(enterprise=qiye2, period_start=dt.date(2025, 1, 1))

    duty_clock.move_to(at(2025, 1, 20))  # 11 days left: outside the monthly rule's 5-day window
    send_duty_reminders()
    assert not OutboxMessage.objects.filter(object_id=str(january.pk), topic="duty_reminder").exists()

    duty_clock.move_to(at(2025, 1, 27))
    first = send_duty_reminders()
    messages = OutboxMessage.objects.filter(
        object_type="inspections.dutyoccurrence", object_id=str(january.pk), topic="duty_reminder"
    )
    assert {(m.channel, m.recipient_id) for m in messages} == {
        (Channel.INAPP, world.qiye2.pk),
        (Channel.SMS, None),
    }
    assert messages.get(channel=Channel.SMS).address == "13800000001"  # the principal's phone
    assert first["reminded"] >= 1
    assert send_duty_reminders() == {"reminded": 0, "missed_notified": 0, "failed": 0}

    duty_clock.move_to(at(2025, 2, 3))
    mark_missed()
    send_duty_reminders()
    missed = OutboxMessage.objects.filter(object_id=str(january.pk), topic="duty_missed")
    assert {m.channel for m in missed} == {Channel.INAPP, Channel.SMS}
    assert "应查未查" in missed.first().subject
    before = OutboxMessage.objects.count()
    assert send_duty_reminders()["missed_notified"] == 0
    assert OutboxMessage.objects.count() == before
    assert_audited(events.DUTY_REMINDERS_SENT)


def test_a_missed_period_is_told_to_the_township_of_the_unit_and_a_run_is_one_digest_each(
    world: Any, duties_2025: Any, duty_clock: Any
) -> None:
    """Issue 10 #13: 河市镇's official is told of 河市镇's 应查未查 and of no other township's; 营田镇's
    official, with three units on the list, gets one digest listing them, not three messages."""
    from zhiben.core.models import InboxNotification
    from zhiben.core.outbox import deliver_pending

    duty_clock.move_to(at(2025, 4, 2))
    mark_missed()
    send_duty_reminders()
    deliver_pending()  # the test's transaction never commits, so the after-commit delivery is run here

    missed = DutyOccurrence.objects.filter(
        status=OccurrenceStatus.MISSED, period_end__gte=dt.date(2025, 3, 2)
    )
    towns = {"heshi": "河市镇", "yingtian": "营田镇", "tianwen": "天问街道", "fenghuang": "凤凰乡"}
    for persona, town in towns.items():
        own = [o.enterprise.name for o in missed.select_related("enterprise") if town in o.enterprise.address]
        notes = InboxNotification.objects.filter(user=getattr(world, persona))
        text = " ".join(f"{n.subject} {n.body}" for n in notes)
        assert own and all(name in text for name in own), (persona, own, text)
        others = [e.name for e in world.enterprises.values() if town not in e.address]
        assert not any(name in text for name in others), (persona, text)
        if len(own) >= 3:
            assert notes.count() == 1, (persona, list(notes.values_list("subject", flat=True)))
            assert notes.get().subject == f"应查未查：{len(own)} 家单位本期未完成自查"
            assert notes.get().url == "/inspections/duties/missed/"
    yingtian = [o for o in missed.select_related("enterprise") if "营田镇" in o.enterprise.address]
    assert len(yingtian) >= 3  # the digest case above was exercised


def test_it_does_not_remind_a_period_already_done(world: Any, duties_2025: Any, duty_clock: Any) -> None:
    qiye2 = world.enterprises["qiye2"]
    duty_clock.move_to(at(2025, 1, 10))
    simple_check(world, dt.date(2025, 1, 10))
    duty_clock.move_to(at(2025, 1, 28))

    send_duty_reminders()

    january = DutyOccurrence.objects.get(enterprise=qiye2, period_start=dt.date(2025, 1, 1))
    assert january.reminded_at is None
    assert not OutboxMessage.objects.filter(object_id=str(january.pk)).exists()


@pytest.mark.parametrize("job", ["maintain_duties", "remind_duties"])
def test_it_runs_the_daily_jobs_idempotently(world: Any, duties_2025: Any, duty_clock: Any, job: str) -> None:
    from zhiben.inspections import tasks

    duty_clock.move_to(at(2025, 4, 2))
    run = getattr(tasks, job).call_local
    run()
    state = sorted(DutyOccurrence.objects.values_list("pk", "status", "reminded_at", "overdue_notified_at"))
    messages = OutboxMessage.objects.count()
    run()
    assert (
        sorted(DutyOccurrence.objects.values_list("pk", "status", "reminded_at", "overdue_notified_at"))
        == state
    )
    assert OutboxMessage.objects.count() == messages
    assert DutyOccurrence.objects.filter(status=OccurrenceStatus.MISSED).exists()


def test_it_can_owe_duty_from_a_given_day_for_units_older_than_their_registration(world: Any) -> None:
    counts = generate_occurrences(year=2024, owed_from=dt.date(2024, 1, 1))

    assert len(occurrences(world.enterprises["qiye2"])) == 12
    assert counts["created"] == DutyOccurrence.objects.filter(period_start__year=2024).count()
    # Without it, units registered in 2025 owe nothing in 2024.
    DutyOccurrence.objects.all().delete()
    assert generate_occurrences(year=2024)["created"] == 0


def test_it_loads_the_shipped_rules_idempotently_and_keeps_the_office_edits(world: Any) -> None:
    from zhiben.inspections.reference import load_duty_rules

    rule = DutyRule.objects.get(code="principal-quarterly")
    update_duty_rule(rule, actor=world.anweiban, version=rule.version, reminder_days=3)

    assert load_duty_rules() == {"duty_rules": 0}
    rule.refresh_from_db()
    assert rule.reminder_days == 3
    DutyRule.objects.filter(code="principal-monthly-high-risk").delete()
    assert load_duty_rules() == {"duty_rules": 1}
