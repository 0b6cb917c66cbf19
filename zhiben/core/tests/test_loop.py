"""The loop kit (core.loop): every flow's steps are whole, and the kit's guard and write behave as declared."""

from __future__ import annotations

from typing import Any

import pytest
from django.db import connection, transaction

from zhiben.core import events
from zhiben.core.errors import Conflict
from zhiben.core.loop import pin, snapshot
from zhiben.core.loop.steps import _FLOWS, action_label
from zhiben.core.models import AuditEntry
from zhiben.core.workflow import TransitionNotAllowed


def _flows() -> list[Any]:
    return list({id(f): f for f in _FLOWS.values()}.values())


def test_every_flow_step_has_its_event_its_service_and_one_label() -> None:
    flows = _flows()
    assert {f.model._meta.label_lower for f in flows} >= {
        "hazards.hazard",
        "enforcement.case",
        "enforcement.illegaloperation",
        "enforcement.closureproposal",
        "inspections.inspectionplan",
        "inspections.capexception",
        "inspections.draw",
        "inspections.inspection",
    }
    for flow in flows:
        for step in flow.steps:
            if step.event is not None:  # one name: the event reads as the step does
                assert events.label(step.event) == str(step.label), (flow.model, step.name)
            if step.form is not None:
                assert step.event is not None, (flow.model, step.name)
                assert step.service is not None, (
                    f"{flow.model.__name__}.{step.name} has no @implements service"
                )


def test_the_derived_transition_table_is_the_hazard_loop() -> None:
    from zhiben.hazards.choices import Status as S
    from zhiben.hazards.steps import FLOW

    assert FLOW.transitions == {
        S.REPORTED: {S.CONFIRMED, S.REJECTED, S.MERGED},
        S.CONFIRMED: {S.RECTIFYING},
        S.RECTIFYING: {S.ACCEPTANCE_REQUESTED},
        S.ACCEPTANCE_REQUESTED: {S.SELF_ACCEPTED, S.RECTIFYING},
        S.SELF_ACCEPTED: {S.CLOSED, S.RECTIFYING},
        S.CLOSED: {S.RECTIFYING},
        S.REJECTED: {S.REPORTED},
    }


def test_the_derived_transition_table_is_the_case_workflow() -> None:
    from zhiben.enforcement.choices import CaseStatus as C
    from zhiben.enforcement.steps import CASE_FLOW

    assert CASE_FLOW.transitions == {
        C.FILED: {C.INVESTIGATING, C.WITHDRAWN},
        C.INVESTIGATING: {C.NOTIFIED, C.WITHDRAWN},
        C.NOTIFIED: {C.DECIDED, C.WITHDRAWN},
        C.DECIDED: {C.EXECUTING},
        C.EXECUTING: {C.CLOSED},
    }


def test_pin_refuses_a_stale_version_with_the_flows_words() -> None:
    class Row:
        version = 3

    pin(Row(), 3)
    pin(Row(), None)
    with pytest.raises(Conflict) as err:
        pin(Row(), 2, "该隐患已被他人处理（当前版本 %(v)s），请刷新后重试。")
    assert "当前版本 3" in err.value.message


def test_snapshot_is_json_safe() -> None:
    import datetime as dt
    from decimal import Decimal

    class Obj:
        pk = 7

    assert snapshot({"a": Obj(), "d": dt.date(2026, 1, 2), "m": Decimal("1.50"), "s": "x"}) == {
        "a": 7,
        "d": "2026-01-02",
        "m": "1.50",
        "s": "x",
    }


@pytest.mark.django_db
def test_advance_writes_one_history_row_one_audit_row_and_refuses_a_wrong_step(world: Any) -> None:
    from zhiben.hazards import services, steps
    from zhiben.hazards.choices import Level, Status

    h = services.register_hazard(
        actor=world.yingji,
        enterprise=world.enterprises["qiye2"],
        level=Level.GENERAL,
        title="仓库灭火器过期",
        discovered_on=services.today(),
    )
    before = AuditEntry.objects.count()
    # Closing a reported hazard is not a step the table allows: refused before any write.
    with pytest.raises(TransitionNotAllowed):
        steps.FLOW.advance(h, steps.CLOSE, actor=world.yingji)
    assert AuditEntry.objects.count() == before
    row = steps.FLOW.advance(h, steps.REJECT, actor=world.yingji, note="重复登记")
    assert row.action == "reject" and action_label(row) == "不予认定"
    assert h.status == Status.REJECTED
    entry = AuditEntry.objects.order_by("-pk").first()
    assert entry is not None and entry.event == steps.REJECT.event and entry.data["to"] == Status.REJECTED
    assert AuditEntry.objects.count() == before + 1
    assert connection.in_atomic_block  # the test's own transaction: advance joins the caller's


@pytest.fixture
def scratch_flows() -> Any:
    """A flow declared by a test is forgotten afterwards (the registry keeps the real ones)."""
    saved = dict(_FLOWS)
    yield
    _FLOWS.clear()
    _FLOWS.update(saved)


def test_a_step_without_a_permission_is_decided_by_its_object_rule(scratch_flows: Any) -> None:
    from types import SimpleNamespace

    from zhiben.core.errors import NotPermitted
    from zhiben.core.loop import Flow, Step
    from zhiben.inspections.models import Draw  # any model: the step names no permission on it

    def members_only(actor: Any, obj: Any) -> None:
        if actor != "member":
            raise NotPermitted("只有成员可以办理。")

    step = Step("visit", "走访", None, frozenset({"open"}), "done", rule=members_only)
    flow = Flow(model=Draw, history=None, steps=(step,))
    record = SimpleNamespace(pk=1, status="open")
    flow.require("member", step, record)  # no role and no scope asked: the rule decides
    with pytest.raises(NotPermitted) as err:
        flow.require("stranger", step, record)
    assert err.value.message == "只有成员可以办理。"
    assert flow.may_attempt("stranger", step) and flow.refusal("stranger", step) is None

    # The early check refuses a step the status does not allow, before the service's own work.
    flow.check(record, step)
    with pytest.raises(TransitionNotAllowed):
        flow.check(SimpleNamespace(pk=1, status="done"), "visit")


@pytest.mark.django_db
def test_advance_writes_the_audit_data_given_or_none_and_swaps_a_versionless_record_on_its_status(
    world: Any,
) -> None:
    from zhiben.inspections import steps
    from zhiben.inspections.choices import ExceptionStatus
    from zhiben.inspections.models import CapException

    def pending(year: int) -> CapException:
        return CapException.objects.create(
            enterprise=world.enterprises["qiye2"],
            department=world.departments["emergency"],
            year=year,
            reason="举报核查",
            requested_by=world.yingji,
        )

    first, second = pending(2025), pending(2026)
    flow, before = steps.CAP_EXCEPTION_FLOW, AuditEntry.objects.count()
    stale = CapException.objects.unrestricted("test: a second reviewer's copy").get(pk=first.pk)

    flow.advance(first, steps.APPROVE_EXCEPTION, actor=world.anweiban, audited=False)
    assert first.status == ExceptionStatus.APPROVED and AuditEntry.objects.count() == before
    with pytest.raises(Conflict) as err, transaction.atomic():  # no version: the status is the swap
        flow.advance(stale, steps.REJECT_EXCEPTION, actor=world.anweiban, changes={"decision_note": "晚了"})
    assert err.value.message == "该申请已被审批。"
    first.refresh_from_db()
    assert first.status == ExceptionStatus.APPROVED and first.decision_note == ""

    flow.advance(
        second,
        steps.REJECT_EXCEPTION,
        actor=world.anweiban,
        changes={"decision_note": "理由不充分"},
        audit_data={"status": "rejected", "note": "理由不充分"},
    )
    entry = AuditEntry.objects.order_by("-pk").first()
    assert entry is not None and entry.event == "CAP_EXCEPTION_DECIDED"
    assert entry.data == {"status": "rejected", "note": "理由不充分"}  # given whole: no from/to, no changes
