"""安全生产法 Art 113 (一): a unit with a 重大事故隐患 penalised three times in 180 days or four times in a year
→ one 提请关闭 proposal per trigger, to the department and the committee office; the office submits or
dismisses it."""

from __future__ import annotations

import datetime as dt
from io import StringIO
from typing import Any

import pytest
from django.core.management import call_command
from django.test import Client
from django.urls import reverse

from zhiben.core.errors import Conflict
from zhiben.core.models import OutboxMessage
from zhiben.core.testing import assert_audited, login
from zhiben.enforcement import art113, events, steps
from zhiben.enforcement.choices import ProposalStatus
from zhiben.enforcement.models import ClosureProposal

from .case_helpers import penalise

pytestmark = pytest.mark.django_db
DAY0 = dt.date(2025, 6, 1)


def day(n: int) -> dt.date:
    return DAY0 + dt.timedelta(days=n)


def test_three_penalties_within_180_days_trigger_on_the_third(
    world: Any, rules: Any, late_clock: Any
) -> None:
    penalise(world, day(0))
    penalise(world, day(90))
    assert not ClosureProposal.objects.exists()  # two are not enough
    third = penalise(world, day(179))  # day 0 … day 179: 180 days, both ends counted
    proposal = ClosureProposal.objects.get()
    assert proposal.enterprise == world.enterprises["qiye1"] and proposal.triggered_on == day(179)
    assert (
        proposal.rule == art113.RULE_SHORT and len(proposal.case_ids) == 3 and third.pk in proposal.case_ids
    )
    assert proposal.status == ProposalStatus.OPEN and proposal.department_id == third.department_id
    assert_audited(events.CLOSURE_PROPOSED, proposal, rule=art113.RULE_SHORT)
    notified = set(OutboxMessage.objects.filter(topic="art113").values_list("recipient__username", flat=True))
    assert {"anweiban", "yingji"} <= notified and "qiye1" not in notified


def test_three_penalties_spread_over_181_days_do_not_trigger(world: Any, rules: Any, late_clock: Any) -> None:
    for n in (0, 90, 180):
        penalise(world, day(n))
    assert not ClosureProposal.objects.exists()
    assert art113.evaluate(world.enterprises["qiye1"].pk, day(180)) is None


def test_four_penalties_within_a_year_trigger_on_the_fourth(world: Any, rules: Any, late_clock: Any) -> None:
    # Never three within 180 days: 0, 100, 200, 364.
    for n in (0, 100, 200):
        penalise(world, day(n))
    assert not ClosureProposal.objects.exists()
    penalise(world, day(364))  # 2025-06-01 … 2026-05-31: one year
    proposal = ClosureProposal.objects.get()
    assert proposal.rule == art113.RULE_YEAR and proposal.triggered_on == day(364)
    assert len(proposal.case_ids) == 4


def test_four_penalties_over_a_year_and_a_day_do_not_trigger(world: Any, rules: Any, late_clock: Any) -> None:
    for n in (0, 100, 200):
        penalise(world, day(n))
    penalise(world, day(365))
    assert not ClosureProposal.objects.exists()


def test_cases_without_a_major_hazard_or_without_a_penalty_do_not_count(
    world: Any, rules: Any, late_clock: Any
) -> None:
    for n in (0, 10, 20):
        penalise(world, day(n), major=False)
    for n in (30, 40):
        penalise(world, day(n), kind="joint_punishment")  # 联合惩戒 is not an administrative penalty
    penalise(world, day(50), slot="qiye2")  # another unit
    assert not ClosureProposal.objects.exists()
    assert art113.recheck()["created"] == 0
    counted = [penalise(world, day(60)), penalise(world, day(70))]
    counted.append(penalise(world, day(80), kind="suspend"))  # 停产停业整顿 is a penalty
    assert ClosureProposal.objects.get().case_ids == [c.pk for c in counted]


def test_the_recheck_is_idempotent_and_one_open_proposal_is_enough(
    world: Any, rules: Any, late_clock: Any
) -> None:
    for n in (0, 30, 60):
        penalise(world, day(n))
    assert ClosureProposal.objects.count() == 1
    penalise(world, day(90))  # still open: no second proposal
    assert ClosureProposal.objects.count() == 1
    out = StringIO()
    call_command("enforcement_art113", stdout=out)
    assert "新增提请关闭建议 0 条" in out.getvalue()
    assert art113.recheck() == {"units": 1, "created": 0}
    # The watch missed a trigger (the proposal was lost): the re-check restores exactly one, twice run.
    ClosureProposal.objects.all().delete()
    assert art113.recheck()["created"] == 1 and art113.recheck()["created"] == 0
    assert ClosureProposal.objects.get().triggered_on == day(90)


def test_the_office_submits_or_dismisses_and_a_second_decision_is_a_409(
    world: Any, rules: Any, late_clock: Any
) -> None:
    for n in (0, 30, 60):
        penalise(world, day(n))
    proposal = ClosureProposal.objects.get()
    office = login(Client(), world.anweiban)
    page = office.get(reverse("enforcement:proposal_list")).content.decode()
    assert "屈原营田机械制造有限公司" in page and "一百八十日内三次" in page
    detail = office.get(proposal.get_absolute_url()).content.decode()
    assert 'data-step="submit"' in detail and 'data-step="dismiss"' in detail
    # The department sees it but cannot decide.
    department = login(Client(), world.yingji)
    assert department.get(proposal.get_absolute_url()).status_code == 200
    assert (
        department.get(reverse("enforcement:proposal_step", args=[proposal.pk, "submit"])).status_code == 403
    )
    assert login(Client(), world.zhujian).get(proposal.get_absolute_url()).status_code == 404
    r = office.post(reverse("enforcement:proposal_step", args=[proposal.pk, "dismiss"]), {"note": ""})
    assert r.status_code == 400 and "不予提请的理由" in r.content.decode()
    r = office.post(
        reverse("enforcement:proposal_step", args=[proposal.pk, "submit"]), {"note": "建议依法关闭"}
    )
    assert r.status_code == 302
    proposal.refresh_from_db()
    assert proposal.status == ProposalStatus.SUBMITTED and proposal.decided_by == world.anweiban
    assert proposal.document is not None and proposal.document.number == "屈安办提〔2026〕1号"
    assert "一百八十日内三次" in proposal.document.body and "屈原管理区管理委员会：" in proposal.document.body
    assert_audited(steps.SUBMIT.event, proposal, actor=world.anweiban)
    r = office.post(reverse("enforcement:proposal_step", args=[proposal.pk, "dismiss"]), {"note": "重复"})
    assert r.status_code == 409 and 'data-testid="conflict"' in r.content.decode()
    with pytest.raises(Conflict):
        art113.dismiss_proposal(proposal, actor=world.anweiban, note="重复")
    pdf = office.get(reverse("core:document_download", args=[proposal.document.pk, "pdf"]))
    assert pdf.status_code == 200


def test_the_api_lists_and_decides_proposals(world: Any, rules: Any, late_clock: Any) -> None:
    from zhiben.core.testing import obtain_token, token_header

    for n in (0, 30, 60):
        penalise(world, day(n))
    proposal = ClosureProposal.objects.get()
    c = Client()
    office = token_header(obtain_token(c, "anweiban"))
    rows = c.get("/api/v1/closure-proposals/", headers=office).json()["results"]
    assert [r["id"] for r in rows] == [proposal.pk]
    dept = token_header(obtain_token(c, "yingji"))
    url = f"/api/v1/closure-proposals/{proposal.pk}/"
    assert c.post(url + "submit/", {}, content_type="application/json", headers=dept).status_code == 403
    r = c.post(url + "dismiss/", {"note": ""}, content_type="application/json", headers=office)
    assert r.status_code == 400 and "note" in r.json()
    r = c.post(
        url + "dismiss/", {"note": "处罚已被复议撤销"}, content_type="application/json", headers=office
    )
    assert r.status_code == 200 and r.json()["status"] == ProposalStatus.DISMISSED
    r = c.post(url + "dismiss/", {"note": "再次"}, content_type="application/json", headers=office)
    assert r.status_code == 409
