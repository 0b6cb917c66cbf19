"""Issue 12, "Done when": a founded tip from the anonymous API to a reward approved by two people — a hazard with
source 举报, a penalty case, the calculator's amount — and the reporter reading the answer by receipt code without
ever seeing a handler's name, the department, the internal conclusion or the unit's reply."""

from __future__ import annotations

import datetime as dt
import json
from decimal import Decimal
from typing import Any

import pytest
from django.core.cache import cache
from django.test import Client
from django.utils import timezone

from zhiben.core.errors import NotPermitted
from zhiben.enforcement.models import Case
from zhiben.enforcement.tests.case_helpers import penalise
from zhiben.hazards.choices import Level, Source
from zhiben.registry.models import Department
from zhiben.tips.choices import Category, Outcome, RewardStatus, TipStatus
from zhiben.tips.models import Tip
from zhiben.tips.reward_calc import calculate
from zhiben.tips.services import handling, rewards

pytestmark = pytest.mark.django_db

UNIT_REPLY = "企业负责人称气瓶系临时存放"  # the unit's reply, recorded in the internal conclusion only


def test_a_founded_tip_goes_from_the_public_api_to_an_approved_reward(world: Any) -> None:
    cache.clear()
    public = Client()
    created = public.post(
        "/api/v1/public/tips/",
        {
            "category": Category.MAJOR_HAZARD,
            "text": "河市镇一化工企业仓库内堆放大量液化气瓶，消防通道被货物堵死，夜间有人在库内吸烟。",
            "unit_name": world.enterprises["qiye2"].name,
            "name": "王举报",
            "phone": "13712340001",
        },
        content_type="application/json",
    )
    assert created.status_code == 201, created.content
    receipt = created.json()["receipt"]
    tip = Tip.objects.get(code=created.json()["code"])

    emergency = Department.objects.get(code="emergency")
    tip = handling.accept(
        tip,
        actor=world.jubao,
        working_text="某化工企业仓库内堆放大量液化气瓶，消防通道堵塞，库内有吸烟现象。",
        category=Category.MAJOR_HAZARD,
        enterprise=world.enterprises["qiye2"],
    )
    tip = handling.transfer(tip, actor=world.jubao, department=emergency, township=world.regions["河市镇"])
    assert tip.status == TipStatus.VERIFYING

    today = timezone.localdate()
    hazard = handling.add_hazard(
        tip,
        actor=world.yingji,
        level=Level.GENERAL,
        title="仓库违规存放液化气瓶、堵塞消防通道",
        discovered_on=today,
    )
    assert hazard.source == Source.TIP and list(hazard.tips.all()) == [tip]

    case = penalise(world, today - dt.timedelta(days=1), slot="qiye2", amount="100000")
    Case.objects.filter(pk=case.pk).update(closed_on=today)
    tip = handling.link_case(Tip.objects.get(pk=tip.pk), actor=world.yingji, case=case)
    tip = handling.conclude(
        tip,
        actor=world.yingji,
        outcome=Outcome.FOUNDED,
        conclusion=f"现场核查属实。{UNIT_REPLY}。已立案处罚。",
        draft_answer="经核查，您反映的问题属实，已责令整改并依法处罚。",
    )
    answer = "经核查，您反映的问题属实，监管部门已责令该单位立即整改，并依法予以行政处罚。感谢您的监督。"
    tip = handling.feedback(
        tip,
        actor=world.jubao,
        public_feedback=answer,
        public_summary="某乡镇一企业仓库违规存放液化气瓶，属实，已处罚。",
    )
    assert tip.status == TipStatus.CLOSED

    reward = rewards.propose_reward(tip, actor=world.anweiban, basis="fine")
    expected = calculate("fine", fine="100000", category=Category.MAJOR_HAZARD)
    assert reward.amount == expected.amount == Decimal("15000.00")  # 15 % of the fine
    with pytest.raises(NotPermitted):
        rewards.approve_reward(reward, actor=world.anweiban)  # the proposer cannot approve
    reward = rewards.approve_reward(reward, actor=world.jubao)
    assert reward.status == RewardStatus.APPROVED and reward.approved_by != reward.proposed_by

    status = public.get("/api/v1/public/tips/status/", {"receipt": receipt})
    assert status.status_code == 200
    shown = json.dumps(status.json(), ensure_ascii=False)
    assert status.json()["public_feedback"] == answer and status.json()["status"] == "closed"
    for hidden in (
        world.yingji.display_name,
        world.jubao.display_name,
        emergency.name,
        UNIT_REPLY,
        "现场核查属实",
        world.enterprises["qiye2"].name,
    ):
        assert hidden not in shown
