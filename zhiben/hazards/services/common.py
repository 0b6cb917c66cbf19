"""What every hazard service shares: the loop's error, the transition table, the guard and the version
pin, deadlines, the supervising department (三管三必须), notices, documents and the hazard's number."""

from __future__ import annotations

import datetime as dt
import re
from typing import Any

from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.translation import gettext as _

from zhiben.accounts.lookups import (
    user_ids_of_enterprise_and_department,
    users_of_department,
    users_of_enterprise,
    users_of_township,
)
from zhiben.core import uploads
from zhiben.core.crypto import mask_phone
from zhiben.core.errors import DomainError
from zhiben.core.loop import Step, pin
from zhiben.core.models.outbox import Channel
from zhiben.core.models.sequence import Sequence
from zhiben.core.outbox import notify_users, queue_message
from zhiben.core.sequences import next_value
from zhiben.registry.models import Department, Enterprise, Industry, Responsibility
from zhiben.standards.models import Clause

from .. import deadlines, steps
from ..choices import STOCK_CUTOFF, Level, NoticeRecipient
from ..escalation import hazard_context
from ..models import Hazard, HazardNotice


class HazardError(DomainError):
    """A rule of the hazard loop refused the action."""


# The transition table follows from the declared steps (steps.py).
TRANSITIONS = steps.FLOW.transitions

STOCK_DAY = dt.date.fromisoformat(STOCK_CUTOFF)
_OWN_CODE = re.compile(r"^YH(\d{6})(\d{4})(\d{6})$")  # _next_code: YH + county + year + serial
# Attachments are photos (JPEG, PNG) or documents (PDF, Word/Excel), recognised by content (core.uploads).
ATTACHMENT_TYPES = frozenset(content_type for _magic, content_type in uploads.SIGNATURES)


# --- helpers -------------------------------------------------------------------------------------------------


def today() -> dt.date:
    return timezone.localdate()


def _require(actor: Any, step: Step | str, hazard: Hazard | None = None) -> None:
    """The actor may take `step` (or holds the permission named) on hazards, and on this one: else 403."""
    steps.FLOW.require(actor, step, hazard)


def _pin(hazard: Hazard, version: int | None) -> None:
    pin(hazard, version, steps.FLOW.stale)


def default_deadline(level: str, start: dt.date) -> dt.date:
    return deadlines.default_deadline(level, start)


def supervising_department(industry: Industry) -> Department:
    """三管三必须: the lead department of the industry, or of its nearest ancestor that has one."""
    node: Industry | None = industry
    while node is not None:
        resp = Responsibility.objects.filter(industry=node).select_related("lead").first()
        if resp is not None:
            return resp.lead
        node = node.parent
    raise HazardError(
        _("行业“%(i)s”未设定牵头监管部门，请先在“三管三必须”中设定。") % {"i": industry.name},
        field="industry",
    )


def _notify(
    hazard: Hazard, subject: str, body: str = "", *, enterprise: bool = True, department: bool = True
) -> None:
    users = user_ids_of_enterprise_and_department(
        hazard.enterprise_id if enterprise else None, hazard.department_id if department else None
    )
    notify_users(users, subject=subject, body=body, url=hazard.get_absolute_url(), topic="hazard", obj=hazard)


def _notify_major(hazard: Hazard) -> None:
    """重大事故隐患: tell the unit's 主要负责人 and 实际控制人 by SMS, the department and the township officials
    of the place (属地); record each notice."""
    ent: Enterprise = hazard.enterprise
    subject = _("重大事故隐患告知：%(e)s") % {"e": ent.name}
    body = _("存在重大事故隐患“%(t)s”（%(c)s），整改期限 %(d)s。请按“五落实”要求组织整改。") % {
        "t": hazard.title,
        "c": hazard.code,
        "d": hazard.deadline or _("待定"),
    }
    # The same person is often both 主要负责人 and 实际控制人: one number gets one SMS, recorded for both roles.
    by_number: dict[str, Any] = {}
    for kind, name, phone in (
        (NoticeRecipient.PRINCIPAL, ent.principal_name, ent.principal_phone),
        (NoticeRecipient.CONTROLLER, ent.controller_name, ent.controller_phone),
    ):
        if not phone:
            HazardNotice.objects.create(
                hazard=hazard,
                recipient_kind=kind,
                recipient_name=name or _("未登记"),
                channel="none",
                topic="major_hazard",
            )
            continue
        number = re.sub(r"\D", "", phone)
        msg = by_number.get(number)
        if msg is None:
            msg = by_number[number] = queue_message(
                channel=Channel.SMS,
                address=phone,
                subject=subject,
                body=body,
                topic="major_hazard",
                obj=hazard,
            )
        HazardNotice.objects.create(
            hazard=hazard,
            recipient_kind=kind,
            recipient_name=name,
            channel=Channel.SMS,
            address_masked=mask_phone(phone),
            message_id=msg.id,
            topic="major_hazard",
        )
    for kind, users in (
        (NoticeRecipient.ENTERPRISE, users_of_enterprise(hazard.enterprise_id)),
        (NoticeRecipient.DEPARTMENT, users_of_department(hazard.department_id)),
        (NoticeRecipient.TOWNSHIP, users_of_township(hazard.region.code)),
    ):
        for msg in notify_users(
            users, subject=subject, body=body, url=hazard.get_absolute_url(), topic="major_hazard", obj=hazard
        ):
            HazardNotice.objects.create(
                hazard=hazard,
                recipient_kind=kind,
                recipient_name=(msg.recipient.get_full_name() or msg.recipient.username)
                if msg.recipient
                else hazard.department.name,
                channel=msg.channel,
                message_id=msg.id,
                topic="major_hazard",
            )


def _issue(hazard: Hazard, template_code: str, actor: Any, **extra: Any) -> Any:
    """One official document about the hazard, numbered now; its Word/PDF files are rendered after commit."""
    from zhiben.core.documents import issue_document  # documents import hazards lazily; keep it local

    context = {**hazard_context(hazard), **extra}
    return issue_document(template_code, context=context, actor=actor, obj=hazard, defer_files=True)


def _clean_clause(level: str, clause: Clause | None) -> None:
    if level == Level.MAJOR and clause is None:
        raise ValidationError({"clause": _("重大事故隐患必须引用判定标准条款。")})


def _next_code(region_code: str, year: int) -> str:
    county = region_code[:6]
    return f"YH{county}{year}{next_value(f'hazard/{county}/{year}'):06d}"


def _reserve_code(code: str) -> None:
    """A code in our own numbering moves its sequence past it, so registration never draws it again."""
    match = _OWN_CODE.match(code)
    if match is None:
        return
    county, year, serial = match.groups()
    key = f"hazard/{county}/{year}"  # the key _next_code draws from
    sequence, _created = Sequence.objects.get_or_create(key=key, defaults={"last": int(serial)})
    if sequence.last < int(serial):
        Sequence.objects.filter(pk=sequence.pk, last__lt=int(serial)).update(last=int(serial))
