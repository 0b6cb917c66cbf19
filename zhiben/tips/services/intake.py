"""The intake (收到举报): the one way a tip enters the platform — the public portal, the public API, Open311,
the 12350 hotline desk and the demo all call `submit_tip`.

Everything is validated first (content, category, unit, place, coordinates, identity, files — the files are
checked and cleaned in memory), then one transaction writes the tip, its identity vault row, its attachments,
its first history row and its audit row; an error anywhere stores nothing. The audit row carries no identity,
no text, no receipt, and neither the client's address nor the request id (R15). The receipt code is returned
to be shown once; only its locator and slow hash are stored (services/receipts.py).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping
from decimal import Decimal, InvalidOperation
from typing import Any

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone

from zhiben.core.middleware import without_client_address
from zhiben.core.sequences import next_value
from zhiben.registry.choices import RegionLevel
from zhiben.registry.models import Enterprise, Region

from .. import steps
from ..choices import Category, Channel
from ..deadlines import accept_deadline_for
from ..models import Tip, TipAttachment, TipIdentity
from . import files as tip_files
from . import receipts

MIN_TEXT = 10
MAX_TEXT = 5000
MAX_SHORT = 200
IDENTITY_LIMITS = {"name": 50, "phone": 30, "id_number": 18, "employer": 100}

MESSAGES = {
    "category": "请选择举报类别（重大事故隐患、一般隐患、非法违法生产经营建设、瞒报谎报事故）。",
    "channel": "举报渠道无效。",
    "empty": "请填写举报内容：在哪里、看到了什么。",
    "short": f"举报内容过短：请至少写 {MIN_TEXT} 个字，说明在哪里、看到了什么。",
    "long": f"举报内容过长：最多 {MAX_TEXT} 个字。",
    "unit_name": f"单位名称最多 {MAX_SHORT} 个字。",
    "address": f"详细地点最多 {MAX_SHORT} 个字。",
    "enterprise": "所选单位不存在，请重新选择或直接填写单位名称。",
    "place": "请从列表中选择本区的乡镇（街道）或村（社区）。",
    "latitude": "纬度应为 -90 到 90 之间的数。",
    "longitude": "经度应为 -180 到 180 之间的数。",
    "coordinates": "经纬度须同时填写。",
    "identity": "举报人信息格式有误。",
    "name": "姓名最多 50 个字。",
    "phone": "联系电话应为 5 到 20 位数字（可含 +、- 和空格）。",
    "id_number": "身份证号码应为 18 位（最后一位可为 X）。",
    "employer": "工作单位最多 100 个字。",
    "works_there": "“是否在被举报单位工作”应为是、否或不填。",
    "submission_key": "提交标识无效，请刷新页面后重新提交。",
}


def _code(received_at: dt.datetime) -> str:
    year = timezone.localtime(received_at).year
    return f"JB{year}-{next_value(f'tips/tip/{year}'):06d}"


def _decimal(value: Any, bound: int, key: str, errors: dict[str, str]) -> Decimal | None:
    if value is None or value == "":
        return None
    try:
        number = Decimal(str(value).strip())
    except (InvalidOperation, ValueError):
        errors[key] = MESSAGES[key]
        return None
    if not number.is_finite() or not -bound <= number <= bound:
        errors[key] = MESSAGES[key]
        return None
    return number.quantize(Decimal("0.000001"))


def _identity(identity: Mapping[str, Any] | None, errors: dict[str, str]) -> dict[str, str]:
    """The identity as the vault stores it (every value text), validated; {} when nothing was given."""
    if not identity:
        return {}
    if not isinstance(identity, Mapping):
        errors["identity"] = MESSAGES["identity"]
        return {}
    values: dict[str, str] = {}
    for key, limit in IDENTITY_LIMITS.items():
        raw = identity.get(key)
        text = "" if raw is None else str(raw).strip()
        if len(text) > limit:
            errors[key] = MESSAGES[key]
        values[key] = text
    phone = values["phone"]
    if phone and not (
        all(c.isdigit() or c in "+- " for c in phone) and 5 <= sum(c.isdigit() for c in phone) <= 20
    ):
        errors["phone"] = MESSAGES["phone"]
    id_number = values["id_number"].upper()
    if id_number and not (
        len(id_number) == 18
        and id_number[:17].isdigit()
        and (id_number[17].isdigit() or id_number[17] == "X")
    ):
        errors["id_number"] = MESSAGES["id_number"]
    values["id_number"] = id_number
    works_there = identity.get("works_there")
    if works_there in (None, ""):
        values["works_there"] = ""
    elif isinstance(works_there, bool):
        values["works_there"] = "是" if works_there else "否"
    else:
        errors["works_there"] = MESSAGES["works_there"]
    return values if any(values.values()) else {}


def _accept_deadline(received_at: dt.datetime) -> dt.date | None:
    """受理期限 from the rule row (tips.deadlines, one place for every deadline of the handling)."""
    return accept_deadline_for(timezone.localtime(received_at).date())


def existing_submission(submission_key: str | None) -> Tip | None:
    if not submission_key:
        return None
    return (
        Tip.objects.unrestricted("a repeated submission finds its own tip")
        .filter(submission_key=submission_key)
        .first()
    )


def submit_tip(
    *,
    category: str,
    text: str,
    channel: str = Channel.PORTAL,
    enterprise: Enterprise | None = None,
    unit_name: str = "",
    place: Region | None = None,
    address: str = "",
    latitude: Any = None,
    longitude: Any = None,
    identity: Mapping[str, Any] | None = None,
    files: Iterable[Any] = (),
    submission_key: str | None = None,
    received_at: dt.datetime | None = None,
    actor: Any = None,
) -> tuple[Tip, str | None]:
    """Receive one tip; returns (tip, receipt code to show once), or (the earlier tip, None) when
    `submission_key` was used before. Raises ValidationError (Chinese, by field) and stores nothing on error."""
    if submission_key is not None and (not isinstance(submission_key, str) or len(submission_key) > 64):
        raise ValidationError({"submission_key": MESSAGES["submission_key"]})
    earlier = existing_submission(submission_key)
    if earlier is not None:
        return earlier, None

    errors: dict[str, str] = {}
    if category not in Category.values:
        errors["category"] = MESSAGES["category"]
    if channel not in Channel.values:
        errors["channel"] = MESSAGES["channel"]
    body = (text or "").strip()
    if not body:
        errors["text"] = MESSAGES["empty"]
    elif len(body) < MIN_TEXT:
        errors["text"] = MESSAGES["short"]
    elif len(body) > MAX_TEXT:
        errors["text"] = MESSAGES["long"]
    unit_name = (unit_name or "").strip()
    if len(unit_name) > MAX_SHORT:
        errors["unit_name"] = MESSAGES["unit_name"]
    address = (address or "").strip()
    if len(address) > MAX_SHORT:
        errors["address"] = MESSAGES["address"]
    if enterprise is not None and (not isinstance(enterprise, Enterprise) or enterprise.pk is None):
        errors["enterprise"] = MESSAGES["enterprise"]
    if place is not None and (
        not isinstance(place, Region) or place.level not in (RegionLevel.TOWNSHIP, RegionLevel.VILLAGE)
    ):
        errors["place"] = MESSAGES["place"]
    lat = _decimal(latitude, 90, "latitude", errors)
    lng = _decimal(longitude, 180, "longitude", errors)
    if (lat is None) != (lng is None) and "latitude" not in errors and "longitude" not in errors:
        errors["latitude"] = MESSAGES["coordinates"]
    vault = _identity(identity, errors)
    prepared: list[tip_files.PreparedFile] = []
    try:
        prepared = tip_files.prepare_files(files)
    except ValidationError as exc:
        errors.update({k: " ".join(str(m) for m in v) for k, v in exc.message_dict.items()})
    if errors:
        raise ValidationError(errors)

    received = received_at or timezone.now()
    if enterprise is not None and not unit_name:
        unit_name = enterprise.name
    receipt = receipts.new_receipt()
    written: list[TipAttachment] = []
    try:
        with without_client_address(), transaction.atomic():
            tip = Tip.objects.create(
                code=_code(received),
                channel=channel,
                category=category,
                enterprise=enterprise,
                unit_name=unit_name,
                place=place,
                address=address,
                latitude=lat,
                longitude=lng,
                original_text=body,
                real_name=bool(vault.get("name") or vault.get("phone")),
                received_at=received,
                accept_deadline=_accept_deadline(received),
                submission_key=submission_key or None,
                **receipts.receipt_fields(receipt),
            )
            if vault:
                TipIdentity.objects.create(tip=tip, **vault)
            tip_files.store_files(tip, prepared, written)
            steps.FLOW.record_created(
                tip,
                steps.RECEIVE,
                actor=actor,
                data={
                    "channel": channel,
                    "category": category,
                    "real_name": tip.real_name,
                    "attachments": len(prepared),
                },
            )
    except BaseException as exc:
        tip_files.discard_files(written)
        if not isinstance(exc, IntegrityError):
            raise
        earlier = existing_submission(submission_key)
        if earlier is not None:  # the same key committed by a concurrent request
            return earlier, None
        raise
    return tip, receipt
