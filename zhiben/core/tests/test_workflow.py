"""Compare-and-swap transitions: a lost race is a Conflict, never a silent overwrite."""

from __future__ import annotations

import threading

import pytest
from django.db import connection, connections

from zhiben.core.errors import Conflict
from zhiben.core.workflow import TransitionNotAllowed, compare_and_swap, transition
from zhiben.registry.choices import EnterpriseStatus as S
from zhiben.registry.models import Enterprise

TABLE = {S.OPERATING: {S.SUSPENDED}, S.SUSPENDED: {S.OPERATING, S.CLOSED}}


@pytest.mark.django_db
def test_it_moves_along_the_table_and_bumps_the_version(world):
    e = world.enterprises["qiye1"]
    version = e.version
    transition(e, S.SUSPENDED, table=TABLE, actor=world.anweiban)
    e.refresh_from_db()
    assert (e.status, e.version) == (S.SUSPENDED, version + 1)


@pytest.mark.django_db
def test_it_refuses_steps_not_in_the_table(world):
    e = world.enterprises["qiye1"]
    with pytest.raises(TransitionNotAllowed) as exc:
        transition(e, S.CLOSED, table=TABLE, actor=world.anweiban)
    assert "不能变更为" in exc.value.message
    e.refresh_from_db()
    assert e.status == S.OPERATING


@pytest.mark.django_db
def test_it_raises_conflict_for_a_stale_copy(world):
    fresh = world.enterprises["qiye1"]
    stale = Enterprise.objects.get(pk=fresh.pk)
    compare_and_swap(fresh, expected={}, changes={"address": "新地址"})
    with pytest.raises(Conflict):
        compare_and_swap(stale, expected={}, changes={"address": "旧副本的地址"})
    fresh.refresh_from_db()
    assert fresh.address == "新地址"


@pytest.mark.django_db(transaction=True)
@pytest.mark.skipif(connection.vendor != "postgresql", reason="real concurrent writers need PostgreSQL")
def test_it_lets_exactly_one_of_two_concurrent_writers_win():
    from zhiben.conftest import build_world

    world = build_world()
    pk = world.enterprises["qiye2"].pk
    barrier = threading.Barrier(2)
    outcomes: list[str] = []

    def worker() -> None:
        try:
            e = Enterprise.objects.get(pk=pk)
            barrier.wait()
            transition(e, S.SUSPENDED, table=TABLE, actor=None)
            outcomes.append("won")
        except Conflict:
            outcomes.append("conflict")
        finally:
            connections.close_all()

    threads = [threading.Thread(target=worker) for _ in range(2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert sorted(outcomes) == ["conflict", "won"]
    assert Enterprise.objects.get(pk=pk).version == world.enterprises["qiye2"].version + 1
