"""从业人员名册 (the worker roster) and workers' training records: add, edit, 离岗, record hours (an attendance at a
session of the platform or the unit's own 三级安全教育 record). The ID number is validated (GB 11643 check digit),
stored encrypted and matched through its blind index; a unit's roster holds a person once."""

from __future__ import annotations

import datetime as dt
import re
from decimal import Decimal
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from zhiben.core import audit
from zhiben.core.crypto import blind_index
from zhiben.core.errors import DomainError
from zhiben.core.excel import fold
from zhiben.registry.models import Enterprise
from zhiben.risk.models import Post

from .. import events
from ..choices import Employment, SessionKind, SessionStatus, WorkerStatus, WorkerTrainingKind
from ..models import Attendance, Worker, WorkerTraining
from ..reference import data
from .common import require, save_record

REASON = "service: the roster's duplicates and posts are checked across the unit"
FIELDS = ("enterprise", "name", "id_number", "post", "hired_on", "employment", "employer")
_WEIGHTS = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)
_CHECK = "10X98765432"
_ID = re.compile(r"^\d{17}[\dX]$")
MAX_HOURS = Decimal(200)


def normalise_id_number(value: str) -> str:
    return fold(value or "").upper()


def id_number_error(value: str) -> str | None:
    """Why an 18-character 居民身份证号码 is wrong (GB 11643: digits, a valid birth date, the check digit)."""
    if not _ID.match(value):
        return _("身份证号应为18位，前17位为数字，最后一位为数字或X。")
    try:
        born = dt.date(int(value[6:10]), int(value[10:12]), int(value[12:14]))
    except ValueError:
        return _("身份证号中的出生日期不存在。")
    if not dt.date(1900, 1, 1) <= born <= timezone.localdate():
        return _("身份证号中的出生日期不合理。")
    if _CHECK[sum(int(c) * w for c, w in zip(value[:17], _WEIGHTS, strict=True)) % 11] != value[17]:
        return _("身份证号校验位不正确，请核对。")
    return None


def known_posts(enterprise: Enterprise | None) -> list[str]:
    """The posts a worker may hold: the data's common posts and the unit's own 一会三卡 posts (岗位清单)."""
    posts = list(data().get("worker_posts", []))
    if enterprise is not None:
        posts += [
            p
            for p in Post.objects.unrestricted(REASON)
            .filter(enterprise=enterprise, active=True)
            .values_list("name", flat=True)
            if p not in posts
        ]
    return posts


def _clean(values: dict[str, Any], obj: Worker | None) -> dict[str, Any]:
    errors: dict[str, str] = {}
    for key in ("name", "post", "employer"):
        values[key] = (values.get(key) or "").strip()
    values["id_number"] = normalise_id_number(values.get("id_number") or "")
    enterprise: Enterprise | None = values.get("enterprise")
    if enterprise is None:
        errors["enterprise"] = _("请选择用工单位。")
    if not values["name"]:
        errors["name"] = _("请填写姓名。")
    problem = id_number_error(values["id_number"])
    if problem:
        errors["id_number"] = problem
    elif enterprise is not None:
        clash = Worker.objects.unrestricted(REASON).filter(
            enterprise=enterprise, id_key=blind_index(values["id_number"])
        )
        if obj is not None:
            clash = clash.exclude(pk=obj.pk)
        other = clash.first()
        if other is not None:
            errors["id_number"] = _("该身份证号已在本单位名册中（%(n)s）。") % {"n": other.name}
    if values["post"] and values["post"] not in known_posts(enterprise):
        errors["post"] = _("岗位“%(p)s”不在岗位清单中，请从清单选择或先在一会三卡中登记该岗位。") % {
            "p": values["post"]
        }
    elif not values["post"]:
        errors["post"] = _("请填写岗位。")
    hired: dt.date | None = values.get("hired_on")
    if hired is None:
        errors["hired_on"] = _("请填写入职（进场）日期。")
    elif hired > timezone.localdate() + dt.timedelta(days=366):
        errors["hired_on"] = _("入职（进场）日期不能晚于一年以后。")
    employment = values.get("employment")
    if employment not in Employment.values:
        errors["employment"] = _("请选择用工形式。")
    elif employment in (Employment.DISPATCHED, Employment.CONTRACTOR) and not values["employer"]:
        errors["employer"] = _("劳务派遣、承包商人员请填写其派遣（用人）单位。")
    if errors:
        raise ValidationError(errors)
    values["id_key"] = blind_index(values["id_number"])
    return values


@transaction.atomic
def save_worker(obj: Worker | None, *, actor: Any, version: int | str | None = None, **data: Any) -> Worker:
    """登记 (obj None) or 修改 a worker of the roster (the unit itself)."""
    values = _clean({k: data.get(k) for k in FIELDS}, obj)
    if obj is not None and values["enterprise"] != obj.enterprise:
        raise ValidationError(
            {"enterprise": _("不能把从业人员改到其他单位；请在原单位办理离岗后在新单位登记。")}
        )
    saved, changed = save_record(Worker, obj, values, actor=actor, version=version)
    if changed is not None:
        changed.pop("id_key", None)  # the blind index says nothing a reader needs
    if obj is None:
        audit.record(saved, events.WORKER_ADDED, actor=actor, data=changed)
    elif changed is not None:
        audit.record(saved, events.WORKER_UPDATED, actor=actor, data=changed)
    return saved  # type: ignore[no-any-return]


@transaction.atomic
def leave_worker(worker: Worker, *, actor: Any, left_on: dt.date, version: int | str | None = None) -> Worker:
    """离岗: the worker leaves the roster (kept, with the date): no longer due any training."""
    if worker.status == WorkerStatus.LEFT:
        raise DomainError(_("该从业人员已离岗。"))
    if left_on < worker.hired_on:
        raise ValidationError({"left_on": _("离岗日期不能早于入职（进场）日期。")})
    if left_on > timezone.localdate():
        raise ValidationError({"left_on": _("离岗日期不能晚于今天。")})
    saved, changed = save_record(
        Worker, worker, {"status": WorkerStatus.LEFT, "left_on": left_on}, actor=actor, version=version
    )
    audit.record(saved, events.WORKER_LEFT, actor=actor, data=changed)
    return saved  # type: ignore[no-any-return]


def attendances_for(worker: Worker) -> list[Attendance]:
    """The attendance rows that may stand for this worker: at a started session, signed in with the worker's
    unit under the worker's name, not yet linked to the worker."""
    return list(
        Attendance.objects.unrestricted("service: a worker's own unit's attendance rows")
        .filter(enterprise_id=worker.enterprise_id, name=worker.name)
        .exclude(session__status=SessionStatus.PLANNED)
        .exclude(worker_trainings__worker=worker)
        .select_related("session")
        .order_by("-session__held_on", "-pk")[:50]
    )


@transaction.atomic
def record_worker_training(
    worker: Worker,
    *,
    actor: Any,
    kind: str,
    attendance: Attendance | int | None = None,
    held_on: dt.date | None = None,
    hours: Decimal | None = None,
    content: str = "",
) -> WorkerTraining:
    """登记培训学时: from an attendance at a session (its date and hours) or the unit's own record (date, hours,
    content: e.g. 三级安全教育 公司级、车间级、班组级)."""
    require(actor, "change", Worker, worker)
    if worker.status == WorkerStatus.LEFT:
        raise DomainError(_("该从业人员已离岗，不能登记培训。"))
    if kind not in WorkerTrainingKind.values:
        raise ValidationError({"kind": _("请选择培训类别。")})
    content = (content or "").strip()
    if attendance is not None:
        pk = attendance if isinstance(attendance, int) else attendance.pk
        row = next((a for a in attendances_for(worker) if a.pk == pk), None)
        if row is None:
            raise ValidationError(
                {"attendance": _("请选择本单位该人员已签到的培训（同名签到、未被登记过的记录）。")}
            )
        held_on, hours = row.session.held_on, row.session.hours
        content = content or row.session.title
        attendance = row
    else:
        errors = {}
        if held_on is None:
            errors["held_on"] = _("请填写培训日期。")
        elif held_on > timezone.localdate():
            errors["held_on"] = _("培训日期不能晚于今天。")
        if hours is None or hours <= 0 or hours > MAX_HOURS:
            errors["hours"] = _("学时应大于0且不超过%(m)s。") % {"m": MAX_HOURS}
        if not content:
            errors["content"] = _("请填写培训内容（如三级安全教育：公司级、车间级、班组级）。")
        if errors:
            raise ValidationError(errors)
    assert held_on is not None and hours is not None  # checked above
    record = WorkerTraining.objects.create(
        worker=worker,
        kind=kind,
        held_on=held_on,
        hours=hours,
        attendance=attendance,
        content=content[:200],
        created_by=actor if getattr(actor, "pk", None) else None,
    )
    audit.record(
        worker,
        events.WORKER_TRAINED,
        actor=actor,
        data={
            "kind": kind,
            "held_on": str(held_on),
            "hours": str(hours),
            "attendance": record.attendance_id,
            "record": record.pk,
        },
    )
    return record


def kind_of_session(kind: str) -> str:
    return WorkerTrainingKind.PRE_JOB if kind == SessionKind.PRE_JOB else WorkerTrainingKind.ANNUAL
