"""Drills (演练) on the drill flow — 登记计划, 记录实施, or 登记 one already held — with their photos, and the
emergency plans (应急预案) with their filing and review dates."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import UploadedFile
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from zhiben.core import audit, uploads
from zhiben.core.loop.records import pin
from zhiben.registry.models import Department, Enterprise

from .. import events, steps
from ..choices import DrillStatus
from ..models import Drill, DrillPhoto, EmergencyPlan
from ..reference import plan_review_years
from .common import STALE, require, save_record


def _photo(drill: Drill, upload: UploadedFile, actor: Any, field: str = "photo") -> DrillPhoto:
    checked = uploads.check_upload(
        upload,
        field=field,
        accept=uploads.IMAGE_TYPES,
        refused=_("文件“%(n)s”的类型不受支持：只接受 JPEG、PNG 照片。"),
    )
    photo = DrillPhoto(
        drill=drill,
        content_type=checked.content_type,
        uploaded_by=actor if getattr(actor, "is_authenticated", False) else None,
    )
    photo.file.save(checked.file_name(drill.pk), upload, save=False)
    photo.save()
    audit.record(drill, events.DRILL_PHOTO_ADDED, actor=actor, data={"photo": photo.pk, "name": upload.name})
    return photo


def _check_done(held_on: dt.date | None, participants: int | None, evaluation: str) -> None:
    errors: dict[str, str] = {}
    if held_on is None:
        errors["held_on"] = _("请填写实施日期。")
    elif held_on > timezone.localdate():
        errors["held_on"] = _("实施日期不能晚于今天。")
    if not participants:
        errors["participants"] = _("请填写参演人数。")
    if not (evaluation or "").strip():
        errors["evaluation"] = _("请填写演练评估。")
    if errors:
        raise ValidationError(errors)


@transaction.atomic
def plan_drill(*, actor: Any, enterprise: Enterprise, kind: str, scenario: str, planned_on: dt.date) -> Drill:
    """登记演练计划."""
    steps.DRILL_FLOW.require(actor, steps.PLAN_DRILL)
    drill = Drill.objects.create(
        enterprise=enterprise,
        kind=kind,
        scenario=scenario.strip(),
        planned_on=planned_on,
        created_by=actor if getattr(actor, "is_authenticated", False) else None,
    )
    steps.DRILL_FLOW.record_created(
        drill,
        steps.PLAN_DRILL,
        actor=actor,
        data={"enterprise": enterprise.pk, "planned_on": planned_on.isoformat()},
    )
    return drill


@transaction.atomic
def record_held_drill(
    *,
    actor: Any,
    enterprise: Enterprise,
    kind: str,
    scenario: str,
    held_on: dt.date,
    participants: int,
    evaluation: str,
    improvements: str = "",
) -> Drill:
    """登记已实施演练 (one held without a plan on the platform)."""
    steps.DRILL_FLOW.require(actor, steps.RECORD_DONE)
    _check_done(held_on, participants, evaluation)
    drill = Drill.objects.create(
        enterprise=enterprise,
        kind=kind,
        scenario=scenario.strip(),
        planned_on=held_on,
        held_on=held_on,
        participants=participants,
        evaluation=evaluation.strip(),
        improvements=(improvements or "").strip(),
        status=DrillStatus.DONE,
        created_by=actor if getattr(actor, "is_authenticated", False) else None,
    )
    steps.DRILL_FLOW.record_created(
        drill,
        steps.RECORD_DONE,
        actor=actor,
        data={"enterprise": enterprise.pk, "held_on": held_on.isoformat()},
    )
    return drill


@transaction.atomic
def update_drill(drill: Drill, *, actor: Any, version: int | str | None = None, **data: Any) -> Drill:
    """修改演练计划 (unit, kind, scenario, date) while it is planned."""
    if drill.status != DrillStatus.PLANNED:
        raise ValidationError({"scenario": _("已实施的演练不能再修改计划。")})
    values = {k: data[k] for k in ("enterprise", "kind", "scenario", "planned_on") if k in data}
    saved, changed = save_record(Drill, drill, values, actor=actor, version=version)
    if changed is not None:
        audit.record(saved, events.DRILL_UPDATED, actor=actor, data=changed)
    return saved  # type: ignore[no-any-return]


@steps.RECORD.implements
@transaction.atomic
def record_drill(
    drill: Drill,
    *,
    actor: Any,
    held_on: dt.date,
    participants: int,
    evaluation: str,
    improvements: str = "",
    photo: UploadedFile | None = None,
    version: int | str | None = None,
) -> Drill:
    """记录实施: what happened, with a photo when given."""
    steps.DRILL_FLOW.require(actor, steps.RECORD, drill)
    pin(drill, version, _(STALE))
    steps.DRILL_FLOW.check(drill, steps.RECORD)
    _check_done(held_on, participants, evaluation)
    steps.DRILL_FLOW.advance(
        drill,
        steps.RECORD,
        actor=actor,
        note=evaluation.strip()[:200],
        changes={
            "held_on": held_on,
            "participants": participants,
            "evaluation": evaluation.strip(),
            "improvements": (improvements or "").strip(),
        },
    )
    if photo is not None:
        _photo(drill, photo, actor)
    return drill


@transaction.atomic
def add_photo(drill: Drill, *, actor: Any, photo: UploadedFile) -> DrillPhoto:
    require(actor, "change", Drill, drill)
    return _photo(drill, photo, actor)


# --- emergency plans -----------------------------------------------------------------------------------------


def review_due(filed_on: dt.date | None, reviewed_on: dt.date | None, today: dt.date) -> dt.date:
    """The next 评估: the review period (data, 待核实) after the last review or the filing, else from today."""
    base = reviewed_on or filed_on or today
    years = plan_review_years()
    try:
        return base.replace(year=base.year + years)
    except ValueError:  # 29 February
        return base.replace(year=base.year + years, day=28)


@transaction.atomic
def save_plan(
    obj: EmergencyPlan | None,
    *,
    actor: Any,
    enterprise: Enterprise,
    name: str,
    level: str,
    filed_on: dt.date | None = None,
    filing_number: str = "",
    filed_with: Department | None = None,
    reviewed_on: dt.date | None = None,
    version: int | str | None = None,
) -> EmergencyPlan:
    """登记 or 修改 an emergency plan; its next review date follows from the filing or the last review."""
    if filed_on and not (filing_number or "").strip():
        raise ValidationError({"filing_number": _("已备案的预案请填写备案编号。")})
    if reviewed_on and filed_on and reviewed_on < filed_on:
        raise ValidationError({"reviewed_on": _("评估日期不能早于备案日期。")})
    values = {
        "enterprise": enterprise,
        "name": name.strip(),
        "level": level,
        "filed_on": filed_on,
        "filing_number": (filing_number or "").strip(),
        "filed_with": filed_with,
        "reviewed_on": reviewed_on,
        "review_due": review_due(filed_on, reviewed_on, timezone.localdate()),
    }
    saved, changed = save_record(EmergencyPlan, obj, values, actor=actor, version=version)
    if changed is not None:
        audit.record(saved, events.PLAN_SAVED, actor=actor, data=changed)
    return saved  # type: ignore[no-any-return]
