"""The 源头管控 section of a unit's file (一企一档): its standardisation certificates, safety-fee accounts,
建设项目 (三同时 / 诊断), construction projects it builds, and its 淘汰 items — each read through restrict(user)."""

from __future__ import annotations

from typing import Any

from django.urls import reverse

from zhiben.core.scoping import can
from zhiben.registry.enterprise_file import FileEvent, FileRow, FileSection, register_section
from zhiben.registry.models import Enterprise

from . import services
from .choices import CertificateStatus, PhaseOutStatus, ProjectStatus
from .models import ConstructionProject, FeeAccount, PhaseOutItem, SourceProject, StandardisationCertificate

SHOWN = 6


def section(enterprise: Enterprise, user: Any) -> FileSection | None:
    rows: list[FileRow] = []
    figures: list[tuple[str, Any, str]] = []
    total = 0
    if can(user, "view", StandardisationCertificate):
        certs = StandardisationCertificate.objects.restrict(user, "view").filter(enterprise=enterprise)
        for c in certs.order_by("-valid_to")[:SHOWN]:
            rows.append(
                FileRow(
                    text=f"标准化证书：{c.get_grade_display()} {c.number}"
                    + ("（标杆企业）" if c.is_benchmark else ""),
                    url=c.get_absolute_url(),
                    status=c.get_status_display(),
                    tone="success" if c.status == CertificateStatus.VALID else "secondary",
                    on=c.valid_from,
                    detail=f"有效期至 {c.valid_to:%Y-%m-%d}",
                )
            )
        figures.append(("标准化等级", enterprise.get_standardisation_grade_display(), "primary"))
        total += certs.count()
    if can(user, "view", FeeAccount):
        accounts = FeeAccount.objects.restrict(user, "view").filter(enterprise=enterprise)
        for a in accounts.order_by("-year")[:2]:
            s = services.summary(a)
            rows.append(
                FileRow(
                    text=f"安全费用 {a.year}年：应提取 {s.annual:,.2f} 元，已使用 {s.spent:,.2f} 元",
                    url=a.get_absolute_url(),
                    status="暂停提取" if s.paused else f"结余 {s.balance:,.2f} 元",
                    tone="warning" if s.paused else "info",
                    on=None,
                )
            )
        total += accounts.count()
    if can(user, "view", SourceProject):
        projects = SourceProject.objects.restrict(user, "view").filter(enterprise=enterprise)
        for p in projects.order_by("-registered_on")[:SHOWN]:
            rows.append(
                FileRow(
                    text=f"建设项目：{p.name}",
                    url=p.get_absolute_url(),
                    status=p.get_status_display(),
                    tone="danger"
                    if p.status == ProjectStatus.REFUSED
                    else (
                        "success" if p.status in (ProjectStatus.DONE, ProjectStatus.DIAGNOSED) else "warning"
                    ),
                    on=p.registered_on,
                    detail=p.get_kind_display(),
                )
            )
        figures.append(("建设项目", projects.count(), "secondary"))
        total += projects.count()
    if can(user, "view", ConstructionProject):
        built = ConstructionProject.objects.restrict(user, "view").filter(builder=enterprise)
        for cp in built.order_by("-start_date")[:SHOWN]:
            late = services.payment_overdue(cp)
            rows.append(
                FileRow(
                    text=f"建设工程：{cp.name}",
                    url=cp.get_absolute_url(),
                    status="安全费用逾期未付足50%" if late else "安全费用支付正常",
                    tone="danger" if late else "success",
                    on=cp.start_date,
                )
            )
        total += built.count()
    if can(user, "view", PhaseOutItem):
        items = PhaseOutItem.objects.restrict(user, "view").filter(enterprise=enterprise)
        for i in items.order_by("due_on")[:SHOWN]:
            late = services.phase_out_overdue(i)
            rows.append(
                FileRow(
                    text=f"淘汰：{i.get_kind_display()} {i.name}",
                    url=i.get_absolute_url(),
                    status="逾期未淘汰" if late else i.get_status_display(),
                    tone="danger" if late else ("success" if i.status == PhaseOutStatus.DONE else "warning"),
                    on=i.done_on,
                )
            )
        total += items.count()
    if not total:
        return None
    return FileSection(
        title="源头管控、标准化与安全费用",
        icon="bi-shield-check",
        figures=figures,
        rows=rows,
        total=total,
        more_url=reverse("sourcecontrol:project_list") if can(user, "view", SourceProject) else "",
        empty="暂无记录",
        events=[FileEvent(on=r.on, text=r.text, url=r.url) for r in rows if r.on],
    )


def register() -> None:
    register_section("sourcecontrol", section, order=45)
