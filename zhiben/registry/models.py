"""Master data: regions, industries, departments, the responsibility matrix, enterprises and people."""

from __future__ import annotations

from django.db import models
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from zhiben.core.crypto import EncryptedTextField, mask_phone
from zhiben.core.models import ScopedModel, VersionedModel
from zhiben.core.scoping import ScopedQuerySet, ScopePaths

from .choices import (
    DepartmentKind,
    EnterpriseKind,
    EnterpriseStatus,
    PersonRole,
    RegionLevel,
    StandardisationGrade,
)


class ReferenceModel(VersionedModel):
    """Reference data every role may read in full."""

    scope = ScopePaths(unscoped=True)
    objects = ScopedQuerySet.as_manager()

    class Meta:
        abstract = True


class Region(ReferenceModel):
    """行政区划: a node of the GB/T 2260 tree; `code` is the statistical code whose prefixes give the path."""

    code = models.CharField(_("统计用区划代码"), max_length=12, unique=True)
    legal_code = models.CharField(
        _("法定区划代码"),
        max_length=12,
        blank=True,
        help_text=_("来源不一致时保留另一套代码（如汨罗市代管前缀）"),
    )
    name = models.CharField(_("名称"), max_length=50)
    level = models.PositiveSmallIntegerField(_("级别"), choices=RegionLevel.choices)
    parent = models.ForeignKey(
        "self",
        verbose_name=_("上级"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="children",
    )
    source = models.CharField(_("来源"), max_length=200, blank=True)
    verified = models.BooleanField(_("已核实"), default=False)

    class Meta:
        verbose_name = _("行政区划")
        verbose_name_plural = _("行政区划")
        ordering = ["code"]

    def __str__(self) -> str:
        return self.name

    def get_absolute_url(self) -> str:
        return reverse("registry:region_detail", args=[self.pk])

    @property
    def scope_prefix(self) -> str:
        """The code prefix that covers this region and everything below it."""
        code = self.code
        if self.level == RegionLevel.PROVINCE:
            return code[:2]
        if self.level == RegionLevel.CITY:
            return code[:4]
        if self.level == RegionLevel.COUNTY:
            return code[:6]
        if self.level == RegionLevel.TOWNSHIP:
            return code[:9]
        return code


class Industry(ReferenceModel):
    """行业领域: the campaign's sector tree, each mapped to GB/T 4754-2017 codes."""

    code = models.CharField(_("代码"), max_length=20, unique=True)
    name = models.CharField(_("名称"), max_length=50)
    parent = models.ForeignKey(
        "self",
        verbose_name=_("上级"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="children",
    )
    gbt4754 = models.CharField(
        _("国民经济行业分类"),
        max_length=100,
        blank=True,
        help_text=_("GB/T 4754-2017 门类/大类代码，多个以逗号分隔"),
    )
    high_risk = models.BooleanField(
        _("高危行业"), default=False, help_text=_("高危行业领域：每月至少一次主要负责人带队检查")
    )
    sort_order = models.PositiveSmallIntegerField(_("排序"), default=0)

    class Meta:
        verbose_name = _("行业领域")
        verbose_name_plural = _("行业领域")
        ordering = ["sort_order", "code"]

    def __str__(self) -> str:
        return self.name

    def get_absolute_url(self) -> str:
        return reverse("registry:industry_detail", args=[self.pk])


class Department(ReferenceModel):
    """监管部门: a member unit of the district safety committee (区安委会成员单位).

    `name` is how pages call it (区住房和城乡建设局); documents it issues carry `official_name`, the full
    name (屈原管理区住房和城乡建设局), and its 机关代字 `document_code` in the 文号 (（屈住建）现检〔2026〕1号).
    """

    code = models.CharField(_("代码"), max_length=20, unique=True)
    name = models.CharField(_("名称"), max_length=50)
    short_name = models.CharField(_("简称"), max_length=20)
    full_name = models.CharField(
        _("全称"),
        max_length=100,
        blank=True,
        help_text=_("执法文书和公文上的机关全称，如 屈原管理区住房和城乡建设局"),
    )
    document_code = models.CharField(
        _("机关代字"), max_length=10, blank=True, help_text=_("文号中的机关代字，如 屈住建")
    )
    kind = models.CharField(_("类别"), max_length=20, choices=DepartmentKind.choices)
    sort_order = models.PositiveSmallIntegerField(_("排序"), default=0)

    class Meta:
        verbose_name = _("监管部门")
        verbose_name_plural = _("监管部门")
        ordering = ["sort_order", "code"]

    def __str__(self) -> str:
        return self.name

    def get_absolute_url(self) -> str:
        return reverse("registry:department_detail", args=[self.pk])

    @property
    def official_name(self) -> str:
        """The full name documents are issued in (the page name when none is recorded)."""
        return self.full_name or self.name


class Responsibility(ReferenceModel):
    """三管三必须: for one industry, the lead supervising department and the co-responsible departments."""

    industry = models.OneToOneField(
        Industry, verbose_name=_("行业领域"), on_delete=models.PROTECT, related_name="responsibility"
    )
    lead = models.ForeignKey(
        Department, verbose_name=_("牵头部门"), on_delete=models.PROTECT, related_name="leads"
    )
    co_departments = models.ManyToManyField(
        Department, verbose_name=_("配合部门"), blank=True, related_name="co_responsibilities"
    )
    basis = models.CharField(
        _("依据"),
        max_length=200,
        blank=True,
        help_text=_("如：区安委会《安委会成员单位安全生产工作任务分工》"),
    )
    verified = models.BooleanField(_("已核实"), default=False)

    class Meta:
        verbose_name = _("三管三必须职责")
        verbose_name_plural = _("三管三必须职责")
        ordering = ["industry__sort_order", "industry__code"]

    def __str__(self) -> str:
        return f"{self.industry}：{self.lead}"

    def get_absolute_url(self) -> str:
        return reverse("registry:responsibility_detail", args=[self.pk])


class EnterpriseQuerySet(ScopedQuerySet):
    def operating(self) -> EnterpriseQuerySet:
        return self.filter(status=EnterpriseStatus.OPERATING)

    def high_risk(self) -> EnterpriseQuerySet:
        return self.filter(is_high_risk=True)


class Enterprise(ScopedModel):
    """生产经营单位: an enterprise, sole trader, venue, construction project or self-built house in business use."""

    scope = ScopePaths(region="region__code", industry="industries", enterprise="pk")

    uscc = models.CharField(_("统一社会信用代码"), max_length=18, unique=True, null=True, blank=True)
    name = models.CharField(_("名称"), max_length=100, db_index=True)
    kind = models.CharField(
        _("类型"), max_length=20, choices=EnterpriseKind.choices, default=EnterpriseKind.COMPANY
    )
    region = models.ForeignKey(
        Region, verbose_name=_("所在区划"), on_delete=models.PROTECT, related_name="enterprises"
    )
    industries = models.ManyToManyField(Industry, verbose_name=_("行业领域"), related_name="enterprises")
    primary_industry = models.ForeignKey(
        Industry, verbose_name=_("主行业"), on_delete=models.PROTECT, related_name="primary_enterprises"
    )
    address = models.CharField(_("地址"), max_length=200, blank=True)
    longitude = models.DecimalField(_("经度"), max_digits=9, decimal_places=6, null=True, blank=True)
    latitude = models.DecimalField(_("纬度"), max_digits=9, decimal_places=6, null=True, blank=True)
    is_above_scale = models.BooleanField(_("规上企业"), default=False)
    is_high_risk = models.BooleanField(_("高危企业"), default=False)
    has_major_hazard_source = models.BooleanField(_("重大危险源"), default=False)
    standardisation_grade = models.CharField(
        _("标准化等级"),
        max_length=10,
        choices=StandardisationGrade.choices,
        default=StandardisationGrade.NONE,
    )
    employees = models.PositiveIntegerField(_("从业人数"), null=True, blank=True)
    principal_name = models.CharField(_("主要负责人"), max_length=50, blank=True)
    principal_phone = EncryptedTextField(_("主要负责人电话"), blank=True)
    controller_name = models.CharField(_("实际控制人"), max_length=50, blank=True)
    controller_phone = EncryptedTextField(_("实际控制人电话"), blank=True)
    status = models.CharField(
        _("状态"), max_length=20, choices=EnterpriseStatus.choices, default=EnterpriseStatus.OPERATING
    )

    objects = EnterpriseQuerySet.as_manager()  # type: ignore[misc]  # narrows the ScopedQuerySet manager

    class Meta:
        verbose_name = _("生产经营单位")
        verbose_name_plural = _("生产经营单位")
        indexes = [
            # Township lists: enterprises of one region, by name.
            models.Index(fields=["region", "name"], name="enterprise_region_name_idx"),
            # Dashboard: counts by region × primary industry.
            models.Index(fields=["primary_industry", "region"], name="enterprise_industry_region_idx"),
        ]

    def __str__(self) -> str:
        return self.name

    def get_absolute_url(self) -> str:
        return reverse("registry:enterprise_detail", args=[self.pk])

    @property
    def masked_principal_phone(self) -> str:
        return mask_phone(self.principal_phone)

    @property
    def masked_controller_phone(self) -> str:
        return mask_phone(self.controller_phone)


class Person(ScopedModel):
    """人员: a person of an enterprise (主要负责人, 安全管理人员, 特种作业人员 …)."""

    scope = ScopePaths(
        region="enterprise__region__code", industry="enterprise__industries", enterprise="enterprise_id"
    )

    enterprise = models.ForeignKey(
        Enterprise, verbose_name=_("所属单位"), on_delete=models.CASCADE, related_name="people"
    )
    name = models.CharField(_("姓名"), max_length=50)
    role = models.CharField(_("身份"), max_length=20, choices=PersonRole.choices, default=PersonRole.WORKER)
    phone = EncryptedTextField(_("手机号"), blank=True)
    id_number = EncryptedTextField(_("身份证号"), blank=True)
    title = models.CharField(_("职务"), max_length=50, blank=True)
    user = models.OneToOneField(
        "accounts.User",
        verbose_name=_("平台账号"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="person",
    )

    class Meta:
        verbose_name = _("人员")
        verbose_name_plural = _("人员")
        ordering = ["enterprise", "name"]

    def __str__(self) -> str:
        return self.name

    @property
    def masked_phone(self) -> str:
        return mask_phone(self.phone)
