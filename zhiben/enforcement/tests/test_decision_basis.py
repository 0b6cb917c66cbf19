"""A penalty rests on a judged hazard and a stated 依据: 立案 for a 待判定 hazard is refused; 告知 and 决定 need
a 裁量基准, whose articles the 行政处罚决定书 cites; the decision's text never joins into "。。"."""

from __future__ import annotations

import datetime as dt
import re
import subprocess
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
from django.core.exceptions import ValidationError
from django.test import Client
from django.urls import reverse

from zhiben.core.documents import DocumentError, issue_document, load_document_templates, sentence
from zhiben.core.models import OfficialDocument
from zhiben.core.testing import login
from zhiben.enforcement import services
from zhiben.enforcement.choices import CaseStatus, MeasureKind
from zhiben.enforcement.models import Case
from zhiben.hazards import services as hazards
from zhiben.hazards.choices import Level, Status

from .case_helpers import emergency

pytestmark = pytest.mark.django_db


def pdf_text(c: Client, document: OfficialDocument, tmp_path: Path) -> str:
    r = c.get(reverse("core:document_download", args=[document.pk, "pdf"]))
    assert r.status_code == 200
    path = tmp_path / "decision.pdf"
    path.write_bytes(b"".join(r.streaming_content))
    text = subprocess.run(["pdftotext", str(path), "-"], capture_output=True, text=True, check=True).stdout
    return re.sub(r"\s+", "", text)


def test_filing_a_penalty_for_an_unjudged_hazard_is_refused(world: Any, rules: Any, clock: Any) -> None:
    hazard = general_hazard(world)
    assert hazard.status == Status.REPORTED
    with pytest.raises(ValidationError) as refused:
        services.file_case(
            actor=world.yingji,
            department=emergency(),
            violation="未采取措施消除事故隐患",
            filed_on=services.today(),
            hazard=hazard,
            discretion_rule=rules["AQ102-2"],
        )
    assert "尚待判定，不能据此立案处罚" in refused.value.message_dict["hazard"][0]
    assert not Case.objects.exists()
    hazards.reject(hazard, actor=world.yingji, reason="现场核实不构成事故隐患")
    with pytest.raises(ValidationError, match="已不予认定"):
        services.file_case(
            actor=world.yingji,
            department=emergency(),
            violation="未采取措施消除事故隐患",
            filed_on=services.today(),
            hazard=hazard,
        )


def general_hazard(world: Any) -> Any:
    return hazards.register_hazard(
        actor=world.yingji,
        enterprise=world.enterprises["qiye1"],
        level=Level.GENERAL,
        title="配电箱未接地",
        discovered_on=dt.date(2025, 3, 1),
    )


def test_the_decision_cites_the_articles_of_its_rule_and_never_writes_a_double_stop(
    world: Any, rules: Any, clock: Any, tmp_path: Path
) -> None:
    hazard = general_hazard(world)
    hazards.confirm(hazard, actor=world.yingji)
    case = services.file_case(
        actor=world.yingji,
        department=emergency(),
        violation="屈原营田机械制造有限公司存在隐患：配电箱未接地。。",  # a title closed twice, as the demo did
        filed_on=services.today(),
        hazard=hazard,
    )
    services.start_investigation(case, actor=world.yingji)
    services.add_measure(case, actor=world.yingji, kind=MeasureKind.FINE, amount=Decimal(20000))
    yingji = login(Client(), world.yingji)
    notify = reverse("enforcement:case_step", args=[case.pk, "notify"])
    case.refresh_from_db()
    r = yingji.post(notify, {"notified_on": "2025-03-03", "version": case.version})
    assert r.status_code == 400 and "尚未适用行政裁量基准" in r.content.decode()  # no 依据, no 告知
    case.refresh_from_db()
    assert case.status == CaseStatus.INVESTIGATING
    rule = rules["AQ102-2"]
    r = yingji.post(
        reverse("enforcement:case_step", args=[case.pk, "set_rule"]),
        {"discretion_rule": rule.code, "version": case.version},
    )
    assert r.status_code == 302, r.content.decode()[:2000]
    case.refresh_from_db()
    assert case.discretion_rule == rule
    assert yingji.post(notify, {"notified_on": "2025-03-03", "version": case.version}).status_code == 302
    case.refresh_from_db()
    services.decide_case(case, actor=world.yingji, decided_on=dt.date(2025, 3, 3), statement="无异议。")
    decision = case.decision_document
    assert decision is not None
    text = pdf_text(login(Client(), world.qiye1), decision, tmp_path)
    assert "违反了《中华人民共和国安全生产法》（2021年修正）第四十一条第二款的规定" in text
    assert "依据《中华人民共和国安全生产法》（2021年修正）第一百零二条的规定" in text
    assert "配电箱未接地。" in text and "。。" not in text and "。。" not in decision.body


def test_a_decision_without_its_basis_or_with_a_double_stop_is_not_issued(world: Any, clock: Any) -> None:
    load_document_templates()
    context = {
        "subject": {"name": "屈原营田机械制造有限公司"},
        "case": {"code": "屈应急立〔2025〕9号"},
        "violation": "未采取措施消除事故隐患。",
        "measures": ["罚款人民币2万元。"],
    }
    required = {"violation": "违法事实", "penalty_basis": "处罚依据"}
    with pytest.raises(DocumentError, match="处罚依据"):
        issue_document("enforcement_decision", context=context, actor=world.yingji, required=required)
    with pytest.raises(DocumentError, match="。。"):
        issue_document(
            "enforcement_decision",
            context={**context, "penalty_basis": "第一百零二条", "violation": "未消除。。隐患。"},
            actor=world.yingji,
            required=required,
        )
    assert not OfficialDocument.objects.exists()
    assert sentence("存在隐患：配电箱未接地。", "") == "存在隐患：配电箱未接地。"
    assert sentence("", "  ") == ""


def test_the_rule_is_set_before_the_party_is_told_and_not_after(world: Any, rules: Any, clock: Any) -> None:
    case = services.file_case(
        actor=world.yingji,
        department=emergency(),
        violation="未采取措施消除事故隐患",
        filed_on=services.today(),
        enterprise=world.enterprises["qiye1"],
        discretion_rule=rules["AQ102-2"],
    )
    services.start_investigation(case, actor=world.yingji)
    services.add_measure(case, actor=world.yingji, kind=MeasureKind.FINE, amount=Decimal(20000))
    services.notify_case(case, actor=world.yingji, notified_on=dt.date(2025, 3, 3))
    with pytest.raises(services.EnforcementError, match="不能再更改适用的裁量基准"):
        services.set_discretion_rule(case, actor=world.yingji, discretion_rule=rules["AQ102-3"])
    # A case told without a 依据 (filed before the rule existed) is not decided: it is filed again.
    Case.objects.filter(pk=case.pk).update(discretion_rule=None)
    case.refresh_from_db()
    with pytest.raises(services.EnforcementError, match="告知时未载明处罚依据"):
        services.decide_case(case, actor=world.yingji, decided_on=dt.date(2025, 3, 3))
