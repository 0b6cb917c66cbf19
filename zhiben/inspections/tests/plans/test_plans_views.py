"""The plan, cap and cap-exception pages as 应急管理局's inspector, 区安委办, another department and a unit see them."""

from __future__ import annotations

from typing import Any

import pytest
from django.test import Client
from django.urls import reverse

from zhiben.core.models import AuditEntry
from zhiben.core.testing import login
from zhiben.inspections.choices import ExceptionStatus, PlanStatus
from zhiben.inspections.models import CapException, InspectionCap, InspectionPlan
from zhiben.inspections.services import caps, plans

from .draw_fixtures import district_fixture  # noqa: F401

pytestmark = pytest.mark.django_db


def as_(user: Any) -> Client:
    return login(Client(), user)


def test_it_drafts_submits_and_approves_a_plan_through_the_pages(district: Any, clock: Any) -> None:
    yingji = as_(district.world.yingji)
    response = yingji.post(
        reverse("inspections:plan_create"),
        {"year": 2025, "title": "应急管理局2025年度监督检查计划", "random_ratio": "8", "notes": ""},
    )
    plan = InspectionPlan.objects.get(department=district.emergency, year=2025)
    assert response.status_code == 302 and response["Location"] == plan.get_absolute_url()
    unit = district.units[0]
    response = yingji.post(
        reverse("inspections:plan_unit_add", args=[plan.pk]), {"enterprise": unit.pk, "planned_quarter": "2"}
    )
    assert response.status_code == 302
    page = yingji.get(plan.get_absolute_url())
    assert page.status_code == 200
    html = page.content.decode()
    limit = caps.applicable_cap(unit).max_per_year  # high-risk, 未达标: the 12 a year of the example list
    assert unit.name in html and 'data-testid="progress"' in html and f"0 / {limit}" in html and limit == 12
    plan.refresh_from_db()
    assert (
        yingji.post(reverse("inspections:plan_submit", args=[plan.pk]), {"version": plan.version}).status_code
        == 302
    )
    plan.refresh_from_db()
    assert plan.status == PlanStatus.SUBMITTED

    assert yingji.get(reverse("inspections:plan_review", args=[plan.pk])).status_code == 403
    office = as_(district.world.anweiban)
    assert office.get(reverse("inspections:plan_review", args=[plan.pk])).status_code == 200
    returned = office.post(
        reverse("inspections:plan_review", args=[plan.pk]),
        {"decision": "return", "note": "", "version": plan.version},
    )
    assert returned.status_code == 400 and "修改意见" in returned.content.decode()
    office.post(
        reverse("inspections:plan_review", args=[plan.pk]),
        {"decision": "approve", "note": "同意", "version": plan.version},
    )
    plan.refresh_from_db()
    assert plan.status == PlanStatus.APPROVED
    yingji.post(reverse("inspections:plan_public", args=[plan.pk]), {"public": "1", "version": plan.version})
    plan.refresh_from_db()
    assert plan.is_public
    public = Client().get(reverse("inspections:public_plan", args=[plan.pk]))
    assert public.status_code == 200 and unit.name in public.content.decode()


def test_it_keeps_plans_inside_their_department(district: Any, clock: Any) -> None:
    plan = plans.create_plan(
        actor=district.world.yingji, department=district.emergency, year=2025, title="计划"
    )
    assert as_(district.world.zhujian).get(plan.get_absolute_url()).status_code == 404
    assert as_(district.world.qiye1).get(reverse("inspections:plan_list")).status_code == 403
    assert as_(district.world.anweiban).get(plan.get_absolute_url()).status_code == 200
    assert as_(district.world.anweiban).get(reverse("inspections:plan_create")).status_code == 403
    listed = as_(district.world.zhujian).get(reverse("inspections:plan_list")).content.decode()
    assert "计划" not in listed.split("<tbody", 1)[-1]
    anonymous = Client().get(plan.get_absolute_url())
    assert anonymous.status_code == 302 and "login" in anonymous["Location"]
    assert Client().get(reverse("inspections:public_plan", args=[plan.pk])).status_code == 404  # not public


def test_it_shows_the_cap_table_with_unverified_rows_and_lets_only_the_office_edit(
    district: Any, clock: Any
) -> None:
    office = as_(district.world.anweiban)
    page = office.get(reverse("inspections:cap_list"))
    assert page.status_code == 200 and "待核实" in page.content.decode()
    assert as_(district.world.yingji).get(reverse("inspections:cap_list")).status_code == 200
    assert as_(district.world.yingji).get(reverse("inspections:cap_create")).status_code == 403
    cap = InspectionCap.objects.get(industry=None, risk_class="", standardisation_grade="")
    form = {
        "risk_class": "",
        "standardisation_grade": "",
        "max_per_year": "5",
        "source": "屈安办〔2025〕3号",
        "verified": "on",
    }
    assert (
        office.post(
            reverse("inspections:cap_edit", args=[cap.pk]), {**form, "version": cap.version}
        ).status_code
        == 302
    )
    stale = office.post(
        reverse("inspections:cap_edit", args=[cap.pk]), {**form, "max_per_year": "4", "version": cap.version}
    )
    assert stale.status_code == 409
    cap.refresh_from_db()
    assert cap.max_per_year == 5 and cap.verified
    assert (
        'data-testid="delete"' in office.get(reverse("inspections:cap_edit", args=[cap.pk])).content.decode()
    )
    assert (
        as_(district.world.yingji).post(reverse("inspections:cap_delete", args=[cap.pk])).status_code == 403
    )
    deleted = office.post(reverse("inspections:cap_delete", args=[cap.pk]), {"version": cap.version})
    assert deleted.status_code == 302 and not InspectionCap.objects.filter(pk=cap.pk).exists()
    assert AuditEntry.objects.filter(event="CAP_CHANGED", object_id=str(cap.pk), data__deleted=True).exists()


def test_it_requests_and_decides_a_cap_exception_through_the_pages(district: Any, clock: Any) -> None:
    yingji = as_(district.world.yingji)
    unit = district.units[2]
    response = yingji.post(
        reverse("inspections:cap_exception_create"),
        {"enterprise": unit.pk, "year": 2025, "reason": "举报核查"},
    )
    exception = CapException.objects.get(enterprise=unit)
    assert response.status_code == 302 and response["Location"] == exception.get_absolute_url()
    assert yingji.post(exception.get_absolute_url(), {"approve": "1"}).status_code == 403
    office = as_(district.world.anweiban)
    page = office.get(exception.get_absolute_url())
    assert page.status_code == 200 and 'data-testid="decision"' in page.content.decode()
    assert office.post(exception.get_absolute_url(), {"approve": "1", "note": "同意"}).status_code == 302
    exception.refresh_from_db()
    assert exception.status == ExceptionStatus.APPROVED
    assert as_(district.world.zhujian).get(exception.get_absolute_url()).status_code == 404


def test_it_shows_plan_times_in_beijing_time_and_the_approver_by_name_and_unit(
    district: Any, clock: Any
) -> None:
    # 09:00 in Beijing is 01:00 UTC: the list's 提交时间 used to read "2025-03-03 01:00:00+00:00".
    yingji, office = district.world.yingji, district.world.anweiban
    plan = plans.create_plan(actor=yingji, department=district.emergency, year=2025, title="年度检查计划")
    plans.submit_plan(plan, actor=yingji)
    plans.approve_plan(plan, actor=office, note="同意")
    listing = as_(yingji).get(reverse("inspections:plan_list")).content.decode()
    assert "2025-03-03 09:00" in listing and "+00:00" not in listing and "01:00:00" not in listing
    page = as_(yingji).get(plan.get_absolute_url()).content.decode()
    assert "区安委办值班员（区安委会办公室）" in page
    assert "anweiban" not in page
