"""The demo's three accidents run through the register's services on the test world."""

from __future__ import annotations

import datetime as dt
from typing import Any

import time_machine

from zhiben.accidents.lookback import for_accident
from zhiben.accidents.models import Accident
from zhiben.demo.accident_history import seed_accident_history

TZ = dt.timezone(dt.timedelta(hours=8))


def test_three_accidents_one_closed_one_concealed_through_a_tip_and_a_rerun_adds_nothing(world: Any) -> None:
    from zhiben.hazards import services as hazard_services
    from zhiben.hazards.models import Escalation, EscalationRule
    from zhiben.inspections.choices import OccurrenceStatus
    from zhiben.inspections.models import DutyOccurrence, DutyRule
    from zhiben.tips.choices import Category
    from zhiben.tips.services.intake import submit_tip

    ent = world.enterprises["qiye1"]
    with time_machine.travel(dt.datetime(2026, 1, 12, 9, 0, tzinfo=TZ), tick=False):
        hazard = hazard_services.register_hazard(
            actor=world.qiye1,
            enterprise=ent,
            level="general",
            title="传动部位防护罩缺失",
            discovered_on=dt.date(2026, 1, 10),
        )
    rule = DutyRule.objects.order_by("pk").first()
    assert rule is not None
    DutyOccurrence.objects.create(
        enterprise=ent,
        rule=rule,
        period_start=dt.date(2026, 1, 1),
        period_end=dt.date(2026, 1, 31),
        status=OccurrenceStatus.MISSED,
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
        deadline=dt.date(2026, 1, 25),
        overdue_workdays=5,
        applied_on=dt.date(2026, 2, 1),
    )
    with time_machine.travel(dt.datetime(2026, 5, 20, 9, 0, tzinfo=TZ), tick=False):
        tip, _receipt = submit_tip(
            category=Category.CONCEALED,
            text="厂里上个月有工人被机器卷伤，单位私了没有上报，请核查。",
            enterprise=ent,
            place=ent.region,
        )
    with time_machine.travel(dt.datetime(2026, 6, 15, 8, 0, tzinfo=TZ), tick=False):
        assert seed_accident_history(seed=1) == 3
        assert seed_accident_history(seed=1) is None
        accidents = Accident.objects.all()
        assert accidents.count() == 3
        assert all(a.occurred_at <= a.reported_at for a in accidents)
        assert not accidents.filter(occurred_on__gt=dt.date(2026, 6, 15)).exists()
        closed = accidents.get(status="closed")
        assert closed.deaths == 1 and closed.grade == "general" and closed.findings.count() == 3
        assert accidents.filter(deaths=0, serious_injuries=3, updates__isnull=False).exists()
        concealed = accidents.get(concealment="concealed")
        assert concealed.tip_id == tip.pk and concealed.reported_late
        lb = for_accident(closed, world.anweiban)
        assert lb.missed_checks and lb.unanswered
