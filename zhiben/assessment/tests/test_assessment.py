"""季度考核: a hand-built world of two townships with a small scheme gives the expected scores and ranks (with a
tie), a published ranking does not move when records change, the API answers with `records` links, 申诉 are
decided (and refused for the wrong unit or after the window), and the 约谈 list follows its rules."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

import pytest
import time_machine
from django.core.exceptions import ValidationError
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from zhiben.assessment import scoring, services
from zhiben.assessment.choices import AppealStatus, AssessmentStatus, InterviewStatus, SchemeStatus
from zhiben.assessment.models import Appeal, Assessment, Interview, Result, Scheme
from zhiben.campaign.choices import EntryStatus, RegisterKind
from zhiben.campaign.models import RegisterEntry
from zhiben.core.documents import load_document_templates
from zhiben.core.errors import NotPermitted
from zhiben.core.testing import login
from zhiben.indicators import registry, snapshots
from zhiben.indicators.models import IndicatorSnapshot

pytestmark = pytest.mark.django_db

Q3 = dt.date(2026, 8, 10)  # a day inside 2026 Q3 (the tests run after it: the clock stands in December 2026)


@pytest.fixture(autouse=True)
def _october_2026() -> Any:
    """The tests stand on 9 October 2026 (Beijing), days after Q3 closed, whatever the machine's clock says."""
    with time_machine.travel(dt.datetime(2026, 10, 9, 2, 0, tzinfo=dt.UTC), tick=True):
        yield


RULES = [
    {"code": "R1", "name": "基层能力建设", "indicator": "campaign.grassroots_capacity", "type": "linear",
     "points": 40, "target": 100, "empty_points": 0},
    {"code": "R2", "name": "智慧监管", "indicator": "campaign.smart_supervision", "type": "threshold",
     "steps": [{"min": 50, "points": 20}, {"min": 0, "points": 5}]},
    {"code": "V1", "name": "瞒报事故", "indicator": "accidents.concealed", "type": "veto", "score": 0},
]  # fmt: skip


def entry(
    world: Any, town: str, kind: str, status: str = EntryStatus.DONE, on: dt.date = Q3
) -> RegisterEntry:
    return RegisterEntry.objects.create(
        kind=kind, name=f"{town}{kind}", township=world.regions[town], status=status, on=on
    )


def small_scheme(world: Any, tie_breaks: list[dict[str, Any]] | None = None) -> Scheme:
    """The shipped 2026 township scheme replaced by a small one, through the scheme services."""
    shipped = services.scheme_in_force(2026, "township")
    assert shipped is not None
    draft = services.new_scheme_version(shipped, actor=world.anweiban)
    services.save_scheme(
        draft,
        actor=world.anweiban,
        name="测试方案",
        rules=RULES,
        tie_breaks=tie_breaks if tie_breaks is not None else [{"by": "deductions"}],
        floor=Decimal(0),
        appeal_days=5,
    )
    return services.activate_scheme(draft, actor=world.anweiban)


@pytest.fixture
def quarter(world: Any) -> Any:
    """营田镇: 能力建设 1 of 2 done (50 % → 20 points), 智慧监管 1 of 1 (100 % → 20): 40.
    河市镇: 能力建设 1 of 1 (100 % → 40), 智慧监管 none (no value → 0): 40 — a tie with 营田镇.
    天问街道, 凤凰乡: nothing registered → 0 + 0 = 0, tied third."""
    entry(world, "营田镇", RegisterKind.CAPACITY)
    entry(world, "营田镇", RegisterKind.CAPACITY, EntryStatus.PLANNED)
    entry(world, "营田镇", RegisterKind.SMART)
    entry(world, "河市镇", RegisterKind.CAPACITY)
    small_scheme(world)
    freeze_some("2026Q3", ("campaign.grassroots_capacity", "campaign.smart_supervision"))
    return services.compute(2026, 3, "township", actor=world.anweiban)


def freeze_some(period: str, ids: tuple[str, ...]) -> None:
    """The quarter's snapshot of a few indicators, counted from the records as `snapshots.freeze` counts them
    (the whole freeze, every indicator × every unit, is exercised once in its own test)."""
    for indicator_id in ids:
        ind = registry.get(indicator_id)
        scopes = registry.scopes_of(registry.TOWNSHIP)
        for scope, v in zip(scopes, ind.live_values(scopes, period), strict=True):
            row = IndicatorSnapshot(indicator=ind.id, period=period, scope_kind=scope.kind, scope_key=scope.key,
                                    available=v.available, numerator=snapshots._dec(v.numerator),
                                    denominator=snapshots._dec(v.denominator), value=snapshots._dec(v.value),
                                    computed_at=timezone.now())  # fmt: skip
            row.digest = snapshots.digest_of(row)
            row.save()


def by_name(assessment: Any) -> dict[str, Result]:
    return {r.unit_name: r for r in Result.objects.filter(assessment=assessment).select_related("township")}


def test_scores_and_ranks_of_the_hand_built_quarter_with_a_tie(world: Any, quarter: Any) -> None:
    results = by_name(quarter)
    assert {n: (r.score, r.rank) for n, r in results.items()} == {
        "营田镇": (Decimal("40.00"), 1),
        "河市镇": (Decimal("40.00"), 1),
        "天问街道": (Decimal("0.00"), 3),
        "凤凰乡": (Decimal("0.00"), 3),
    }
    points = {p.code: p for p in results["营田镇"].points.all()}
    assert (points["R1"].value, points["R1"].numerator, points["R1"].denominator) == (Decimal("50.00"), 1, 2)
    assert points["R1"].points == Decimal("20.00") and points["R2"].points == Decimal("20.00")
    assert not points["V1"].available and points["V1"].points == 0  # accidents: 未接入, no points either way
    assert quarter.scheme.name == "测试方案" and quarter.status == AssessmentStatus.DRAFT


def test_a_named_rule_breaks_the_tie(world: Any) -> None:
    entries = [
        scoring.Entry("营田镇", Decimal(40), Decimal(0), {"R1": Decimal(20)}),
        scoring.Entry("河市镇", Decimal(40), Decimal(0), {"R1": Decimal(40)}),
        scoring.Entry("天问街道", Decimal(40), Decimal(3), {"R1": Decimal(40)}),
    ]
    assert scoring.rank(entries, [{"by": "deductions"}, {"by": "rule", "rule": "R1"}]) == {
        "河市镇": 1,
        "营田镇": 2,
        "天问街道": 3,
    }
    assert scoring.rank(entries, []) == {"营田镇": 1, "河市镇": 1, "天问街道": 1}


@pytest.mark.parametrize(
    ("rule", "frozen", "lower", "points", "vetoed"),
    [
        ({"type": "linear", "points": 30, "target": 100}, ("80", "8", "10"), False, "24.00", False),
        ({"type": "linear", "points": 30, "target": 90}, ("99", "99", "100"), False, "30.00", False),  # capped
        ({"type": "linear", "points": 20, "target": 0, "zero_at": 20}, ("5", "5", None), True, "15.00", False),
        ({"type": "linear", "points": 20, "target": 0, "zero_at": 20}, ("25", "25", None), True, "0.00", False),
        ({"type": "threshold", "steps": [{"min": 90, "points": 15}, {"min": 60, "points": 8}]}, ("60", "6", "10"), False, "8", False),
        ({"type": "threshold", "steps": [{"max": 0, "points": 10}, {"max": 2, "points": 4}]}, ("3", "3", None), True, "0.00", False),
        ({"type": "deduct", "per": 5, "cap": 12}, ("2", "2", None), False, "-10.00", False),
        ({"type": "deduct", "per": 5, "cap": 12}, ("4", "4", None), False, "-12.00", False),  # cap
        ({"type": "veto", "score": 0}, ("1", "1", None), False, "0", True),
        ({"type": "veto", "score": 0}, ("0", "0", None), False, "0", False),
    ],
)  # fmt: skip
def test_each_rule_type(
    rule: dict[str, Any], frozen: tuple[Any, ...], lower: bool, points: str, vetoed: bool
) -> None:
    f = scoring.Frozen(*(Decimal(x) if x is not None else None for x in frozen))
    got = scoring.score_rule(rule, f, lower=lower)
    assert (got.points, got.vetoed) == (Decimal(points), vetoed)
    assert scoring.score_rule(rule, None, lower=lower).available is False


def test_a_veto_forces_the_total_and_the_floor_holds() -> None:
    rules = [{"type": "linear"}, {"type": "veto", "score": 0}, {"type": "deduct"}]
    p = [scoring.Points(Decimal(30), Decimal(30), True, False, ""), scoring.Points(Decimal(0), Decimal(0), True, True, ""),
         scoring.Points(Decimal(-5), Decimal(0), True, False, "")]  # fmt: skip
    assert scoring.total(p, rules, Decimal(0)) == (Decimal("0.00"), True)
    p[1] = scoring.Points(Decimal(0), Decimal(0), True, False, "")
    p[2] = scoring.Points(Decimal(-50), Decimal(0), True, False, "")
    assert scoring.total(p, rules, Decimal(0)) == (Decimal("0.00"), False)


def test_a_scheme_with_bad_rules_is_refused_field_by_field(world: Any) -> None:
    draft = services.new_scheme_version(services.scheme_in_force(2026, "township"), actor=world.anweiban)  # type: ignore[arg-type]
    with pytest.raises(ValidationError) as exc:
        services.save_scheme(draft, actor=world.anweiban, name="x", rules=[{"code": "A", "type": "linear"}],
                             tie_breaks=[{"by": "rule", "rule": "Z"}], floor=Decimal(0), appeal_days=5)  # fmt: skip
    assert set(exc.value.message_dict) == {"rules", "tie_breaks"}
    client = login(Client(), world.anweiban)
    page = client.post(reverse("assessment:scheme_detail", args=[draft.pk]), {"action": "save", "name": "x",
        "rules": "[{", "tie_breaks": "[]", "floor": "0", "appeal_days": "5", "version": draft.version})  # fmt: skip
    assert page.status_code == 400 and "不是有效的 JSON" in page.content.decode()
    with pytest.raises(NotPermitted):
        services.save_scheme(
            draft, actor=world.heshi, name="x", rules=RULES, tie_breaks=[], floor=Decimal(0), appeal_days=5
        )


def test_an_unfrozen_quarter_cannot_be_assessed_until_the_office_freezes_it(world: Any) -> None:
    with pytest.raises(ValidationError) as exc:
        services.compute(2026, 1, "township", actor=world.anweiban)
    assert "尚未冻结" in str(exc.value)
    with pytest.raises(NotPermitted):
        services.compute(2026, 1, "township", actor=world.heshi)
    with pytest.raises(ValidationError, match="尚未结束"):
        services.freeze_quarter(2026, 4, actor=world.anweiban)
    # freezing a closed quarter, every indicator × every unit, and computing both kinds: the demo test below


def test_publishing_keeps_the_ranking_when_records_change(world: Any, quarter: Any) -> None:
    step = login(Client(), world.anweiban).get(
        reverse("assessment:assessment_step", args=[quarter.pk, "publish"])
    )
    assert step.status_code == 200
    services.publish(quarter, actor=world.anweiban, version=quarter.version)
    # 河市镇 registers two more capacity items dated inside Q3, not done: its live rate falls to 33.3 %.
    entry(world, "河市镇", RegisterKind.CAPACITY, EntryStatus.PLANNED)
    entry(world, "河市镇", RegisterKind.CAPACITY, EntryStatus.PLANNED)
    ind = registry.get("campaign.grassroots_capacity")
    live = ind.live_value(registry.Scope.township(world.regions["河市镇"]), "2026Q3")
    assert live.value == Decimal("33.3")  # the records did change
    results = by_name(quarter)
    assert (results["河市镇"].final_score, results["河市镇"].final_rank) == (Decimal("40.00"), 1)
    with pytest.raises(ValidationError):  # a published quarter is never recomputed
        services.compute(2026, 3, "township", actor=world.anweiban)
    assert any(
        d.indicator == ind.id for d in snapshots.recount("2026Q3")
    )  # the snapshot keeps the old figure


def test_the_api_returns_the_ranking_with_records_links(world: Any, quarter: Any) -> None:
    services.publish(quarter, actor=world.anweiban)
    office = login(Client(), world.anweiban).get("/api/v1/assessments/?year=2026&quarter=3&kind=township")
    assert office.status_code == 200
    [assessment] = office.json()["results"]
    ranking = {row["unit"]: row for row in assessment["ranking"]}
    assert [r["final_rank"] for r in assessment["ranking"]] == [1, 1, 3, 3]
    r1 = next(p for p in ranking["营田镇"]["points"] if p["code"] == "R1")
    assert r1["points"] == "20.00" and r1["numerator"] == "1.00" and r1["denominator"] == "2.00"
    assert r1["records"]["numerator"].startswith(
        "http://testserver/api/v1/indicators/campaign.grassroots_capacity/records/"
    )
    client = login(Client(), world.anweiban)
    records = client.get(r1["records"]["numerator"].removeprefix("http://testserver"))
    assert records.status_code == 200 and records.json()["count"] == 1
    v1 = next(p for p in ranking["营田镇"]["points"] if p["code"] == "V1")
    assert v1["available"] is False and v1["records"] is None
    # A township sees the whole published ranking but only its own points.
    heshi = login(Client(), world.heshi).get("/api/v1/assessments/?year=2026&quarter=3").json()["results"][0]
    rows = {row["unit"]: row for row in heshi["ranking"]}
    assert rows["河市镇"]["points"] and rows["营田镇"]["points"] is None and len(rows) == 4


def test_a_township_sees_no_draft_and_only_its_own_details_on_the_page(world: Any, quarter: Any) -> None:
    url = reverse("assessment:ranking") + "?year=2026&quarter=3&kind=township"
    heshi = login(Client(), world.heshi)
    assert heshi.get(url).context["assessment"] is None  # not published yet
    services.publish(quarter, actor=world.anweiban)
    page = heshi.get(url)
    details = {row["result"].unit_name: row["details"] for row in page.context["rows"]}
    assert details == {"营田镇": False, "河市镇": True, "天问街道": False, "凤凰乡": False}
    yingtian = by_name(quarter)["营田镇"]
    assert heshi.get(reverse("assessment:result_detail", args=[yingtian.pk])).status_code == 404
    office = login(Client(), world.anweiban)
    page = office.get(url)
    link = next(c["links"]["numerator"] for row in page.context["rows"] if row["result"].unit_name == "营田镇"
                for c in row["cells"] if c["point"].code == "R1")  # fmt: skip
    records = office.get(link)
    assert records.status_code == 200 and records.context["page"].paginator.count == 1
    export = office.get(url + "&export=xlsx")
    assert export.status_code == 200 and export["Content-Type"].startswith("application/vnd.openxmlformats")


def test_appeal_is_decided_and_the_ranking_re_ranks(world: Any, quarter: Any) -> None:
    services.publish(quarter, actor=world.anweiban)
    yingtian = by_name(quarter)["营田镇"]
    r1 = yingtian.points.get(code="R1")
    with pytest.raises(NotPermitted):  # another township may not appeal 营田镇's points
        services.submit_appeal(yingtian, actor=world.heshi, point=r1, reason="错", evidence="见附件")
    with pytest.raises(ValidationError) as exc:
        services.submit_appeal(yingtian, actor=world.yingtian, point=r1, reason="", evidence="")
    assert set(exc.value.message_dict) == {"reason", "evidence"}
    late = timezone.localdate() + dt.timedelta(days=6)
    with pytest.raises(ValidationError, match="申诉期"):
        services.submit_appeal(
            yingtian, actor=world.yingtian, point=r1, reason="错", evidence="x", today=late
        )
    appeal = services.submit_appeal(
        yingtian, actor=world.yingtian, point=r1, reason="计划中的一项已于9月完成，登记晚了", evidence="/campaign/registers/",
        requested_points=Decimal(40),
    )  # fmt: skip
    mine = login(Client(), world.yingtian)
    assert "提出申诉" in mine.get(reverse("assessment:result_detail", args=[yingtian.pk])).content.decode()
    office = login(Client(), world.anweiban)
    detail = office.get(reverse("assessment:appeal_detail", args=[appeal.pk])).content.decode()
    assert "计划中的一项已于9月完成" in detail and 'data-step="accept"' in detail
    assert office.get(reverse("assessment:appeal_step", args=[appeal.pk, "accept"])).status_code == 200
    assert mine.get(reverse("assessment:appeal_step", args=[appeal.pk, "accept"])).status_code == 403
    with pytest.raises(NotPermitted):
        services.accept_appeal(appeal, actor=world.yingtian, points=Decimal(40), reason="自己采纳")
    with pytest.raises(ValidationError):
        services.accept_appeal(appeal, actor=world.anweiban, points=Decimal(41), reason="超过分值")
    services.accept_appeal(
        appeal, actor=world.anweiban, points=Decimal(40), reason="核实已完成", version=appeal.version
    )
    appeal.refresh_from_db()
    results = by_name(quarter)
    assert appeal.status == AppealStatus.ACCEPTED and (appeal.points_before, appeal.points_after) == (20, 40)
    assert (results["营田镇"].score, results["营田镇"].final_score) == (Decimal("40.00"), Decimal("60.00"))
    assert (results["营田镇"].final_rank, results["河市镇"].final_rank) == (1, 2)
    assert results["营田镇"].rank == 1 and results["河市镇"].rank == 1  # the computed ranks stay visible
    second = services.submit_appeal(yingtian, actor=world.yingtian, point=yingtian.points.get(code="R2"), reason="再议",
                                    evidence="无")  # fmt: skip
    services.reject_appeal(second, actor=world.anweiban, reason="证据不足")
    second.refresh_from_db()
    assert second.status == AppealStatus.REJECTED and second.decision_reason == "证据不足"
    assert Appeal.objects.filter(status=AppealStatus.SUBMITTED).count() == 0


def test_an_appeal_before_publishing_is_refused(world: Any, quarter: Any) -> None:
    yingtian = by_name(quarter)["营田镇"]
    with pytest.raises(ValidationError, match="尚未发布"):
        services.submit_appeal(
            yingtian, actor=world.yingtian, point=yingtian.points.first(), reason="x", evidence="y"
        )


def snapshot(
    indicator: str, period: str, kind: str, key: str, numerator: int, denominator: int | None = None
) -> None:
    value = (
        Decimal(numerator * 100 / denominator).quantize(Decimal("0.01"))
        if denominator
        else Decimal(numerator)
    )
    row = IndicatorSnapshot(indicator=indicator, period=period, scope_kind=kind, scope_key=key, available=True,
                            numerator=Decimal(numerator), denominator=None if denominator is None else Decimal(denominator),
                            value=value, computed_at=timezone.now())  # fmt: skip
    row.digest = snapshots.digest_of(row)
    row.save()


def test_the_interview_list_names_the_bottom_township_and_a_zero_penalty_department(world: Any) -> None:
    """The quarter's snapshot, written by hand: 凤凰乡 last of the townships; 住建局 inspected and punished nothing
    (零处罚), 交通运输局 did punish."""
    small_scheme(world)
    for town, done in (("营田镇", 2), ("河市镇", 2), ("天问街道", 1), ("凤凰乡", 0)):
        snapshot("campaign.grassroots_capacity", "2026Q2", "township", world.regions[town].code, done, 2)
    snapshot(
        "enforcement.zero_penalty_departments",
        "2026Q2",
        "department",
        str(world.departments["housing"].pk),
        1,
        1,
    )
    snapshot(
        "enforcement.zero_penalty_departments",
        "2026Q2",
        "department",
        str(world.departments["transport"].pk),
        0,
        1,
    )
    assessment = services.compute(2026, 2, "township", actor=world.anweiban)
    services.publish(assessment, actor=world.anweiban)
    load_document_templates()
    made = services.list_interviews(2026, 2, actor=world.anweiban)
    listed = {i.unit_name: [r["rule"] for r in i.reasons] for i in made}
    assert listed == {"凤凰乡": ["bottom_township"], "区住房和城乡建设局": ["zero_penalty"]}
    assert services.list_interviews(2026, 2, actor=world.anweiban) == []  # idempotent
    office = login(Client(), world.anweiban)
    page = office.get(reverse("assessment:interview_list") + "?year=2026&quarter=2")
    assert {i.unit_name for i in page.context["page"]} == set(
        listed
    ) and "本季度有检查而零处罚" in page.content.decode()
    assert (
        login(Client(), world.heshi)
        .get(page.request["PATH_INFO"] + "?year=2026&quarter=2")
        .context["page"]
        .paginator.count
        == 0
    )
    # The 约谈 is held, its commitments checked, then it is closed; the minutes are a numbered document.
    interview = next(i for i in made if i.township_id)
    held = timezone.now() - dt.timedelta(hours=2)
    with pytest.raises(ValidationError) as exc:
        services.hold_interview(interview, actor=world.anweiban, held_at=held, place="", leaders="王主任",
                                attendees="凤凰乡乡长", issues="排名末位", minutes="表态", commitments="明天 整改")  # fmt: skip
    assert set(exc.value.message_dict) == {"place", "commitments"}
    services.hold_interview(interview, actor=world.anweiban, held_at=held, place="区应急管理局三楼会议室",
                            leaders="区安委办主任王强", attendees="凤凰乡乡长李明", issues="能力建设滞后",
                            minutes="被约谈单位作表态发言", commitments="2026-12-31 完成应急站建设\n2026-10-31 配齐两员")  # fmt: skip
    interview.refresh_from_db()
    assert interview.status == InterviewStatus.HELD and interview.document.number.startswith("屈安办约记")
    assert "完成应急站建设" in interview.document.body
    first, second = interview.commitments.order_by("due_on")
    page = login(Client(), world.anweiban).get(reverse("assessment:interview_detail", args=[interview.pk]))
    assert "配齐两员" in page.content.decode() and 'data-step="check"' in page.content.decode()
    from zhiben.assessment.workbench import cards

    [card] = cards(world.fenghuang, timezone.localdate())
    [item] = [i for i in card.items if i.key == "commitments"]
    listed = login(Client(), world.fenghuang).get(item.url)
    assert item.count == 1 and listed.context["page"].paginator.count == 1
    assert cards(world.heshi, timezone.localdate()) == [] and cards(world.lingdao, timezone.localdate()) == []
    with pytest.raises(NotPermitted):
        services.check_commitment(
            interview, actor=world.fenghuang, commitment=first.pk, done=True, note="自报完成"
        )
    services.check_commitment(
        interview, actor=world.anweiban, commitment=first.pk, done=True, note="现场核查已配齐"
    )
    interview.refresh_from_db()
    with pytest.raises(NotPermitted, match="未完成"):
        services.close_interview(interview, actor=world.anweiban)
    services.check_commitment(interview, actor=world.anweiban, commitment=second.pk, done=True, note="已建成")
    interview.refresh_from_db()
    services.close_interview(interview, actor=world.anweiban, note="承诺均已完成")
    interview.refresh_from_db()
    assert interview.status == InterviewStatus.CLOSED
    # The ranking 通报 reads the stored results.
    document = services.issue_ranking_bulletin(assessment, actor=world.anweiban)
    assert "第4名：凤凰乡" in document.body and document.number.startswith("屈安办通")
    assert Scheme.objects.filter(year=2026, kind="township", status=SchemeStatus.SUPERSEDED).exists()


def test_demo_history_publishes_two_quarters_with_an_appeal_and_a_round_of_interviews(world: Any) -> None:
    from zhiben.demo.assessment_history import seed_assessment_history

    with time_machine.travel(dt.datetime(2026, 10, 1, 2, 0, tzinfo=dt.UTC), tick=True):
        report = seed_assessment_history(seed=7)
    assert report is not None and report.assessments == 4 and report.appeals == 2
    departments = Result.objects.filter(assessment__quarter=2, assessment__kind="department")
    assert departments.count() == len(registry.departments())
    published = Result.objects.filter(assessment__status=AssessmentStatus.PUBLISHED)
    assert set(published.values_list("assessment__quarter", flat=True)) == {1, 2}
    assert Appeal.objects.filter(status=AppealStatus.ACCEPTED).count() == 1
    assert Appeal.objects.filter(status=AppealStatus.REJECTED).count() == 1
    assert all(a.bulletin_id for a in Assessment.objects.all())
    held = Interview.objects.exclude(status=InterviewStatus.PLANNED)
    assert report.interviews == Interview.objects.count() and held.count() == min(2, report.interviews)
    assert seed_assessment_history(seed=7) is None  # a rerun adds nothing
