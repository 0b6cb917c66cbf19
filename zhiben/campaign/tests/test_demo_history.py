"""The demo's campaign years: believable progress by year, returns, sub-plans, registers, escalations."""

from __future__ import annotations

from typing import Any

from django.db.models import Count

from zhiben.campaign.choices import ReportOutcome, TaskStatus
from zhiben.campaign.models import RegisterEntry, SubPlan, Task, TaskEscalation, TaskReport
from zhiben.demo.campaign_history import seed_campaign_history


def test_demo_history_has_the_campaigns_shape(world: Any) -> None:
    report = seed_campaign_history(seed=7)
    assert report is not None and report.reports > 50
    tasks = Task.objects.unrestricted("test")
    done = {
        y: tasks.filter(year=y, status=TaskStatus.DONE).count() / tasks.filter(year=y).count()
        for y in (2024, 2025, 2026)
    }
    assert done[2024] > 0.8 and 0.6 < done[2025] < 1 and done[2026] < 0.7
    assert tasks.overdue().filter(year=2025).exists() and tasks.overdue().filter(year=2026).exists()
    assert tasks.filter(year=2026, status__in=[TaskStatus.REVIEWING, TaskStatus.FINAL_REVIEW]).exists()
    late = [t for t in tasks.filter(status=TaskStatus.DONE) if t.completed_on > t.due_on]
    assert late
    assert TaskReport.objects.unrestricted("test").filter(outcome=ReportOutcome.RETURNED).exists()
    assert SubPlan.objects.unrestricted("test").values("department").distinct().count() >= 4
    per_town = RegisterEntry.objects.unrestricted("test").values("township").annotate(n=Count("pk"))
    assert len([r for r in per_town if r["township"]]) == 4
    assert TaskEscalation.objects.exists()
    assert seed_campaign_history(seed=7) is None  # a rerun adds nothing
