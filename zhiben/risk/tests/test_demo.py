"""The demo's 双重预防: points with a spread of colours, patrols whose 不符合 became hazards, 一会三卡 records."""

from __future__ import annotations

from typing import Any

import pytest
from django.test import Client
from django.urls import reverse

from zhiben.core.testing import login
from zhiben.demo.risk_history import seed_risk
from zhiben.risk.choices import Level, PermitStatus, PointStatus
from zhiben.risk.models import Patrol, RiskPoint, ShiftMeeting, WorkPermit

pytestmark = pytest.mark.django_db


def test_the_demo_seeds_believable_risk_records(world: Any) -> None:
    counts = seed_risk(seed=1)
    assert counts is not None and counts["points"] >= 10
    points = RiskPoint.objects.unrestricted("test")
    levels = set(points.values_list("level", flat=True))
    assert Level.MAJOR in levels and len(levels) >= 3
    assert points.filter(status=PointStatus.REASSESS).exists()
    failed = Patrol.objects.unrestricted("test").filter(conforming=False)
    assert failed.exists() and all(p.hazard_id for p in failed)
    assert ShiftMeeting.objects.unrestricted("test").filter(enterprise=world.enterprises["qiye2"]).exists()
    states = set(WorkPermit.objects.unrestricted("test").values_list("status", flat=True))
    assert states == {PermitStatus.APPLIED, PermitStatus.CONFIRMED, PermitStatus.FINISHED}
    assert seed_risk(seed=1) is None  # idempotent
    client = login(Client(), world.qiye2)
    page = client.get(reverse("risk:map", args=[world.enterprises["qiye2"].pk])).content.decode()
    assert "<polygon" in page
    assert client.get(reverse("risk:stats")).status_code == 200
