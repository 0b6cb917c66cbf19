"""Two reviewers of 应急管理局 act on the same 待销号 hazard at the same moment: exactly one wins (PostgreSQL).

Each reviewer runs in its own thread with its own database connection; both load the hazard, meet at a
barrier and call the service together. The compare-and-swap on (pk, status, version) lets one UPDATE through;
the other waits for its row lock, finds the version moved and raises Conflict (HTTP 409). Nothing of the loser's
transaction remains: one history row, one audit row, an intact audit chain, and a tally equal to a recount.

Run with, e.g.: DATABASE_URL=postgres://postgres@127.0.0.1:5432/hzrace .venv/bin/pytest
zhiben/hazards/tests/test_concurrency_pg.py (the test database is named after the URL's: test_hzrace).
"""

from __future__ import annotations

import datetime as dt
import threading
from collections.abc import Callable
from decimal import Decimal
from typing import Any

import pytest
from django.db import connection, connections

from zhiben.accounts.roles import Role
from zhiben.accounts.services import assign_role, create_user
from zhiben.core import audit
from zhiben.core.errors import Conflict
from zhiben.core.models import AuditEntry
from zhiben.core.workflow import TransitionNotAllowed
from zhiben.hazards import services, steps, tally
from zhiben.hazards.choices import Level, Status
from zhiben.hazards.models import Hazard, HazardTransition

pytestmark = [
    pytest.mark.postgres,
    pytest.mark.django_db(transaction=True),
    pytest.mark.skipif(connection.vendor != "postgresql", reason="real concurrent writers need PostgreSQL"),
]


def second_reviewer(world: Any) -> Any:
    """应急管理局's second reviewer, created like any account: a user plus a department role."""
    user = create_user(
        actor=None,
        username="yingji2",
        password="Demo#2024-Safe",
        display_name="应急管理局审核员（二）",
        organisation="区应急管理局",
        validate=False,
    )
    assign_role(user, actor=None, role=Role.DEPARTMENT, department=world.departments["emergency"])
    return user


def self_accepted_major(world: Any, clause: Any) -> Hazard:
    """qiye1's 重大 hazard through the loop up to 待销号, every step by the services."""
    h = services.register_hazard(
        actor=world.qiye1,
        enterprise=world.enterprises["qiye1"],
        level=Level.MAJOR,
        clause=clause,
        title="喷漆房未设置可燃气体报警装置",
        discovered_on=dt.date(2025, 3, 1),
    )
    services.confirm(h, actor=world.yingji)
    services.submit_plan(
        h,
        actor=world.qiye1,
        measures="安装固定式可燃气体报警仪并与通风联锁",
        responsible="王厂长",
        plan_deadline=h.deadline,
        funds=Decimal("12.5"),
        contingency="喷漆房火灾爆炸专项应急预案",
        interim_measures="停用喷漆房，设置警戒",
    )
    services.request_acceptance(h, actor=world.qiye1)
    services.self_accept(h, actor=world.qiye1, acceptor="王厂长")
    assert h.status == Status.SELF_ACCEPTED
    return h


def race(hazard_pk: int, steps: dict[str, Callable[[Hazard], Any]]) -> dict[str, str]:
    """Run each step in its own thread and connection, released together; returns name → outcome."""
    barrier = threading.Barrier(len(steps))
    outcomes: dict[str, str] = {}

    def worker(name: str, step: Callable[[Hazard], Any]) -> None:
        try:
            hazard = Hazard.objects.get(pk=hazard_pk)  # both read the same version before the barrier
            barrier.wait(timeout=30)
            step(hazard)
            outcomes[name] = "won"
        except (Conflict, TransitionNotAllowed) as exc:
            outcomes[name] = f"{type(exc).__name__} {exc.status_code}"
        except BaseException as exc:  # anything else fails the test below, with its repr
            outcomes[name] = repr(exc)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=worker, args=item) for item in steps.items()]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=60)
    assert not any(t.is_alive() for t in threads), "a reviewer's thread is stuck"
    return outcomes


def audit_rows(h: Hazard, event: str) -> int:
    return AuditEntry.objects.filter(object_type="hazards.hazard", object_id=str(h.pk), event=event).count()


def test_it_lets_exactly_one_of_two_reviewers_close_a_hazard(world: Any, clause: Any, clock: Any) -> None:
    yingji2 = second_reviewer(world)
    h = self_accepted_major(world, clause)
    version = h.version

    outcomes = race(
        h.pk,
        {
            "yingji": lambda hz: services.close(hz, actor=world.yingji, note="复核合格，同意销号"),
            "yingji2": lambda hz: services.close(hz, actor=yingji2, note="现场核查合格，同意销号"),
        },
    )

    assert sorted(outcomes.values()) == ["Conflict 409", "won"], outcomes
    winner = world.yingji if outcomes["yingji"] == "won" else yingji2
    h.refresh_from_db()
    assert h.status == Status.CLOSED
    assert h.closed_by_id == winner.pk
    assert h.version == version + 1
    closes = HazardTransition.objects.filter(hazard=h, action="close")
    assert list(closes.values_list("actor_id", flat=True)) == [winner.pk]
    assert audit_rows(h, steps.CLOSE.event) == 1
    assert audit.verify_chain().intact
    assert tally.diff() == {}


def test_it_lets_exactly_one_of_close_and_return_win(world: Any, clause: Any, clock: Any) -> None:
    yingji2 = second_reviewer(world)
    h = self_accepted_major(world, clause)

    outcomes = race(
        h.pk,
        {
            "close": lambda hz: services.close(hz, actor=world.yingji, note="同意销号"),
            "return": lambda hz: services.return_for_rectification(hz, actor=yingji2, reason="报警仪未联锁"),
        },
    )

    assert sorted(outcomes.values()) == ["Conflict 409", "won"], outcomes
    h.refresh_from_db()
    won = "close" if outcomes["close"] == "won" else "return"
    assert h.status == (Status.CLOSED if won == "close" else Status.RECTIFYING)
    acted = HazardTransition.objects.filter(hazard=h, action__in=("close", "return"))
    assert list(acted.values_list("action", flat=True)) == [won]
    assert audit_rows(h, steps.CLOSE.event) == (1 if won == "close" else 0)
    assert audit_rows(h, steps.RETURN.event) == (0 if won == "close" else 1)
    assert audit.verify_chain().intact
    assert tally.diff() == {}
