"""双随机抽查: the services of a verifiable draw (every write to a draw goes through here).

    create_draw   待公布承诺  conditions entered (a draft; editable)
    commit_draw   已公布承诺  pools frozen as canonical JSON; a secret seed generated; SM3 of both published
    perform_draw  已抽取      the pure algorithm (draw_algorithm.py) run on the frozen inputs and the seed
    publish_draw  已公开      seed revealed; one inspection task per assignment (create_inspection)
    redraw        已重新抽取  with a reason: the old draw is kept (seed revealed) and a new one committed

A draw fails rather than break 回避: if a drawn unit cannot be staffed with enough officers free of conflicts,
nothing is saved and the message says which unit and why. `replay(draw)` recomputes a draw from what is stored
and says whether the assignments and the three digests match (`zhiben draw replay <id>`).

Permissions (accounts/roles.py): a department's users hold inspections.draw add/change/draw, for their own
department's draws only (Draw is scoped by department).
"""

from __future__ import annotations

import datetime as dt
import secrets
from dataclasses import dataclass
from typing import Any

from django.core.cache import cache
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from zhiben.core import audit
from zhiben.core.errors import DomainError, NotPermitted
from zhiben.core.loop.records import pin
from zhiben.core.sequences import next_value
from zhiben.core.workflow import compare_and_swap
from zhiben.registry.models import Department, Enterprise

from .. import events, steps
from ..choices import DrawStatus, Mode, Origin, PlanStatus, PlanUnitKind
from ..draw_algorithm import (
    ALGORITHM,
    Assignment,
    DrawInfeasible,
    DrawInputError,
    DrawInputs,
    draw,
    result_digest,
    seed_digest,
)
from ..draw_pools import DrawCriteria, Pools, build_pools
from ..events import DRAW_CREATED
from ..models import Draw, DrawAssignment, InspectionPlan, Inspector, PlanUnit
from .plans import acting_departments
from .records import create_inspection


class DrawError(DomainError):
    """A rule of 双随机 draws refused the action."""


TRANSITIONS = steps.DRAW_FLOW.transitions
REVEALED = (DrawStatus.PUBLISHED, DrawStatus.SUPERSEDED)
COMMITTED_STATES = (DrawStatus.COMMITTED, DrawStatus.DRAWN, DrawStatus.PUBLISHED, DrawStatus.SUPERSEDED)
MIN_REASON = 4
FROZEN_NOTES = ("excluded", "candidates", "pairs")  # what freezing adds to the criteria, for the pages
VERIFY_CACHE_SECONDS = 600
BIG_FIELDS = ("entity_pool", "officer_pool", "excluded_pairs", "weights")


def today() -> dt.date:
    return timezone.localdate()


def _require(actor: Any, action: str, draw_obj: Draw | None = None) -> None:
    """The actor holds `action` on draws and (for a draw) on this one: else 403 with the flow's words."""
    steps.DRAW_FLOW.require(actor, action, draw_obj)


def _clean_plan(plan: InspectionPlan | None, department: Department) -> None:
    if plan is None:
        return
    if plan.department_id != department.pk:
        raise ValidationError({"plan": _("只能关联本部门的年度计划。")})
    if plan.status != PlanStatus.APPROVED:
        raise ValidationError({"plan": _("年度计划尚未批准，不能据以抽查。")})


def _clean_title(title: str) -> str:
    if not (title or "").strip():
        raise ValidationError({"title": _("请填写抽查任务名称。")})
    return title.strip()[:200]


def _next_code(year: int) -> str:
    return f"SJ{year}-{next_value(f'draw/{year}'):04d}"


# --- drafting ------------------------------------------------------------------------------------------------


@transaction.atomic
def create_draw(
    *,
    actor: Any,
    department: Department,
    title: str,
    criteria: DrawCriteria,
    subject: str = "",
    plan: InspectionPlan | None = None,
) -> Draw:
    """创建双随机抽查任务: the conditions of the pools, count and teams, as a draft."""
    _require(actor, "add")
    if actor is not None and department.pk not in acting_departments(actor, "add", Draw):
        raise NotPermitted(_("只能以本部门名义创建抽查。"))
    title = _clean_title(title)
    _clean_plan(plan, department)
    obj = Draw.objects.create(
        code=_next_code(today().year),
        department=department,
        plan=plan,
        title=title,
        subject=subject.strip()[:200],
        criteria=criteria.to_json(),
        status=DrawStatus.DRAFT,
        algorithm=ALGORITHM,
        created_by=actor if getattr(actor, "is_authenticated", False) else None,
    )
    audit.record(obj, DRAW_CREATED, actor=actor, data={"code": obj.code, "criteria": obj.criteria})
    return obj


@transaction.atomic
def update_draw(
    draw_obj: Draw,
    *,
    actor: Any,
    version: int | None = None,
    title: str | None = None,
    subject: str | None = None,
    plan: InspectionPlan | None = None,
    criteria: DrawCriteria | None = None,
) -> Draw:
    """修改抽取条件: only before the commitment is published (afterwards the pools are frozen)."""
    _require(actor, "change", draw_obj)
    pin(draw_obj, version, steps.DRAW_FLOW.stale)
    if draw_obj.status != DrawStatus.DRAFT:
        raise DrawError(_("承诺值已公布，抽取条件已冻结，不能修改；确需调整请重新抽取并说明理由。"))
    changes: dict[str, Any] = {}
    if title is not None:
        changes["title"] = _clean_title(title)
    if subject is not None:
        changes["subject"] = subject.strip()[:200]
    _clean_plan(plan, draw_obj.department)
    changes["plan"] = plan
    if criteria is not None:
        changes["criteria"] = criteria.to_json()
    compare_and_swap(draw_obj, expected={"status": DrawStatus.DRAFT}, changes=changes)
    audit.record(
        draw_obj,
        events.DRAW_UPDATED,
        actor=actor,
        data={k: (v.pk if hasattr(v, "pk") else v) for k, v in changes.items()},
    )
    return draw_obj


# --- commitment ----------------------------------------------------------------------------------------------


def preview_pools(department: Department, criteria: DrawCriteria, *, actor: Any = None) -> Pools:
    """The pools as they would be frozen now (the live pool size on the draw form)."""
    return build_pools(department, criteria, today(), actor)


def frozen_inputs(pools: Pools, criteria: DrawCriteria) -> DrawInputs:
    """Check the pools can make a lawful draw, then normalise them into the algorithm's inputs."""
    errors: dict[str, str] = {}
    if not pools.entities:
        errors["criteria"] = _("符合条件的检查对象为 0 家，请放宽抽取条件。")
    m = criteria.officers_per_check
    if len(pools.officers) < m:
        errors["officers_per_check"] = _(
            "本部门在抽取日持有有效行政执法证的执法人员仅 %(n)s 人，每个检查组至少需要 %(m)s 人。"
        ) % {"n": len(pools.officers), "m": m}
    count = pools.count_for(criteria) if pools.entities else 0
    if pools.entities and count > len(pools.entities):
        errors["count"] = _("抽取数量 %(c)s 超过检查对象名录的 %(n)s 家。") % {
            "c": count,
            "n": len(pools.entities),
        }
    if pools.entities and count < 1:
        errors["count"] = _("抽取数量至少为 1。")
    cap = criteria.max_per_officer
    if cap is not None and count * m > cap * len(pools.officers) and "officers_per_check" not in errors:
        errors["max_per_officer"] = _(
            "%(c)s 个检查组共需 %(need)s 人次，%(n)s 名执法人员每人最多 %(cap)s 次，不足以安排。"
        ) % {"c": count, "need": count * m, "n": len(pools.officers), "cap": cap}
    if errors:
        raise ValidationError(errors)
    return DrawInputs.build(
        entities=pools.entities,
        officers=pools.officers,
        excluded_pairs=pools.pairs,
        weights=pools.weights,
        count=count,
        officers_per_check=m,
        max_per_officer=cap,
    )


def _freeze(draw_obj: Draw, actor: Any) -> dict[str, Any]:
    """Freeze the pools and generate the secret seed; returns the field changes and the audit data."""
    criteria = DrawCriteria.from_json(draw_obj.criteria)
    now = timezone.now()
    pools = build_pools(draw_obj.department, criteria, timezone.localdate(now), actor)
    inputs = frozen_inputs(pools, criteria)
    doc = inputs.document()
    seed = secrets.token_hex(32)  # secret until the result is published
    return {
        "criteria": {
            **criteria.to_json(),
            "excluded": pools.excluded,
            "candidates": pools.candidates,
            "pairs": len(inputs.excluded_pairs),
        },
        "algorithm": ALGORITHM,
        "entity_pool": doc["entities"],
        "officer_pool": doc["officers"],
        "excluded_pairs": doc["excluded_pairs"],
        "weights": doc["weights"],
        "parameters": doc["parameters"],
        "entity_count": len(inputs.entities),
        "officer_count": len(inputs.officers),
        "pool_digest": inputs.pool_digest(),
        "seed": seed,
        "seed_digest": seed_digest(seed),
        "committed_at": now,
    }


def _commit_data(changes: dict[str, Any]) -> dict[str, Any]:
    return {
        "pool_digest": changes["pool_digest"],
        "seed_digest": changes["seed_digest"],
        "entity_count": changes["entity_count"],
        "officer_count": changes["officer_count"],
        "excluded_pairs": len(changes["excluded_pairs"]),
        "parameters": changes["parameters"],
        "excluded": changes["criteria"]["excluded"],
    }


@steps.COMMIT_DRAW.implements
@transaction.atomic
def commit_draw(draw_obj: Draw, *, actor: Any, version: int | None = None) -> Draw:
    """公布承诺值: freeze the pools, generate the secret seed, publish SM3 of both before drawing."""
    steps.DRAW_FLOW.require(actor, steps.COMMIT_DRAW, draw_obj)
    pin(draw_obj, version, steps.DRAW_FLOW.stale)
    steps.DRAW_FLOW.check(draw_obj, steps.COMMIT_DRAW)
    changes = _freeze(draw_obj, actor)
    # The audit row publishes the digests, never the seed itself.
    steps.DRAW_FLOW.advance(
        draw_obj, steps.COMMIT_DRAW, actor=actor, changes=changes, audit_data=_commit_data(changes)
    )
    return draw_obj


# --- drawing -------------------------------------------------------------------------------------------------


def stored_inputs(draw_obj: Draw) -> DrawInputs:
    """The frozen inputs exactly as stored (and checked to be in canonical form)."""
    if draw_obj.algorithm != ALGORITHM:
        raise DrawError(_("未知的抽取算法版本 %(a)s。") % {"a": draw_obj.algorithm})
    return DrawInputs.from_document(frozen_document(draw_obj))


def frozen_document(draw_obj: Draw) -> dict[str, Any]:
    """The canonical frozen inputs (what `pool_digest` covers), as published for verification."""
    return {
        "algorithm": draw_obj.algorithm,
        "entities": draw_obj.entity_pool,
        "officers": draw_obj.officer_pool,
        "excluded_pairs": draw_obj.excluded_pairs,
        "weights": draw_obj.weights,
        "parameters": draw_obj.parameters,
    }


def _infeasible_message(exc: DrawInfeasible) -> str:
    name = Enterprise.objects.filter(pk=exc.entity).values_list("name", flat=True).first() or exc.entity
    return _(
        "第 %(p)s 个抽中单位“%(n)s”可安排的无回避执法人员不足 %(m)s 人（已安排 %(f)s 人）。为遵守回避规定，"
        "本次未抽取；请补充执法人员、放宽每人最多检查次数，或说明理由后重新抽取。"
    ) % {"p": exc.position, "n": name, "m": exc.needed, "f": exc.found}


@steps.PERFORM_DRAW.implements
@transaction.atomic
def perform_draw(draw_obj: Draw, *, actor: Any, version: int | None = None) -> Draw:
    """执行抽取: run the algorithm on the frozen inputs and the committed seed; store the assignments."""
    steps.DRAW_FLOW.require(actor, steps.PERFORM_DRAW, draw_obj)
    pin(draw_obj, version, steps.DRAW_FLOW.stale)
    steps.DRAW_FLOW.check(draw_obj, steps.PERFORM_DRAW)
    inputs = stored_inputs(draw_obj)
    if inputs.pool_digest() != draw_obj.pool_digest or seed_digest(draw_obj.seed) != draw_obj.seed_digest:
        raise DrawError(_("冻结的名录或种子与已公布的承诺值不符，不能抽取。"))
    try:
        assignments = draw(inputs, draw_obj.seed)
    except DrawInfeasible as exc:
        raise DrawError(_infeasible_message(exc), field="officers_per_check")
    except DrawInputError as exc:
        raise DrawError(str(exc))
    digest = result_digest(draw_obj.pool_digest, draw_obj.seed, assignments)
    steps.DRAW_FLOW.advance(
        draw_obj,
        steps.PERFORM_DRAW,
        actor=actor,
        changes={"drawn_at": timezone.now(), "result_digest": digest},
        audit_data={"result_digest": digest, "count": len(assignments)},
    )
    DrawAssignment.objects.bulk_create(
        [
            DrawAssignment(draw=draw_obj, position=i, enterprise_id=unit, officer_ids=list(team))
            for i, (unit, team) in enumerate(assignments, start=1)
        ],
        batch_size=2000,
    )
    return draw_obj


# --- publication ---------------------------------------------------------------------------------------------


@steps.PUBLISH_DRAW.implements
@transaction.atomic
def publish_draw(draw_obj: Draw, *, actor: Any, version: int | None = None) -> Draw:
    """公开结果: reveal the seed, and create one inspection task (双随机) per assignment with its team."""
    steps.DRAW_FLOW.require(actor, steps.PUBLISH_DRAW, draw_obj)
    pin(draw_obj, version, steps.DRAW_FLOW.stale)
    steps.DRAW_FLOW.check(draw_obj, steps.PUBLISH_DRAW)
    criteria = DrawCriteria.from_json(draw_obj.criteria)
    planned_on = max(criteria.planned_on or today(), today())
    rows = list(draw_obj.assignments.select_related("enterprise__region", "enterprise__primary_industry"))
    people = Inspector.objects.unrestricted("service: the draw's").in_bulk(
        {o for a in rows for o in a.officer_ids}
    )
    subject = draw_obj.subject or _("双随机抽查：%(t)s") % {"t": draw_obj.title}
    codes = []
    for row in rows:
        try:
            inspection = create_inspection(
                actor=actor,
                enterprise=row.enterprise,
                department=draw_obj.department,
                mode=Mode.ROUTINE,
                origin=Origin.RANDOM,
                planned_on=planned_on,
                officers=[people[o] for o in row.officer_ids],
                subject=subject,
            )
        except ValidationError as exc:
            raise DrawError(
                _("抽中单位“%(n)s”不能创建检查任务：%(m)s")
                % {"n": row.enterprise.name, "m": "；".join(exc.messages)}
            )
        DrawAssignment.objects.unrestricted("service: the draw's").filter(pk=row.pk).update(
            inspection=inspection, updated_at=timezone.now()
        )
        codes.append(inspection.code)
        if (
            draw_obj.plan_id
            and not PlanUnit.objects.filter(plan_id=draw_obj.plan_id, enterprise=row.enterprise).exists()
        ):
            PlanUnit.objects.create(
                plan_id=draw_obj.plan_id,
                enterprise=row.enterprise,
                kind=PlanUnitKind.RANDOM,
                planned_quarter=(planned_on.month - 1) // 3 + 1,
                inspection=inspection,
            )
    steps.DRAW_FLOW.advance(
        draw_obj,
        steps.PUBLISH_DRAW,
        actor=actor,
        changes={"published_at": timezone.now()},
        audit_data={"seed": draw_obj.seed, "result_digest": draw_obj.result_digest, "inspections": codes},
    )
    return draw_obj


# --- re-draw -------------------------------------------------------------------------------------------------


@steps.REDRAW.implements
@transaction.atomic
def redraw(draw_obj: Draw, *, actor: Any, reason: str, version: int | None = None) -> Draw:
    """重新抽取: supersede a committed or drawn (unpublished) draw, with a reason; a new draw is committed.

    The old draw stays, with its seed revealed, so anyone can see what the re-draw replaced.
    """
    steps.DRAW_FLOW.require(actor, steps.REDRAW, draw_obj)
    pin(draw_obj, version, steps.DRAW_FLOW.stale)
    reason = (reason or "").strip()
    if len(reason) < MIN_REASON:
        raise ValidationError({"reason": _("重新抽取须说明理由（不少于 %(n)s 个字）。") % {"n": MIN_REASON}})
    if draw_obj.status == DrawStatus.PUBLISHED:
        raise DrawError(
            _("结果已公开并已生成检查任务，不能重新抽取；如需调整，请取消相应检查任务后另行组织抽查。")
        )
    # The old draw is superseded here; the audit row is the new draw's (below), as it always was.
    steps.DRAW_FLOW.advance(draw_obj, steps.REDRAW, actor=actor, audited=False)
    criteria = {k: v for k, v in draw_obj.criteria.items() if k not in FROZEN_NOTES}
    new = Draw.objects.create(
        code=_next_code(today().year),
        department=draw_obj.department,
        plan=draw_obj.plan,
        title=draw_obj.title,
        subject=draw_obj.subject,
        criteria=criteria,
        status=DrawStatus.DRAFT,
        algorithm=ALGORITHM,
        redraw_of=draw_obj,
        redraw_reason=reason,
        created_by=actor if getattr(actor, "is_authenticated", False) else None,
    )
    changes = _freeze(new, actor)
    steps.DRAW_FLOW.advance(
        new,
        steps.COMMIT_DRAW,
        actor=actor,
        changes=changes,
        event=steps.REDRAW.event,
        audit_data={
            "redraw_of": draw_obj.code,
            "reason": reason,
            "superseded_seed": draw_obj.seed,
            "superseded_status": draw_obj.status,
            **_commit_data(changes),
        },
    )
    return new


# --- verification --------------------------------------------------------------------------------------------


@dataclass
class ReplayReport:
    """What `zhiben draw replay` found: each check is True, False, or None when it does not apply yet."""

    draw: Draw
    pool_digest: bool | None
    seed_digest: bool | None
    assignments: bool | None
    result_digest: bool | None
    recomputed: list[Assignment]
    stored: list[Assignment]
    error: str = ""

    @property
    def ok(self) -> bool:
        checks = (self.pool_digest, self.seed_digest, self.assignments, self.result_digest)
        return not self.error and all(c is not False for c in checks) and any(c for c in checks)


def stored_assignments(draw_obj: Draw) -> list[Assignment]:
    rows = draw_obj.assignments.order_by("position").values_list("enterprise_id", "officer_ids")
    return [(e, tuple(int(o) for o in team)) for e, team in rows]


def replay(draw_obj: Draw) -> ReplayReport:
    """Recompute a draw from its stored frozen inputs and seed; compare with what was stored and published."""
    stored = stored_assignments(draw_obj)
    if draw_obj.status == DrawStatus.DRAFT or not draw_obj.seed:
        return ReplayReport(
            draw_obj, None, None, None, None, [], stored, _("该抽查尚未公布承诺值，无可复核内容。")
        )
    try:
        inputs = stored_inputs(draw_obj)
    except (DrawInputError, DrawError) as exc:
        return ReplayReport(draw_obj, False, None, None, None, [], stored, str(exc))
    pool_ok = inputs.pool_digest() == draw_obj.pool_digest
    seed_ok = seed_digest(draw_obj.seed) == draw_obj.seed_digest
    try:
        recomputed = draw(inputs, draw_obj.seed)
    except DrawInfeasible as exc:
        drawn = draw_obj.drawn_at is not None
        return ReplayReport(draw_obj, pool_ok, seed_ok, False if drawn else None, None, [], stored, str(exc))
    if draw_obj.drawn_at is None:  # committed (and perhaps superseded) but never drawn
        return ReplayReport(draw_obj, pool_ok, seed_ok, None, None, recomputed, stored)
    result_ok = result_digest(draw_obj.pool_digest, draw_obj.seed, recomputed) == draw_obj.result_digest
    return ReplayReport(draw_obj, pool_ok, seed_ok, recomputed == stored, result_ok, recomputed, stored)


def verification(draw_obj: Draw) -> dict[str, Any]:
    """The replay's verdict for the pages, cached for a while: recomputing a province-scale draw takes about a
    second, and the public page must not let every visitor trigger one. Pages may pass a draw loaded without
    its frozen pools; they are read here only when the verdict is not cached."""
    key = f"draw-verify:{draw_obj.pk}:{draw_obj.version}:{draw_obj.result_digest or draw_obj.seed_digest}"
    verdict = cache.get(key)
    if verdict is None:
        report = replay(Draw.objects.unrestricted("a draw read in scope").get(pk=draw_obj.pk))
        verdict = {
            "ok": report.ok,
            "pool_digest": report.pool_digest,
            "seed_digest": report.seed_digest,
            "assignments": report.assignments,
            "result_digest": report.result_digest,
            "error": report.error,
        }
        cache.set(key, verdict, VERIFY_CACHE_SECONDS)
    return verdict
