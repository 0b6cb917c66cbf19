"""The write path of 源头管控: standardisation certificates (they set the unit's grade through the registry's
own service; expiry clears it), safety-fee accounts and spending, construction projects with the 建设单位's
50 % payment, 建设项目 with 安全审查 against the catalogue and their 三同时 / 安全设计诊断 steps, 淘汰 items.

Each function is one transaction: permission and scope (403 / 404), the version pin (409), the rows and an audit
row (the loop kit's for steps)."""

from __future__ import annotations

import calendar
import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import UploadedFile
from django.db import transaction
from django.db.models import Sum
from django.utils import timezone
from django.utils.translation import gettext as _

from zhiben.core import audit, uploads
from zhiben.core.errors import DomainError, NotPermitted
from zhiben.core.loop import pin
from zhiben.core.scoping import can
from zhiben.core.workflow import compare_and_swap
from zhiben.registry.choices import RegionLevel, StandardisationGrade
from zhiben.registry.models import Enterprise, Industry, Region
from zhiben.registry.services import update_enterprise

from . import events, fees, reference, steps
from .choices import NEW_KINDS, CertificateStatus, PhaseOutStatus, ProjectKind, ProjectStatus
from .models import (
    ConstructionProject,
    FeeAccount,
    FeeSpending,
    PhaseOutItem,
    ProjectStage,
    SourceProject,
    StageDocument,
    StandardisationCertificate,
)

# Grades from best to worst: the unit's grade is its best valid certificate's.
GRADE_RANK = {
    StandardisationGrade.GRADE_1: 4,
    StandardisationGrade.GRADE_2: 3,
    StandardisationGrade.GRADE_3: 2,
    StandardisationGrade.SMALL: 1,
    StandardisationGrade.NONE: 0,
}
CATALOGUE_TITLE = "屈原管理区安全生产禁止和限制类产业目录"


class SourceControlError(DomainError):
    """A rule of 源头管控 refused the action."""


def _require(actor: Any, action: str, model: type, enterprise: Enterprise | None = None) -> None:
    """The actor may `action` on `model` and (when given) the unit is in the actor's scope; system: passes."""
    if actor is None:
        return
    if not can(actor, action, model):
        raise NotPermitted(_("您无权执行此操作。"))
    if (
        enterprise is not None
        and not Enterprise.objects.restrict(actor, "view").filter(pk=enterprise.pk).exists()
    ):
        raise NotPermitted(_("该生产经营单位不在您的职责范围内。"))


def add_month(day: dt.date) -> dt.date:
    """The same day one month later (the month's last day when it has no such day)."""
    year, month = (day.year + 1, 1) if day.month == 12 else (day.year, day.month + 1)
    return dt.date(year, month, min(day.day, calendar.monthrange(year, month)[1]))


# --- standardisation ----------------------------------------------------------------------------------------


def best_grade(enterprise: Enterprise, today: dt.date | None = None) -> str:
    today = today or timezone.localdate()
    grades = (
        StandardisationCertificate.objects.unrestricted("service: the unit's own certificates")
        .filter(
            enterprise=enterprise, status=CertificateStatus.VALID, valid_from__lte=today, valid_to__gte=today
        )
        .values_list("grade", flat=True)
    )
    return max(grades, key=lambda g: GRADE_RANK.get(g, 0), default=StandardisationGrade.NONE)


def _sync_grade(enterprise: Enterprise, actor: Any, today: dt.date | None = None) -> None:
    grade = best_grade(enterprise, today)
    if enterprise.standardisation_grade != grade:
        update_enterprise(enterprise, actor=actor, standardisation_grade=grade)


@transaction.atomic
def issue_certificate(
    enterprise: Enterprise,
    *,
    actor: Any,
    grade: str,
    number: str,
    issuer: str,
    valid_from: dt.date,
    valid_to: dt.date,
    next_review: dt.date | None = None,
    is_benchmark: bool = False,
    today: dt.date | None = None,
) -> StandardisationCertificate:
    """登记证书: the certificate, then the unit's grade (its best valid certificate) through the registry."""
    _require(actor, "add", StandardisationCertificate, enterprise)
    if grade not in GRADE_RANK or grade == StandardisationGrade.NONE:
        raise ValidationError({"grade": _("请选择标准化等级。")})
    if valid_to <= valid_from:
        raise ValidationError({"valid_to": _("有效期至须晚于有效期起。")})
    today = today or timezone.localdate()
    cert = StandardisationCertificate.objects.create(
        enterprise=enterprise,
        grade=grade,
        number=number.strip(),
        issuer=issuer.strip(),
        valid_from=valid_from,
        valid_to=valid_to,
        next_review=next_review,
        is_benchmark=is_benchmark,
        status=CertificateStatus.VALID if valid_to >= today else CertificateStatus.EXPIRED,
    )
    audit.record(
        cert,
        events.CERTIFICATE_ISSUED,
        actor=actor,
        data={"grade": grade, "number": cert.number, "valid_to": str(valid_to), "benchmark": is_benchmark},
    )
    _sync_grade(enterprise, actor, today)
    return cert


@transaction.atomic
def expire_certificates(today: dt.date | None = None) -> int:
    """The daily job: certificates past their 有效期至 expire and their units' grades follow (cleared to 未达标
    when no valid certificate remains)."""
    today = today or timezone.localdate()
    due = list(
        StandardisationCertificate.objects.unrestricted("job: expiry of every certificate")
        .filter(status=CertificateStatus.VALID, valid_to__lt=today)
        .select_related("enterprise")
    )
    for cert in due:
        StandardisationCertificate.objects.unrestricted("job: expiry").filter(pk=cert.pk).update(
            status=CertificateStatus.EXPIRED, version=cert.version + 1
        )
        audit.record(cert, events.CERTIFICATE_EXPIRED, actor=None, data={"valid_to": str(cert.valid_to)})
    for enterprise in {c.enterprise for c in due}:
        _sync_grade(enterprise, None, today)
    return len(due)


# --- safety fees ----------------------------------------------------------------------------------------------


def calculate(sector_key: str, basis: Decimal) -> tuple[reference.Sector, fees.Result]:
    """The calculator: sector by code or name; Chinese errors for an unknown sector or a negative basis."""
    sector = reference.fee_table().find(sector_key)
    errors: dict[str, str] = {}
    if sector is None:
        errors["sector"] = _("未知的行业“%(s)s”，请从行业列表中选择（代码或名称）。") % {
            "s": str(sector_key)[:40]
        }
    if basis is None:
        errors["basis"] = _("请填写计提依据。")
    elif basis < 0:
        errors["basis"] = _("计提依据不能为负数。")
    if errors:
        raise ValidationError(errors)
    assert sector is not None
    return sector, fees.calculate(sector, basis)


@transaction.atomic
def open_fee_account(
    enterprise: Enterprise,
    *,
    actor: Any,
    year: int,
    sector: str,
    basis: Decimal,
    opening_balance: Decimal = Decimal(0),
    previous_annual: Decimal | None = None,
) -> FeeAccount:
    """建立年度台账: the annual provision computed from last year's revenue with the current rate table."""
    _require(actor, "add", FeeAccount, enterprise)
    found, result = calculate(sector, basis)
    if found.basis != "revenue":
        raise ValidationError({"sector": _("企业年度台账按营业收入提取；建设工程请登记建设工程项目。")})
    clash = FeeAccount.objects.unrestricted("service: one account a year").filter(
        enterprise=enterprise, year=year
    )
    if clash.exists():
        raise ValidationError({"year": _("%(y)s 年度的安全生产费用台账已建立。") % {"y": year}})
    account = FeeAccount.objects.create(
        enterprise=enterprise,
        year=year,
        sector=found.code,
        table_version=reference.fee_table().version,
        basis=basis,
        annual=result.annual,
        opening_balance=opening_balance or Decimal(0),
        previous_annual=previous_annual or Decimal(0),
    )
    audit.record(
        account,
        events.FEE_ACCOUNT_OPENED,
        actor=actor,
        data={"year": year, "sector": found.code, "basis": str(basis), "annual": str(result.annual)},
    )
    return account


@transaction.atomic
def record_spending(
    account: FeeAccount,
    *,
    actor: Any,
    category: str,
    amount: Decimal,
    spent_on: dt.date,
    description: str,
) -> FeeSpending:
    """登记支出 in one permitted category."""
    _require(actor, "add", FeeSpending, account.enterprise)
    codes = {c["code"] for c in reference.spending_categories()["categories"]}
    errors: dict[str, str] = {}
    if category not in codes:
        errors["category"] = _("请选择规定的使用范围。")
    if amount is None or amount <= 0:
        errors["amount"] = _("金额须大于 0。")
    if spent_on and spent_on.year != account.year:
        errors["spent_on"] = _("支出日期须在 %(y)s 年度内。") % {"y": account.year}
    if errors:
        raise ValidationError(errors)
    row = FeeSpending.objects.create(
        account=account, category=category, amount=amount, spent_on=spent_on, description=description.strip()
    )
    audit.record(
        account,
        events.FEE_SPENT,
        actor=actor,
        data={"category": category, "amount": str(amount), "spent_on": str(spent_on)},
    )
    return row


@dataclass(frozen=True)
class AccountSummary:
    annual: Decimal
    monthly: Decimal
    months: int
    paused: bool
    accrued: Decimal
    spent: Decimal
    balance: Decimal
    by_category: list[tuple[str, Decimal]]
    # (code, name, total) of each category used: the API's view of `by_category`.
    categories: list[tuple[str, str, Decimal]]

    @property
    def pause_reason(self) -> str:
        """Why provision is paused ("" when it is not): the one wording of the page and the API."""
        if not self.paused:
            return ""
        return _("年初结余达到上年应提取额的 %(m)s 倍，暂停提取（待核实）") % {"m": fees.PAUSE_MULTIPLE}


def summary(account: FeeAccount, today: dt.date | None = None) -> AccountSummary:
    """The account as of `today`: accrued so far (nothing while paused), spent, balance, spending by category."""
    today = today or timezone.localdate()
    if today.year < account.year:
        months = 0
    elif today.year > account.year:
        months = 12
    else:
        months = today.month
    is_paused = fees.paused(account.opening_balance, account.previous_annual)
    accrued = fees.accrued(account.annual, months, is_paused=is_paused)
    rows = list(account.spendings.values("category").annotate(total=Sum("amount")).order_by("category"))
    spent = sum((r["total"] for r in rows), Decimal(0))
    return AccountSummary(
        annual=account.annual,
        monthly=fees.money(account.annual / 12),
        months=months,
        paused=is_paused,
        accrued=accrued,
        spent=fees.money(spent),
        balance=fees.money(account.opening_balance + accrued - spent),
        by_category=[(reference.category_name(r["category"]), r["total"]) for r in rows],
        categories=[
            (r["category"], reference.category_name(r["category"]), fees.money(r["total"])) for r in rows
        ],
    )


# --- construction projects ------------------------------------------------------------------------------------


def construction_provision(project: ConstructionProject) -> Decimal:
    sector = reference.fee_table().find(project.engineering_kind) or reference.fee_table().find(
        "construction_building"
    )
    assert sector is not None
    return fees.calculate(sector, project.cost).annual


def half_payment_due(project: ConstructionProject) -> dt.date | None:
    return add_month(project.start_date) if project.start_date else None


def half_paid(project: ConstructionProject) -> bool:
    return project.fee_paid * 2 >= construction_provision(project)


def payment_overdue(project: ConstructionProject, today: dt.date | None = None) -> bool:
    """The 建设单位 has not paid ≥ 50 % of the provision within a month of 开工."""
    due = half_payment_due(project)
    return due is not None and (today or timezone.localdate()) > due and not half_paid(project)


@transaction.atomic
def register_construction(
    *,
    actor: Any,
    name: str,
    builder: Enterprise,
    industry: Industry,
    township: Region,
    cost: Decimal,
    engineering_kind: str = "construction_building",
    contractor: Enterprise | None = None,
    location: str = "",
    start_date: dt.date | None = None,
) -> ConstructionProject:
    _require(actor, "add", ConstructionProject, builder)
    sector = reference.fee_table().find(engineering_kind)
    errors: dict[str, str] = {}
    if sector is None or sector.basis != "cost":
        errors["engineering_kind"] = _("请选择建设工程类别。")
    if cost is None or cost < 0:
        errors["cost"] = _("工程造价不能为负数。")
    if errors:
        raise ValidationError(errors)
    project = ConstructionProject.objects.create(
        name=name.strip(),
        builder=builder,
        contractor=contractor,
        industry=industry,
        township=township,
        location=location,
        cost=cost,
        engineering_kind=engineering_kind,
        start_date=start_date,
    )
    audit.record(
        project,
        events.CONSTRUCTION_REGISTERED,
        actor=actor,
        data={"cost": str(cost), "kind": engineering_kind, "start": str(start_date or "")},
    )
    return project


@transaction.atomic
def record_payment(
    project: ConstructionProject,
    *,
    actor: Any,
    fee_paid: Decimal,
    paid_on: dt.date,
    version: int | str | None = None,
) -> ConstructionProject:
    """登记支付: the 建设单位's cumulative payment of the safety fee; the day it reaches 50 % is kept."""
    _require(actor, "change", ConstructionProject, project.builder)
    pin(project, version)
    if fee_paid is None or fee_paid < 0:
        raise ValidationError({"fee_paid": _("支付金额不能为负数。")})
    if fee_paid > construction_provision(project):
        raise ValidationError({"fee_paid": _("累计支付不能超过该项目应提取的安全费用。")})
    changes: dict[str, Any] = {"fee_paid": fee_paid}
    if project.fee_paid_on is None and fee_paid * 2 >= construction_provision(project):
        changes["fee_paid_on"] = paid_on
    compare_and_swap(project, expected={}, changes=changes)
    audit.record(
        project,
        events.CONSTRUCTION_PAID,
        actor=actor,
        data={"fee_paid": str(fee_paid), "paid_on": str(paid_on)},
    )
    return project


# --- 建设项目: registration, review against the catalogue, 三同时 and 安全设计诊断 --------------------------------


def catalogue_matches(project: SourceProject) -> list[reference.CatalogueEntry]:
    """The catalogue entries the project falls under in its area: the entry it declared, and any whose
    keywords appear in its name or 建设内容."""
    text = f"{project.name} {project.description}"
    code = project.township.code
    found = []
    for entry in reference.catalogue_entries():
        if not entry.applies_to(code):
            continue
        if entry.code == project.activity or any(k in text for k in entry.keywords):
            found.append(entry)
    return found


def _entry_text(entry: reference.CatalogueEntry) -> str:
    return _("《%(t)s》%(k)s条目 %(c)s“%(n)s”（依据：%(s)s）") % {
        "t": CATALOGUE_TITLE,
        "k": entry.kind_label,
        "c": entry.code,
        "n": entry.name,
        "s": entry.source,
    }


@transaction.atomic
def register_project(
    *,
    actor: Any,
    enterprise: Enterprise,
    name: str,
    kind: str,
    activity: str = "",
    description: str = "",
    investment: Decimal | None = None,
    registered_on: dt.date | None = None,
) -> SourceProject:
    """登记建设项目: a new/rebuilt/expanded project waits for 安全审查; an old one for 安全设计诊断."""
    _require(actor, "add", SourceProject, enterprise)
    errors: dict[str, str] = {}
    if not (name or "").strip():
        errors["name"] = _("请填写项目名称。")
    if kind not in ProjectKind.values:
        errors["kind"] = _("请选择项目类型。")
    if activity and reference.catalogue_entry(activity) is None:
        errors["activity"] = _("请从目录中选择产业类别。")
    if errors:
        raise ValidationError(errors)
    project = SourceProject.objects.create(
        name=name.strip(),
        enterprise=enterprise,
        industry=enterprise.primary_industry,
        township=_township_of(enterprise),
        kind=kind,
        activity=activity,
        description=description or "",
        investment=investment,
        registered_on=registered_on or timezone.localdate(),
        status=ProjectStatus.REGISTERED if kind in NEW_KINDS else ProjectStatus.DIAGNOSIS,
    )
    steps.PROJECT_FLOW.record_created(
        project, steps.REGISTER, actor=actor, data={"kind": kind, "activity": activity}
    )
    return project


def _township_of(enterprise: Enterprise) -> Region:
    region = enterprise.region
    while region.parent_id and region.level > RegionLevel.TOWNSHIP:
        region = region.parent  # type: ignore[assignment]
    return region


def _begin(project: SourceProject, step: Any, actor: Any, version: int | str | None) -> None:
    steps.PROJECT_FLOW.require(actor, step, project)
    pin(project, version, _("该建设项目已被他人处理（当前版本 %(v)s），请刷新后重试。"))
    steps.PROJECT_FLOW.check(project, step)


@steps.APPROVE.implements
@transaction.atomic
def approve_project(
    project: SourceProject,
    *,
    actor: Any,
    conditions_met: bool = False,
    note: str = "",
    version: int | str | None = None,
    on: dt.date | None = None,
) -> SourceProject:
    """审查通过: refused for a prohibited entry of the catalogue, and for a restricted one whose conditions the
    reviewer has not confirmed; the refusal names the entry."""
    _begin(project, steps.APPROVE, actor, version)
    matches = catalogue_matches(project)
    prohibited = [e for e in matches if e.kind == "prohibited"]
    if prohibited:
        raise SourceControlError(
            _("该项目属于%(e)s，不得通过安全审查，请办理“不予通过”。") % {"e": _entry_text(prohibited[0])}
        )
    restricted = [e for e in matches if e.kind == "restricted"]
    if restricted and not conditions_met:
        raise ValidationError(
            {
                "conditions_met": _("该项目属于%(e)s，须核实准入条件：%(c)s")
                % {"e": _entry_text(restricted[0]), "c": restricted[0].conditions}
            }
        )
    done_on = on or timezone.localdate()
    conclusion = note or _("符合安全准入要求，审查通过。")
    if restricted:
        conclusion += _("（限制类条目 %(c)s 准入条件已核实）") % {"c": ", ".join(e.code for e in restricted)}
    ProjectStage.objects.create(project=project, stage="review", done_on=done_on, conclusion=conclusion)
    steps.PROJECT_FLOW.advance(project, steps.APPROVE, actor=actor, note=conclusion)
    return project


@steps.REFUSE.implements
@transaction.atomic
def refuse_project(
    project: SourceProject,
    *,
    actor: Any,
    reason: str = "",
    version: int | str | None = None,
    on: dt.date | None = None,
) -> SourceProject:
    """不予通过: the reason, which names the prohibited catalogue entry when the project falls under one."""
    _begin(project, steps.REFUSE, actor, version)
    prohibited = [e for e in catalogue_matches(project) if e.kind == "prohibited"]
    parts = [_("该项目属于%(e)s。") % {"e": _entry_text(prohibited[0])}] if prohibited else []
    if (reason or "").strip():
        parts.append(reason.strip())
    if not parts:
        raise ValidationError({"reason": _("请填写不予通过理由。")})
    text = "".join(parts)
    ProjectStage.objects.create(
        project=project, stage="review", done_on=on or timezone.localdate(), conclusion=text
    )
    steps.PROJECT_FLOW.advance(
        project, steps.REFUSE, actor=actor, note=text, changes={"refusal_reason": text}
    )
    return project


# The stage documents accepted: PDF, Word (the OOXML family) and photos, recognised by content.
DOCUMENT_TYPES = frozenset({"application/pdf", "application/vnd.openxmlformats-officedocument"}) | (
    uploads.IMAGE_TYPES
)


def add_stage_document(stage: ProjectStage, upload: UploadedFile, *, actor: Any) -> StageDocument:
    """Attach one file to a recorded stage (type by content, ≤ 10 MB), with its audit row."""
    checked = uploads.check_upload(
        upload,
        field="files",
        accept=DOCUMENT_TYPES,
        refused=_("文件“%(n)s”的类型不受支持：只接受 PDF、Word 文件和 JPEG、PNG 照片。"),
    )
    doc = StageDocument(
        stage=stage,
        name=(upload.name or "file")[:200],
        content_type=checked.content_type,
        size=checked.size,
        sha256=checked.sha256,
        uploaded_by=actor,
    )
    doc.file.save(checked.file_name(f"sc{stage.project_id}", extension=False), upload, save=False)
    doc.save()
    audit.record(
        stage.project,
        events.STAGE_DOCUMENT_ADDED,
        actor=actor,
        data={"stage": stage.stage, "name": doc.name, "size": doc.size, "sha256": doc.sha256},
    )
    return doc


def _stage(
    project: SourceProject,
    step: Any,
    *,
    actor: Any,
    done_on: dt.date,
    document: str,
    document_number: str = "",
    organisation: str = "",
    conclusion: str = "",
    files: Iterable[UploadedFile] = (),
    version: int | str | None = None,
) -> SourceProject:
    _begin(project, step, actor, version)
    files = [f for f in files or () if f]
    errors: dict[str, str] = {}
    if done_on > timezone.localdate():
        errors["done_on"] = _("完成日期不能晚于今天。")
    if not (document or "").strip():
        errors["document"] = _("请填写文件名称。")
    if step is steps.ACCEPT and not files:
        errors["files"] = _("竣工验收须上传至少一份验收文件（如安全设施竣工验收报告或意见）。")
    if errors:
        raise ValidationError(errors)
    stage = ProjectStage.objects.create(
        project=project,
        stage=steps.STAGE_OF_STEP[step.name],
        done_on=done_on,
        document=document.strip(),
        document_number=(document_number or "").strip(),
        organisation=(organisation or "").strip(),
        conclusion=(conclusion or "").strip(),
    )
    for upload in files:
        add_stage_document(stage, upload, actor=actor)
    steps.PROJECT_FLOW.advance(
        project,
        step,
        actor=actor,
        note=(conclusion or "").strip(),
        data={
            "document": document.strip(),
            "document_number": document_number,
            "done_on": str(done_on),
            "files": len(files),
        },
    )
    return project


@steps.PRE_ASSESS.implements
@transaction.atomic
def record_pre_assessment(project: SourceProject, *, actor: Any, **data: Any) -> SourceProject:
    """安全预评价."""
    return _stage(project, steps.PRE_ASSESS, actor=actor, **data)


@steps.DESIGN_REVIEW.implements
@transaction.atomic
def record_design_review(project: SourceProject, *, actor: Any, **data: Any) -> SourceProject:
    """安全设施设计审查."""
    return _stage(project, steps.DESIGN_REVIEW, actor=actor, **data)


@steps.TRIAL_RUN.implements
@transaction.atomic
def record_trial_run(project: SourceProject, *, actor: Any, **data: Any) -> SourceProject:
    """试运行."""
    return _stage(project, steps.TRIAL_RUN, actor=actor, **data)


@steps.ACCEPT.implements
@transaction.atomic
def record_acceptance(project: SourceProject, *, actor: Any, **data: Any) -> SourceProject:
    """竣工验收: 三同时 complete."""
    return _stage(project, steps.ACCEPT, actor=actor, **data)


@steps.DIAGNOSE.implements
@transaction.atomic
def record_diagnosis(project: SourceProject, *, actor: Any, **data: Any) -> SourceProject:
    """安全设计诊断 of an old project."""
    return _stage(project, steps.DIAGNOSE, actor=actor, **data)


# --- 淘汰 ------------------------------------------------------------------------------------------------------


@transaction.atomic
def register_phase_out(
    *,
    actor: Any,
    kind: str,
    name: str,
    township: Region,
    industry: Industry,
    due_on: dt.date,
    enterprise: Enterprise | None = None,
    identifier: str = "",
    owner: str = "",
) -> PhaseOutItem:
    """登记淘汰对象 (a unit's, or a household's through its township)."""
    _require(actor, "add", PhaseOutItem, enterprise)
    item = PhaseOutItem.objects.create(
        kind=kind,
        name=name.strip(),
        identifier=identifier.strip(),
        owner=owner.strip(),
        enterprise=enterprise,
        industry=industry,
        township=township,
        due_on=due_on,
    )
    steps.PHASEOUT_FLOW.record_created(item, steps.REGISTER_ITEM, actor=actor, data={"kind": kind})
    return item


@steps.RETIRE.implements
@transaction.atomic
def retire(
    item: PhaseOutItem,
    *,
    actor: Any,
    done_on: dt.date,
    method: str,
    version: int | str | None = None,
) -> PhaseOutItem:
    """淘汰完成."""
    steps.PHASEOUT_FLOW.require(actor, steps.RETIRE, item)
    pin(item, version, _("该淘汰对象已被他人处理（当前版本 %(v)s），请刷新后重试。"))
    if done_on > timezone.localdate():
        raise ValidationError({"done_on": _("淘汰完成日期不能晚于今天。")})
    steps.PHASEOUT_FLOW.advance(
        item,
        steps.RETIRE,
        actor=actor,
        note=method,
        changes={"done_on": done_on, "method": method.strip()},
    )
    return item


def phase_out_overdue(item: PhaseOutItem, today: dt.date | None = None) -> bool:
    return item.status == PhaseOutStatus.REGISTERED and item.due_on < (today or timezone.localdate())
