"""源头管控, 安全生产标准化 and 安全生产费用 (issue 15 parts 5–7).

Records: 建设工程项目 (`ConstructionProject`: the 建设单位's safety-fee provision on 造价 and its ≥ 50 % payment
within a month of 开工), 标准化 certificates, fee accounts per unit and year with their spending, 建设项目
(`SourceProject`: registration, 安全审查 against the restricted/prohibited catalogue, 三同时 or 安全设计诊断 on the loop
kit) with their stage documents, and 淘汰 items (outdated equipment and vehicles).

Scope: every record follows its unit — region through the unit's (or the project's township) code, industry
through the unit's industries, the unit itself for its own users.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from zhiben.core.models import BaseModel, ScopedModel, StepHistory
from zhiben.core.scoping import ScopePaths
from zhiben.registry.choices import StandardisationGrade

from .choices import CertificateStatus, PhaseOutKind, PhaseOutStatus, ProjectKind, ProjectStatus, Stage


class ConstructionProject(ScopedModel):
    """建设工程项目: a construction works whose safety fee is provisioned on its 造价 (财资〔2022〕136号 Art 17–18)."""

    scope = ScopePaths(region="township__code", industry="industry_id", enterprise="builder_id")

    name = models.CharField(_("项目名称"), max_length=200)
    builder = models.ForeignKey(
        "registry.Enterprise",
        verbose_name=_("建设单位"),
        on_delete=models.PROTECT,
        related_name="built_projects",
    )
    contractor = models.ForeignKey(
        "registry.Enterprise",
        verbose_name=_("施工单位"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="contracted_projects",
    )
    industry = models.ForeignKey(
        "registry.Industry",
        verbose_name=_("行业领域"),
        on_delete=models.PROTECT,
        related_name="construction_projects",
    )
    township = models.ForeignKey(
        "registry.Region",
        verbose_name=_("所在乡镇（街道）"),
        on_delete=models.PROTECT,
        related_name="construction_projects",
    )
    location = models.CharField(_("项目地点"), max_length=200, blank=True)
    cost = models.DecimalField(_("工程造价（元）"), max_digits=16, decimal_places=2)
    engineering_kind = models.CharField(_("工程类别"), max_length=40, default="construction_building")
    start_date = models.DateField(_("开工日期"), null=True, blank=True)
    fee_paid = models.DecimalField(
        _("建设单位已支付安全费用（元）"), max_digits=16, decimal_places=2, default=0
    )
    fee_paid_on = models.DateField(_("支付达到50%日期"), null=True, blank=True)

    class Meta:
        verbose_name = _("建设工程项目")
        verbose_name_plural = _("建设工程项目")
        ordering = ["-start_date", "-pk"]

    def __str__(self) -> str:
        return self.name

    def get_absolute_url(self) -> str:
        return reverse("sourcecontrol:construction_detail", args=[self.pk])


# ------------------------------------------------------------------------------------------ standardisation


class StandardisationCertificate(ScopedModel):
    """安全生产标准化 certificate of a unit: grade, number, issuer, validity and review dates, 标杆企业."""

    scope = ScopePaths(
        region="enterprise__region__code", industry="enterprise__industries", enterprise="enterprise_id"
    )

    enterprise = models.ForeignKey(
        "registry.Enterprise",
        verbose_name=_("生产经营单位"),
        on_delete=models.PROTECT,
        related_name="standardisation_certificates",
    )
    grade = models.CharField(_("等级"), max_length=10, choices=StandardisationGrade.choices)
    number = models.CharField(_("证书编号"), max_length=60)
    issuer = models.CharField(_("发证单位"), max_length=100)
    valid_from = models.DateField(_("有效期起"))
    valid_to = models.DateField(_("有效期至"))
    next_review = models.DateField(_("下次复评日期"), null=True, blank=True)
    is_benchmark = models.BooleanField(_("标杆企业"), default=False)
    status = models.CharField(
        _("状态"), max_length=10, choices=CertificateStatus.choices, default=CertificateStatus.VALID
    )

    class Meta:
        verbose_name = _("安全生产标准化证书")
        verbose_name_plural = _("安全生产标准化证书")
        ordering = ["-valid_to", "-pk"]

    def __str__(self) -> str:
        return f"{self.enterprise.name} · {self.number}"

    def get_absolute_url(self) -> str:
        return reverse("sourcecontrol:certificate_detail", args=[self.pk])


# ----------------------------------------------------------------------------------------------- safety fees


class FeeAccount(ScopedModel):
    """安全生产费用 account of a unit for one year: provision from last year's revenue (财资〔2022〕136号)."""

    scope = ScopePaths(
        region="enterprise__region__code", industry="enterprise__industries", enterprise="enterprise_id"
    )

    enterprise = models.ForeignKey(
        "registry.Enterprise",
        verbose_name=_("生产经营单位"),
        on_delete=models.PROTECT,
        related_name="fee_accounts",
    )
    year = models.PositiveSmallIntegerField(_("年度"))
    sector = models.CharField(_("提取标准行业"), max_length=40)
    table_version = models.CharField(_("费率表版本"), max_length=40)
    basis = models.DecimalField(_("计提依据（上年营业收入，元）"), max_digits=16, decimal_places=2)
    annual = models.DecimalField(_("年度应提取（元）"), max_digits=16, decimal_places=2)
    opening_balance = models.DecimalField(_("年初结余（元）"), max_digits=16, decimal_places=2, default=0)
    previous_annual = models.DecimalField(_("上年应提取（元）"), max_digits=16, decimal_places=2, default=0)

    class Meta:
        verbose_name = _("安全生产费用台账")
        verbose_name_plural = _("安全生产费用台账")
        ordering = ["-year", "enterprise__name"]
        constraints = [
            models.UniqueConstraint(fields=["enterprise", "year"], name="sourcecontrol_one_account_per_year")
        ]

    def __str__(self) -> str:
        return f"{self.enterprise.name} · {self.year}年"

    def get_absolute_url(self) -> str:
        return reverse("sourcecontrol:fee_account_detail", args=[self.pk])


class FeeSpending(ScopedModel):
    """One use of the fund, by permitted category (data/spending_categories.json)."""

    scope = ScopePaths(
        region="account__enterprise__region__code",
        industry="account__enterprise__industries",
        enterprise="account__enterprise_id",
    )

    account = models.ForeignKey(
        FeeAccount, verbose_name=_("费用台账"), on_delete=models.CASCADE, related_name="spendings"
    )
    category = models.CharField(_("使用范围"), max_length=20)
    amount = models.DecimalField(_("金额（元）"), max_digits=14, decimal_places=2)
    spent_on = models.DateField(_("支出日期"))
    description = models.CharField(_("用途说明"), max_length=200)

    class Meta:
        verbose_name = _("安全生产费用支出")
        verbose_name_plural = _("安全生产费用支出")
        ordering = ["-spent_on", "-pk"]

    def __str__(self) -> str:
        return f"{self.description} {self.amount}"

    def get_absolute_url(self) -> str:
        return reverse("sourcecontrol:fee_account_detail", args=[self.account_id])


# ------------------------------------------------------------------------------------------ source control


class SourceProject(ScopedModel):
    """建设项目: registration, 安全审查 against the restricted/prohibited catalogue, then 三同时 (new, rebuilt,
    expanded) or 安全设计诊断 (old), on the loop kit (steps.PROJECT_FLOW)."""

    scope = ScopePaths(region="township__code", industry="industry_id", enterprise="enterprise_id")

    name = models.CharField(_("项目名称"), max_length=200)
    enterprise = models.ForeignKey(
        "registry.Enterprise",
        verbose_name=_("建设单位"),
        on_delete=models.PROTECT,
        related_name="source_projects",
    )
    industry = models.ForeignKey(
        "registry.Industry", verbose_name=_("行业领域"), on_delete=models.PROTECT, related_name="+"
    )
    township = models.ForeignKey(
        "registry.Region", verbose_name=_("所在乡镇（街道）"), on_delete=models.PROTECT, related_name="+"
    )
    kind = models.CharField(_("项目类型"), max_length=10, choices=ProjectKind.choices)
    activity = models.CharField(_("产业类别（目录条目）"), max_length=40, blank=True)
    description = models.TextField(_("建设内容"), blank=True)
    investment = models.DecimalField(
        _("总投资（万元）"), max_digits=12, decimal_places=2, null=True, blank=True
    )
    status = models.CharField(
        _("状态"), max_length=12, choices=ProjectStatus.choices, default=ProjectStatus.REGISTERED
    )
    registered_on = models.DateField(_("登记日期"))
    refusal_reason = models.TextField(_("不予通过理由"), blank=True)

    class Meta:
        verbose_name = _("建设项目")
        verbose_name_plural = _("建设项目")
        ordering = ["-registered_on", "-pk"]

    def __str__(self) -> str:
        return self.name

    def get_absolute_url(self) -> str:
        return reverse("sourcecontrol:project_detail", args=[self.pk])


class SourceProjectTransition(StepHistory):
    project = models.ForeignKey(
        SourceProject, verbose_name=_("建设项目"), on_delete=models.CASCADE, related_name="history"
    )
    from_status = models.CharField(_("原状态"), max_length=12, choices=ProjectStatus.choices, blank=True)
    to_status = models.CharField(_("新状态"), max_length=12, choices=ProjectStatus.choices)

    class Meta(StepHistory.Meta):
        verbose_name = _("建设项目办理记录")
        verbose_name_plural = _("建设项目办理记录")


class ProjectStage(models.Model):
    """One 三同时 (or review, diagnosis) node of a project as done: date, document, conclusion, who."""

    project = models.ForeignKey(
        SourceProject, verbose_name=_("建设项目"), on_delete=models.CASCADE, related_name="stages"
    )
    stage = models.CharField(_("环节"), max_length=12, choices=Stage.choices)
    done_on = models.DateField(_("完成日期"))
    document = models.CharField(_("文件名称"), max_length=200, blank=True)
    document_number = models.CharField(_("文号"), max_length=60, blank=True)
    organisation = models.CharField(_("承担或审查单位"), max_length=100, blank=True)
    conclusion = models.TextField(_("结论"), blank=True)
    recorded_at = models.DateTimeField(_("记录时间"), auto_now_add=True)

    class Meta:
        verbose_name = _("三同时环节")
        verbose_name_plural = _("三同时环节")
        ordering = ["done_on", "pk"]

    def __str__(self) -> str:
        return f"{self.project_id} {self.stage}"


class StageDocument(BaseModel):
    """A file of a 三同时 (or diagnosis) stage: the report, opinion or certificate itself (PDF, Word, photo),
    checked by content (core.uploads), stored under MEDIA_ROOT and read only through the project's scoped view."""

    stage = models.ForeignKey(
        ProjectStage, verbose_name=_("环节"), on_delete=models.CASCADE, related_name="documents"
    )
    file = models.FileField(_("文件"), upload_to="sourcecontrol/%Y/%m/")
    name = models.CharField(_("文件名"), max_length=200)
    content_type = models.CharField(_("文件类型"), max_length=100)
    size = models.PositiveIntegerField(_("大小（字节）"))
    sha256 = models.CharField(_("文件摘要"), max_length=64)
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("上传人"),
        null=True,
        on_delete=models.PROTECT,
        related_name="+",
    )

    class Meta:
        verbose_name = _("三同时环节文件")
        verbose_name_plural = _("三同时环节文件")
        ordering = ["stage", "created_at", "pk"]

    def __str__(self) -> str:
        return self.name

    def get_absolute_url(self) -> str:
        return reverse("sourcecontrol:stage_document", args=[self.stage.project_id, self.pk])


class PhaseOutItem(ScopedModel):
    """淘汰: an outdated vehicle or piece of equipment of a unit (or a household, through its township), with
    its due date and status (登记 → 淘汰完成)."""

    scope = ScopePaths(region="township__code", industry="industry_id", enterprise="enterprise_id")

    kind = models.CharField(_("类别"), max_length=12, choices=PhaseOutKind.choices)
    name = models.CharField(_("名称或型号"), max_length=100)
    identifier = models.CharField(_("号牌或编号"), max_length=60, blank=True)
    owner = models.CharField(_("所有人"), max_length=60, blank=True)
    enterprise = models.ForeignKey(
        "registry.Enterprise",
        verbose_name=_("所属单位"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="phase_out_items",
    )
    industry = models.ForeignKey(
        "registry.Industry", verbose_name=_("行业领域"), on_delete=models.PROTECT, related_name="+"
    )
    township = models.ForeignKey(
        "registry.Region", verbose_name=_("所在乡镇（街道）"), on_delete=models.PROTECT, related_name="+"
    )
    due_on = models.DateField(_("淘汰时限"))
    status = models.CharField(
        _("状态"), max_length=12, choices=PhaseOutStatus.choices, default=PhaseOutStatus.REGISTERED
    )
    done_on = models.DateField(_("淘汰完成日期"), null=True, blank=True)
    method = models.CharField(_("淘汰方式"), max_length=100, blank=True)

    class Meta:
        verbose_name = _("淘汰对象")
        verbose_name_plural = _("淘汰对象")
        ordering = ["status", "due_on", "pk"]

    def __str__(self) -> str:
        return f"{self.name} {self.identifier}".strip()

    def get_absolute_url(self) -> str:
        return reverse("sourcecontrol:phaseout_detail", args=[self.pk])


class PhaseOutTransition(StepHistory):
    item = models.ForeignKey(
        PhaseOutItem, verbose_name=_("淘汰对象"), on_delete=models.CASCADE, related_name="history"
    )
    from_status = models.CharField(_("原状态"), max_length=12, choices=PhaseOutStatus.choices, blank=True)
    to_status = models.CharField(_("新状态"), max_length=12, choices=PhaseOutStatus.choices)

    class Meta(StepHistory.Meta):
        verbose_name = _("淘汰办理记录")
        verbose_name_plural = _("淘汰办理记录")
