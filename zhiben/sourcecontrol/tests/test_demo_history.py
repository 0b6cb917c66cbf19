"""The demo's 源头管控 history on the test world: certificates agree with the registry grades, one project refused
against the catalogue, 三同时 stages, an overdue 50 % payment and overdue 变型拖拉机."""

from __future__ import annotations

from typing import Any

from zhiben.demo.sourcecontrol_history import seed_sourcecontrol
from zhiben.registry.choices import StandardisationGrade
from zhiben.registry.models import Enterprise
from zhiben.sourcecontrol import services
from zhiben.sourcecontrol.choices import CertificateStatus, ProjectStatus
from zhiben.sourcecontrol.models import (
    ConstructionProject,
    PhaseOutItem,
    SourceProject,
    StandardisationCertificate,
)

R = "test"


def test_demo_history_is_believable_and_idempotent(world: Any) -> None:
    Enterprise.objects.filter(pk=world.enterprises["qiye1"].pk).update(
        standardisation_grade=StandardisationGrade.GRADE_2, is_above_scale=True
    )
    Enterprise.objects.filter(pk=world.enterprises["qiye2"].pk).update(
        standardisation_grade=StandardisationGrade.GRADE_3, is_above_scale=True
    )
    report = seed_sourcecontrol(seed=1)
    assert report is not None
    assert seed_sourcecontrol(seed=1) is None  # idempotent
    # every valid certificate's unit holds its grade; no graded unit without one
    for cert in StandardisationCertificate.objects.unrestricted(R).select_related("enterprise"):
        if cert.status == CertificateStatus.VALID:
            assert cert.enterprise.standardisation_grade == cert.grade
        else:
            assert cert.enterprise.standardisation_grade == StandardisationGrade.NONE
    assert report["certificates"] == 2
    refused = SourceProject.objects.unrestricted(R).filter(status=ProjectStatus.REFUSED)
    assert refused.count() == 1 and "禁1" in refused.get().refusal_reason
    statuses = set(SourceProject.objects.unrestricted(R).values_list("status", flat=True))
    assert {ProjectStatus.DONE, ProjectStatus.DIAGNOSIS} <= statuses
    late = [p for p in ConstructionProject.objects.unrestricted(R) if services.payment_overdue(p)]
    assert len(late) == 1
    tractors = PhaseOutItem.objects.unrestricted(R)
    assert tractors.count() == 36
    assert sum(services.phase_out_overdue(t) for t in tractors) == 4
