"""The write path of 双重预防 and 一会三卡. Each function is one transaction: permission and scope (403, or the
flow's guard), the version pin (409), the rows, one audit row (through the flow for steps).

* risk points: `register_point`, `update_point`, `assess_point` (LEC/LS against the region's table version),
  `save_zone` and `upload_plan` (四色图), `record_patrol` (a 不符合 control registers a 一般 hazard through the
  hazards app's own service and flags the point 待重新评估);
* band tables: `calculate` (no write; the API's calculator), `add_table` (a new version, checked for gaps and
  overlaps), `adopt_table` (a region's new assessments use it);
* 一会三卡: `add_post` (the post with its 体检卡 and 应急处置卡 from a template), `record_meeting`, `record_check`,
  and the 动工卡 steps `apply_permit` → `confirm_permit` → `finish_permit` (`return_permit` → `resubmit_permit`,
  `cancel_permit`).
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from zhiben.core import audit, uploads
from zhiben.core.errors import Conflict, NotPermitted
from zhiben.core.loop import pin
from zhiben.core.scoping import can
from zhiben.core.sequences import next_value
from zhiben.core.workflow import compare_and_swap
from zhiben.hazards.choices import Level as HazardLevel
from zhiben.hazards.models import Hazard
from zhiben.hazards.services import register_hazard
from zhiben.registry.models import Enterprise, Region

from . import events, grading, reference
from .choices import LEVEL_BY_NAME, Method, PermitStatus, PointStatus
from .models import (
    Assessment,
    Patrol,
    Post,
    PostCard,
    PreShiftCheck,
    RiskPoint,
    RiskTable,
    ShiftMeeting,
    SitePlan,
    TableAdoption,
    WorkPermit,
)
from .steps import (
    APPLY,
    ASSESS,
    CANCEL,
    CONFIRM,
    FINISH,
    FLAG,
    PERMIT_FLOW,
    POINT_FLOW,
    REGISTER,
    RESUBMIT,
    RETURN,
)

PLAN_TYPES = frozenset({"image/jpeg", "image/png"})
MAX_ZONE_VERTICES = 60


def _require(actor: Any, action: str, model: Any, enterprise: Enterprise | None = None) -> None:
    if actor is None:
        return
    if not can(actor, action, model):
        raise NotPermitted(_("您无权执行此操作。"))
    if (
        enterprise is not None
        and not Enterprise.objects.restrict(actor, "view").filter(pk=enterprise.pk).exists()
    ):
        raise NotPermitted(_("该单位不在您的职责范围内。"))


# --- risk points ---------------------------------------------------------------------------------------------


@REGISTER.implements
@transaction.atomic
def register_point(
    *,
    actor: Any,
    enterprise: Enterprise,
    kind: str,
    name: str,
    location: str = "",
    factors: list[dict[str, str]] | None = None,
    controls: list[dict[str, str]] | None = None,
    responsible_level: str = "team",
    responsible_person: str = "",
) -> RiskPoint:
    _require(actor, "add", RiskPoint, enterprise)
    if not name.strip():
        raise ValidationError({"name": _("请填写风险点名称。")})
    point = RiskPoint.objects.create(
        enterprise=enterprise,
        kind=kind,
        name=name.strip(),
        location=location,
        factors=factors or [],
        controls=controls or [],
        responsible_level=responsible_level,
        responsible_person=responsible_person,
        created_by=actor,
    )
    POINT_FLOW.record_created(point, REGISTER, actor=actor, data={"name": point.name, "kind": kind})
    return point


@transaction.atomic
def update_point(
    point: RiskPoint, *, actor: Any, version: int | str | None = None, **fields: Any
) -> RiskPoint:
    POINT_FLOW.require(actor, "change", point)
    pin(point, version)
    allowed = {"kind", "name", "location", "factors", "controls", "responsible_level", "responsible_person"}
    changes = {k: v for k, v in fields.items() if k in allowed and getattr(point, k) != v}
    if changes:
        compare_and_swap(point, expected={}, changes=changes)
        audit.record(point, events.POINT_UPDATED, actor=actor, data={"changed": sorted(changes)})
    return point


def calculate(method: str, raw: dict[str, Any], region: Region | None = None) -> dict[str, Any]:
    """The calculator (no write): score, level, colour and the table version of `region` (or the default)."""
    if method not in Method.values:
        raise ValidationError({"method": _("评价方法应为 LEC 或 LS。")})
    table = reference.table_for(method, region)
    values = grading.read_inputs(method, table.data, raw)
    g = grading.grade(grading.score_of(values), table.data)
    return {
        "score": g.score,
        "level": g.level,
        "colour": g.colour,
        "table": table.code,
        "table_obj": table,
        "inputs": values,
    }


@ASSESS.implements
@transaction.atomic
def assess_point(
    point: RiskPoint,
    *,
    actor: Any,
    method: str,
    L: Any = None,
    E: Any = None,
    C: Any = None,
    S: Any = None,
    note: str = "",
    version: int | str | None = None,
    on: dt.date | None = None,
) -> Assessment:
    POINT_FLOW.require(actor, ASSESS, point)
    pin(point, version)
    result = calculate(method, {"L": L, "E": E, "C": C, "S": S}, point.enterprise.region)
    level = LEVEL_BY_NAME[result["level"]]
    on = on or timezone.localdate()
    assessment = Assessment.objects.create(
        point=point,
        method=method,
        inputs={k: grading.plain(v) for k, v in result["inputs"].items()},
        score=result["score"],
        level=level,
        table=result["table_obj"],
        assessed_by=actor,
        assessed_on=on,
        note=note,
    )
    POINT_FLOW.advance(
        point,
        ASSESS,
        actor=actor,
        note=note,
        changes={"level": level, "score": result["score"], "assessed_on": on, "reassess_reason": ""},
        data={"method": method, "score": grading.plain(result["score"]), "table": result["table"]},
    )
    return assessment


@transaction.atomic
def save_zone(point: RiskPoint, *, actor: Any, vertices: Any) -> RiskPoint:
    """The point's zone on the site plan: 3 to 60 vertices, each [x, y] as fractions (0–1) of the plan."""
    POINT_FLOW.require(actor, "change", point)
    if vertices in (None, []):
        clean: list[list[float]] = []
    else:
        if not isinstance(vertices, list) or not 3 <= len(vertices) <= MAX_ZONE_VERTICES:
            raise ValidationError({"zone": _("区域应有 3 至 %(n)s 个顶点。") % {"n": MAX_ZONE_VERTICES}})
        clean = []
        for v in vertices:
            try:
                x, y = float(v[0]), float(v[1])
            except (TypeError, ValueError, IndexError) as exc:
                raise ValidationError({"zone": _("顶点应为 [x, y] 数对。")}) from exc
            if not (0 <= x <= 1 and 0 <= y <= 1):
                raise ValidationError({"zone": _("顶点应在平面图范围内（0 至 1）。")})
            clean.append([round(x, 4), round(y, 4)])
    compare_and_swap(point, expected={}, changes={"zone": clean})
    audit.record(point, events.ZONE_SAVED, actor=actor, data={"vertices": len(clean)})
    return point


@transaction.atomic
def upload_plan(enterprise: Enterprise, *, actor: Any, image: Any) -> SitePlan:
    _require(actor, "add", SitePlan, enterprise)
    checked = uploads.check_upload(
        image, field="image", accept=PLAN_TYPES, refused=_("“%(n)s”不是 JPEG 或 PNG 图片。")
    )
    plan = SitePlan(
        enterprise=enterprise,
        content_type=checked.content_type,
        name=(image.name or "plan")[:200],
        uploaded_by=actor,
    )
    plan.image.save(checked.file_name(f"plan-{enterprise.pk}"), image, save=False)
    plan.save()
    audit.record(plan, events.PLAN_UPLOADED, actor=actor, data={"name": plan.name})
    return plan


@transaction.atomic
def record_patrol(
    point: RiskPoint,
    *,
    actor: Any,
    results: list[dict[str, Any]],
    note: str = "",
    at: dt.datetime | None = None,
) -> Patrol:
    """A patrol check of the point's controls. Any 不符合: a 一般 hazard registered through the hazard loop
    (linked to the patrol), and an assessed point flagged 待重新评估."""
    POINT_FLOW.require(actor, "patrol", point)
    if not results:
        raise ValidationError({"results": _("该风险点没有管控措施，无法巡查；请先补充管控措施。")})
    failed = [r for r in results if not r.get("ok")]
    at = at or timezone.now()
    patrol = Patrol.objects.create(
        point=point, checked_by=actor, checked_at=at, results=results, conforming=not failed, note=note
    )
    if failed:
        text = "；".join(
            f"{r['control']}{('（' + r['note'] + '）') if r.get('note') else ''}" for r in failed
        )
        hazard = register_hazard(
            actor=actor,
            enterprise=point.enterprise,
            level=HazardLevel.GENERAL,
            title=(_("风险点“%(p)s”管控措施不符合：%(c)s") % {"p": point.name, "c": failed[0]["control"]})[
                :180
            ],
            discovered_on=timezone.localtime(at).date(),
            description=_("风险点巡查发现管控措施不符合：%(t)s。%(n)s") % {"t": text, "n": note},
            location=point.location or point.name,
            finder=getattr(actor, "name_and_unit", "") if actor is not None else "",
        )
        patrol.hazard = hazard
        patrol.save(update_fields=["hazard", "updated_at"])
        if point.status == PointStatus.ASSESSED:
            POINT_FLOW.advance(
                point,
                FLAG,
                actor=actor,
                note=text[:500],
                changes={"reassess_reason": _("巡查发现管控措施不符合")[:200]},
                data={"patrol": patrol.pk, "hazard": hazard.pk},
            )
    audit.record(
        patrol,
        events.PATROL_RECORDED,
        actor=actor,
        data={"point": point.pk, "failed": len(failed), "hazard": patrol.hazard_id},
    )
    return patrol


def hazards_of(point: RiskPoint) -> list[int]:
    return list(point.patrols.exclude(hazard=None).values_list("hazard_id", flat=True))


def point_of_hazard(hazard: Hazard) -> RiskPoint | None:
    """The risk point whose patrol registered this hazard (the link lives on the patrol)."""
    patrol = (
        Patrol.objects.unrestricted("the link of a hazard already read in scope")
        .filter(hazard=hazard)
        .first()
    )
    return patrol.point if patrol is not None else None


# --- band tables ----------------------------------------------------------------------------------------------


@transaction.atomic
def add_table(*, actor: Any, code: str, method: str, name: str, data: Any, source: str) -> RiskTable:
    _require(actor, "add", RiskTable)
    code = (code or "").strip()
    if not code:
        raise ValidationError({"code": _("请填写版本编号。")})
    if RiskTable.objects.filter(code=code).exists():
        raise ValidationError(
            {"code": _("版本编号“%(c)s”已存在；分级表只能新增版本，不能覆盖。") % {"c": code}}
        )
    if RiskTable.objects.filter(name=(name or "").strip()).exists():
        raise ValidationError({"name": _("已有同名分级表，请为新版本另取名称（如加上年份）。")})
    clean = grading.check_table(method, data)
    table = RiskTable.objects.create(
        code=code, method=method, name=name, data=clean, source=source, verified=False, created_by=actor
    )
    audit.record(table, events.TABLE_ADDED, actor=actor, data={"code": code, "method": method})
    return table


@transaction.atomic
def adopt_table(*, actor: Any, region: Region, table: RiskTable) -> TableAdoption:
    _require(actor, "add", TableAdoption)
    adoption = TableAdoption.objects.create(region=region, method=table.method, table=table, adopted_by=actor)
    audit.record(
        adoption, events.TABLE_ADOPTED, actor=actor, data={"region": region.name, "table": table.code}
    )
    return adoption


# --- 一会三卡 ----------------------------------------------------------------------------------------------------


@transaction.atomic
def add_post(*, actor: Any, enterprise: Enterprise, name: str, template: str = "general") -> Post:
    """A post with its 体检卡 and 应急处置卡 from the template (contacts: the unit's 主要负责人, and 119/120)."""
    _require(actor, "add", Post, enterprise)
    name = (name or "").strip()
    if not name:
        raise ValidationError({"name": _("请填写岗位名称。")})
    if Post.objects.unrestricted("uniqueness check").filter(enterprise=enterprise, name=name).exists():
        raise ValidationError({"name": _("本单位已有岗位“%(n)s”。") % {"n": name}})
    tpl = reference.post_template(template)
    post = Post.objects.create(enterprise=enterprise, name=name, template=tpl["key"])
    contacts = [
        {
            "name": _("主要负责人 %(n)s") % {"n": enterprise.principal_name},
            "phone": enterprise.principal_phone,
        },
        {"name": _("火警"), "phone": "119"},
        {"name": _("急救"), "phone": "120"},
    ]
    PostCard.objects.bulk_create(
        [
            PostCard(post=post, kind="check", items=list(tpl["check"])),
            PostCard(post=post, kind="emergency", items=list(tpl["emergency"]), contacts=contacts),
        ]
    )
    audit.record(post, events.POST_ADDED, actor=actor, data={"name": name, "template": tpl["key"]})
    return post


@transaction.atomic
def record_meeting(
    *,
    actor: Any,
    enterprise: Enterprise,
    held_on: dt.date,
    attendees: int,
    present: int,
    risks: str,
    measures: str,
    signed_by: str,
    post: Post | None = None,
) -> ShiftMeeting:
    _require(actor, "add", ShiftMeeting, enterprise)
    errors = {}
    if held_on > timezone.localdate():
        errors["held_on"] = _("班前会日期不能晚于今天。")
    if present > attendees:
        errors["present"] = _("实到人数不能多于应到人数。")
    if errors:
        raise ValidationError(errors)
    meeting = ShiftMeeting.objects.create(
        enterprise=enterprise,
        post=post,
        held_on=held_on,
        attendees=attendees,
        present=present,
        risks=risks,
        measures=measures,
        signed_by=signed_by,
        recorded_by=actor,
    )
    audit.record(meeting, events.MEETING_RECORDED, actor=actor, data={"held_on": held_on.isoformat()})
    return meeting


@transaction.atomic
def record_check(
    *, actor: Any, post: Post, results: list[dict[str, Any]], on: dt.date | None = None
) -> PreShiftCheck:
    _require(actor, "add", PreShiftCheck, post.enterprise)
    check = PreShiftCheck.objects.create(
        post=post,
        checked_on=on or timezone.localdate(),
        results=results,
        all_ok=all(r.get("ok") for r in results),
        recorded_by=actor,
    )
    audit.record(check, events.CHECK_RECORDED, actor=actor, data={"post": post.name, "all_ok": check.all_ok})
    return check


@APPLY.implements
@transaction.atomic
def apply_permit(
    *, actor: Any, enterprise: Enterprise, kind: str, location: str, description: str, work_on: dt.date
) -> WorkPermit:
    _require(actor, "add", WorkPermit, enterprise)
    fields, measures = _permit_fields(kind=kind, location=location, description=description, work_on=work_on)
    seq = next_value(f"risk-permit/{work_on.year}")
    permit = WorkPermit.objects.create(
        enterprise=enterprise,
        number=f"DG{work_on.year}-{enterprise.pk:04d}-{seq:04d}",
        measures=measures,
        applicant=actor,
        **fields,
    )
    PERMIT_FLOW.record_created(permit, APPLY, actor=actor, data={"kind": kind, "number": permit.number})
    return permit


def _permit_open(permit: WorkPermit, step: Any) -> None:
    """A 作废 or 退回 permit refuses the steps of a live one with a clear reason (409), before any other check."""
    if permit.status == PermitStatus.CANCELLED and step is not CANCEL:
        raise Conflict(_("该动工卡已作废（%(r)s），不能%(s)s。") % {"r": permit.reason, "s": step.label})
    if permit.status == PermitStatus.RETURNED and step is CONFIRM:
        raise Conflict(_("该动工卡已退回申请人修改，重新提交后方可确认动工。"))
    PERMIT_FLOW.check(permit, step)


def _permit_fields(
    *, kind: str, location: str, description: str, work_on: dt.date
) -> tuple[dict[str, Any], list[dict[str, Any]]]:
    """The checked fields of an application and the safety measures of its kind (none confirmed yet)."""
    errors: dict[str, str] = {}
    if work_on < timezone.localdate() - dt.timedelta(days=1):
        errors["work_on"] = _("作业日期不能早于昨天。")
    measures = [{"item": m, "ok": False} for m in reference.permit_measures(kind)]
    if not measures:
        errors["kind"] = _("作业类型无效。")
    if not (location or "").strip():
        errors["location"] = _("请填写作业地点。")
    if not (description or "").strip():
        errors["description"] = _("请填写作业内容。")
    if errors:
        raise ValidationError(errors)
    fields = {
        "kind": kind,
        "location": location.strip(),
        "description": description.strip(),
        "work_on": work_on,
    }
    return fields, measures


@CONFIRM.implements
@transaction.atomic
def confirm_permit(
    permit: WorkPermit,
    *,
    actor: Any,
    confirmed: list[str] | None = None,
    note: str = "",
    version: int | str | None = None,
) -> WorkPermit:
    PERMIT_FLOW.require(actor, CONFIRM, permit)
    pin(permit, version)
    _permit_open(permit, CONFIRM)
    ticked = {int(c) for c in confirmed or [] if str(c).isdigit()}
    missing = [m["item"] for i, m in enumerate(permit.measures) if i not in ticked]
    if missing:
        raise ValidationError(
            {"confirmed": _("以下安全措施未确认，不能动工：%(m)s") % {"m": "、".join(missing)}}
        )
    PERMIT_FLOW.advance(
        permit,
        CONFIRM,
        actor=actor,
        note=note,
        changes={
            "measures": [{**m, "ok": True} for m in permit.measures],
            "confirmed_by": actor,
            "confirmed_at": timezone.now(),
        },
    )
    return permit


@FINISH.implements
@transaction.atomic
def finish_permit(
    permit: WorkPermit, *, actor: Any, note: str = "", version: int | str | None = None
) -> WorkPermit:
    PERMIT_FLOW.require(actor, FINISH, permit)
    pin(permit, version)
    _permit_open(permit, FINISH)
    PERMIT_FLOW.advance(permit, FINISH, actor=actor, note=note, changes={"finished_at": timezone.now()})
    return permit


def _reason(reason: str, message: Any) -> str:
    text = (reason or "").strip()
    if not text:
        raise ValidationError({"reason": message})
    return text


@RETURN.implements
@transaction.atomic
def return_permit(
    permit: WorkPermit, *, actor: Any, reason: str, version: int | str | None = None
) -> WorkPermit:
    """退回: the confirmer (not the applicant) sends the application back with a reason."""
    PERMIT_FLOW.require(actor, RETURN, permit)
    pin(permit, version)
    _permit_open(permit, RETURN)
    text = _reason(reason, _("请填写退回理由。"))
    PERMIT_FLOW.advance(permit, RETURN, actor=actor, note=text, changes={"reason": text})
    return permit


@RESUBMIT.implements
@transaction.atomic
def resubmit_permit(
    permit: WorkPermit,
    *,
    actor: Any,
    kind: str,
    location: str,
    description: str,
    work_on: dt.date,
    version: int | str | None = None,
) -> WorkPermit:
    """修改后重新提交: the applicant edits a returned permit; it waits for confirmation again, every measure
    unconfirmed."""
    PERMIT_FLOW.require(actor, RESUBMIT, permit)
    pin(permit, version)
    _permit_open(permit, RESUBMIT)
    fields, measures = _permit_fields(kind=kind, location=location, description=description, work_on=work_on)
    changed = [k for k, v in fields.items() if getattr(permit, k) != v]
    PERMIT_FLOW.advance(
        permit,
        RESUBMIT,
        actor=actor,
        changes={**fields, "measures": measures, "reason": ""},
        data={"changed": changed},
    )
    return permit


@CANCEL.implements
@transaction.atomic
def cancel_permit(
    permit: WorkPermit, *, actor: Any, reason: str, version: int | str | None = None
) -> WorkPermit:
    """作废: the applicant or the unit's safety manager cancels a permit not yet confirmed (or returned)."""
    PERMIT_FLOW.require(actor, CANCEL, permit)
    pin(permit, version)
    _permit_open(permit, CANCEL)
    text = _reason(reason, _("请填写作废理由。"))
    PERMIT_FLOW.advance(permit, CANCEL, actor=actor, note=text, changes={"reason": text})
    return permit


def score_text(value: Decimal | None) -> str:
    return grading.plain(value) if value is not None else "—"
