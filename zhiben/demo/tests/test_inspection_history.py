"""The demo's inspection and enforcement year runs through the services on the test world."""

from __future__ import annotations

import datetime as dt
from typing import Any

import time_machine

from zhiben.demo.inspection_history import seed_inspection_history
from zhiben.enforcement.models import Case, IllegalOperation
from zhiben.inspections.choices import InspectionStatus, OccurrenceStatus
from zhiben.inspections.models import Draw, DutyOccurrence, Inspection, InspectionPlan, Inspector

TZ = dt.timezone(dt.timedelta(hours=8))


def test_it_acts_out_a_year_and_a_rerun_adds_nothing(world: Any) -> None:
    with time_machine.travel(dt.datetime(2026, 6, 15, 8, 0, tzinfo=TZ), tick=False):
        report = seed_inspection_history(seed=1)
        assert report is not None, report
        assert seed_inspection_history(seed=1) is None

    assert Inspector.objects.filter(user=world.zhujian).exists()
    assert InspectionPlan.objects.filter(status="approved").count() == report.plans >= 4
    assert Inspection.objects.filter(status=InspectionStatus.COMPLETED).exists()
    joint = Inspection.objects.get(mode="joint")
    assert {d.department.code for d in joint.departments.all()} == {"housing", "fire"}
    assert {f.hazard.department.code for f in joint.findings.all()} == {"housing", "fire"}
    # qiye2 (high-risk) skipped May: on the 应查未查 list.
    assert DutyOccurrence.objects.filter(
        enterprise=world.enterprises["qiye2"],
        status=OccurrenceStatus.MISSED,
        period_start=dt.date(2026, 5, 1),
    ).exists()
    assert Draw.objects.filter(status="published").count() == 1
    assert Case.objects.count() == report.cases
    assert IllegalOperation.objects.filter(enterprise__isnull=False).count() == 1
