"""Enforcement: cases (行政处罚案件) and their measures, the discretion benchmark, the 安全生产法 Art 113 watch,
and 打非治违 records.

A case runs 立案 → 调查取证 → 告知 → 决定 → 执行 → 结案 through services.py (compare-and-swap, a
`CaseTransition` row and one audit row per step). A case may come from an inspection finding, a hazard, a
打非治违 record or a tip; its subject is a registered unit or, for illegal operations, an unregistered subject.
"""

from __future__ import annotations

from decimal import Decimal

from django.conf import settings
from django.db import models
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from zhiben.core.crypto import EncryptedTextField, mask_phone
from zhiben.core.models import BaseModel, ScopedModel, VersionedModel
from zhiben.core.scoping import ScopedQuerySet, ScopePaths

from .choices import CaseStatus, Circumstance, MeasureKind, OperationKind, OperationStatus, ProposalStatus

_CASE_SCOPE = ScopePaths(
    region="region__code", industry="industry_id", enterprise="enterprise_id", department="department_id"
)


class DiscretionRule(VersionedModel):
    """行政裁量基准: for one violation and circumstance, the penalty range and measures it suggests (data)."""

    scope = ScopePaths(unscoped=True)
    code = models.CharField(_("编号"), max_length=40, unique=True)
    violation = models.CharField(_("违法行为"), max_length=300)
    legal_basis = models.CharField(_("违法依据"), max_length=300, blank=True)
    penalty_basis = models.CharField(_("处罚依据"), max_length=300)
    circumstance = models.CharField(_("违法情节"), max_length=10, choices=Circumstance.choices)
    criteria = models.CharField(_("情节认定标准"), max_length=500, blank=True)
    min_amount = models.DecimalField(
        _("罚款下限（元）"), max_digits=12, decimal_places=2, null=True, blank=True
    )
    max_amount = models.DecimalField(
        _("罚款上限（元）"), max_digits=12, decimal_places=2, null=True, blank=True
    )
    measures = models.JSONField(_("建议措施"), default=list, help_text=_("MeasureKind 代码列表"))
    person_min_amount = models.DecimalField(
        _("对个人罚款下限（元）"), max_digits=12, decimal_places=2, null=True, blank=True
    )
    person_max_amount = models.DecimalField(
        _("对个人罚款上限（元）"), max_digits=12, decimal_places=2, null=True, blank=True
    )
    source = models.CharField(_("来源"), max_length=200, blank=True)
    verified = models.BooleanField(_("已核实"), default=False)
    active = models.BooleanField(_("启用"), default=True)

    objects = ScopedQuerySet.as_manager()

    class Meta:
        verbose_name = _("行政裁量基准")
        verbose_name_plural = _("行政裁量基准")
        ordering = ["code"]

    def __str__(self) -> str:
        return f"{self.code} {self.violation}（{self.get_circumstance_display()}）"

    def get_absolute_url(self) -> str:
        return reverse("enforcement:discretion_edit", args=[self.pk])

    @property
    def range_display(self) -> str:
        """罚款幅度 as the benchmark states it: "1万元以上3万元以下", "10万元以下", or "—"."""
        return amount_range(self.min_amount, self.max_amount)

    @property
    def person_range_display(self) -> str:
        return amount_range(self.person_min_amount, self.person_max_amount)

    def admits(self, amount: Decimal) -> bool:
        """Whether a fine of `amount` lies inside the benchmark's range (both ends included)."""
        if self.min_amount is not None and amount < self.min_amount:
            return False
        return self.max_amount is None or amount <= self.max_amount


def yuan(amount: Decimal) -> str:
    """An amount in 元 as a penalty document writes it: 万元 when it is a whole number of 万."""
    if amount >= 10000 and amount % 10000 == 0:
        return f"{int(amount // 10000)}万元"
    return f"{amount.normalize():f}元"


def amount_range(low: Decimal | None, high: Decimal | None) -> str:
    if low is None and high is None:
        return "—"
    if low is None or low == 0:
        return f"{yuan(high)}以下" if high is not None else "—"
    if high is None:
        return f"{yuan(low)}以上"
    return f"{yuan(low)}以上{yuan(high)}以下"


class IllegalOperation(ScopedModel):
    """打非治违: an illegal operation found, possibly by a subject with no registration (no USCC)."""

    # A township sees its territory; a department the operations of its industries and those it handles.
    scope = ScopePaths(region="region__code", industry="industry_id", department="department_id")
    code = models.CharField(_("编号"), max_length=40, unique=True)
    subject_name = models.CharField(_("当事人/经营者"), max_length=100)
    uscc = models.CharField(_("统一社会信用代码"), max_length=18, blank=True)
    contact_name = models.CharField(_("联系人"), max_length=50, blank=True)
    contact_phone = EncryptedTextField(_("联系电话"), blank=True)  # R16: stored encrypted, shown masked
    kind = models.CharField(_("违法类型"), max_length=30, choices=OperationKind.choices)
    region = models.ForeignKey(
        "registry.Region", verbose_name=_("所在区划"), on_delete=models.PROTECT, related_name="+"
    )
    industry = models.ForeignKey(
        "registry.Industry",
        verbose_name=_("行业领域"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    address = models.CharField(_("地点"), max_length=200)
    latitude = models.DecimalField(_("纬度"), max_digits=9, decimal_places=6, null=True, blank=True)
    longitude = models.DecimalField(_("经度"), max_digits=9, decimal_places=6, null=True, blank=True)
    description = models.TextField(_("违法事实"))
    discovered_on = models.DateField(_("发现日期"))
    department = models.ForeignKey(
        "registry.Department",
        verbose_name=_("查处部门"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    status = models.CharField(
        _("状态"), max_length=12, choices=OperationStatus.choices, default=OperationStatus.FOUND
    )
    enterprise = models.ForeignKey(
        "registry.Enterprise",
        verbose_name=_("纳入监管的单位"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="illegal_operations",
        help_text=_("转为登记单位后，原记录保留并关联"),
    )
    converted_at = models.DateTimeField(_("纳入监管时间"), null=True, blank=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("记录人"),
        null=True,
        on_delete=models.PROTECT,
        related_name="+",
    )

    class Meta:
        verbose_name = _("打非治违记录")
        verbose_name_plural = _("打非治违记录")
        ordering = ["-discovered_on", "-pk"]

    def __str__(self) -> str:
        return f"{self.code} {self.subject_name}"

    def get_absolute_url(self) -> str:
        return reverse("enforcement:operation_detail", args=[self.pk])

    @property
    def masked_contact_phone(self) -> str:
        return mask_phone(self.contact_phone)


class IllegalOperationTransition(BaseModel):
    """One step of a 打非治违 record's history (责令停止, 取缔, 整改合法, 纳入监管)."""

    scope = ScopePaths(
        region="operation__region__code",
        industry="operation__industry_id",
        department="operation__department_id",
    )
    operation = models.ForeignKey(
        IllegalOperation, verbose_name=_("打非治违记录"), on_delete=models.CASCADE, related_name="history"
    )
    action = models.CharField(_("操作"), max_length=30)
    from_status = models.CharField(_("原状态"), max_length=12, blank=True, choices=OperationStatus.choices)
    to_status = models.CharField(_("新状态"), max_length=12, choices=OperationStatus.choices)
    note = models.TextField(_("说明"), blank=True)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("操作人"),
        null=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    at = models.DateTimeField(_("时间"), auto_now_add=True)

    objects = ScopedQuerySet.as_manager()

    class Meta:
        verbose_name = _("打非治违办理记录")
        verbose_name_plural = _("打非治违办理记录")
        ordering = ["operation", "at", "pk"]


class IllegalOperationEvidence(BaseModel):
    """A photo or document proving an illegal operation."""

    scope = ScopePaths(
        region="operation__region__code",
        industry="operation__industry_id",
        department="operation__department_id",
    )
    operation = models.ForeignKey(
        IllegalOperation, verbose_name=_("打非治违记录"), on_delete=models.CASCADE, related_name="evidence"
    )
    file = models.FileField(_("文件"), upload_to="enforcement/%Y/%m/")
    content_type = models.CharField(_("类型"), max_length=100)
    size = models.PositiveIntegerField(_("大小"))
    sha256 = models.CharField(_("文件摘要"), max_length=64)
    note = models.CharField(_("说明"), max_length=200, blank=True)
    captured_at = models.DateTimeField(_("拍摄时间"), null=True, blank=True)
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("上传人"),
        null=True,
        on_delete=models.PROTECT,
        related_name="+",
    )

    objects = ScopedQuerySet.as_manager()

    class Meta:
        verbose_name = _("打非治违证据")
        verbose_name_plural = _("打非治违证据")


class Case(ScopedModel):
    """行政处罚案件 (or a corrective-order case) against one subject."""

    scope = _CASE_SCOPE
    code = models.CharField(_("案件编号"), max_length=40, unique=True)
    enterprise = models.ForeignKey(
        "registry.Enterprise",
        verbose_name=_("当事单位"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="cases",
    )
    operation = models.ForeignKey(
        IllegalOperation,
        verbose_name=_("打非治违记录"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="cases",
    )
    subject_name = models.CharField(_("当事人"), max_length=100)
    region = models.ForeignKey(
        "registry.Region", verbose_name=_("所在区划"), on_delete=models.PROTECT, related_name="+"
    )
    industry = models.ForeignKey(
        "registry.Industry",
        verbose_name=_("行业领域"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    department = models.ForeignKey(
        "registry.Department", verbose_name=_("办案部门"), on_delete=models.PROTECT, related_name="cases"
    )
    inspection = models.ForeignKey(
        "inspections.Inspection",
        verbose_name=_("来源检查"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="cases",
    )
    finding = models.ForeignKey(
        "inspections.Finding",
        verbose_name=_("来源问题"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="cases",
    )
    hazard = models.ForeignKey(
        "hazards.Hazard",
        verbose_name=_("涉及隐患"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="cases",
    )
    involves_major_hazard = models.BooleanField(_("涉及重大事故隐患"), default=False)
    violation = models.TextField(_("违法事实"))
    discretion_rule = models.ForeignKey(
        DiscretionRule,
        verbose_name=_("适用裁量基准"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="cases",
    )
    status = models.CharField(_("状态"), max_length=20, choices=CaseStatus.choices, default=CaseStatus.FILED)
    filed_on = models.DateField(_("立案日期"))
    notified_on = models.DateField(_("告知日期"), null=True, blank=True)
    statement = models.TextField(_("陈述申辩情况"), blank=True)
    decided_on = models.DateField(_("决定日期"), null=True, blank=True)
    closed_on = models.DateField(_("结案日期"), null=True, blank=True)
    decision_document = models.ForeignKey(
        "core.OfficialDocument",
        verbose_name=_("行政处罚决定书"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    is_typical = models.BooleanField(_("典型案例"), default=False)
    typical_summary = models.TextField(_("典型案例简介"), blank=True)
    handler = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("承办人"),
        null=True,
        on_delete=models.PROTECT,
        related_name="+",
    )

    class Meta:
        verbose_name = _("执法案件")
        verbose_name_plural = _("执法案件")
        indexes = [
            models.Index(fields=["-filed_on", "-id"], name="case_recent_idx"),
            models.Index(fields=["department", "decided_on"], name="case_department_idx"),
            models.Index(fields=["enterprise", "decided_on"], name="case_enterprise_idx"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(enterprise__isnull=False) | models.Q(operation__isnull=False),
                name="case_has_subject",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.code} {self.subject_name}"

    def get_absolute_url(self) -> str:
        return reverse("enforcement:case_detail", args=[self.pk])


def _case_child_scope() -> ScopePaths:
    return ScopePaths(
        region="case__region__code",
        industry="case__industry_id",
        enterprise="case__enterprise_id",
        department="case__department_id",
    )


class CaseMeasure(BaseModel):
    """One measure decided in a case: a corrective order, a fine (amount), 按日连续处罚, 停产整顿 …"""

    scope = _case_child_scope()
    case = models.ForeignKey(Case, verbose_name=_("案件"), on_delete=models.CASCADE, related_name="measures")
    kind = models.CharField(_("措施"), max_length=20, choices=MeasureKind.choices)
    amount = models.DecimalField(_("罚款金额（元）"), max_digits=14, decimal_places=2, null=True, blank=True)
    daily_amount = models.DecimalField(
        _("按日处罚金额（元/日）"), max_digits=12, decimal_places=2, null=True, blank=True
    )
    start_on = models.DateField(_("开始日期"), null=True, blank=True)
    end_on = models.DateField(_("期限/结束日期"), null=True, blank=True)
    details = models.TextField(_("内容"), blank=True)
    # Empty while the measure is only proposed (拟作出); set when it takes effect (at 决定, or at once for a
    # corrective order or a transfer to the judiciary).
    decided_on = models.DateField(_("决定日期"), null=True, blank=True)
    executed_on = models.DateField(_("执行完毕日期"), null=True, blank=True)
    document = models.ForeignKey(
        "core.OfficialDocument",
        verbose_name=_("文书"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    outside_range_reason = models.TextField(_("超出裁量基准的理由"), blank=True)

    objects = ScopedQuerySet.as_manager()

    class Meta:
        verbose_name = _("处理措施")
        verbose_name_plural = _("处理措施")
        ordering = ["case", "pk"]

    def __str__(self) -> str:
        return str(self.get_kind_display())

    @property
    def is_decided(self) -> bool:
        return self.decided_on is not None

    @property
    def daily_days(self) -> int | None:
        """按日连续处罚: the days counted so far, both ends included (None until the end is known)."""
        if self.kind != MeasureKind.DAILY_FINE or self.start_on is None or self.end_on is None:
            return None
        return max(0, (self.end_on - self.start_on).days + 1)

    @property
    def daily_total(self) -> Decimal | None:
        days = self.daily_days
        if days is None or self.daily_amount is None:
            return None
        return self.daily_amount * days


class CaseTransition(BaseModel):
    """One step of a case's history."""

    scope = _case_child_scope()
    case = models.ForeignKey(Case, verbose_name=_("案件"), on_delete=models.CASCADE, related_name="history")
    action = models.CharField(_("操作"), max_length=30)
    from_status = models.CharField(_("原状态"), max_length=20, blank=True, choices=CaseStatus.choices)
    to_status = models.CharField(_("新状态"), max_length=20, choices=CaseStatus.choices)
    note = models.TextField(_("说明"), blank=True)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("操作人"),
        null=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    at = models.DateTimeField(_("时间"))

    objects = ScopedQuerySet.as_manager()

    class Meta:
        verbose_name = _("案件办理记录")
        verbose_name_plural = _("案件办理记录")
        ordering = ["case", "at", "pk"]


class ClosureProposal(BaseModel):
    """安全生产法第一百一十三条第（一）项 watch: a unit penalised for 重大事故隐患 three times in 180 days or four
    times in a year → 提请县级以上人民政府予以关闭."""

    scope = ScopePaths(
        region="enterprise__region__code",
        industry="enterprise__industries",
        enterprise="enterprise_id",
        department="department_id",
    )
    enterprise = models.ForeignKey(
        "registry.Enterprise", verbose_name=_("生产经营单位"), on_delete=models.PROTECT, related_name="+"
    )
    department = models.ForeignKey(
        "registry.Department",
        verbose_name=_("提出部门"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        help_text=_("作出触发处罚的办案部门"),
    )
    triggered_on = models.DateField(_("触发日期"))
    rule = models.CharField(_("触发条件"), max_length=100)
    case_ids = models.JSONField(_("相关案件"), default=list)
    status = models.CharField(
        _("状态"), max_length=10, choices=ProposalStatus.choices, default=ProposalStatus.OPEN
    )
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("处理人"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    decided_at = models.DateTimeField(_("处理时间"), null=True, blank=True)
    note = models.TextField(_("处理意见"), blank=True)
    document = models.ForeignKey(
        "core.OfficialDocument",
        verbose_name=_("提请关闭文书"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )

    objects = ScopedQuerySet.as_manager()

    class Meta:
        verbose_name = _("提请关闭建议")
        verbose_name_plural = _("提请关闭建议")
        ordering = ["-triggered_on", "-pk"]
        constraints = [
            models.UniqueConstraint(fields=["enterprise", "triggered_on"], name="closure_proposal_unique"),
        ]

    def __str__(self) -> str:
        return f"{self.enterprise}（{self.triggered_on:%Y-%m-%d}）"

    def get_absolute_url(self) -> str:
        return reverse("enforcement:proposal_detail", args=[self.pk])
