"""The demo's 培训演练 on the test world: themes with attendance and gaps, certificates expiring and expired,
drills with a few units overdue, two rescue teams; a second run adds nothing."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.utils import timezone

from zhiben.demo.training_history import seed_training
from zhiben.registry.models import Enterprise
from zhiben.training import duties
from zhiben.training.models import (
    Certificate,
    Drill,
    PublicityActivity,
    RescueTeam,
    TrainingSession,
    TrainingTheme,
    Worker,
)

pytestmark = pytest.mark.django_db


def test_the_demo_seeds_every_part_and_runs_once(world: Any) -> None:
    counts = seed_training(seed=1)
    assert counts is not None and counts["sessions"] >= 1 and counts["certificates"] >= 6
    today = timezone.localdate()
    theme = TrainingTheme.objects.get(year=2024)
    assert TrainingSession.objects.filter(theme=theme).exists()
    certs = Certificate.objects.all()
    assert certs.expiring_within(90, today).exists() and certs.expired(today).exists()
    assert Drill.objects.filter(status="done").exists()
    assert RescueTeam.objects.count() == 2 and PublicityActivity.objects.exists()
    units = Enterprise.objects.all()
    assert len(duties.theme_gaps(theme, units)) <= 2  # most of the 2024 audience attended
    # 从业人员名册 of six units, dispatched/flexible among them, a few short of hours (the gap list has names).
    roster = Worker.objects.all()
    assert counts["workers"] == roster.count() and roster.values("enterprise").distinct().count() == 6
    assert (
        roster.filter(employment__in=duties.OUTSOURCED)
        .exclude(employment="flexible")
        .exclude(employer="")
        .exists()
    )
    assert duties.worker_shortfalls(roster, today.year, today)
    for day in (today, dt.date(today.year, 1, 15), today - dt.timedelta(days=400)):  # the workbench's count
        short = duties.worker_shortfalls(roster, day.year, day)
        assert duties.pre_job_short_count(roster, day) == len(
            {s.worker.pk for s in short if s.kind == "pre_job"}
        )
    assert seed_training(seed=1) is None
