"""A case's life through the pages: 应急管理局 files, orders, investigates, proposes a fine, notifies, decides,
executes and closes; the unit sees its case and downloads its documents; others get 404 or 403."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

import pytest
from django.core.exceptions import ValidationError
from django.test import Client
from django.urls import reverse

from zhiben.core.models import AuditEntry, OfficialDocument
from zhiben.core.testing import assert_audited, login
from zhiben.enforcement import services, steps
from zhiben.enforcement.choices import CaseStatus, MeasureKind
from zhiben.enforcement.models import Case, CaseTransition

from .case_helpers import file

pytestmark = pytest.mark.django_db


def client_for(user: Any) -> Client:
    return login(Client(), user)


def step_url(case: Case, name: str) -> str:
    return reverse("enforcement:case_step", args=[case.pk, name])


def post_step(c: Client, case: Case, name: str, data: dict[str, Any]) -> Any:
    case.refresh_from_db()
    return c.post(step_url(case, name), {"version": case.version, **data})


def test_it_runs_a_case_from_filing_to_closure_with_documents(world: Any, rules: Any, clock: Any) -> None:
    yingji = client_for(world.yingji)
    qiye1 = world.enterprises["qiye1"]
    rule = rules["AQ102-2"]  # 未采取措施消除事故隐患（一般）: 1万元以上2万元以下
    r = yingji.get(reverse("enforcement:case_create") + f"?enterprise={qiye1.pk}")
    assert r.status_code == 200 and "立案" in r.content.decode()
    r = yingji.post(
        reverse("enforcement:case_create"),
        {
            "enterprise": qiye1.pk,
            "department": world.departments["emergency"].pk,
            "violation": "喷漆房未设置可燃气体报警装置，经责令后仍未消除。",
            "discretion_rule": rule.pk,
            "filed_on": "2025-03-03",
        },
    )
    assert r.status_code == 302, r.content.decode()[:2000]
    case = Case.objects.get()
    assert r["Location"] == case.get_absolute_url()
    assert case.code == "屈应急立〔2025〕1号" and case.status == CaseStatus.FILED
    assert case.region == qiye1.region and case.department.code == "emergency"
    assert_audited(steps.FILE.event, case, actor=world.yingji, code=case.code)

    # 责令限期整改 takes effect at once and issues its 指令书.
    r = post_step(
        yingji,
        case,
        "add_measure",
        {"kind": MeasureKind.ORDER_RECTIFY, "end_on": "2025-03-17", "details": "安装报警装置"},
    )
    assert r.status_code == 302, r.content.decode()[:3000]
    order = case.measures.get(kind=MeasureKind.ORDER_RECTIFY)
    assert order.decided_on == dt.date(2025, 3, 3) and order.document is not None
    assert order.document.number == "（屈应急）责改〔2025〕1号"
    assert order.document.template.code == "enforcement_order_emergency"
    assert "2025年3月17日前整改完毕" in order.document.body

    assert post_step(yingji, case, "investigate", {"note": "现场勘验"}).status_code == 302
    r = post_step(yingji, case, "add_measure", {"kind": MeasureKind.FINE, "amount": "15000"})
    assert r.status_code == 302
    fine = case.measures.get(kind=MeasureKind.FINE)
    assert fine.decided_on is None  # proposed until 决定
    assert post_step(yingji, case, "notify", {"notified_on": "2025-03-03"}).status_code == 302
    r = post_step(yingji, case, "decide", {"decided_on": "2025-03-03", "statement": "当事人未提出陈述申辩。"})
    assert r.status_code == 302
    case.refresh_from_db()
    fine.refresh_from_db()
    assert case.status == CaseStatus.DECIDED and fine.decided_on == dt.date(2025, 3, 3)
    decision = case.decision_document
    assert decision is not None and decision.number == "（屈应急）罚〔2025〕1号"
    assert "罚款人民币1.5万元" not in decision.body and "罚款人民币15000元" in decision.body
    assert rule.penalty_basis in decision.body and "屈原营田机械制造有限公司" in decision.body
    assert post_step(yingji, case, "execute", {}).status_code == 302
    assert (
        post_step(yingji, case, "close", {"closed_on": "2025-03-03", "note": "罚款已缴纳"}).status_code == 302
    )
    case.refresh_from_db()
    assert case.status == CaseStatus.CLOSED and case.closed_on == dt.date(2025, 3, 3)
    assert set(case.measures.values_list("executed_on", flat=True)) == {dt.date(2025, 3, 3)}

    history = list(CaseTransition.objects.filter(case=case).order_by("pk").values_list("action", flat=True))
    assert history == [
        "file",
        "add_measure",
        "investigate",
        "add_measure",
        "notify",
        "decide",
        "execute",
        "close",
    ]
    # One audit row per step on the case.
    case_events = list(
        AuditEntry.objects.filter(object_type="enforcement.case", object_id=str(case.pk))
        .order_by("seq")
        .values_list("event", flat=True)
    )
    assert case_events == [
        steps.FILE.event,
        steps.ADD_MEASURE.event,
        steps.INVESTIGATE.event,
        steps.ADD_MEASURE.event,
        steps.NOTIFY.event,
        steps.DECIDE.event,
        steps.EXECUTE.event,
        steps.CLOSE.event,
    ]

    # The case page shows the stepper, the measures and both documents; the unit downloads its decision.
    page = yingji.get(case.get_absolute_url()).content.decode()
    assert "（屈应急）责改〔2025〕1号" in page and "（屈应急）罚〔2025〕1号" in page and "已结案" in page
    unit = client_for(world.qiye1)
    assert unit.get(case.get_absolute_url()).status_code == 200
    docx = unit.get(reverse("core:document_download", args=[decision.pk, "docx"]))
    assert docx.status_code == 200 and b"".join(docx.streaming_content)[:2] == b"PK"
    pdf = unit.get(reverse("core:document_download", args=[decision.pk, "pdf"]))
    assert pdf.status_code == 200 and b"".join(pdf.streaming_content)[:5] == b"%PDF-"
    other = client_for(world.qiye2)
    assert other.get(case.get_absolute_url()).status_code == 404
    assert other.get(reverse("core:document_download", args=[decision.pk, "pdf"])).status_code == 404
    assert (
        OfficialDocument.objects.filter(object_type="enforcement.case", object_id=str(case.pk)).count() == 2
    )


def test_an_invalid_step_answers_400_with_the_reason(world: Any, rules: Any, clock: Any) -> None:
    case = file(world)
    yingji = client_for(world.yingji)
    r = post_step(yingji, case, "decide", {"decided_on": "2025-03-03"})
    assert r.status_code == 400 and "不能变更为" in r.content.decode()
    services.start_investigation(case, actor=world.yingji)
    # 告知 needs a proposed measure; the date cannot be in the future.
    r = post_step(yingji, case, "notify", {"notified_on": "2025-03-03"})
    assert r.status_code == 400 and "请先添加拟作出的处罚" in r.content.decode()
    r = post_step(yingji, case, "notify", {"notified_on": "2025-04-01"})
    assert r.status_code == 400 and "不能晚于今天" in r.content.decode()
    # A fine needs an amount; an order needs a deadline and what to do.
    r = post_step(yingji, case, "add_measure", {"kind": MeasureKind.FINE})
    assert r.status_code == 400 and "请填写罚款金额" in r.content.decode()
    r = post_step(yingji, case, "add_measure", {"kind": MeasureKind.ORDER_RECTIFY})
    body = r.content.decode()
    assert r.status_code == 400 and "请填写整改期限" in body and "请填写整改要求" in body
    assert post_step(yingji, case, "nonsense", {}).status_code == 404
    case.refresh_from_db()
    assert case.status == CaseStatus.INVESTIGATING and not case.measures.exists()


def test_a_stale_step_is_a_409_and_changes_nothing(world: Any, rules: Any, clock: Any) -> None:
    case = file(world)
    stale = case.version
    services.start_investigation(case, actor=world.yingji)
    r = client_for(world.yingji).post(step_url(case, "withdraw"), {"version": stale, "reason": "重复立案"})
    assert r.status_code == 409 and 'data-testid="conflict"' in r.content.decode()
    case.refresh_from_db()
    assert case.status == CaseStatus.INVESTIGATING
    assert not CaseTransition.objects.filter(case=case, action="withdraw").exists()


def test_another_department_gets_404_and_a_township_may_only_look(world: Any, rules: Any, clock: Any) -> None:
    case = file(world)
    for user in (world.zhujian, world.xiaofang, world.heshi, world.qiye2):
        c = client_for(user)
        assert c.get(case.get_absolute_url()).status_code == 404, user
    # 营田镇 sees the case in its territory but cannot act on it.
    yingtian = client_for(world.yingtian)
    assert yingtian.get(case.get_absolute_url()).status_code == 200
    assert yingtian.get(step_url(case, "investigate")).status_code == 403
    assert yingtian.get(reverse("enforcement:case_create")).status_code == 403
    # The expert has no enforcement permission at all.
    assert client_for(world.zhuanjia).get(reverse("enforcement:case_list")).status_code == 403


def test_it_withdraws_before_the_decision_only(world: Any, rules: Any, clock: Any) -> None:
    case = file(world)
    yingji = client_for(world.yingji)
    assert post_step(yingji, case, "withdraw", {"reason": ""}).status_code == 400
    assert post_step(yingji, case, "withdraw", {"reason": "违法事实不成立"}).status_code == 302
    case.refresh_from_db()
    assert case.status == CaseStatus.WITHDRAWN
    assert_audited(steps.WITHDRAW.event, case, actor=world.yingji, note="违法事实不成立")
    page = yingji.get(case.get_absolute_url()).content.decode()
    assert "已撤销立案" in page and 'data-step="' not in page


def test_measures_follow_the_law_on_daily_fines(world: Any, rules: Any, clock: Any) -> None:
    """安全生产法 Art 112: 按日连续处罚 needs an earlier correction order and fine, starts the day after the
    order, at the original amount; it is closed with the day the unit corrected."""
    first = file(world)
    with pytest.raises(ValidationError) as refused:
        services.add_measure(first, actor=world.yingji, kind=MeasureKind.DAILY_FINE)
    assert "第一百一十二条" in str(refused.value)
    services.add_measure(
        first,
        actor=world.yingji,
        kind=MeasureKind.ORDER_RECTIFY,
        end_on=dt.date(2025, 3, 10),
        details="消除隐患",
    )
    services.start_investigation(first, actor=world.yingji)
    services.add_measure(first, actor=world.yingji, kind=MeasureKind.FINE, amount=Decimal("30000"))
    services.notify_case(first, actor=world.yingji, notified_on=dt.date(2025, 3, 3))
    services.decide_case(first, actor=world.yingji, decided_on=dt.date(2025, 3, 3))

    second = file(world, violation="拒不改正")
    services.start_investigation(second, actor=world.yingji)
    errors = _errors(
        lambda: services.add_measure(
            second, actor=world.yingji, kind=MeasureKind.DAILY_FINE, start_on=dt.date(2025, 3, 3)
        )
    )
    assert "次日" in errors["start_on"]
    errors = _errors(
        lambda: services.add_measure(
            second, actor=world.yingji, kind=MeasureKind.DAILY_FINE, daily_amount=Decimal("50000")
        )
    )
    assert "原处罚数额" in errors["daily_amount"]
    daily = services.add_measure(second, actor=world.yingji, kind=MeasureKind.DAILY_FINE)
    assert daily.start_on == dt.date(2025, 3, 4) and daily.daily_amount == Decimal("30000")
    services.notify_case(second, actor=world.yingji, notified_on=dt.date(2025, 3, 3))
    services.decide_case(second, actor=world.yingji, decided_on=dt.date(2025, 3, 3))
    services.start_execution(second, actor=world.yingji)
    errors = _errors(lambda: services.close_case(second, actor=world.yingji, closed_on=dt.date(2025, 3, 3)))
    assert "daily_end_on" in errors
    clock.move_to(dt.datetime(2025, 3, 10, 9, 0, tzinfo=dt.timezone(dt.timedelta(hours=8))))
    services.close_case(
        second, actor=world.yingji, closed_on=dt.date(2025, 3, 10), daily_end_on=dt.date(2025, 3, 6)
    )
    daily.refresh_from_db()
    assert daily.daily_days == 3 and daily.daily_total == Decimal("90000")


def test_proposed_penalties_are_fixed_once_the_party_is_notified(world: Any, rules: Any, clock: Any) -> None:
    case = file(world)
    services.start_investigation(case, actor=world.yingji)
    wrong = services.add_measure(case, actor=world.yingji, kind=MeasureKind.FINE, amount=Decimal("8000"))
    services.remove_measure(case, actor=world.yingji, measure_id=wrong.pk)
    assert not case.measures.exists()
    assert_audited(steps.REMOVE_MEASURE.event, case, measure=wrong.pk)
    services.add_measure(case, actor=world.yingji, kind=MeasureKind.SUSPEND, start_on=dt.date(2025, 3, 5))
    services.notify_case(case, actor=world.yingji, notified_on=dt.date(2025, 3, 3))
    with pytest.raises(services.EnforcementError):
        services.add_measure(case, actor=world.yingji, kind=MeasureKind.FINE, amount=Decimal("8000"))
    # A corrective order may still be given after 告知.
    order = services.add_measure(
        case,
        actor=world.yingji,
        kind=MeasureKind.ORDER_RECTIFY,
        end_on=dt.date(2025, 3, 20),
        details="停止使用",
    )
    assert order.document is not None


def test_typical_cases_filter_and_export_as_the_page_shows(world: Any, rules: Any, clock: Any) -> None:
    from io import BytesIO

    from openpyxl import load_workbook

    from .case_helpers import penalise

    typical = penalise(world, dt.date(2025, 3, 3), amount="20000")
    plain = penalise(world, dt.date(2025, 3, 3), slot="qiye2", amount="5000")
    with pytest.raises(ValidationError):
        services.mark_typical(typical, actor=world.yingji, typical=True, summary="")
    services.mark_typical(
        typical, actor=world.yingji, typical=True, summary="拒不消除重大事故隐患被顶格处罚。"
    )
    yingji = client_for(world.yingji)
    url = reverse("enforcement:case_list")
    page = yingji.get(url, {"is_typical": "true"}).content.decode()
    assert typical.code in page and plain.code not in page
    page = yingji.get(url, {"measure": MeasureKind.FINE, "sort": "-fine_total"}).content.decode()
    assert page.index(typical.code) < page.index(plain.code) and "2万元" in page
    r = yingji.get(url, {"is_typical": "true", "export": "xlsx"})
    assert r.status_code == 200
    sheet = load_workbook(BytesIO(r.content)).active
    rows = list(sheet.iter_rows(values_only=True))
    assert rows[0][0] == "案件编号" and [row[0] for row in rows[1:]] == [typical.code]
    assert client_for(world.yingji).get(typical.get_absolute_url()).content.decode().count("典型案例") >= 2


def test_a_case_is_filed_from_a_hazard_or_a_finding_with_its_facts(
    world: Any, rules: Any, clock: Any
) -> None:
    from zhiben.hazards import services as hazards
    from zhiben.inspections.models import Finding, Inspection, InspectionDepartment

    qiye2 = world.enterprises["qiye2"]
    hazard = hazards.register_hazard(
        actor=world.yingji,
        enterprise=qiye2,
        level="general",
        title="液氨储罐区未设置泄漏报警装置",
        location="储罐区",
        discovered_on=dt.date(2025, 3, 1),
    )
    yingji = client_for(world.yingji)
    page = yingji.get(reverse("enforcement:case_create"), {"hazard": hazard.pk}).content.decode()
    assert "液氨储罐区未设置泄漏报警装置（部位：储罐区）" in page and hazard.code in page
    filing = {
        "hazard": hazard.pk,
        "department": world.departments["emergency"].pk,
        "violation": "未采取措施消除事故隐患",
        "filed_on": "2025-03-03",
    }
    r = yingji.post(reverse("enforcement:case_create"), filing)
    assert r.status_code == 400 and "尚待判定，不能据此立案处罚" in r.content.decode()  # a penalty needs 判定
    assert not Case.objects.filter(hazard=hazard).exists()
    hazards.confirm(hazard, actor=world.yingji)
    r = yingji.post(reverse("enforcement:case_create"), filing)
    assert r.status_code == 302
    case = Case.objects.get(hazard=hazard)
    assert case.enterprise == qiye2 and case.industry == hazard.industry and not case.involves_major_hazard

    inspection = Inspection.objects.create(
        code="JC-T-1",
        enterprise=qiye2,
        region=qiye2.region,
        industry=qiye2.primary_industry,
        department=world.departments["emergency"],
    )
    InspectionDepartment.objects.create(
        inspection=inspection, department=world.departments["emergency"], is_lead=True
    )
    finding = Finding.objects.create(
        inspection=inspection,
        department=world.departments["emergency"],
        level="major",
        title="主要负责人未经安全考核",
        handling="case",
    )
    page = yingji.get(reverse("enforcement:case_create"), {"finding": finding.pk}).content.decode()
    assert "主要负责人未经安全考核" in page and "JC-T-1" in page
    r = yingji.post(
        reverse("enforcement:case_create"),
        {
            "finding": finding.pk,
            "department": world.departments["emergency"].pk,
            "violation": "x",
            "filed_on": "2025-03-03",
        },
    )
    assert r.status_code == 302
    case = Case.objects.get(finding=finding)
    assert case.inspection == inspection and case.enterprise == qiye2 and case.involves_major_hazard
    # 住建局 cannot reach the finding: the id is ignored and the form refused.
    r = client_for(world.zhujian).post(
        reverse("enforcement:case_create"),
        {
            "finding": finding.pk,
            "department": world.departments["housing"].pk,
            "violation": "x",
            "filed_on": "2025-03-03",
        },
    )
    assert r.status_code == 400 and Case.objects.filter(finding=finding).count() == 1


def _errors(call: Any) -> dict[str, str]:
    with pytest.raises(ValidationError) as exc:
        call()
    return {k: " ".join(str(m) for e in v for m in e.messages) for k, v in exc.value.error_dict.items()}


def test_a_joint_inspection_finding_reaches_a_department_outside_the_unit_s_industries(
    world: Any, rules: Any, clock: Any
) -> None:
    """消防救援大队 took part in a joint inspection of qiye1 (machinery, not its industry): the finding routed to
    it can become its case, though qiye1 is otherwise outside its scope."""
    from zhiben.inspections.models import Finding, Inspection, InspectionDepartment

    qiye1, fire = world.enterprises["qiye1"], world.departments["fire"]
    inspection = Inspection.objects.create(
        code="JC-T-2",
        enterprise=qiye1,
        region=qiye1.region,
        industry=qiye1.primary_industry,
        department=world.departments["emergency"],
    )
    for dept in (world.departments["emergency"], fire):
        InspectionDepartment.objects.create(
            inspection=inspection, department=dept, is_lead=dept.code == "emergency"
        )
    finding = Finding.objects.create(
        inspection=inspection, department=fire, level="general", title="疏散通道堵塞", handling="case"
    )
    xiaofang = client_for(world.xiaofang)
    assert xiaofang.get(qiye1.get_absolute_url()).status_code == 404
    r = xiaofang.post(
        reverse("enforcement:case_create"),
        {
            "finding": finding.pk,
            "enterprise": qiye1.pk,
            "department": fire.pk,
            "violation": "疏散通道堵塞",
            "filed_on": "2025-03-03",
        },
    )
    assert r.status_code == 302, r.content.decode()[:2000]
    case = Case.objects.get(finding=finding)
    assert case.department == fire and case.enterprise == qiye1 and case.code == "屈消立〔2025〕1号"
    assert xiaofang.get(case.get_absolute_url()).status_code == 200
