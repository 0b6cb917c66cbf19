"""Certificates (持证上岗): register and edit, the expiry alerts (90 and 30 days ahead, each once per end
date, in digests) and the inspector's check on site, which records an expired or missing certificate as a
finding on the inspector's open inspection of the unit (and, where the law says so, proposes a case)."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from zhiben.accounts.lookups import users_of_enterprises
from zhiben.core import audit
from zhiben.core.errors import DomainError, NotPermitted
from zhiben.core.outbox import DigestKind, collect_digests, notify_users
from zhiben.core.scoping import can
from zhiben.inspections.choices import FindingHandling, InspectionStatus
from zhiben.inspections.models import Inspection
from zhiben.inspections.services.records import record_finding
from zhiben.inspections.steps import department_ids_of, may_work_on
from zhiben.registry.models import Department, Enterprise, Person

from .. import events
from ..choices import CERT_EXPIRED, CERT_STATUS_LABELS, AlertThreshold
from ..models import Certificate, CertificateAlert, CertificateType
from .common import save_record

REASON = "service: certificates by number or by date, for the job and the check"
FIELDS = (
    "enterprise",
    "holder_name",
    "kind",
    "operation",
    "number",
    "issuer",
    "valid_from",
    "valid_to",
    "review_due",
    "reviewed_on",
)


def normalise_number(number: str) -> str:
    """Certificate numbers as typed on a phone: trimmed, full-width digits and letters made half-width, upper."""
    text = (number or "").strip().replace(" ", "")
    text = "".join(chr(ord(c) - 0xFEE0) if "！" <= c <= "～" else c for c in text)
    return text.upper()


def _clean(data: dict[str, Any], obj: Certificate | None) -> dict[str, Any]:
    values = {k: data.get(k) for k in FIELDS}
    values["number"] = normalise_number(values["number"] or "")
    for key in ("holder_name", "operation", "issuer"):
        values[key] = (values[key] or "").strip()
    errors: dict[str, str] = {}
    if not values["number"]:
        errors["number"] = _("请填写证书编号。")
    else:
        clash = Certificate.objects.unrestricted(REASON).filter(number=values["number"])
        if obj is not None:
            clash = clash.exclude(pk=obj.pk)
        if clash.exists():
            errors["number"] = _("证书编号“%(n)s”已登记。") % {"n": values["number"]}
    if values["valid_from"] and values["valid_to"] and values["valid_to"] < values["valid_from"]:
        errors["valid_to"] = _("有效期至不能早于有效期起。")
    kind: CertificateType | None = values["kind"]
    if kind is not None and kind.operations and values["operation"] not in kind.operations:
        errors["operation"] = _("请填写%(k)s的作业类别：%(ops)s。") % {
            "k": kind.name,
            "ops": "、".join(kind.operations),
        }
    if errors:
        raise ValidationError(errors)
    enterprise: Enterprise | None = values["enterprise"]
    values["person"] = (
        Person.objects.unrestricted("service: match the unit's person by name")
        .filter(enterprise=enterprise, name=values["holder_name"])
        .first()
    )
    return values


@transaction.atomic
def save_certificate(
    obj: Certificate | None, *, actor: Any, version: int | str | None = None, **data: Any
) -> Certificate:
    """登记 or 修改 a certificate (the unit itself, its township or department, the office)."""
    values = _clean(data, obj)
    # A renewed certificate has a new end date: its alerts are keyed on it and come again.
    saved, changed = save_record(Certificate, obj, values, actor=actor, version=version)
    if obj is None:
        audit.record(saved, events.CERTIFICATE_ADDED, actor=actor, data=changed)
    elif changed is not None:
        audit.record(saved, events.CERTIFICATE_UPDATED, actor=actor, data=changed)
    return saved  # type: ignore[no-any-return]


# --- expiry alerts ------------------------------------------------------------------------------------------------


def due_threshold(valid_to: dt.date, today: dt.date) -> int | None:
    """The alert a certificate is due today: 30 within 30 days of its end, 90 within 90, none past its end."""
    days = (valid_to - today).days
    if days < 0:
        return None
    if days <= AlertThreshold.DAYS_30:
        return int(AlertThreshold.DAYS_30)
    if days <= AlertThreshold.DAYS_90:
        return int(AlertThreshold.DAYS_90)
    return None


def send_expiry_alerts(today: dt.date | None = None) -> int:
    """The daily job: each certificate ending within 90 days gets its due alert once per end date (the
    `CertificateAlert` row is the memory: a second run, or a second worker, sends nothing again). The unit's
    accounts are told; many certificates of one run become one digest per person."""
    today = today or timezone.localdate()
    list_url = reverse("training:certificate_list") + "?state=expiring"
    sent = 0
    with collect_digests({"training_cert": DigestKind(_("%(n)s 本证书即将到期"), list_url)}):
        certs = list(
            Certificate.objects.unrestricted(REASON)
            .filter(valid_to__gte=today, valid_to__lte=today + dt.timedelta(days=int(AlertThreshold.DAYS_90)))
            .select_related("kind", "enterprise")
            .order_by("valid_to", "pk")
        )
        users = users_of_enterprises({c.enterprise_id for c in certs})
        for cert in certs:
            threshold = due_threshold(cert.valid_to, today)
            if threshold is None:
                continue
            try:
                with transaction.atomic():
                    CertificateAlert.objects.create(
                        certificate=cert, threshold=threshold, valid_to=cert.valid_to
                    )
                    days = (cert.valid_to - today).days
                    subject = _("%(h)s的%(k)s（%(n)s）将于%(d)s天后到期") % {
                        "h": cert.holder_name,
                        "k": cert.kind.name,
                        "n": cert.number,
                        "d": days,
                    }
                    notify_users(
                        users.get(cert.enterprise_id, []),
                        subject=subject,
                        body=_("请及时办理延期复审或换证，逾期不得上岗作业。"),
                        url=cert.get_absolute_url(),
                        topic="training_cert",
                        obj=cert,
                        line=subject,
                    )
                    audit.record(
                        cert,
                        events.CERTIFICATE_ALERTED,
                        actor=None,
                        data={"threshold": threshold, "valid_to": cert.valid_to.isoformat()},
                    )
            except IntegrityError:
                continue  # sent already (by another run)
            sent += 1
    return sent


# --- the check on site ---------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Check:
    number: str
    certificate: Certificate | None
    state: str  # "missing" or a certificate state

    @property
    def label(self) -> str:
        if self.certificate is None:
            return _("无此证")
        return str(CERT_STATUS_LABELS[self.state])

    @property
    def refused(self) -> bool:
        return self.certificate is None or self.state == CERT_EXPIRED


def check_number(number: str, *, actor: Any, today: dt.date | None = None) -> Check:
    """核验证书: the certificate with this number, found across the district (an inspector checks a worker of
    any unit on site; only its number, holder, type and validity are shown). Audited."""
    if actor is not None and not can(actor, "view", Certificate):
        raise NotPermitted(_("您无权核验证书。"))
    today = today or timezone.localdate()
    number = normalise_number(number)
    if not number:
        raise ValidationError({"number": _("请输入证书编号。")})
    cert = (
        Certificate.objects.unrestricted(
            "核验: a certificate is checked by its number wherever it was registered"
        )
        .select_related("kind", "enterprise")
        .filter(number=number)
        .first()
    )
    result = Check(number, cert, cert.state(today) if cert else "missing")
    audit.record(
        cert,
        events.CERTIFICATE_CHECKED,
        actor=actor,
        object_type="training.certificate",
        data={"number": number, "result": result.state},
    )
    return result


def open_inspections(actor: Any, enterprise: Enterprise | None = None) -> list[Any]:
    """The inspections in progress the actor works on (of the unit, when known): where a finding may go."""
    qs = Inspection.objects.restrict(actor, "view").filter(status=InspectionStatus.IN_PROGRESS)
    if enterprise is not None:
        qs = qs.filter(enterprise=enterprise)
    return [i for i in qs.select_related("enterprise").order_by("-pk")[:20] if may_work_on(actor, i)]


@transaction.atomic
def record_certificate_finding(
    *,
    actor: Any,
    number: str,
    inspection: int,
    holder_name: str,
    case: bool = False,
    note: str = "",
) -> Any:
    """记为检查问题: an expired or missing certificate becomes a finding on an open inspection the actor works
    on (handled 当场整改 — the worker stops until certified — or 立案查处 where the type's law says so)."""
    result = check_number(number, actor=actor)
    if not result.refused:
        raise DomainError(_("该证书在有效期内，无需记为问题。"), field="number")
    visit = Inspection.objects.restrict(actor, "view").filter(pk=inspection).first()
    if visit is None or visit not in open_inspections(actor):
        raise ValidationError({"inspection": _("请选择您正在进行的检查。")})
    cert = result.certificate
    if cert is not None and visit.enterprise_id != cert.enterprise_id:
        raise ValidationError({"inspection": _("该证书持证人不属于被检查单位。")})
    holder = (holder_name or "").strip() or (cert.holder_name if cert else "")
    if not holder:
        raise ValidationError({"holder_name": _("请填写作业人员姓名。")})
    mine = department_ids_of(actor)
    taking_part = list(visit.departments.values_list("department_id", flat=True))
    department_id = next((d for d in taking_part if d in mine), visit.department_id)
    department = Department.objects.get(pk=department_id)
    if cert is not None:
        what = _("%(h)s的%(k)s（%(n)s）已于%(d)s过期") % {
            "h": holder,
            "k": cert.kind.name,
            "n": cert.number,
            "d": cert.valid_to.isoformat(),
        }
        law = cert.kind.law
        may_case = cert.kind.case_measure
    else:
        what = _("%(h)s出示的证书编号%(n)s查无此证") % {"h": holder, "n": result.number}
        law = _("《安全生产法》第九十七条")
        may_case = True
    if case and not may_case:
        raise ValidationError({"case": _("该类证书的规定未设罚则，不能立案。")})
    finding = record_finding(
        visit,
        actor=actor,
        handling=FindingHandling.CASE if case else FindingHandling.ON_SITE,
        title=_("作业人员未持有效证件上岗：%(w)s") % {"w": what},
        department=department,
        level="general",
        description="；".join(x for x in (what, _("依据：%(l)s") % {"l": law}, (note or "").strip()) if x),
    )
    audit.record(
        visit,
        events.CERTIFICATE_FINDING,
        actor=actor,
        data={"number": result.number, "finding": finding.pk, "case": bool(case)},
    )
    return finding
