"""应急管理局 runs a 双随机 draw: conditions → commitment → draw → publication (inspection tasks), with 回避,
caps and certified officers respected, a re-draw with a reason, and a replay anyone can run."""

from __future__ import annotations

import datetime as dt
from io import StringIO
from typing import Any

import pytest
from django.core.exceptions import ValidationError
from django.core.management import call_command

from zhiben.core.errors import NotPermitted
from zhiben.core.models import AuditEntry
from zhiben.inspections.choices import DrawStatus, InspectionStatus, Mode, Origin, PlanStatus, PlanUnitKind
from zhiben.inspections.draw_algorithm import DrawInfeasible, canonical_json, draw, seed_digest, sm3_hex
from zhiben.inspections.draw_pools import DrawCriteria
from zhiben.inspections.models import (
    Draw,
    DrawAssignment,
    Inspection,
    InspectionOfficer,
    InspectorConflict,
    PlanUnit,
)
from zhiben.inspections.services import caps, draws, plans
from zhiben.inspections.services.records import create_inspection

from .draw_fixtures import district_fixture  # noqa: F401

pytestmark = pytest.mark.django_db


def new_draw(district: Any, actor: Any = None, **criteria: Any) -> Draw:
    return draws.create_draw(
        actor=actor or district.world.yingji,
        department=district.emergency,
        title="2025年第一批工贸企业双随机抽查",
        subject="工贸企业安全生产",
        criteria=DrawCriteria.from_json(
            {"count": None if "proportion" in criteria else 3, "planned_on": "2025-03-10", **criteria}
        ),
    )


def events_of(obj: Any) -> list[str]:
    return list(
        AuditEntry.objects.filter(object_type=obj._meta.label_lower, object_id=str(obj.pk))
        .order_by("seq")
        .values_list("event", flat=True)
    )


def visit(district: Any, enterprise: Any, officers: list[Any], on: dt.date) -> Inspection:
    return create_inspection(
        actor=district.world.yingji,
        enterprise=enterprise,
        department=district.emergency,
        mode=Mode.ROUTINE,
        origin=Origin.OTHER,
        planned_on=on,
        officers=officers,
    )


def test_it_commits_draws_publishes_and_replays(district: Any, clock: Any) -> None:
    yingji = district.world.yingji
    d = new_draw(district)
    assert d.status == DrawStatus.DRAFT and d.code.startswith("SJ2025-")

    draws.commit_draw(d, actor=yingji, version=d.version)
    d.refresh_from_db()
    assert d.status == DrawStatus.COMMITTED
    assert d.seed_digest == seed_digest(d.seed)
    assert d.pool_digest == sm3_hex(canonical_json(draws.frozen_document(d)))
    assert d.officer_count == 5  # yingji, yingji_2 and three more; the expired one and the expert are out
    assert set(d.officer_pool) == {o.pk for o in district.officers}
    assert d.entity_count == len(d.entity_pool) >= 12

    draws.perform_draw(d, actor=yingji, version=d.version)
    draws.publish_draw(d, actor=yingji, version=d.version)
    d.refresh_from_db()
    assert d.status == DrawStatus.PUBLISHED and d.published_at is not None
    rows = list(d.assignments.select_related("inspection").order_by("position"))
    assert [r.position for r in rows] == [1, 2, 3]
    for row in rows:
        assert row.enterprise_id in d.entity_pool
        assert row.inspection.origin == Origin.RANDOM and row.inspection.mode == Mode.ROUTINE
        assert row.inspection.status == InspectionStatus.PLANNED
        assert row.inspection.planned_on == dt.date(2025, 3, 10)
        team = list(InspectionOfficer.objects.filter(inspection=row.inspection).order_by("role", "pk"))
        assert {t.inspector_id for t in team} == set(row.officer_ids)
        assert row.officer_ids[0] in {t.inspector_id for t in team if t.role == "lead"}
    report = draws.replay(d)
    assert (
        report.ok
        and report.assignments
        and report.result_digest
        and report.pool_digest
        and report.seed_digest
    )
    assert events_of(d) == ["DRAW_CREATED", "DRAW_COMMITTED", "DRAW_PERFORMED", "DRAW_PUBLISHED"]


def test_it_keeps_the_seed_secret_until_publication(district: Any, clock: Any, client: Any) -> None:
    yingji = district.world.yingji
    d = new_draw(district)
    draws.commit_draw(d, actor=yingji)
    draws.perform_draw(d, actor=yingji)
    d.refresh_from_db()
    committed_audit = AuditEntry.objects.filter(object_id=str(d.pk), event="DRAW_COMMITTED").get()
    assert d.seed not in str(committed_audit.data)

    page = client.get(f"/inspections/public/draws/{d.pk}/")
    assert page.status_code == 200
    assert d.seed_digest in page.content.decode() and d.seed not in page.content.decode()
    assert client.get(f"/inspections/public/draws/{d.pk}/inputs.json").status_code == 404
    client.force_login(yingji)
    api = client.get(f"/api/v1/draws/{d.pk}/").json()
    assert api["seed"] is None and api["seed_digest"] == d.seed_digest

    draws.publish_draw(d, actor=yingji)
    assert client.get(f"/api/v1/draws/{d.pk}/").json()["seed"] == d.seed


def test_it_freezes_declared_conflicts_and_recent_pairs_and_never_breaks_them(
    district: Any, clock: Any
) -> None:
    yingji, yingji_2, bing = district.officers[0], district.officers[1], district.officers[2]
    conflicted, visited = district.units[0], district.units[1]
    InspectorConflict.objects.create(
        inspector=yingji,
        enterprise=conflicted,
        reason="近亲属任该单位负责人",
        declared_on=dt.date(2025, 1, 2),
    )
    visit(district, visited, [yingji_2, bing], dt.date(2025, 2, 20))
    # Every unit drawn, so both units are certainly among the results.
    d = new_draw(district, recent_days=0, proportion="100")
    draws.commit_draw(d, actor=district.world.yingji)
    d.refresh_from_db()
    pairs = {tuple(p) for p in d.excluded_pairs}
    assert (yingji.pk, conflicted.pk) in pairs
    assert {(yingji_2.pk, visited.pk), (bing.pk, visited.pk)} <= pairs

    draws.perform_draw(d, actor=district.world.yingji)
    teams = {a.enterprise_id: set(a.officer_ids) for a in d.assignments.all()}
    assert yingji.pk not in teams[conflicted.pk]
    assert not {yingji_2.pk, bing.pk} & teams[visited.pk]
    assert all((o, e) not in pairs for e, team in teams.items() for o in team)


def test_it_leaves_out_recently_inspected_units_and_units_at_their_cap(district: Any, clock: Any) -> None:
    yingji = district.world.yingji
    recent, capped = district.units[2], district.units[3]
    visit(district, recent, district.officers[:2], dt.date(2025, 2, 25))
    # 小微 machinery may be inspected once a year here; it was, in January (outside the 30-day window).
    caps.create_cap(
        actor=district.world.anweiban,
        industry=capped.primary_industry,
        standardisation_grade=capped.standardisation_grade,
        max_per_year=1,
        source="测试：本区上限",
    )
    with_cap = visit(district, capped, district.officers[2:4], dt.date(2025, 3, 3))
    Inspection.objects.filter(pk=with_cap.pk).update(planned_on=dt.date(2025, 1, 10))

    d = new_draw(district, recent_days=30)
    draws.commit_draw(d, actor=yingji)
    d.refresh_from_db()
    assert recent.pk not in d.entity_pool
    assert capped.pk not in d.entity_pool
    assert d.criteria["excluded"] == {"recently_inspected": 1, "at_cap": 1}


def test_it_filters_the_pool_by_region_risk_and_grade(district: Any, clock: Any) -> None:
    heshi = district.world.regions["河市镇"]
    criteria = DrawCriteria.from_json(
        {"count": 1, "region": heshi.code, "high_risk": "false", "grades": ["3"]}
    )
    pools = draws.preview_pools(district.emergency, criteria, actor=district.world.yingji)
    units = {u.pk: u for u in district.units}
    expected = {
        u.pk
        for u in district.units
        if u.region.code.startswith(heshi.scope_prefix)
        and not u.is_high_risk
        and not u.primary_industry.high_risk
        and u.standardisation_grade == "3"
    }
    assert set(pools.entities) == expected and len(expected) == 2
    assert all(pk in units for pk in pools.entities)


def test_it_refuses_to_commit_without_enough_certified_officers(district: Any, clock: Any) -> None:
    d = new_draw(district, officers_per_check=6)
    with pytest.raises(ValidationError) as caught:
        draws.commit_draw(d, actor=district.world.yingji)
    assert "officers_per_check" in caught.value.message_dict
    assert "5 人" in caught.value.message_dict["officers_per_check"][0]
    d.refresh_from_db()
    assert d.status == DrawStatus.DRAFT and not d.seed


def test_it_fails_the_draw_with_a_clear_error_rather_than_break_回避(
    district: Any, clock: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Each officer may take one check; unit 0 conflicts with three of the five officers, so whether a lawful
    # team is left for it depends on who the earlier units took. Find a seed where none is left.
    a, b, c = district.officers[:3]
    tight = district.units[0]
    for officer in (a, b, c):
        InspectorConflict.objects.create(
            inspector=officer, enterprise=tight, reason="利害关系", declared_on=dt.date(2025, 1, 2)
        )
    criteria = DrawCriteria.from_json({"proportion": "100", "max_per_officer": 1, "recent_days": 0})
    pools = draws.preview_pools(district.emergency, criteria)
    # Only two checks are possible (five officers, one check each, two per team); draw the tight unit among them.
    units = [tight.pk, district.units[1].pk]
    inputs = draws.frozen_inputs(
        draws.Pools(units, pools.officers, {p for p in pools.pairs if p[1] in units}, None),
        DrawCriteria(count=2, max_per_officer=1),
    )
    seed = next(s for s in (f"{i:064x}" for i in range(500)) if _infeasible(inputs, s))
    monkeypatch.setattr(draws.secrets, "token_hex", lambda n: seed)
    monkeypatch.setattr(
        draws, "build_pools", lambda *args, **kw: draws.Pools(units, pools.officers, pools.pairs, None)
    )
    d = new_draw(district, count=2, max_per_officer=1, recent_days=0)
    draws.commit_draw(d, actor=district.world.yingji)
    d.refresh_from_db()

    with pytest.raises(draws.DrawError) as caught:
        draws.perform_draw(d, actor=district.world.yingji)
    assert tight.name in caught.value.message and "回避" in caught.value.message
    d.refresh_from_db()
    assert d.status == DrawStatus.COMMITTED and not DrawAssignment.objects.filter(draw=d).exists()


def _infeasible(inputs: Any, seed: str) -> bool:
    try:
        draw(inputs, seed)
    except DrawInfeasible:
        return True
    return False


def test_it_redraws_only_with_a_reason_and_keeps_the_old_draw(district: Any, clock: Any) -> None:
    yingji = district.world.yingji
    old = new_draw(district)
    draws.commit_draw(old, actor=yingji)
    draws.perform_draw(old, actor=yingji)
    with pytest.raises(ValidationError):
        draws.redraw(old, actor=yingji, reason=" ")

    new = draws.redraw(
        old, actor=yingji, reason="抽中的执法人员丙因病住院，无法按期检查", version=old.version
    )
    old.refresh_from_db()
    assert old.status == DrawStatus.SUPERSEDED and old.assignments.count() == 3
    assert new.status == DrawStatus.COMMITTED and new.redraw_of == old and new.seed != old.seed
    assert new.redraw_reason.startswith("抽中的执法人员丙")
    assert draws.replay(old).ok  # the superseded draw stays verifiable, its seed now public
    assert events_of(new)[-1] == "DRAW_REDRAWN"
    assert AuditEntry.objects.get(object_id=str(new.pk), event="DRAW_REDRAWN").data["redraw_of"] == old.code

    draws.perform_draw(new, actor=yingji)
    draws.publish_draw(new, actor=yingji)
    with pytest.raises(draws.DrawError):
        draws.redraw(new, actor=yingji, reason="结果不满意重新抽")


def test_it_replays_from_the_command_line_and_catches_tampering(district: Any, clock: Any) -> None:
    yingji = district.world.yingji
    d = new_draw(district)
    draws.commit_draw(d, actor=yingji)
    draws.perform_draw(d, actor=yingji)
    draws.publish_draw(d, actor=yingji)
    out = StringIO()
    call_command("draw", "replay", str(d.pk), stdout=out)
    assert "复核通过" in out.getvalue() and d.pool_digest in out.getvalue()
    inputs = StringIO()
    call_command("draw", "inputs", d.code, stdout=inputs)
    assert sm3_hex(inputs.getvalue().strip().encode("utf-8")) == d.pool_digest

    first = d.assignments.order_by("position").first()
    other = next(o for o in d.officer_pool if o not in first.officer_ids)
    DrawAssignment.objects.filter(pk=first.pk).update(officer_ids=[other, first.officer_ids[1]])
    out = StringIO()
    with pytest.raises(SystemExit) as exited:
        call_command("draw", "replay", d.code, stdout=out)
    assert exited.value.code == 1
    assert "不一致" in out.getvalue()


def test_it_keeps_each_department_to_its_own_draws(district: Any, clock: Any) -> None:
    d = new_draw(district)
    with pytest.raises(NotPermitted):
        draws.commit_draw(d, actor=district.world.zhujian)
    with pytest.raises(NotPermitted):
        draws.create_draw(
            actor=district.world.zhujian,
            department=district.emergency,
            title="越权",
            criteria=DrawCriteria.from_json({"count": 1}),
        )
    with pytest.raises(NotPermitted):
        draws.commit_draw(d, actor=district.world.anweiban)  # the office reads draws, it does not run them


def test_it_adds_the_drawn_units_to_the_plan_it_executes(district: Any, clock: Any) -> None:
    yingji, office = district.world.yingji, district.world.anweiban
    plan = plans.create_plan(
        actor=yingji, department=district.emergency, year=2025, title="2025年计划", random_ratio=20
    )
    plans.add_plan_unit(plan, actor=yingji, enterprise=district.units[5], planned_quarter=2)
    plans.submit_plan(plan, actor=yingji)
    plans.approve_plan(plan, actor=office)
    assert plan.status == PlanStatus.APPROVED
    d = draws.create_draw(
        actor=yingji,
        department=district.emergency,
        plan=plan,
        title="计划内抽查",
        criteria=DrawCriteria.from_json({"count": 2, "recent_days": 0}),
    )
    draws.commit_draw(d, actor=yingji)
    draws.perform_draw(d, actor=yingji)
    draws.publish_draw(d, actor=yingji)
    drawn = set(d.assignments.values_list("enterprise_id", flat=True))
    random_units = set(
        PlanUnit.objects.filter(plan=plan, kind=PlanUnitKind.RANDOM).values_list("enterprise_id", flat=True)
    )
    assert random_units == drawn - {district.units[5].pk}
    progress = plans.plan_progress(plan)
    assert progress.random_drawn == 2 and progress.draws_published == 1 and progress.random_completed == 0
