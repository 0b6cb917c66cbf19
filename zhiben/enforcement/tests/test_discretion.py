"""行政裁量基准: shipped as data with its sources and 待核实; the office edits it (409 when stale); a fine outside
the chosen range needs a reason, which is recorded."""

from __future__ import annotations

import itertools
from decimal import Decimal
from typing import Any

import pytest
from django.core.exceptions import ValidationError
from django.test import Client
from django.urls import reverse

from zhiben.core.models import DocumentTemplate
from zhiben.core.testing import assert_audited, login, obtain_token, token_header
from zhiben.enforcement import events, services, steps
from zhiben.enforcement.choices import MeasureKind
from zhiben.enforcement.models import DiscretionRule
from zhiben.enforcement.reference import discretion_rows, load_discretion_rules

from .case_helpers import file

pytestmark = pytest.mark.django_db


def test_the_benchmark_loads_once_unverified_with_the_law_s_ranges(world: Any) -> None:
    # The reference-data loaders (settings.ZHIBEN_REFERENCE_LOADERS) ran when the world was built.
    assert DiscretionRule.objects.count() == len(discretion_rows()) == 16
    assert load_discretion_rules() == {"discretion_rules": 0, "document_templates": 0}
    # A row the office edited is kept; a missing one comes back.
    DiscretionRule.objects.filter(code="AQ112").delete()
    DiscretionRule.objects.filter(code="AQ102-1").update(max_amount=Decimal("8000"))
    assert load_discretion_rules()["discretion_rules"] == 1
    assert DiscretionRule.objects.get(code="AQ102-1").max_amount == Decimal("8000")
    DiscretionRule.objects.filter(code="AQ102-1").update(max_amount=Decimal("10000"))
    assert not DiscretionRule.objects.filter(verified=True).exists()
    assert all(
        r.source and r.penalty_basis.startswith("《中华人民共和国安全生产法》")
        for r in DiscretionRule.objects.all()
    )
    # The bands of Art 102 (≤ 5万) stay inside the statutory maximum and do not overlap.
    bands = DiscretionRule.objects.filter(code__in=["AQ102-1", "AQ102-2", "AQ102-3", "AQ102-4"]).order_by(
        "code"
    )
    assert [r.get_circumstance_display() for r in bands] == ["轻微", "一般", "较重", "严重"]
    assert max(r.max_amount for r in bands) == Decimal("50000")
    for low, high in itertools.pairwise(bands):
        assert low.max_amount == high.min_amount
    assert DiscretionRule.objects.get(code="AQ113-1").measures == ["close", "licence", "ban"]
    assert DocumentTemplate.objects.filter(
        code="enforcement_decision_housing", issuer="屈原管理区住房和城乡建设局"
    ).exists()


def test_the_list_shows_unverified_rows_and_only_the_office_edits(world: Any, rules: Any) -> None:
    url = reverse("enforcement:discretion_list")
    page = login(Client(), world.yingji).get(url).content.decode()
    assert "AQ101-5-2" in page and "待核实" in page and "2万元以上5万元以下" in page
    rule = rules["AQ102-2"]
    edit = reverse("enforcement:discretion_edit", args=[rule.pk])
    assert login(Client(), world.yingji).get(edit).status_code == 403
    office = login(Client(), world.anweiban)
    page = office.get(edit).content.decode()
    assert f'value="{rule.penalty_basis}"' in page and 'value="20000.00"' in page  # the form opens filled
    form = {
        "violation": rule.violation,
        "legal_basis": rule.legal_basis,
        "penalty_basis": rule.penalty_basis,
        "circumstance": rule.circumstance,
        "criteria": rule.criteria,
        "min_amount": "30000",
        "max_amount": "20000",
        "measures": ["order_rectify", "fine"],
        "source": "区安委办〔2025〕裁量基准",
        "verified": "on",
        "active": "on",
        "version": rule.version,
    }
    r = office.post(edit, form)
    assert r.status_code == 400 and "上限不能低于下限" in r.content.decode()
    form["min_amount"] = "12000"
    assert office.post(edit, form).status_code == 302
    rule.refresh_from_db()
    assert rule.min_amount == Decimal("12000") and rule.verified and rule.version == 2
    assert_audited(
        events.DISCRETION_RULE_CHANGED, rule, actor=world.anweiban, min_amount="12000", verified=True
    )
    r = office.post(edit, {**form, "min_amount": "11000"})  # still version 1: someone saved in between
    assert r.status_code == 409
    rule.refresh_from_db()
    assert rule.min_amount == Decimal("12000")
    assert "已核实" in office.get(url, {"verified": "true"}).content.decode()


def test_the_api_reads_the_benchmark_and_only_the_office_patches_it(world: Any, rules: Any) -> None:
    c = Client()
    dept = token_header(obtain_token(c, "zhujian"))
    rows = c.get("/api/v1/discretion-rules/", {"circumstance": "severe"}, headers=dept).json()["results"]
    assert {r["code"] for r in rows} >= {"AQ101-5-4", "AQ102-4", "AQ112", "AQ113-1"}
    rule = rules["AQ102-2"]
    url = f"/api/v1/discretion-rules/{rule.pk}/"
    assert (
        c.patch(
            url, {"max_amount": "25000", "version": 1}, content_type="application/json", headers=dept
        ).status_code
        == 403
    )
    office = token_header(obtain_token(c, "anweiban"))
    r = c.patch(url, {"max_amount": "5000", "version": 1}, content_type="application/json", headers=office)
    assert r.status_code == 400 and "max_amount" in r.json()
    r = c.patch(url, {"max_amount": "25000", "version": 1}, content_type="application/json", headers=office)
    assert r.status_code == 200 and r.json()["range_display"] == "1万元以上25000元以下"
    assert (
        c.patch(
            url, {"max_amount": "30000", "version": 1}, content_type="application/json", headers=office
        ).status_code
        == 409
    )


def test_a_fine_outside_the_range_needs_a_reason_that_is_recorded(world: Any, rules: Any, clock: Any) -> None:
    rule = rules["AQ102-2"]  # 1万元以上2万元以下
    case = file(world, discretion_rule=rule)
    services.start_investigation(case, actor=world.yingji)
    assert services.discretion_warning(rule, Decimal("15000")) == ""
    with pytest.raises(ValidationError) as refused:
        services.add_measure(case, actor=world.yingji, kind=MeasureKind.FINE, amount=Decimal("45000"))
    message = " ".join(refused.value.message_dict["outside_range_reason"])
    assert "超出裁量基准" in message and "1万元以上2万元以下" in message
    # The page shows the benchmark's range before the officer types an amount.
    page = (
        login(Client(), world.yingji)
        .get(reverse("enforcement:case_step", args=[case.pk, "add_measure"]))
        .content.decode()
    )
    assert 'data-testid="discretion"' in page and "1万元以上2万元以下" in page
    measure = services.add_measure(
        case,
        actor=world.yingji,
        kind=MeasureKind.FINE,
        amount=Decimal("45000"),
        outside_range_reason="同一隐患第二次被发现，且拒不配合检查",
    )
    assert measure.outside_range_reason == "同一隐患第二次被发现，且拒不配合检查"
    assert_audited(
        steps.ADD_MEASURE.event, case, outside_range_reason=measure.outside_range_reason, amount="45000"
    )
    page = login(Client(), world.yingji).get(case.get_absolute_url()).content.decode()
    assert "超出裁量基准的理由" in page
    # No benchmark chosen: any positive amount is taken as it is.
    other = file(world)
    services.start_investigation(other, actor=world.yingji)
    assert services.add_measure(
        other, actor=world.yingji, kind=MeasureKind.FINE, amount=Decimal("45000")
    ).amount == Decimal("45000")


def test_every_enforcement_template_renders_with_its_sample_in_the_editor(world: Any) -> None:
    from zhiben.core.documents import check_template_text

    templates = DocumentTemplate.objects.filter(code__startswith="enforcement_")
    assert templates.count() == 19 and not templates.filter(verified=True).exists()
    for t in templates:
        # Raises on any syntax error or leftover tag, as the template editor would.
        title, body = check_template_text(t.title, t.body, t.code)
        assert title.strip() and ("案件编号" in body or "提请" in title), t.code
