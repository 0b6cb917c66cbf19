"""The identity vault (身份保密库, R13, R16, R22).

Who sees what:
* the custodian (举报受理保密员: view on tips.tipidentity, "original" on tips.tipattachment) sees a reporter's
  identity, the original text and the original attachments, decrypted on the fly;
* a handler who holds "add" on tips.identityrequest asks with a reason; the custodian approves for a limited
  time or refuses; the requester sees the identity only while approved and unexpired;
* everyone else: 403, and the refusal is audited.

Each view is audited with who, which tip and which field group — never the values. Notices (outbox) name the
tip's code only. In lists, phones and ID numbers are masked (`mask_identity`); the full values appear only on
the audited view.

Original attachments are stored sealed (`seal_original`): intake writes `seal_original(data)` to
`TipAttachment.original_file`; the vault reads them with `open_original`.
"""

from __future__ import annotations

import datetime as dt
import struct
from dataclasses import dataclass
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.urls import reverse
from django.utils import timezone

from zhiben.accounts.lookups import users_with_role
from zhiben.accounts.roles import Role
from zhiben.core import audit
from zhiben.core.crypto import current_key_version, field_keys, mask_phone, sm4_gcm_decrypt, sm4_gcm_encrypt
from zhiben.core.errors import Conflict, DomainError, NotPermitted
from zhiben.core.loop.records import pin
from zhiben.core.outbox import notify_users
from zhiben.core.scoping import can, rows_of

from ..choices import IdentityRequestStatus as S
from ..models import IdentityRequest, Tip, TipAttachment, TipIdentity
from ..vault_steps import (
    APPROVE,
    DENY,
    EXPIRE,
    FLOW,
    IDENTITY_VIEW_REFUSED,
    IDENTITY_VIEWED,
    ORIGINAL_VIEWED,
    REQUEST,
)

# --- sealed files -------------------------------------------------------------------------------------------

_MAGIC = b"ZBSM4F"


def _aad(version: int) -> bytes:
    return f"tip-original:v{version}".encode()


def seal_original(data: bytes) -> bytes:
    """An original attachment's bytes SM4-GCM encrypted under the current field key (what intake stores)."""
    version = current_key_version()
    blob = sm4_gcm_encrypt(data, field_keys()[version], aad=_aad(version))
    return _MAGIC + struct.pack(">H", version) + blob


def open_original(sealed: bytes) -> bytes:
    """The bytes sealed by `seal_original` (raises DecryptionError when tampered with or not sealed)."""
    from zhiben.core.crypto import DecryptionError

    if not sealed.startswith(_MAGIC) or len(sealed) < len(_MAGIC) + 2:
        raise DecryptionError("not a sealed original")
    (version,) = struct.unpack(">H", sealed[len(_MAGIC) : len(_MAGIC) + 2])
    key = field_keys().get(version)
    if key is None:
        raise DecryptionError(f"unknown key version {version}")
    return sm4_gcm_decrypt(sealed[len(_MAGIC) + 2 :], key, aad=_aad(version))


# --- masking (R16) ------------------------------------------------------------------------------------------


def mask_id_number(value: str | None) -> str:
    """430***********1234: the first three and the last four characters of an ID number."""
    if not value:
        return ""
    text = value.strip()
    if len(text) <= 7:
        return "*" * len(text)
    return text[:3] + "*" * (len(text) - 7) + text[-4:]


def mask_name(value: str | None) -> str:
    """哨**: the first character of a name."""
    if not value:
        return ""
    return value.strip()[:1] + "*" * max(len(value.strip()) - 1, 1)


@dataclass(frozen=True)
class IdentityView:
    name: str
    phone: str
    id_number: str
    employer: str
    works_there: str
    masked: bool


def mask_identity(identity: TipIdentity) -> IdentityView:
    """What a list shows to someone allowed: every identifying value masked."""
    return IdentityView(
        name=mask_name(identity.name),
        phone=mask_phone(identity.phone),
        id_number=mask_id_number(identity.id_number),
        employer="***" if identity.employer else "",
        works_there=identity.works_there,
        masked=True,
    )


# --- who may see ----------------------------------------------------------------------------------------------


def is_custodian(user: Any) -> bool:
    return bool(user is not None and can(user, "view", TipIdentity))


def active_grant(tip: Tip, user: Any, now: dt.datetime | None = None) -> IdentityRequest | None:
    """The user's approved, unexpired request for this tip's identity, if any."""
    if user is None or not getattr(user, "is_authenticated", False):
        return None
    now = now or timezone.now()
    return (
        rows_of(IdentityRequest, "the vault checks the requester's own grant")
        .filter(tip=tip, requested_by=user, status=S.APPROVED, valid_until__gt=now)
        .order_by("-valid_until")
        .first()
    )


def may_request(user: Any, tip: Tip) -> bool:
    """A handler who may see the tip and holds "add" on identity requests (the custodian needs none)."""
    return (
        can(user, "add", IdentityRequest)
        and not is_custodian(user)
        and Tip.objects.restrict(user, "view").filter(pk=tip.pk).exists()
    )


def _identity_of(tip: Tip) -> TipIdentity | None:
    return rows_of(TipIdentity, "the vault reads after its own check").filter(tip=tip).first()


def _refuse(tip: Tip, actor: Any, group: str, why: str) -> NotPermitted:
    """Audit the refusal (outside any rolled-back transaction: the caller raises after this returns)."""
    with transaction.atomic():
        audit.record(
            tip, IDENTITY_VIEW_REFUSED, actor=actor, outcome="denied", data={"group": group, "why": why}
        )
    return NotPermitted(why)


def read_identity(tip: Tip, *, actor: Any) -> IdentityView:
    """The full identity for the custodian or an approved requester, audited; else 403 and an audited refusal.

    Call it outside a transaction that the refusal would roll back (pages call it directly)."""
    grant = None
    if not is_custodian(actor):
        grant = active_grant(tip, actor)
        if grant is None:
            raise _refuse(tip, actor, "身份信息", "未经保密员批准或查看期限已过，不能查看举报人身份。")
    identity = _identity_of(tip)
    with transaction.atomic():
        audit.record(
            tip,
            IDENTITY_VIEWED,
            actor=actor,
            data={
                "group": "身份信息",
                "via": "保密员" if grant is None else f"查看申请 {grant.pk}",
                "anonymous": identity is None,
            },
        )
    if identity is None:
        return IdentityView("", "", "", "", "", masked=False)
    return IdentityView(
        name=identity.name,
        phone=identity.phone,
        id_number=identity.id_number,
        employer=identity.employer,
        works_there=identity.works_there,
        masked=False,
    )


def read_original_text(tip: Tip, *, actor: Any) -> str:
    """What the reporter wrote (原件): the custodian only, audited."""
    if not is_custodian(actor):
        raise _refuse(tip, actor, "举报原件", "举报原件仅限举报受理保密员查看。")
    with transaction.atomic():
        audit.record(tip, ORIGINAL_VIEWED, actor=actor, data={"group": "举报原件"})
    return tip.original_text


@dataclass(frozen=True)
class OriginalFile:
    content: bytes
    name: str
    content_type: str


def read_original_attachment(attachment: TipAttachment, *, actor: Any) -> OriginalFile:
    """An attachment's original (with EXIF, as sent), decrypted for the custodian ("original" permission)."""
    tip = attachment.tip
    if not can(actor, "original", TipAttachment):
        raise _refuse(tip, actor, "附件原件", "附件原件仅限举报受理保密员查看。")
    with attachment.original_file.open("rb") as handle:
        sealed = handle.read()
    content = open_original(sealed)
    with transaction.atomic():
        audit.record(
            tip, ORIGINAL_VIEWED, actor=actor, data={"group": "附件原件", "attachment": attachment.pk}
        )
    return OriginalFile(content, attachment.original_name or attachment.name, attachment.content_type)


# --- requests -------------------------------------------------------------------------------------------------


def _custodians() -> list[Any]:
    return users_with_role(Role.TIP_CUSTODIAN)


def _url(req: IdentityRequest) -> str:
    return reverse("tips:vault_request", args=[req.pk])


@REQUEST.implements
@transaction.atomic
def request_identity(tip: Tip, *, actor: Any, reason: str) -> IdentityRequest:
    """申请: a handler who may see the tip asks to see its reporter's identity, with a reason."""
    FLOW.require(actor, REQUEST)
    if not Tip.objects.restrict(actor, "view").filter(pk=tip.pk).exists():
        raise NotPermitted("该举报未转交您办理。")
    if is_custodian(actor):
        raise DomainError("举报受理保密员可直接查看，无须申请。")
    reason = (reason or "").strip()
    if len(reason) < 5:
        raise ValidationError({"reason": ["请说明申请理由（至少 5 个字）。"]})
    if _identity_of(tip) is None:
        raise DomainError("该举报为匿名举报，没有举报人身份信息。")
    pending = rows_of(IdentityRequest, "one open request per requester").filter(
        tip=tip, requested_by=actor, status=S.REQUESTED
    )
    if pending.exists():
        raise Conflict("您已提交过该举报的身份查看申请，正在等待审批。")
    req = IdentityRequest.objects.create(tip=tip, requested_by=actor, reason=reason, status=S.REQUESTED)
    FLOW.record_created(req, REQUEST, actor=actor, data={"tip": tip.code, "reason": reason})
    notify_users(
        _custodians(),
        subject=f"举报人身份查看申请待审批：{tip.code}",
        body="有承办人员申请查看举报人身份，请审批。",
        url=_url(req),
        topic="tips",
        obj=req,
    )
    return req


@APPROVE.implements
@transaction.atomic
def approve_request(
    req: IdentityRequest, *, actor: Any, hours: int = 24, note: str = "", version: int | None = None
) -> IdentityRequest:
    """批准: the custodian lets the requester see the identity for `hours` (at most 7 days)."""
    FLOW.require(actor, APPROVE, req)
    pin(req, version)
    hours = int(hours)
    if not 1 <= hours <= 168:
        raise ValidationError({"hours": ["查看有效期应在 1 小时至 7 日之间。"]})
    now = timezone.now()
    FLOW.advance(
        req,
        APPROVE,
        actor=actor,
        note=note,
        changes={
            "decided_by": actor,
            "decided_at": now,
            "valid_until": now + dt.timedelta(hours=hours),
            "decision_note": note,
        },
        data={"tip": req.tip.code, "hours": hours},
    )
    notify_users(
        [req.requested_by],
        subject=f"举报人身份查看申请已批准：{req.tip.code}",
        body=f"有效期 {hours} 小时，每次查看均记入审计日志。",
        url=_url(req),
        topic="tips",
        obj=req,
    )
    return req


@DENY.implements
@transaction.atomic
def deny_request(
    req: IdentityRequest, *, actor: Any, note: str, version: int | None = None
) -> IdentityRequest:
    """不予批准, with the reason told to the requester."""
    FLOW.require(actor, DENY, req)
    pin(req, version)
    if not (note or "").strip():
        raise ValidationError({"note": ["请填写不予批准的理由。"]})
    FLOW.advance(
        req,
        DENY,
        actor=actor,
        note=note,
        changes={"decided_by": actor, "decided_at": timezone.now(), "decision_note": note},
        data={"tip": req.tip.code},
    )
    notify_users(
        [req.requested_by],
        subject=f"举报人身份查看申请未获批准：{req.tip.code}",
        body=note,
        url=_url(req),
        topic="tips",
        obj=req,
    )
    return req


def expire_requests(now: dt.datetime | None = None) -> int:
    """查看期限届满: approved requests past their validity become 已过期 (idempotent; a daily job)."""
    now = now or timezone.now()
    done = 0
    due = rows_of(IdentityRequest, "system job").filter(status=S.APPROVED, valid_until__lte=now)
    for req in due:
        with transaction.atomic():
            FLOW.advance(req, EXPIRE, actor=None, data={"tip": req.tip.code})
        done += 1
    return done
