"""The demo's 督办 year: every state, an overdue item with its 督促函, two 暗访 (a hazard, an item); idempotent."""

from __future__ import annotations

from typing import Any

from django.utils import timezone

from zhiben.demo.supervision_history import seed_supervision_history
from zhiben.supervision.choices import AssigneeStatus, ItemStatus
from zhiben.supervision.models import (
    Assignee,
    AssigneeEscalation,
    AssigneeTransition,
    SupervisionItem,
    UndercoverVisit,
    VisitFinding,
)


def test_demo_history_covers_every_state_and_is_idempotent(world: Any) -> None:
    counts = seed_supervision_history(seed=7)
    assert counts is not None and counts["items"] == 7
    assert seed_supervision_history(seed=7) is None
    rows = Assignee.objects.unrestricted("test")
    assert set(rows.values_list("status", flat=True)) == set(AssigneeStatus.values)
    items = SupervisionItem.objects.unrestricted("test")
    assert items.filter(status=ItemStatus.DONE).count() == 2
    today = timezone.localdate()
    late = rows.filter(status__in=("issued", "working", "reported"), deadline__lt=today)
    assert late.count() == 1
    letter = AssigneeEscalation.objects.get(kind="letter")
    assert letter.assignee == late.get() and letter.document.number.startswith("屈安办督〔")
    assert not AssigneeTransition.objects.filter(at__gt=timezone.now()).exists()
    assert UndercoverVisit.objects.unrestricted("test").count() == 2
    findings = VisitFinding.objects.unrestricted("test")
    assert findings.filter(hazard__isnull=False).count() == 1
    assert items.filter(finding__in=findings).count() == 1
