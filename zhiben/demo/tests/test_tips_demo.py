"""The demo's year of 举报 runs through the channel's services on the test world."""

from __future__ import annotations

import datetime as dt
from typing import Any

import time_machine

from zhiben.demo.tips_history import seed_tips_history
from zhiben.enforcement.reference import load_discretion_rules
from zhiben.hazards.models import Hazard
from zhiben.tips.choices import Category, InternalStatus, TipStatus
from zhiben.tips.models import InternalReport, Reward, Tip

TZ = dt.timezone(dt.timedelta(hours=8))


def test_a_year_of_tips_and_internal_reports_and_a_rerun_adds_nothing(world: Any) -> None:
    load_discretion_rules()
    with time_machine.travel(dt.datetime(2026, 6, 15, 8, 0, tzinfo=TZ), tick=False):
        report = seed_tips_history(seed=1)
        assert report is not None
        assert seed_tips_history(seed=1) is None
    tips = Tip.objects.all()
    assert 30 <= tips.count() == report.tips <= 60, report.notes
    categories = {c: tips.filter(category=c).count() for c in Category.values}
    assert categories[Category.CONCEALED] == 1
    assert categories[Category.ILLEGAL] == 3
    assert categories[Category.HAZARD] + categories[Category.MAJOR_HAZARD] > 10 * categories[Category.ILLEGAL]
    townships = {t.township.name for t in tips.exclude(township=None)}
    assert len(townships) >= 3
    assert tips.filter(status=TipStatus.CLOSED, outcome="unfounded").exists()
    assert tips.filter(status=TipStatus.RECEIVED).count() >= 2
    assert tips.filter(status=TipStatus.REJECTED).count() == 1
    overdue = tips.filter(status=TipStatus.VERIFYING, verify_deadline__lt=dt.date(2026, 6, 15))
    assert overdue.count() == 1
    founded_with_hazard = Hazard.objects.filter(source="tip")
    assert founded_with_hazard.exists() and all(h.tips.exists() for h in founded_with_hazard)
    assert tips.filter(cases__isnull=False).exists(), report.notes
    assert Reward.objects.filter(status="paid").exists(), report.notes
    assert not tips.filter(status=TipStatus.CLOSED, public_summary="").exists()
    internal = InternalReport.objects.all()
    assert internal.count() == report.internal >= 6
    assert internal.filter(status=InternalStatus.FOUNDED, hazard__isnull=False).exists()
    assert internal.filter(rewarded_on__isnull=False).exists()
    assert internal.filter(enterprise=world.enterprises["qiye1"]).exists()
