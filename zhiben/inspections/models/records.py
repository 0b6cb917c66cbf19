"""执法检查人员名录库, inspection records (现场检查), checklist answers, findings and photos.

An `Inspection` is one visit to one unit. A joint inspection (联合检查) has several `InspectionDepartment`
rows, each with its checklist; every `Finding` names the department whose ledger it goes to. Only a
certified law-enforcement officer (`InspectorKind.OFFICER` with a valid certificate) may be the legal
inspecting subject; experts and technicians are recorded as assistants.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.conf import settings
from django.core.exceptions import ObjectDoesNotExist
from django.db import models
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from zhiben.accounts.roles import Role
from zhiben.core.models import BaseModel, ScopedModel, VersionedModel
from zhiben.core.scoping import ScopedQuerySet, ScopePaths, grants_for

from ..choices import (
    Answer,
    FindingHandling,
    InspectionStatus,
    InspectorKind,
    Mode,
    OfficerRole,
    Origin,
)


class Inspector(VersionedModel):
    """One person of the 执法检查人员名录库: an officer with a 行政执法证, or an expert / technician."""

    scope = ScopePaths(department="department_id")
    user = models.OneToOneField(
        settings.AUTH_USER_MODEL,
        verbose_name=_("平台账号"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="inspector",
    )
    name = models.CharField(_("姓名"), max_length=50)
    department = models.ForeignKey(
        "registry.Department", verbose_name=_("所属部门"), on_delete=models.PROTECT, related_name="inspectors"
    )
    kind = models.CharField(_("人员类别"), max_length=20, choices=InspectorKind.choices)
    certificate_no = models.CharField(_("执法证号"), max_length=40, blank=True)
    certificate_valid_until = models.DateField(_("执法证有效期至"), null=True, blank=True)
    specialty = models.CharField(_("专业领域"), max_length=100, blank=True)
    active = models.BooleanField(_("在库"), default=True)

    objects = ScopedQuerySet.as_manager()

    class Meta:
        verbose_name = _("执法检查人员")
        verbose_name_plural = _("执法检查人员名录库")
        ordering = ["department", "name", "pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["certificate_no"],
                condition=~models.Q(certificate_no=""),
                name="inspector_certificate_unique",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.name}（{self.department.short_name or self.department.name}）"

    def get_absolute_url(self) -> str:
        return reverse("inspections:inspector_detail", args=[self.pk])

    def is_certified(self, on: dt.date) -> bool:
        """A legal inspecting subject on `on`: an officer whose certificate is valid that day."""
        return (
            self.active
            and self.kind == InspectorKind.OFFICER
            and bool(self.certificate_no)
            and (self.certificate_valid_until is None or self.certificate_valid_until >= on)
        )


class InspectorConflict(BaseModel):
    """回避: a declared conflict of interest between an inspector and a unit (kin, former employer …)."""

    scope = ScopePaths(department="inspector__department_id")
    inspector = models.ForeignKey(
        Inspector, verbose_name=_("检查人员"), on_delete=models.CASCADE, related_name="conflicts"
    )
    enterprise = models.ForeignKey(
        "registry.Enterprise",
        verbose_name=_("生产经营单位"),
        on_delete=models.CASCADE,
        related_name="inspector_conflicts",
    )
    reason = models.CharField(_("回避事由"), max_length=200)
    declared_on = models.DateField(_("申报日期"))
    active = models.BooleanField(_("有效"), default=True)

    objects = ScopedQuerySet.as_manager()

    class Meta:
        verbose_name = _("回避关系")
        verbose_name_plural = _("回避关系")
        constraints = [
            models.UniqueConstraint(fields=["inspector", "enterprise"], name="inspector_conflict_unique"),
        ]

    def __str__(self) -> str:
        return f"{self.inspector.name} — {self.enterprise.name}"


class InspectionQuerySet(ScopedQuerySet):
    """Reads of inspections; `restrict()` also hides visits a unit must not learn of in advance."""

    def restrict(self, user: Any, action: str = "view") -> ScopedQuerySet:
        qs = super().restrict(user, action)
        if _acts_only_for_units(user, action):
            # 四不两直 / 暗访: a unit must not learn of a visit before it happens (no advance notice), and of an
            # undercover visit (暗访) not before it is over; it sees its inspections from then on.
            qs = qs.exclude(status=InspectionStatus.PLANNED).exclude(
                mode=Mode.UNDERCOVER, status=InspectionStatus.IN_PROGRESS
            )
        return qs

    def enforcement(self) -> InspectionQuerySet:
        """行政执法检查 only: without the townships' patrols (乡镇巡查), which count against no cap, no plan and
        no enforcement figure."""
        return self.exclude(mode=Mode.PATROL)

    def open(self) -> InspectionQuerySet:
        return self.filter(status__in=(InspectionStatus.PLANNED, InspectionStatus.IN_PROGRESS))

    def assigned_to(self, user: Any) -> InspectionQuerySet:
        """我的检查: visits where the user is on the team."""
        return self.filter(officers__inspector__user=user).distinct()


def _acts_only_for_units(user: Any, action: str) -> bool:
    allowing = [g for g in grants_for(user) if g.allows(action, Inspection)]
    return bool(allowing) and all(g.role == Role.ENTERPRISE for g in allowing)


_INSPECTION_SCOPE = ScopePaths(
    region="region__code",
    industry="industry_id",
    enterprise="enterprise_id",
    department="departments__department_id",
    assignee="officers__inspector__user_id",
)


class Inspection(ScopedModel):
    """现场检查: one visit of one or more departments to one unit, from task to signed 笔录."""

    scope = _INSPECTION_SCOPE
    code = models.CharField(_("检查编号"), max_length=40, unique=True)
    enterprise = models.ForeignKey(
        "registry.Enterprise",
        verbose_name=_("被检查单位"),
        on_delete=models.PROTECT,
        related_name="inspections",
    )
    region = models.ForeignKey(
        "registry.Region", verbose_name=_("所在区划"), on_delete=models.PROTECT, related_name="inspections"
    )
    industry = models.ForeignKey(
        "registry.Industry", verbose_name=_("行业领域"), on_delete=models.PROTECT, related_name="inspections"
    )
    department = models.ForeignKey(
        "registry.Department",
        verbose_name=_("牵头部门"),
        on_delete=models.PROTECT,
        related_name="led_inspections",
        help_text=_("乡镇巡查：单位的监管部门（三管三必须），巡查发现的问题由其判定"),
    )
    patrol_township = models.ForeignKey(
        "registry.Region",
        verbose_name=_("巡查乡镇（街道）"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="patrols",
        help_text=_("乡镇巡查：开展巡查的乡镇（街道）"),
    )
    companions = models.CharField(
        _("同行巡查人员"),
        max_length=200,
        blank=True,
        help_text=_("乡镇巡查：除创建人外的巡查人员姓名，顿号分隔"),
    )
    mode = models.CharField(_("检查方式"), max_length=20, choices=Mode.choices, default=Mode.ROUTINE)
    origin = models.CharField(_("检查来源"), max_length=20, choices=Origin.choices, default=Origin.OTHER)
    status = models.CharField(
        _("状态"), max_length=20, choices=InspectionStatus.choices, default=InspectionStatus.PLANNED
    )
    planned_on = models.DateField(_("计划检查日期"), null=True, blank=True)
    started_at = models.DateTimeField(_("开始时间"), null=True, blank=True)
    finished_at = models.DateTimeField(_("结束时间"), null=True, blank=True)
    location = models.CharField(_("检查地点"), max_length=200, blank=True)
    subject = models.CharField(_("检查事项"), max_length=200, blank=True)
    summary = models.TextField(_("检查情况"), blank=True)
    conclusion = models.TextField(_("处理意见"), blank=True)
    unit_representative = models.CharField(_("被检查单位现场负责人"), max_length=50, blank=True)
    refused_to_sign = models.BooleanField(
        _("被检查单位拒绝签字"),
        default=False,
        help_text=_("安全生产法第六十五条：拒绝签字的，检查人员应当记录在案"),
    )
    host_department = models.ForeignKey(
        "registry.Department",
        verbose_name=_("属地办案部门"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="hosted_inspections",
        help_text=_("异地交叉执法：检查组提出处理意见，属地部门出具文书并办案"),
    )
    record_document = models.ForeignKey(
        "core.OfficialDocument",
        verbose_name=_("现场检查笔录"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    cap_exception = models.ForeignKey(
        "inspections.CapException",
        verbose_name=_("超频次检查审批"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="inspections",
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("创建人"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )

    objects = InspectionQuerySet.as_manager()  # type: ignore[misc]  # narrows the ScopedQuerySet manager

    class Meta:
        verbose_name = _("监督检查")
        verbose_name_plural = _("监督检查")
        indexes = [
            models.Index(fields=["-planned_on", "-id"], name="inspection_recent_idx"),
            models.Index(fields=["enterprise", "status"], name="inspection_enterprise_idx"),
            models.Index(fields=["department", "status", "planned_on"], name="inspection_dept_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.code} {self.enterprise.name}"

    def get_absolute_url(self) -> str:
        return reverse("inspections:inspection_detail", args=[self.pk])

    @property
    def is_joint(self) -> bool:
        return self.mode == Mode.JOINT

    @property
    def is_patrol(self) -> bool:
        """乡镇巡查: a township's patrol, not 行政执法."""
        return self.mode == Mode.PATROL

    @property
    def patrollers(self) -> list[str]:
        """The patrol's officials by name: the one who created it, then the companions named."""
        names = [self.created_by.get_full_name()] if self.created_by else []
        for name in self.companions.replace("，", "、").replace(",", "、").split("、"):
            if name.strip() and name.strip() not in names:
                names.append(name.strip())
        return names


class InspectionDepartment(BaseModel):
    """A department taking part in an inspection, with the checklist it brings (joint inspections: several)."""

    scope = ScopePaths(
        region="inspection__region__code",
        industry="inspection__industry_id",
        enterprise="inspection__enterprise_id",
        department="department_id",
    )
    inspection = models.ForeignKey(
        Inspection, verbose_name=_("检查"), on_delete=models.CASCADE, related_name="departments"
    )
    department = models.ForeignKey(
        "registry.Department",
        verbose_name=_("部门"),
        on_delete=models.PROTECT,
        related_name="inspection_participations",
    )
    is_lead = models.BooleanField(_("牵头"), default=False)
    checklist = models.ForeignKey(
        "standards.Checklist",
        verbose_name=_("检查表"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="inspection_uses",
    )

    objects = ScopedQuerySet.as_manager()

    class Meta:
        verbose_name = _("参检部门")
        verbose_name_plural = _("参检部门")
        ordering = ["-is_lead", "department__sort_order"]
        constraints = [
            models.UniqueConstraint(fields=["inspection", "department"], name="inspection_department_unique"),
        ]

    def __str__(self) -> str:
        return str(self.department)


def _child_scope(prefix: str) -> ScopePaths:
    return ScopePaths(
        region=f"{prefix}__region__code",
        industry=f"{prefix}__industry_id",
        enterprise=f"{prefix}__enterprise_id",
        department=f"{prefix}__departments__department_id",
        assignee=f"{prefix}__officers__inspector__user_id",
    )


class InspectionOfficer(BaseModel):
    """A person on an inspection team: the legal subject(s) (certified officers) and assistants."""

    scope = _child_scope("inspection")
    inspection = models.ForeignKey(
        Inspection, verbose_name=_("检查"), on_delete=models.CASCADE, related_name="officers"
    )
    inspector = models.ForeignKey(
        Inspector, verbose_name=_("检查人员"), on_delete=models.PROTECT, related_name="assignments"
    )
    role = models.CharField(_("角色"), max_length=20, choices=OfficerRole.choices)
    # Snapshot at assignment: the certificate that made this person a legal inspecting subject.
    certificate_no = models.CharField(_("执法证号"), max_length=40, blank=True)

    objects = ScopedQuerySet.as_manager()

    class Meta:
        verbose_name = _("检查人员安排")
        verbose_name_plural = _("检查人员安排")
        ordering = ["role", "pk"]
        constraints = [
            models.UniqueConstraint(fields=["inspection", "inspector"], name="inspection_officer_unique"),
        ]

    def __str__(self) -> str:
        return f"{self.inspector.name}（{self.get_role_display()}）"

    @property
    def is_legal_subject(self) -> bool:
        return self.role in (OfficerRole.LEAD, OfficerRole.ASSOCIATE)


class InspectionAnswer(BaseModel):
    """The answer to one checklist item during an inspection."""

    scope = _child_scope("inspection")
    inspection = models.ForeignKey(
        Inspection, verbose_name=_("检查"), on_delete=models.CASCADE, related_name="answers"
    )
    item = models.ForeignKey(
        "standards.ChecklistItem", verbose_name=_("检查项"), on_delete=models.PROTECT, related_name="+"
    )
    department = models.ForeignKey(
        "registry.Department", verbose_name=_("检查部门"), on_delete=models.PROTECT, related_name="+"
    )
    result = models.CharField(_("检查结果"), max_length=10, choices=Answer.choices)
    note = models.CharField(_("说明"), max_length=500, blank=True)
    answered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("填写人"),
        null=True,
        on_delete=models.PROTECT,
        related_name="+",
    )

    objects = ScopedQuerySet.as_manager()

    class Meta:
        verbose_name = _("检查表填写")
        verbose_name_plural = _("检查表填写")
        constraints = [
            models.UniqueConstraint(fields=["inspection", "item"], name="inspection_answer_unique"),
        ]

    @property
    def color(self) -> str:
        """The badge colour of the result (符合 green, 不符合 red, 不适用 grey)."""
        colors: dict[str, str] = {Answer.PASS: "success", Answer.FAIL: "danger"}
        return colors.get(self.result, "secondary")

    @property
    def has_finding(self) -> bool:
        """Whether the 不符合 has been recorded as a finding (select_related("finding") avoids a query)."""
        try:
            return self.finding is not None
        except ObjectDoesNotExist:
            return False


class Finding(BaseModel):
    """A problem found on an inspection, routed to one department's ledger as a hazard and/or a case."""

    scope = _child_scope("inspection")
    inspection = models.ForeignKey(
        Inspection, verbose_name=_("检查"), on_delete=models.CASCADE, related_name="findings"
    )
    department = models.ForeignKey(
        "registry.Department",
        verbose_name=_("承办部门"),
        on_delete=models.PROTECT,
        related_name="inspection_findings",
    )
    answer = models.OneToOneField(
        InspectionAnswer,
        verbose_name=_("检查项"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="finding",
    )
    clause = models.ForeignKey(
        "standards.Clause",
        verbose_name=_("判定依据条款"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    level = models.CharField(
        _("隐患等级"), max_length=10, choices=[("general", _("一般")), ("major", _("重大"))]
    )
    title = models.CharField(_("问题"), max_length=200)
    description = models.TextField(_("问题描述"), blank=True)
    location = models.CharField(_("部位"), max_length=200, blank=True)
    handling = models.CharField(_("处理方式"), max_length=20, choices=FindingHandling.choices)
    hazard = models.OneToOneField(
        "hazards.Hazard",
        verbose_name=_("隐患"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="inspection_finding",
    )
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("记录人"),
        null=True,
        on_delete=models.PROTECT,
        related_name="+",
    )

    objects = ScopedQuerySet.as_manager()

    class Meta:
        verbose_name = _("检查发现问题")
        verbose_name_plural = _("检查发现问题")
        ordering = ["inspection", "pk"]

    def __str__(self) -> str:
        return self.title


class InspectionPhoto(BaseModel):
    """A photo taken on an inspection or a self-inspection, with the capture time and place the device gave."""

    scope = ScopePaths(
        region="enterprise__region__code",
        industry="enterprise__industries",
        enterprise="enterprise_id",
        assignee="inspection__officers__inspector__user_id",
    )
    enterprise = models.ForeignKey(
        "registry.Enterprise", verbose_name=_("单位"), on_delete=models.PROTECT, related_name="+"
    )
    inspection = models.ForeignKey(
        Inspection,
        verbose_name=_("检查"),
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="photos",
    )
    self_check = models.ForeignKey(
        "inspections.SelfCheck",
        verbose_name=_("企业自查"),
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="photos",
    )
    finding = models.ForeignKey(
        Finding,
        verbose_name=_("问题"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="photos",
    )
    file = models.FileField(_("文件"), upload_to="inspections/%Y/%m/")
    content_type = models.CharField(_("类型"), max_length=100)
    size = models.PositiveIntegerField(_("大小"))
    sha256 = models.CharField(_("文件摘要"), max_length=64)
    captured_at = models.DateTimeField(_("拍摄时间"), null=True, blank=True)
    latitude = models.DecimalField(_("纬度"), max_digits=9, decimal_places=6, null=True, blank=True)
    longitude = models.DecimalField(_("经度"), max_digits=9, decimal_places=6, null=True, blank=True)
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("上传人"),
        null=True,
        on_delete=models.PROTECT,
        related_name="+",
    )

    objects = ScopedQuerySet.as_manager()

    class Meta:
        verbose_name = _("检查照片")
        verbose_name_plural = _("检查照片")
        constraints = [
            models.CheckConstraint(
                condition=models.Q(inspection__isnull=False) | models.Q(self_check__isnull=False),
                name="inspection_photo_has_owner",
            ),
        ]
