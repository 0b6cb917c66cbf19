"""Fixtures of the training tests: a certificate factory and an inspection in progress at 河市化工 (qiye2), led by
应急管理局 with two certified officers (the yingji persona one of them)."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.utils import timezone

from zhiben.registry.tests.test_browser import browser_page  # noqa: F401 - the Chromium page fixture
from zhiben.training.models import Certificate, CertificateType


@pytest.fixture
def make_cert(world: Any) -> Any:
    def make(
        slot: str, number: str, valid_to: dt.date, holder: str = "王焊工", kind: str = "special_operation"
    ) -> Certificate:
        ct = CertificateType.objects.get(code=kind)
        return Certificate.objects.create(
            enterprise=world.enterprises[slot],
            holder_name=holder,
            kind=ct,
            operation=ct.operations[1] if ct.operations else "",
            number=number,
            issuer="湖南省应急管理厅",
            valid_from=valid_to - dt.timedelta(days=6 * 365),
            valid_to=valid_to,
        )

    return make


@pytest.fixture
def inspection(world: Any) -> Any:
    from zhiben.inspections.choices import InspectorKind, Mode, Origin
    from zhiben.inspections.models import InspectionCap, Inspector
    from zhiben.inspections.services import records

    InspectionCap.objects.all().delete()
    dept = world.departments["emergency"]
    officers = [
        Inspector.objects.create(
            user=world.yingji,
            name="应急执法员甲",
            department=dept,
            kind=InspectorKind.OFFICER,
            certificate_no="43067101901",
            certificate_valid_until=timezone.localdate() + dt.timedelta(days=900),
        ),
        Inspector.objects.create(
            name="应急执法员乙",
            department=dept,
            kind=InspectorKind.OFFICER,
            certificate_no="43067101902",
            certificate_valid_until=timezone.localdate() + dt.timedelta(days=900),
        ),
    ]
    visit = records.create_inspection(
        actor=world.yingji,
        enterprise=world.enterprises["qiye2"],
        department=dept,
        mode=Mode.ROUTINE,
        origin=Origin.SPECIAL,
        planned_on=timezone.localdate(),
        officers=officers,
        subject="危化企业特种作业持证检查",
    )
    return records.start_inspection(visit, actor=world.yingji)
