"""The handling loop through the services: 受理 → 转办 → 核查 (检查, 隐患 with source 举报, 案件) → 延期 → 办结 →
答复; scope, refusals, 409 on a stale version, deadlines as data, duplicates and the first rewardable report."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
import time_machine
from django.core.exceptions import ValidationError

from zhiben.core.errors import Conflict, DomainError, NotPermitted
from zhiben.core.models import AuditEntry, OutboxMessage
from zhiben.hazards.choices import Source
from zhiben.inspections.choices import Origin
from zhiben.inspections.tests.conftest import checklists, inspectors  # noqa: F401 - fixtures
from zhiben.tips import deadlines, duplicates, routing
from zhiben.tips.choices import Category, Outcome, TipStatus
from zhiben.tips.models import Tip, TipDeadlineRule
from zhiben.tips.services import handling as h
from zhiben.tips.testing import SENTINEL_NAME, SENTINEL_PHONE, make_tip

pytestmark = pytest.mark.django_db

WORKING = "某燃气经营部仓库内违规存放液化气瓶，消防通道堵塞。"


@pytest.fixture
def clock() -> Any:
    with time_machine.travel(
        dt.datetime(2025, 3, 3, 9, 0, tzinfo=dt.timezone(dt.timedelta(hours=8))), tick=False
    ) as t:
        yield t


def accepted(world: Any, **fields: Any) -> Tip:
    tip = make_tip(identity=True, **fields)
    return h.accept(
        tip,
        actor=world.jubao,
        working_text=WORKING,
        category=Category.HAZARD,
        enterprise=world.enterprises["yt_gas"],
        version=tip.version,
    )


def transferred(world: Any, **fields: Any) -> Tip:
    tip = accepted(world, **fields)
    initial = routing.transfer_initial(tip)
    dept = world.departments["housing"]
    assert initial == {"department": dept.code, "township": world.regions["营田镇"].code}
    return h.transfer(
        tip, actor=world.jubao, department=dept, township=world.regions["营田镇"], version=tip.version
    )


def test_the_loop_end_to_end(world: Any, clock: Any, inspectors: Any, checklists: Any) -> None:  # noqa: F811
    tip = make_tip(identity=True)
    assert tip.status == TipStatus.RECEIVED
    # 受理: the working copy must be written, not copied from the original.
    with pytest.raises(ValidationError) as err:
        h.accept(tip, actor=world.jubao, working_text="  ", category=Category.HAZARD, unit_name="某单位")
    assert "working_text" in err.value.error_dict
    with pytest.raises(ValidationError) as err:
        h.accept(
            tip,
            actor=world.jubao,
            working_text=tip.original_text + " ",
            category=Category.HAZARD,
            unit_name="x",
        )
    assert "working_text" in err.value.error_dict
    gas = world.enterprises["yt_gas"]
    h.accept(
        tip, actor=world.jubao, working_text=WORKING, category=Category.HAZARD, enterprise=gas, version=1
    )
    tip.refresh_from_db()
    assert tip.status == TipStatus.ACCEPTED and tip.accepted_on == dt.date(2025, 3, 3)
    assert tip.verify_deadline == dt.date(2025, 5, 2)  # 60 calendar days
    assert tip.industry == gas.primary_industry
    # 转办: department by 三管三必须, township by place; the notice holds the working copy only.
    dept, town = world.departments["housing"], world.regions["营田镇"]
    h.transfer(tip, actor=world.jubao, department=dept, township=town, version=tip.version)
    tip.refresh_from_db()
    assert tip.status == TipStatus.VERIFYING and tip.department == dept and tip.township == town
    notices = OutboxMessage.objects.filter(object_type="tips.tip", object_id=str(tip.pk))
    assert {m.recipient.username for m in notices if m.recipient} >= {"zhujian", "yingtian"}
    for m in notices:
        assert WORKING[:20] in m.body
        assert (
            tip.original_text not in m.body and SENTINEL_NAME not in m.body and SENTINEL_PHONE not in m.body
        )
    # Now the department and township see it; another department does not.
    assert Tip.objects.restrict(world.zhujian).filter(pk=tip.pk).exists()
    assert Tip.objects.restrict(world.yingtian).filter(pk=tip.pk).exists()
    assert not Tip.objects.restrict(world.yingji).filter(pk=tip.pk).exists()
    assert not Tip.objects.restrict(world.heshi).filter(pk=tip.pk).exists()
    # 核查: an inspection of origin 举报核查, a hazard with source 举报 linked both ways.
    inspection = h.open_inspection(
        tip,
        actor=world.zhujian,
        planned_on=dt.date(2025, 3, 4),
        mode="unannounced",
        lead_officer=inspectors["zhujian"],
        second_officer=inspectors["zhujian_2"],
        version=tip.version,
    )
    tip.refresh_from_db()
    assert tip.inspection == inspection and inspection.origin == Origin.TIP
    hazard = h.add_hazard(
        tip,
        actor=world.zhujian,
        level="general",
        title="仓库违规存放液化气瓶",
        discovered_on=dt.date(2025, 3, 3),
        version=tip.version,
    )
    assert hazard.source == Source.TIP and list(hazard.tips.all()) == [tip]
    assert list(tip.hazards.all()) == [hazard]
    # 关联执法案件: a case of the unit by the department; another unit's case is refused.
    from zhiben.enforcement.services import file_case

    tip.refresh_from_db()
    case = file_case(
        actor=world.zhujian,
        department=dept,
        violation="未按规定存放液化气瓶",
        filed_on=dt.date(2025, 3, 3),
        enterprise=gas,
    )
    h.link_case(tip, actor=world.zhujian, case=case, version=tip.version)
    assert list(case.tips.all()) == [tip]
    with pytest.raises(ValidationError):
        h.link_case(tip, actor=world.zhujian, case=case, version=tip.version)
    # 延期: once, the office approves (not the requester), the deadline moves.
    tip.refresh_from_db()
    with pytest.raises(ValidationError):
        h.request_extension(tip, actor=world.zhujian, days=31, reason="需要检测", version=tip.version)
    h.request_extension(tip, actor=world.zhujian, days=20, reason="需委托检测机构检测", version=tip.version)
    with pytest.raises(DomainError):
        h.request_extension(tip, actor=world.zhujian, days=5, reason="再次", version=tip.version)
    with pytest.raises(NotPermitted):
        h.decide_extension(tip, actor=world.zhujian, approve=True, version=tip.version)
    h.decide_extension(tip, actor=world.anweiban, approve=True, version=tip.version)
    tip.refresh_from_db()
    assert tip.extended and tip.verify_deadline == dt.date(2025, 5, 22)
    # 办结 by the department (not the township), the 反馈 deadline 10 日 later.
    with pytest.raises(NotPermitted):
        h.conclude(
            tip,
            actor=world.yingtian,
            outcome=Outcome.FOUNDED,
            conclusion="x",
            draft_answer="y",
            version=tip.version,
        )
    h.conclude(
        tip,
        actor=world.zhujian,
        outcome=Outcome.FOUNDED,
        conclusion="现场检查属实，已登记隐患并责令整改。",
        draft_answer="您反映的问题经核查属实，已责令整改。",
        version=tip.version,
    )
    tip.refresh_from_db()
    assert tip.status == TipStatus.CONCLUDED and tip.feedback_deadline == dt.date(2025, 3, 13)
    # 答复: never a handler's name; the summary names no unit.
    with pytest.raises(ValidationError) as err:
        h.feedback(
            tip,
            actor=world.jubao,
            public_feedback=f"经{world.zhujian.display_name}核查属实。",
            public_summary=f"{gas.name}存在隐患",
            version=tip.version,
        )
    assert set(err.value.error_dict) == {"public_feedback", "public_summary"}
    h.feedback(
        tip,
        actor=world.jubao,
        public_feedback="您反映的问题经核查属实，已责令整改。",
        public_summary="营田镇一燃气经营部违规存放液化气瓶，经核查属实，已责令整改。",
        version=tip.version,
    )
    tip.refresh_from_db()
    assert tip.status == TipStatus.CLOSED and tip.feedback_on == dt.date(2025, 3, 3)
    actions = list(tip.transitions.order_by("at", "pk").values_list("action", flat=True))
    assert actions == [
        "accept",
        "transfer",
        "open_inspection",
        "add_hazard",
        "link_case",
        "request_extension",
        "decide_extension",
        "conclude",
        "feedback",
    ]
    events = set(
        AuditEntry.objects.filter(object_type="tips.tip", object_id=str(tip.pk)).values_list(
            "event", flat=True
        )
    )
    assert {"TIP_ACCEPTED", "TIP_TRANSFERRED", "TIP_CONCLUDED", "TIP_ANSWERED"} <= events


def test_who_may_act(world: Any, clock: Any) -> None:
    tip = make_tip()
    for user in ("zhujian", "yingtian", "anweiban", "qiye1", "lingdao"):
        with pytest.raises(NotPermitted):
            h.accept(
                tip, actor=world.users[user], working_text=WORKING, category=Category.HAZARD, unit_name="x"
            )
    tip = transferred(world)
    # Another department is out of scope; the township may not 办结.
    with pytest.raises(NotPermitted):
        h.conclude(
            tip,
            actor=world.yingji,
            outcome=Outcome.UNFOUNDED,
            conclusion="x",
            draft_answer="y",
            version=tip.version,
        )
    with pytest.raises(NotPermitted):
        h.request_extension(tip, actor=world.yingtian, days=5, reason="x", version=tip.version)


def test_a_stale_version_is_a_conflict(world: Any, clock: Any) -> None:
    tip = make_tip()
    stale = tip.version
    h.reject(tip, actor=world.jubao, rejection_reason="内容与安全生产无关。", version=stale)
    tip = Tip.objects.unrestricted("test").get(pk=tip.pk)
    with pytest.raises(Conflict):
        h.accept(
            tip,
            actor=world.jubao,
            working_text=WORKING,
            category=Category.HAZARD,
            unit_name="x",
            version=stale,
        )
    assert tip.status == TipStatus.REJECTED and tip.rejection_reason == "内容与安全生产无关。"


def test_deadlines_are_data(world: Any, clock: Any) -> None:
    verify = TipDeadlineRule.objects.get(stage="verify")
    assert (verify.days, verify.working_days, verify.verified) == (60, False, False)
    assert deadlines.verify_deadline_for(dt.date(2025, 3, 3)) == dt.date(2025, 5, 2)
    assert deadlines.feedback_deadline_for(dt.date(2025, 3, 3)) == dt.date(2025, 3, 13)
    # 受理: working days (5 after Monday 3 March 2025 is Monday 10 March).
    assert deadlines.accept_deadline_for(dt.date(2025, 3, 3)) == dt.date(2025, 3, 10)
    TipDeadlineRule.objects.filter(stage="verify").update(days=30)
    assert deadlines.verify_deadline_for(dt.date(2025, 3, 3)) == dt.date(2025, 4, 2)
    TipDeadlineRule.objects.filter(stage="verify").delete()
    assert deadlines.verify_deadline_for(dt.date(2025, 3, 3)) == dt.date(2025, 5, 2)  # the shipped fallback


def test_duplicates_and_the_first_rewardable_report(world: Any, clock: Any) -> None:
    gas = world.enterprises["yt_gas"]
    first = make_tip(identity=False, enterprise=gas)  # anonymous: never rewarded
    clock.shift(dt.timedelta(hours=1))
    second = make_tip(
        identity=True, unit_name="营田 燃气经营部"
    )  # the same unit by name, full-width space aside
    clock.shift(dt.timedelta(hours=1))
    third = make_tip(identity=True, enterprise=gas)
    other_category = make_tip(identity=True, enterprise=gas, category=Category.ILLEGAL)
    clock.shift(dt.timedelta(days=40))
    late = make_tip(identity=True, enterprise=gas)
    dupes = {t.pk for t in duplicates.find_duplicates(first)}
    assert dupes == {second.pk, third.pk}
    assert duplicates.first_rewardable(first) is None  # nobody accepted yet
    for t in (first, second, third):
        h.accept(
            t,
            actor=world.jubao,
            working_text=WORKING,
            category=Category.HAZARD,
            enterprise=gas,
            version=t.version,
        )
    assert duplicates.first_rewardable(third) == second  # the earliest accepted real-name report
    h.merge(third, actor=world.jubao, into=second, version=third.version)
    third.refresh_from_db()
    assert third.status == TipStatus.MERGED and third.merged_into == second
    assert duplicates.first_rewardable(third) == second
    with pytest.raises(ValidationError):
        h.merge(second, actor=world.jubao, into=second, version=second.version)
    assert late.pk not in {t.pk for t in duplicates.find_duplicates(first)} and other_category.pk not in dupes
