"""源头管控: the safety-fee calculator against domain.md §5.2 (marginal sums, flat construction rate) and its bad
input; fee accounts with spending, balance and the pause rule; certificates setting and (on expiry) clearing the
unit's grade, agreeing with the 规上工贸 indicator and lowering the draw weight; 建设项目 refused against the
catalogue (naming the entry), 三同时 and 诊断 on the loop kit with their indicators; the 50 % payment; 淘汰;
scope, pages and the 待办 card."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.template.defaultfilters import filesizeformat
from django.test import Client
from django.utils import timezone

from zhiben.core.errors import DomainError, NotPermitted
from zhiben.core.formats import local_time
from zhiben.core.models import AuditEntry
from zhiben.core.testing import login
from zhiben.indicators import registry
from zhiben.indicators.registry import Scope
from zhiben.registry.choices import StandardisationGrade
from zhiben.registry.models import Enterprise
from zhiben.sourcecontrol import fees, reference, services
from zhiben.sourcecontrol.choices import PhaseOutKind, PhaseOutStatus, ProjectKind, ProjectStatus
from zhiben.sourcecontrol.models import ConstructionProject, PhaseOutItem, SourceProject, StageDocument

TODAY = timezone.localdate
PDF = b"%PDF-1.4\n1 0 obj<</Type/Catalog>>endobj\ntrailer<</Root 1 0 R>>\n%%EOF\n"
PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 40


def _calc(client: Client, sector: str, basis: str) -> Any:
    return client.post(
        "/api/v1/safety-fees/calculate/", {"sector": sector, "basis": basis}, content_type="application/json"
    )


# --- fees -------------------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("sector", "basis", "annual", "monthly"),
    [
        ("危险品生产与储存", "50000000", "1350000.00", "112500.00"),  # 45 + 90 万
        ("machinery", "30000000", "485000.00", "40416.67"),  # 23.5 + 25 万
        ("fireworks", "30000000", "950000.00", "79166.67"),  # 40 + 30 + 25 万
        ("hazchem", "10000000", "450000.00", "37500.00"),  # exactly at the first boundary
        ("hazchem", "10000001", "450000.02", "37500.00"),  # one yuan into the second bracket (2.25 %)
        ("construction_building", "10000000", "300000.00", "25000.00"),  # 房屋建筑 3 % of 造价
        ("coal_underground", "1000", "30000.00", "2500.00"),  # per tonne
    ],
)
def test_calculator_gives_the_marginal_sum_or_flat_rate_of_domain_examples(
    world: Any, sector: str, basis: str, annual: str, monthly: str
) -> None:
    client = login(Client(), world.qiye1)
    response = _calc(client, sector, basis)
    assert response.status_code == 200, response.content
    body = response.json()
    assert (body["annual"], body["monthly"]) == (annual, monthly)
    assert sum(Decimal(b["amount"]) for b in body["brackets"]) == Decimal(annual)


def test_metallurgy_example_uses_its_six_brackets() -> None:
    sector = reference.fee_table().find("metallurgy")
    assert sector is not None
    result = fees.calculate(sector, Decimal("150000000"))
    assert result.annual == Decimal("1900000.00")  # 30 + 135 + 25 万
    assert [b["rate"] for b in result.brackets] == ["0.03", "0.015", "0.005"]


def test_calculator_refuses_a_negative_basis_and_an_unknown_sector_in_chinese(world: Any) -> None:
    client = login(Client(), world.qiye1)
    bad = _calc(client, "hazchem", "-1")
    assert bad.status_code == 400
    assert "负数" in bad.content.decode()
    unknown = _calc(client, "造船", "100")
    assert unknown.status_code == 400
    assert "未知的行业" in unknown.content.decode()
    sectors = client.get("/api/v1/safety-fees/sectors/").json()
    codes = {s["code"]: s for s in sectors}
    assert codes["construction_building"]["verified"] is True and codes["hazchem"]["verified"] is False


def test_rates_read_as_people_write_them() -> None:
    from zhiben.sourcecontrol import reference

    hazchem = reference.fee_table().find("hazchem")
    assert hazchem is not None
    assert hazchem.rate_text.startswith("1000万元及以下 4.5%；1000万元–1亿元 2.25%；")
    assert reference.percent(Decimal("0.0005")) == "0.05%" and reference.plain(Decimal("100")) == "100"


def test_fee_account_balance_spending_and_the_pause_rule(world: Any) -> None:
    year = TODAY().year
    account = services.open_fee_account(
        world.enterprises["qiye1"],
        actor=world.qiye1,
        year=year,
        sector="machinery",
        basis=Decimal("30000000"),
    )
    assert account.annual == Decimal("485000.00")
    services.record_spending(
        account,
        actor=world.qiye1,
        category="ppe",
        amount=Decimal("12000"),
        spent_on=dt.date(year, 1, 5),
        description="更换防护手套和护目镜",
    )
    with pytest.raises(ValidationError) as err:
        services.record_spending(
            account,
            actor=world.qiye1,
            category="party",
            amount=Decimal("1"),
            spent_on=dt.date(year, 1, 5),
            description="年会",
        )
    assert "使用范围" in str(err.value)
    summary = services.summary(account, dt.date(year, 3, 15))
    assert summary.accrued == Decimal("121250.00")  # three months of 485 000 / 12
    assert summary.spent == Decimal("12000.00")
    assert summary.balance == Decimal("109250.00")
    assert not summary.paused
    assert fees.paused(Decimal("300"), Decimal("100")) and not fees.paused(Decimal("299.99"), Decimal("100"))
    with pytest.raises(ValidationError):  # one account a year
        services.open_fee_account(
            world.enterprises["qiye1"], actor=world.qiye1, year=year, sector="machinery", basis=Decimal("1")
        )


def test_fee_account_api_is_scoped_and_agrees_with_the_account_page(world: Any) -> None:
    year = TODAY().year
    own = services.open_fee_account(
        world.enterprises["qiye1"], actor=None, year=year, sector="machinery", basis=Decimal("30000000")
    )
    services.record_spending(
        own, actor=None, category="ppe", amount=Decimal("12000.5"), spent_on=TODAY(), description="防护用品"
    )
    services.record_spending(
        own, actor=None, category="ppe", amount=Decimal("1000"), spent_on=TODAY(), description="护目镜"
    )
    other = services.open_fee_account(
        world.enterprises["qiye2"],
        actor=None,
        year=year,
        sector="hazchem",
        basis=Decimal("10000000"),
        opening_balance=Decimal("1500000"),
        previous_annual=Decimal("450000"),
    )
    services.open_fee_account(
        world.enterprises["qiye1"], actor=None, year=year - 1, sector="machinery", basis=Decimal("1000")
    )
    unit = login(Client(), world.qiye1)
    got = unit.get(f"/api/v1/safety-fees/accounts/?year={year}")
    assert got.status_code == 200
    rows = got.json()["results"]
    assert [r["id"] for r in rows] == [own.pk]  # its own account of that year only
    row = rows[0]
    s = services.summary(own)
    assert row["enterprise_name"] == "屈原营田机械制造有限公司" and row["year"] == year
    assert (row["basis"], row["provision"]) == ("30000000.00", "485000.00")
    assert row["spent_by_category"] == [
        {"category": "ppe", "name": "配备和更新现场作业人员安全防护用品", "amount": "13000.50"}
    ]
    assert row["balance"] == str(s.balance) and row["paused"] is False and row["pause_reason"] == ""
    # the figures equal the page's
    page = unit.get(own.get_absolute_url()).content.decode()
    assert f"{Decimal(row['balance']):,.2f} 元" in page and f"{Decimal(row['spent']):,.2f} 元" in page
    # another unit's account is out of scope: 404, as is its page
    assert unit.get(f"/api/v1/safety-fees/accounts/{other.pk}/").status_code == 404
    assert unit.get(other.get_absolute_url()).status_code == 404
    detail = unit.get(f"/api/v1/safety-fees/accounts/{own.pk}/").json()
    assert sorted((r["description"], r["amount"]) for r in detail["spendings"]) == [
        ("护目镜", "1000.00"),
        ("防护用品", "12000.50"),
    ]
    # the office reads all; the paused account says why, in the page's words
    office = login(Client(), world.anweiban)
    rows = office.get(f"/api/v1/safety-fees/accounts/?year={year}&cursor=").json()["results"]
    paused = next(r for r in rows if r["id"] == other.pk)
    assert {own.pk, other.pk} <= {r["id"] for r in rows}
    assert paused["paused"] is True and "暂停提取" in paused["pause_reason"]
    assert paused["pause_reason"] in office.get(other.get_absolute_url()).content.decode()
    bad = office.get("/api/v1/safety-fees/accounts/?year=abc")
    assert bad.status_code == 400


def test_construction_half_payment_within_a_month_of_start(world: Any) -> None:
    start = TODAY() - dt.timedelta(days=45)
    project = services.register_construction(
        actor=world.zhujian,
        name="天问街道安置房二期",
        builder=world.enterprises["qiye3"],
        industry=world.industries["CONSTRUCTION"],
        township=world.regions["天问街道"],
        cost=Decimal("10000000"),
        start_date=start,
    )
    assert services.construction_provision(project) == Decimal("300000.00")
    assert services.payment_overdue(project)
    client = login(Client(), world.zhujian)
    listed = client.get("/sourcecontrol/construction/?state=overdue")
    assert "天问街道安置房二期" in listed.content.decode()
    services.record_payment(project, actor=world.qiye3, fee_paid=Decimal("150000"), paid_on=TODAY())
    project.refresh_from_db()
    assert not services.payment_overdue(project) and project.fee_paid_on == TODAY()
    assert (
        "天问街道安置房二期" not in client.get("/sourcecontrol/construction/?state=overdue").content.decode()
    )


# --- standardisation ------------------------------------------------------------------------------------------


def test_certificate_sets_the_grade_expiry_clears_it_and_the_indicator_agrees(world: Any) -> None:
    unit = world.enterprises["qiye1"]
    Enterprise.objects.filter(pk=unit.pk).update(is_above_scale=True)
    ind = registry.get("campaign.above_scale_standardisation")
    before = ind.live_value(Scope.district(), registry.current_period())
    today = TODAY()
    services.issue_certificate(
        unit,
        actor=world.yingji,
        grade=StandardisationGrade.GRADE_2,
        number="（岳）安标证字〔2024〕0123号",
        issuer="岳阳市应急管理局",
        valid_from=today - dt.timedelta(days=300),
        valid_to=today + dt.timedelta(days=10),
    )
    unit.refresh_from_db()
    assert unit.standardisation_grade == StandardisationGrade.GRADE_2
    after = ind.live_value(Scope.district(), registry.current_period())
    assert after.numerator == before.numerator + 1 and after.denominator == before.denominator
    # the draw weight follows the grade (未达标 +2, 二级 +0), as incentives.json says
    from zhiben.inspections import draw_pools

    assert draw_pools.risk_weight(False, unit.standardisation_grade, 0) == 1
    assert draw_pools.risk_weight(False, StandardisationGrade.NONE, 0) == 3
    for rule in reference.incentives()["rules"]:
        if rule["kind"] == "draw_weight":
            for grade in rule["grades"]:
                assert draw_pools.GRADE_WEIGHT[grade] == rule["draw_grade_weight"]
    assert services.expire_certificates(today + dt.timedelta(days=11)) == 1
    unit.refresh_from_db()
    assert unit.standardisation_grade == StandardisationGrade.NONE
    assert ind.live_value(Scope.district(), registry.current_period()).numerator == before.numerator


def test_a_department_cannot_certify_a_unit_outside_its_industries(world: Any) -> None:
    today = TODAY()
    with pytest.raises(NotPermitted):
        services.issue_certificate(
            world.enterprises["qiye1"],
            actor=world.zhujian,
            grade=StandardisationGrade.GRADE_3,
            number="X",
            issuer="Y",
            valid_from=today,
            valid_to=today + dt.timedelta(days=30),
        )


# --- 建设项目 ---------------------------------------------------------------------------------------------------


def _project(world: Any, **kw: Any) -> SourceProject:
    data = {
        "name": "河市镇涂料车间扩建",
        "kind": ProjectKind.EXPAND,
        "enterprise": world.enterprises["qiye2"],
    }
    data.update(kw)
    return services.register_project(actor=world.qiye2, **data)


def test_a_prohibited_project_cannot_be_approved_and_the_refusal_names_the_entry(world: Any) -> None:
    project = _project(world, name="凤凰乡烟花爆竹生产线新建", kind=ProjectKind.NEW, activity="禁1")
    client = login(Client(), world.yingji)
    response = client.post(
        f"/api/v1/source-projects/{project.pk}/approve/",
        {"version": project.version},
        content_type="application/json",
    )
    assert response.status_code == 400
    text = response.content.decode()
    assert "禁1" in text and "新建、扩建烟花爆竹生产项目" in text and "禁止类" in text
    project.refresh_from_db()
    assert project.status == ProjectStatus.REGISTERED
    # matched by keyword too, without the declared entry
    other = _project(world, name="危险化学品生产装置新建（园区外）", kind=ProjectKind.NEW)
    with pytest.raises(DomainError) as err:
        services.approve_project(other, actor=world.yingji)
    assert "禁2" in str(err.value)
    services.refuse_project(project, actor=world.yingji, reason="")
    project.refresh_from_db()
    assert project.status == ProjectStatus.REFUSED and "禁1" in project.refusal_reason


def test_a_restricted_project_needs_its_conditions_confirmed(world: Any) -> None:
    project = _project(world, name="铝镁粉抛光车间改建", kind=ProjectKind.REBUILD, activity="限1")
    with pytest.raises(ValidationError) as err:
        services.approve_project(project, actor=world.yingji)
    assert "限1" in str(err.value)
    services.approve_project(project, actor=world.yingji, conditions_met=True)
    project.refresh_from_db()
    assert project.status == ProjectStatus.PRE_ASSESSMENT


def test_three_simultaneous_runs_on_the_loop_kit_and_feeds_its_indicator(world: Any) -> None:
    ind = registry.get("projects.three_simultaneous")
    before = ind.live_value(Scope.district(), registry.current_period())
    project = _project(world)
    client = login(Client(), world.yingji)
    unit = login(Client(), world.qiye2)
    assert client.post(f"/sourcecontrol/projects/{project.pk}/approve/", {"version": 1}).status_code == 302
    stage = {
        "done_on": TODAY().isoformat(),
        "document": "安全预评价报告",
        "organisation": "湖南某安全评价公司",
    }
    # the unit may not take the department's step, and the department not the unit's
    assert unit.post(f"/api/v1/source-projects/{project.pk}/design-review/", stage).status_code in (403, 404)
    project.refresh_from_db()
    assert (
        unit.post(
            f"/sourcecontrol/projects/{project.pk}/pre_assess/", {**stage, "version": project.version}
        ).status_code
        == 302
    )
    project.refresh_from_db()
    stage["document"] = "安全设施设计审查意见书"
    assert (
        client.post(
            f"/api/v1/source-projects/{project.pk}/design-review/",
            {**stage, "version": project.version},
            content_type="application/json",
        ).status_code
        == 200
    )
    project.refresh_from_db()
    stale = client.post(
        f"/api/v1/source-projects/{project.pk}/accept/",
        {**stage, "version": project.version},
        content_type="application/json",
    )
    assert stale.status_code == 400  # still 待试运行: 竣工验收 is not open yet
    services.record_trial_run(
        project, actor=world.qiye2, done_on=TODAY(), document="试运行方案", version=project.version
    )
    mid = ind.live_value(Scope.district(), registry.current_period())
    assert mid.denominator == before.denominator + 1 and mid.numerator == before.numerator
    project.refresh_from_db()
    conflict = client.post(
        f"/api/v1/source-projects/{project.pk}/accept/",
        {**stage, "version": project.version - 1},
        content_type="application/json",
    )
    assert conflict.status_code == 409
    # 竣工验收 without its document is refused in Chinese and writes nothing
    page = client.post(
        f"/sourcecontrol/projects/{project.pk}/accept/",
        {**stage, "document": "竣工验收意见", "version": project.version},
    )
    assert page.status_code == 400 and "竣工验收须上传至少一份验收文件" in page.content.decode()
    project.refresh_from_db()
    assert project.status == ProjectStatus.ACCEPTANCE
    assert not project.stages.filter(stage="acceptance").exists()
    # a file that is no PDF/Word/photo by content is refused, whatever its name says
    fake = SimpleUploadedFile("验收意见.pdf", b"MZ\x90\x00 not a pdf", "application/pdf")
    page = client.post(
        f"/sourcecontrol/projects/{project.pk}/accept/",
        {**stage, "document": "竣工验收意见", "version": project.version, "files": [fake]},
    )
    assert page.status_code == 400 and "类型不受支持" in page.content.decode()
    project.refresh_from_db()
    assert project.status == ProjectStatus.ACCEPTANCE and not StageDocument.objects.exists()
    files = [
        SimpleUploadedFile("安全设施竣工验收意见.pdf", PDF, "application/pdf"),
        SimpleUploadedFile("验收现场.png", PNG, "image/png"),
    ]
    page = client.post(
        f"/sourcecontrol/projects/{project.pk}/accept/",
        {**stage, "document": "竣工验收意见", "version": project.version, "files": files},
    )
    assert page.status_code == 302
    project.refresh_from_db()
    assert project.status == ProjectStatus.DONE
    docs = list(StageDocument.objects.filter(stage__project=project).order_by("pk"))
    assert [(d.name, d.content_type, d.size, d.stage.stage) for d in docs] == [
        ("安全设施竣工验收意见.pdf", "application/pdf", len(PDF), "acceptance"),
        ("验收现场.png", "image/png", len(PNG), "acceptance"),
    ]
    assert AuditEntry.objects.filter(event="SC_STAGE_DOCUMENT_ADDED", object_id=str(project.pk)).count() == 2
    assert list(project.stages.values_list("stage", flat=True)) == [
        "review",
        "pre",
        "design",
        "trial",
        "acceptance",
    ]
    assert list(project.history.values_list("action", flat=True)) == [
        "register",
        "approve",
        "pre_assess",
        "design_review",
        "trial_run",
        "accept",
    ]
    done = ind.live_value(Scope.district(), registry.current_period())
    assert done.numerator == before.numerator + 1
    page = client.get(project.get_absolute_url()).content.decode()
    assert "安全设施设计审查意见书" in page
    # listed with name, size and time; served only in scope (404 to another unit), audited
    assert "安全设施竣工验收意见.pdf" in page and docs[0].get_absolute_url() in page
    assert local_time(docs[0].created_at) in page and filesizeformat(len(PDF)) in page
    got = client.get(docs[0].get_absolute_url())
    assert got.status_code == 200 and got["Content-Type"] == "application/pdf"
    assert b"".join(got.streaming_content) == PDF
    assert AuditEntry.objects.filter(event="SC_STAGE_DOCUMENT_VIEWED", object_id=str(project.pk)).exists()
    assert unit.get(docs[1].get_absolute_url()).status_code == 200
    assert login(Client(), world.qiye1).get(docs[0].get_absolute_url()).status_code == 404
    other = _project(world, name="另一项目")
    wrong = f"/sourcecontrol/projects/{other.pk}/documents/{docs[0].pk}/"
    assert unit.get(wrong).status_code == 404  # the file must belong to the project named


def test_old_project_diagnosis_and_its_indicator(world: Any) -> None:
    ind = registry.get("sourcecontrol.design_diagnosis")
    before = ind.live_value(Scope.district(), registry.current_period())
    project = _project(world, name="2009年建成的合成车间", kind=ProjectKind.OLD)
    assert project.status == ProjectStatus.DIAGNOSIS
    services.record_diagnosis(project, actor=world.yingji, done_on=TODAY(), document="安全设计诊断报告")
    after = ind.live_value(Scope.district(), registry.current_period())
    assert (after.numerator, after.denominator) == (before.numerator + 1, before.denominator + 1)


def test_another_unit_and_an_unrelated_department_get_404(world: Any) -> None:
    project = _project(world)
    assert login(Client(), world.qiye1).get(project.get_absolute_url()).status_code == 404
    assert login(Client(), world.zhujian).get(project.get_absolute_url()).status_code == 404
    assert login(Client(), world.yingji).get(project.get_absolute_url()).status_code == 200
    assert login(Client(), world.qiye1).get(f"/api/v1/source-projects/{project.pk}/").status_code == 404


# --- 淘汰 --------------------------------------------------------------------------------------------------------


def test_tractor_phase_out_overdue_then_retired(world: Any) -> None:
    item = services.register_phase_out(
        actor=world.yingtian,
        kind=PhaseOutKind.CONVERTED_TRACTOR,
        name="变型拖拉机 东风-12",
        identifier="湘06-12345",
        owner="王某",
        township=world.regions["营田镇"],
        industry=world.industries["AGRI-MACHINE"],
        due_on=TODAY() - dt.timedelta(days=3),
    )
    town = login(Client(), world.yingtian)
    assert "湘06-12345" in town.get("/sourcecontrol/phase-out/?state=overdue").content.decode()
    assert login(Client(), world.heshi).get(item.get_absolute_url()).status_code == 404
    overdue = registry.get("sourcecontrol.phase_out_overdue").live_value(
        Scope.township(world.regions["营田镇"]), registry.current_period()
    )
    assert overdue.numerator >= 1
    response = town.post(
        f"/sourcecontrol/phase-out/{item.pk}/retire/",
        {"done_on": TODAY().isoformat(), "method": "报废拆解", "version": item.version},
    )
    assert response.status_code == 302
    item = PhaseOutItem.objects.unrestricted("test").get(pk=item.pk)
    assert item.status == PhaseOutStatus.DONE
    assert "湘06-12345" not in town.get("/sourcecontrol/phase-out/?state=overdue").content.decode()


# --- pages and the 待办 card -----------------------------------------------------------------------------------


def test_pages_render_for_the_office_a_department_and_a_unit(world: Any) -> None:
    services.issue_certificate(
        world.enterprises["qiye2"],
        actor=world.yingji,
        grade=StandardisationGrade.GRADE_3,
        number="（屈）安标证字〔2024〕0001号",
        issuer="岳阳市应急管理局",
        valid_from=TODAY() - dt.timedelta(days=30),
        valid_to=TODAY() + dt.timedelta(days=20),
    )
    account = services.open_fee_account(
        world.enterprises["qiye2"], actor=None, year=TODAY().year, sector="hazchem", basis=Decimal("50000000")
    )
    for user in (world.anweiban, world.yingji, world.qiye2, world.lingdao):
        client = login(Client(), user)
        for url in (
            "/sourcecontrol/standardisation/",
            "/sourcecontrol/fees/",
            "/sourcecontrol/fees/?sector=hazchem&basis=50000000",
            "/sourcecontrol/fees/accounts/",
            account.get_absolute_url(),
            "/sourcecontrol/construction/",
            "/sourcecontrol/projects/",
            "/sourcecontrol/catalogue/",
            "/sourcecontrol/phase-out/",
        ):
            response = client.get(url)
            assert response.status_code == 200, (user.username, url, response.status_code)
    page = (
        login(Client(), world.yingji)
        .get("/sourcecontrol/fees/?sector=hazchem&basis=50000000")
        .content.decode()
    )
    assert "1350000.00" in page and "待核实" in page
    unit = login(Client(), world.qiye2)
    assert unit.get("/sourcecontrol/standardisation/new/").status_code == 403
    posted = unit.post(
        f"/sourcecontrol/fees/accounts/{account.pk}/spend/",
        {"category": "training", "amount": "-5", "spent_on": TODAY().isoformat(), "description": "培训"},
    )
    assert posted.status_code == 400 and "0.01" in posted.content.decode()


def test_workbench_card_counts_what_waits_for_the_department(world: Any) -> None:
    from zhiben.core import workbench

    _project(world)
    cards = [c for c in workbench.collect(world.yingji) if c.key == "sourcecontrol"]
    assert cards
    figure = next(i for i in cards[0].items if i.key == "review")
    assert figure.count >= 1
    listed = login(Client(), world.yingji).get(figure.url).content.decode()
    assert "河市镇涂料车间扩建" in listed


def test_bad_input_on_the_project_form_is_a_chinese_field_error(world: Any) -> None:
    client = login(Client(), world.qiye2)
    response = client.post(
        "/sourcecontrol/projects/new/",
        {"enterprise": world.enterprises["qiye2"].pk, "name": "", "kind": "bogus"},
    )
    assert response.status_code == 400
    assert "项目名称" in response.content.decode() or "必填" in response.content.decode()
    assert not SourceProject.objects.unrestricted("test").filter(name="").exists()
    assert ConstructionProject.objects.unrestricted("test").count() == 0


def test_the_workbench_card_reads_in_a_few_queries(world: Any, django_assert_max_num_queries: Any) -> None:
    from zhiben.sourcecontrol.workbench import cards

    _project(world)
    for user in (world.anweiban, world.yingji, world.qiye2):
        with django_assert_max_num_queries(8):
            for card in cards(user, TODAY()):
                assert card.rows is not None


def test_the_units_file_has_its_source_control_section(world: Any) -> None:
    from zhiben.sourcecontrol.enterprise_file import section

    unit = world.enterprises["qiye2"]
    assert section(unit, world.yingji) is None  # nothing recorded yet
    _project(world)
    services.issue_certificate(
        unit,
        actor=world.yingji,
        grade=StandardisationGrade.SMALL,
        number="（屈）安标证字〔2025〕0002号",
        issuer="屈原管理区应急管理局",
        valid_from=TODAY() - dt.timedelta(days=3),
        valid_to=TODAY() + dt.timedelta(days=700),
    )
    shown = section(unit, world.yingji)
    assert shown is not None and shown.total == 2
    assert any("河市镇涂料车间扩建" in r.text for r in shown.rows)
    assert section(unit, world.zhujian) is None  # 住建局 does not supervise the chemical plant
    page = login(Client(), world.qiye2).get(unit.get_absolute_url()).content.decode()
    assert "源头管控、标准化与安全费用" in page
