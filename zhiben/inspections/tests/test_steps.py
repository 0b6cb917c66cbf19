"""The steps of inspections (steps.py): the transition tables derived from them are the hand-written ones they
replaced, and each step reads as its audit event does."""

from __future__ import annotations

from zhiben.core import events
from zhiben.inspections.choices import DrawStatus as D
from zhiben.inspections.choices import ExceptionStatus as E
from zhiben.inspections.choices import InspectionStatus as I
from zhiben.inspections.choices import PlanStatus as P
from zhiben.inspections.steps import CAP_EXCEPTION_FLOW, DRAW_FLOW, INSPECTION_FLOW, PLAN_FLOW


def _moves(table: dict[str, set[str]]) -> dict[str, set[str]]:
    """A table without its final statuses (the derived tables list only statuses a step leaves)."""
    return {source: targets for source, targets in table.items() if targets}


# The tables the services wrote by hand before their steps were declared (services/plans.py, draws.py and
# records.py up to 5d140e5), kept here word for word.


def test_the_plan_table_is_the_hand_written_one() -> None:
    assert PLAN_FLOW.transitions == _moves(
        {
            P.DRAFT: {P.SUBMITTED},
            P.SUBMITTED: {P.APPROVED, P.RETURNED},
            P.RETURNED: {P.SUBMITTED},
            P.APPROVED: set(),
        }
    )


def test_the_draw_table_is_the_hand_written_one() -> None:
    assert DRAW_FLOW.transitions == _moves(
        {
            D.DRAFT: {D.COMMITTED},
            D.COMMITTED: {D.DRAWN, D.SUPERSEDED},
            D.DRAWN: {D.PUBLISHED, D.SUPERSEDED},
            D.PUBLISHED: set(),
            D.SUPERSEDED: set(),
        }
    )


def test_the_inspection_table_is_the_hand_written_one() -> None:
    assert INSPECTION_FLOW.transitions == _moves(
        {
            I.PLANNED: {I.IN_PROGRESS, I.CANCELLED},
            I.IN_PROGRESS: {I.COMPLETED, I.CANCELLED},
            I.COMPLETED: set(),
            I.CANCELLED: set(),
        }
    )


def test_a_cap_exception_is_decided_once() -> None:
    # The hand-written service swapped PENDING for APPROVED or REJECTED and nothing else.
    assert CAP_EXCEPTION_FLOW.transitions == {E.PENDING: {E.APPROVED, E.REJECTED}}


def test_each_step_reads_as_its_audit_event() -> None:
    for flow in (PLAN_FLOW, CAP_EXCEPTION_FLOW, DRAW_FLOW, INSPECTION_FLOW):
        for step in flow.steps:
            assert step.event is not None and events.label(step.event) == str(step.label)
    assert {s.event for s in PLAN_FLOW.steps} == {"PLAN_SUBMITTED", "PLAN_APPROVED", "PLAN_RETURNED"}
    assert {s.event for s in DRAW_FLOW.steps} == {
        "DRAW_COMMITTED",
        "DRAW_PERFORMED",
        "DRAW_PUBLISHED",
        "DRAW_REDRAWN",
    }
    assert {s.event for s in INSPECTION_FLOW.steps} == {
        "INSPECTION_STARTED",
        "INSPECTION_COMPLETED",
        "INSPECTION_CANCELLED",
    }
    assert {s.event for s in CAP_EXCEPTION_FLOW.steps} == {"CAP_EXCEPTION_DECIDED"}
