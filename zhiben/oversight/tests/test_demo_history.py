"""The demo's 2026 lists and 通报: items done with evidence, some waiting, reports issued from frozen quarters."""

from __future__ import annotations

from typing import Any

from django.utils import timezone

from zhiben.demo.oversight_history import seed_oversight_history
from zhiben.indicators import registry
from zhiben.oversight.choices import BulletinKind, BulletinStatus, ItemStatus
from zhiben.oversight.indicators import DUTY_COMPLETION
from zhiben.oversight.models import Bulletin, DutyItem


def test_demo_history_has_done_open_and_issued_reports(world: Any, monkeypatch: Any) -> None:
    # Kept within the time budget: the quarter snapshots freeze only this module's indicator, and the 公文 get a
    # stand-in PDF (freezing every indicator and WeasyPrint are tested where they live).
    monkeypatch.setattr(registry, "all", lambda: [registry.get(DUTY_COMPLETION)])
    monkeypatch.setattr("zhiben.core.documents.build_pdf", lambda layout: b"%PDF-1.4 stand-in")
    result = seed_oversight_history(seed=7)
    assert result is not None and result["items"] > 30
    items = DutyItem.objects.unrestricted("test").filter(year=2026)
    done = items.filter(status=ItemStatus.DONE)
    assert done.exists() and items.filter(status=ItemStatus.IN_PROGRESS).exists()
    assert all(i.evidence and i.completed_on and i.completed_on <= timezone.localdate() for i in done)
    assert done.filter(township__name="营田镇").exists() and done.filter(department__code="housing").exists()
    bulletins = Bulletin.objects.unrestricted("test")
    kinds = set(bulletins.values_list("kind", flat=True))
    # no hazards in the test world: no case to expose
    assert {BulletinKind.PROGRESS, BulletinKind.PRAISE, BulletinKind.HALF_YEAR} <= kinds
    assert not bulletins.exclude(status=BulletinStatus.ISSUED).exists()
    report = bulletins.get(kind=BulletinKind.HALF_YEAR)
    assert report.document.issued_at.date() <= timezone.localdate() and "区安委会主任" in report.document.body
    assert seed_oversight_history(seed=7) is None  # a rerun adds nothing
