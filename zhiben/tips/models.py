"""举报奖励: tips from the public, the identity vault, the handling loop, rewards and enterprises' own reporting.

Confidentiality (research/reliability.md R13–R16) is built into the shape of the rows:

* `Tip.original_text` is what the reporter wrote, SM4-GCM encrypted; handlers read only `working_text`, the
  另行编辑 copy the intake custodian prepares at 受理. Nothing forwards the original.
* `TipIdentity` holds the reporter's identity apart from the tip, every field encrypted; it is read only by
  the custodian, or by a handler through an approved, time-limited `IdentityRequest` (each step audited).
* The receipt code is never stored: `receipt_index` is a keyed HMAC-SM3 locator and `receipt_hash` a slow
  (Argon2) hash of it. No IP address or User-Agent is stored with a tip.
* Attachments keep the original encrypted (evidence, custodian only) and a re-encoded working copy without
  EXIF/GPS or document metadata (`TipAttachment.working_file`).
* A tip is visible to a department or a township only once transferred (转办) to it: the scope paths are
  the transfer's `department` and `township`, never the place reported or the unit.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from zhiben.core.crypto import EncryptedTextField
from zhiben.core.models import BaseModel, ScopedModel, VersionedModel
from zhiben.core.scoping import ScopedQuerySet, ScopePaths

from .choices import (
    AccidentGrade,
    Category,
    Channel,
    IdentityRequestStatus,
    InternalStatus,
    Outcome,
    RewardBasis,
    RewardStatus,
    TipStatus,
)

_TIP_SCOPE = ScopePaths(region="township__code", department="department_id")


def _child_scope(path: str) -> ScopePaths:
    return ScopePaths(region=f"{path}__township__code", department=f"{path}__department_id")


class Tip(ScopedModel):
    """One report (举报) as received, and its handling."""

    scope = _TIP_SCOPE
    code = models.CharField(_("举报编号"), max_length=30, unique=True)
    channel = models.CharField(_("举报渠道"), max_length=12, choices=Channel.choices, default=Channel.PORTAL)
    category = models.CharField(_("举报类别"), max_length=20, choices=Category.choices)
    # The unit reported: a registered one, or the name as the reporter gave it.
    enterprise = models.ForeignKey(
        "registry.Enterprise",
        verbose_name=_("被举报单位"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",  # never reachable from the unit's side (the unit must not learn of the tip)
    )
    unit_name = models.CharField(_("被举报单位名称"), max_length=200, blank=True)
    place = models.ForeignKey(
        "registry.Region",
        verbose_name=_("地点所在区划"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    address = models.CharField(_("详细地点"), max_length=200, blank=True)
    latitude = models.DecimalField(_("纬度"), max_digits=9, decimal_places=6, null=True, blank=True)
    longitude = models.DecimalField(_("经度"), max_digits=9, decimal_places=6, null=True, blank=True)
    original_text = EncryptedTextField(_("举报内容（原件）"))
    working_text = models.TextField(
        _("举报内容（另行编辑件）"),
        blank=True,
        help_text=_("受理人另行编辑、去除可识别举报人信息后的工作件，承办部门只见此件"),
    )
    real_name = models.BooleanField(_("实名举报"), default=False)
    received_at = models.DateTimeField(_("收到时间"))
    status = models.CharField(
        _("办理状态"), max_length=12, choices=TipStatus.choices, default=TipStatus.RECEIVED, db_index=True
    )
    industry = models.ForeignKey(
        "registry.Industry",
        verbose_name=_("行业领域"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    # 转办: the supervising department (三管三必须) and the township of the place.
    department = models.ForeignKey(
        "registry.Department",
        verbose_name=_("承办部门"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    township = models.ForeignKey(
        "registry.Region",
        verbose_name=_("属地乡镇（街道）"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    accept_deadline = models.DateField(_("受理期限"), null=True, blank=True)
    accepted_on = models.DateField(_("受理日期"), null=True, blank=True)
    rejection_reason = models.TextField(_("不予受理理由"), blank=True, help_text=_("将告知举报人"))
    verify_deadline = models.DateField(_("核查期限"), null=True, blank=True, db_index=True)
    extended = models.BooleanField(_("已延期"), default=False)
    concluded_on = models.DateField(_("办结日期"), null=True, blank=True)
    outcome = models.CharField(_("核查结论"), max_length=12, choices=Outcome.choices, blank=True)
    conclusion = models.TextField(_("核查情况"), blank=True, help_text=_("内部材料，不告知举报人"))
    feedback_deadline = models.DateField(_("反馈期限"), null=True, blank=True)
    public_feedback = models.TextField(_("答复举报人"), blank=True)
    feedback_on = models.DateField(_("答复日期"), null=True, blank=True)
    public_summary = models.CharField(
        _("公开摘要"), max_length=300, blank=True, help_text=_("匿名化后公开的办理结果，不含单位和个人信息")
    )
    merged_into = models.ForeignKey(
        "self",
        verbose_name=_("合并至"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="duplicates",
    )
    escalation = models.CharField(_("当前督办措施"), max_length=20, blank=True)
    # Links to what the check produced (both ways: hazard.tips, case.tips, inspection.tips).
    inspection = models.ForeignKey(
        "inspections.Inspection",
        verbose_name=_("核查检查"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="tips",
    )
    hazards = models.ManyToManyField(
        "hazards.Hazard", verbose_name=_("核查发现的隐患"), blank=True, related_name="tips"
    )
    cases = models.ManyToManyField(
        "enforcement.Case", verbose_name=_("立案查处"), blank=True, related_name="tips"
    )
    # The receipt code (查询码) is never stored: a keyed locator and a slow hash of it (R14).
    receipt_index = models.CharField(_("查询码索引"), max_length=64, unique=True, editable=False)
    receipt_hash = models.CharField(_("查询码摘要"), max_length=200, editable=False)
    # A second press of 提交 (or a retried API call) carries the same key and creates nothing new.
    submission_key = models.CharField(
        _("提交标识"), max_length=64, unique=True, null=True, blank=True, editable=False
    )

    class Meta:
        verbose_name = _("举报")
        verbose_name_plural = _("举报")
        ordering = ["-received_at", "-pk"]
        indexes = [models.Index(fields=["status", "verify_deadline"], name="tip_status_deadline_idx")]

    def __str__(self) -> str:
        return f"{self.code}（{self.get_category_display()}）"

    def get_absolute_url(self) -> str:
        return reverse("tips:detail", args=[self.pk])


class TipTransition(models.Model):
    """One step of a tip's handling, in order (internal: the reporter never sees it)."""

    scope = _child_scope("tip")
    tip = models.ForeignKey(Tip, verbose_name=_("举报"), on_delete=models.CASCADE, related_name="transitions")
    action = models.CharField(_("操作"), max_length=30)
    from_status = models.CharField(_("原状态"), max_length=12, choices=TipStatus.choices, blank=True)
    to_status = models.CharField(_("新状态"), max_length=12, choices=TipStatus.choices)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("操作人"),
        null=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    note = models.TextField(_("说明"), blank=True)
    at = models.DateTimeField(_("时间"), auto_now_add=True)

    objects = ScopedQuerySet.as_manager()

    class Meta:
        verbose_name = _("举报办理记录")
        verbose_name_plural = _("举报办理记录")
        ordering = ["tip", "at", "id"]

    def __str__(self) -> str:
        return f"{self.tip_id}: {self.from_status}→{self.to_status}"


class TipIdentity(BaseModel):
    """The reporter's identity (身份保密库): apart from the tip, every field SM4-GCM encrypted (R13)."""

    # Only the custodian's role holds any permission on this model; its grant is district-wide.
    scope = _child_scope("tip")
    tip = models.OneToOneField(Tip, verbose_name=_("举报"), on_delete=models.CASCADE, related_name="identity")
    name = EncryptedTextField(_("姓名"), blank=True)
    phone = EncryptedTextField(_("联系电话"), blank=True)
    id_number = EncryptedTextField(_("身份证号码"), blank=True)
    employer = EncryptedTextField(_("工作单位"), blank=True)
    works_there = EncryptedTextField(_("是否被举报单位从业人员"), blank=True)  # "是" / "否" / ""

    objects = ScopedQuerySet.as_manager()

    class Meta:
        verbose_name = _("举报人身份信息")
        verbose_name_plural = _("举报人身份信息")

    def __str__(self) -> str:
        return f"举报 {self.tip_id} 的举报人身份"


class TipAttachment(BaseModel):
    """A photo or document sent with a tip: the original encrypted (evidence), and a working copy without
    metadata (EXIF/GPS removed by re-encoding, document properties stripped) for handlers."""

    scope = _child_scope("tip")
    tip = models.ForeignKey(Tip, verbose_name=_("举报"), on_delete=models.CASCADE, related_name="attachments")
    original_file = models.FileField(_("原件（加密）"), upload_to="tips/original/%Y/%m/")
    original_name = EncryptedTextField(_("原文件名"), blank=True)
    working_file = models.FileField(_("工作件"), upload_to="tips/working/%Y/%m/")
    name = models.CharField(_("文件名"), max_length=100)  # a neutral name: 附件1.jpg
    content_type = models.CharField(_("文件类型"), max_length=100)
    size = models.PositiveIntegerField(_("大小（字节）"))
    sha256 = models.CharField(_("工作件摘要"), max_length=64)

    objects = ScopedQuerySet.as_manager()

    class Meta:
        verbose_name = _("举报附件")
        verbose_name_plural = _("举报附件")
        ordering = ["tip", "pk"]

    def __str__(self) -> str:
        return self.name


class IdentityRequest(VersionedModel):
    """A handler's request to see a reporter's identity: 申请 → the custodian 批准 (for a limited time) or
    不予批准; each step and each view audited."""

    scope = _child_scope("tip")
    tip = models.ForeignKey(
        Tip, verbose_name=_("举报"), on_delete=models.CASCADE, related_name="identity_requests"
    )
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("申请人"), on_delete=models.PROTECT, related_name="+"
    )
    reason = models.TextField(_("申请理由"))
    status = models.CharField(
        _("状态"),
        max_length=12,
        choices=IdentityRequestStatus.choices,
        default=IdentityRequestStatus.REQUESTED,
    )
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("审批人"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    decided_at = models.DateTimeField(_("审批时间"), null=True, blank=True)
    decision_note = models.TextField(_("审批意见"), blank=True)
    valid_until = models.DateTimeField(_("查看有效期至"), null=True, blank=True)

    objects = ScopedQuerySet.as_manager()

    class Meta:
        verbose_name = _("举报人身份查看申请")
        verbose_name_plural = _("举报人身份查看申请")
        ordering = ["-created_at", "-pk"]

    def __str__(self) -> str:
        return f"举报 {self.tip_id} 身份查看申请"

    def get_absolute_url(self) -> str:
        return reverse("tips:vault_request", args=[self.pk])


class TipExtension(VersionedModel):
    """延期: one extension of the verification deadline (≤ 30 days), with the reason told to the reporter."""

    scope = _child_scope("tip")
    tip = models.ForeignKey(Tip, verbose_name=_("举报"), on_delete=models.CASCADE, related_name="extensions")
    days = models.PositiveSmallIntegerField(_("延长天数"))
    reason = models.TextField(_("延期理由"), help_text=_("将告知举报人"))
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("申请人"), on_delete=models.PROTECT, related_name="+"
    )
    approved = models.BooleanField(_("已批准"), null=True, blank=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("审批人"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    decided_at = models.DateTimeField(_("审批时间"), null=True, blank=True)

    objects = ScopedQuerySet.as_manager()

    class Meta:
        verbose_name = _("举报核查延期")
        verbose_name_plural = _("举报核查延期")
        ordering = ["tip", "pk"]

    def __str__(self) -> str:
        return f"举报 {self.tip_id} 延期 {self.days} 日"


class TipDeadlineRule(VersionedModel):
    """A deadline of the handling as data (受理, 核查, 延期, 反馈, 奖励决定, 领奖), with its source."""

    scope = ScopePaths(unscoped=True)
    stage = models.CharField(_("环节"), max_length=20, unique=True)
    name = models.CharField(_("名称"), max_length=50)
    days = models.PositiveSmallIntegerField(_("期限（日）"))
    working_days = models.BooleanField(_("按工作日计算"), default=False)
    source = models.CharField(_("依据"), max_length=300, blank=True)
    verified = models.BooleanField(_("已核实"), default=False)

    objects = ScopedQuerySet.as_manager()

    class Meta:
        verbose_name = _("举报办理期限")
        verbose_name_plural = _("举报办理期限")
        ordering = ["pk"]

    def __str__(self) -> str:
        unit = "个工作日" if self.working_days else "日"
        return f"{self.name}：{self.days}{unit}"


class RewardRule(VersionedModel):
    """A reward formula as data with its legal source: national, provincial or city; per category; with the
    industries it excludes (湖南: 道路交通、消防 follow their own schemes)."""

    scope = ScopePaths(unscoped=True)
    code = models.CharField(_("编号"), max_length=40, unique=True)
    name = models.CharField(_("名称"), max_length=100)
    authority = models.CharField(_("制定层级"), max_length=10)  # 国家 / 省 / 市 / 区
    basis = models.CharField(_("计奖方式"), max_length=20, choices=RewardBasis.choices)
    categories = models.JSONField(_("适用举报类别"), default=list, help_text=_("举报类别代码列表；空为全部"))
    percent = models.DecimalField(_("奖励比例（%）"), max_digits=6, decimal_places=2, null=True, blank=True)
    per_death = models.JSONField(
        _("每查实瞒报1人奖励（元）"), default=dict, blank=True, help_text=_("按事故等级")
    )
    fixed_amount = models.DecimalField(
        _("定额（元）"), max_digits=12, decimal_places=2, null=True, blank=True
    )
    min_amount = models.DecimalField(
        _("最低奖励（元）"), max_digits=12, decimal_places=2, null=True, blank=True
    )
    max_amount = models.DecimalField(
        _("最高奖励（元）"), max_digits=12, decimal_places=2, null=True, blank=True
    )
    excluded_industries = models.JSONField(_("不适用的行业领域"), default=list, blank=True)
    priority = models.PositiveSmallIntegerField(_("优先顺序"), default=100, help_text=_("数值小者优先适用"))
    source = models.CharField(_("依据"), max_length=300)
    verified = models.BooleanField(_("已核实"), default=False)
    active = models.BooleanField(_("启用"), default=True)

    objects = ScopedQuerySet.as_manager()

    class Meta:
        verbose_name = _("举报奖励标准")
        verbose_name_plural = _("举报奖励标准")
        ordering = ["priority", "code"]

    def __str__(self) -> str:
        return self.name


class Reward(ScopedModel):
    """The reward of a founded tip to its first accepted real-name reporter: 拟定 → 审批 (a second person) →
    告知 → 申领 (by receipt code, within the claim window) → 发放, all audited."""

    scope = _child_scope("tip")
    tip = models.OneToOneField(Tip, verbose_name=_("举报"), on_delete=models.PROTECT, related_name="reward")
    rule = models.ForeignKey(
        RewardRule, verbose_name=_("适用标准"), on_delete=models.PROTECT, related_name="+"
    )
    rule_text = models.CharField(_("计算依据"), max_length=300)
    basis = models.CharField(_("计奖方式"), max_length=20, choices=RewardBasis.choices)
    fine = models.DecimalField(_("罚款金额（元）"), max_digits=14, decimal_places=2, null=True, blank=True)
    grade = models.CharField(_("事故等级"), max_length=10, choices=AccidentGrade.choices, blank=True)
    deaths = models.PositiveSmallIntegerField(_("查实瞒报死亡人数"), null=True, blank=True)
    amount = models.DecimalField(_("奖励金额（元）"), max_digits=12, decimal_places=2)
    status = models.CharField(
        _("状态"), max_length=12, choices=RewardStatus.choices, default=RewardStatus.PROPOSED, db_index=True
    )
    decision_deadline = models.DateField(_("奖励决定期限"), null=True, blank=True)
    proposed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("拟定人"), on_delete=models.PROTECT, related_name="+"
    )
    approved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("审批人"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    approved_at = models.DateTimeField(_("审批时间"), null=True, blank=True)
    claim_deadline = models.DateField(_("领取期限"), null=True, blank=True)
    claimed_at = models.DateTimeField(_("申领时间"), null=True, blank=True)
    paid_on = models.DateField(_("发放日期"), null=True, blank=True)
    payment_method = models.CharField(_("发放方式"), max_length=50, blank=True)
    payment_reference = models.CharField(_("发放凭证号"), max_length=100, blank=True)
    paid_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("发放经办人"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    note = models.TextField(_("说明"), blank=True)

    class Meta:
        verbose_name = _("举报奖励")
        verbose_name_plural = _("举报奖励")
        ordering = ["-created_at", "-pk"]

    def __str__(self) -> str:
        return f"{self.tip.code} 奖励 {self.amount} 元"

    def get_absolute_url(self) -> str:
        return reverse("tips:reward_detail", args=[self.pk])


class RewardTransition(models.Model):
    """One step of a reward, in order."""

    scope = ScopePaths(region="reward__tip__township__code", department="reward__tip__department_id")
    reward = models.ForeignKey(
        Reward, verbose_name=_("举报奖励"), on_delete=models.CASCADE, related_name="transitions"
    )
    action = models.CharField(_("操作"), max_length=30)
    from_status = models.CharField(_("原状态"), max_length=12, choices=RewardStatus.choices, blank=True)
    to_status = models.CharField(_("新状态"), max_length=12, choices=RewardStatus.choices)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("操作人"),
        null=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    note = models.TextField(_("说明"), blank=True)
    at = models.DateTimeField(_("时间"), auto_now_add=True)

    objects = ScopedQuerySet.as_manager()

    class Meta:
        verbose_name = _("举报奖励办理记录")
        verbose_name_plural = _("举报奖励办理记录")
        ordering = ["reward", "at", "id"]

    def __str__(self) -> str:
        return f"{self.reward_id}: {self.from_status}→{self.to_status}"


class InternalReport(ScopedModel):
    """内部举报: a worker reports a hazard to their own unit; the unit verifies and rewards (安全生产法 第四十一条
    encourages it; the seed asks enterprises to reward their own workers). The counts feed the assessment."""

    scope = ScopePaths(
        region="enterprise__region__code", industry="enterprise__industries", enterprise="enterprise_id"
    )
    enterprise = models.ForeignKey(
        "registry.Enterprise",
        verbose_name=_("单位"),
        on_delete=models.PROTECT,
        related_name="internal_reports",
    )
    reported_on = models.DateField(_("报告日期"))
    reporter_name = EncryptedTextField(
        _("报告人"), blank=True
    )  # may be left blank: anonymous inside the unit
    location = models.CharField(_("部位"), max_length=200, blank=True)
    content = models.TextField(_("报告内容"))
    status = models.CharField(
        _("核实结果"), max_length=12, choices=InternalStatus.choices, default=InternalStatus.RECEIVED
    )
    hazard = models.ForeignKey(
        "hazards.Hazard",
        verbose_name=_("登记的隐患"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="internal_reports",
    )
    reward_amount = models.DecimalField(
        _("奖励金额（元）"), max_digits=10, decimal_places=2, null=True, blank=True
    )
    rewarded_on = models.DateField(_("奖励日期"), null=True, blank=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("登记人"),
        null=True,
        on_delete=models.PROTECT,
        related_name="+",
    )

    class Meta:
        verbose_name = _("内部举报")
        verbose_name_plural = _("内部举报")
        ordering = ["-reported_on", "-pk"]

    def __str__(self) -> str:
        return f"{self.enterprise} {self.reported_on:%Y-%m-%d} 内部举报"

    def get_absolute_url(self) -> str:
        return reverse("tips:internal_detail", args=[self.pk])
