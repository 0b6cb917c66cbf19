"""Drills (演练), their history and photos, and emergency plans (应急预案)."""

from __future__ import annotations

from django.db import models
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from zhiben.core.models import BaseModel, ScopedModel, StepHistory
from zhiben.core.scoping import ScopedQuerySet, ScopePaths

from ..choices import (
    DrillKind,
    DrillStatus,
    PlanLevel,
)
from .common import UNIT_SCOPE, USER, Reference


class DrillRule(Reference):
    """The drill duty: how many 疏散逃生 drills a unit holds per year (高危行业 per half-year)."""

    code = models.CharField(_("代码"), max_length=40, unique=True)
    name = models.CharField(_("演练义务"), max_length=200)
    high_risk = models.BooleanField(_("高危行业"), default=False)
    periods_per_year = models.PositiveSmallIntegerField(_("每年期数"))  # 1: a year, 2: each half-year
    kinds = models.JSONField(_("计入的演练类型"), default=list)

    class Meta:
        verbose_name = _("演练义务")
        verbose_name_plural = _("演练义务")
        ordering = ["code"]

    def __str__(self) -> str:
        return self.name


class Drill(ScopedModel):
    """演练: planned, then recorded with what happened (participants, evaluation, improvements, photos)."""

    scope = UNIT_SCOPE
    enterprise = models.ForeignKey(
        "registry.Enterprise", verbose_name=_("单位"), on_delete=models.PROTECT, related_name="drills"
    )
    kind = models.CharField(_("演练类型"), max_length=20, choices=DrillKind.choices)
    scenario = models.CharField(_("演练科目（情景）"), max_length=200)
    planned_on = models.DateField(_("计划日期"))
    held_on = models.DateField(_("实施日期"), null=True, blank=True)
    participants = models.PositiveIntegerField(_("参演人数"), null=True, blank=True)
    evaluation = models.TextField(_("演练评估"), blank=True)
    improvements = models.TextField(_("改进措施"), blank=True)
    status = models.CharField(
        _("状态"), max_length=10, choices=DrillStatus.choices, default=DrillStatus.PLANNED
    )
    created_by = models.ForeignKey(
        USER, verbose_name=_("登记人"), null=True, on_delete=models.PROTECT, related_name="+"
    )

    class Meta:
        verbose_name = _("应急演练")
        verbose_name_plural = _("应急演练")
        ordering = ["-planned_on", "-pk"]
        indexes = [models.Index(fields=["status", "held_on"])]

    def __str__(self) -> str:
        return f"{self.enterprise.name} {self.scenario}"

    def get_absolute_url(self) -> str:
        return reverse("training:drill_detail", args=[self.pk])


class DrillTransition(StepHistory):
    drill = models.ForeignKey(Drill, verbose_name=_("演练"), on_delete=models.CASCADE, related_name="history")
    from_status = models.CharField(_("原状态"), max_length=10, choices=DrillStatus.choices, blank=True)
    to_status = models.CharField(_("新状态"), max_length=10, choices=DrillStatus.choices)

    class Meta(StepHistory.Meta):
        verbose_name = _("演练办理记录")
        verbose_name_plural = _("演练办理记录")


class DrillPhoto(BaseModel):
    """演练照片 (checked by content, stored under MEDIA_ROOT, read through a scoped view)."""

    scope = ScopePaths(
        region="drill__enterprise__region__code",
        industry="drill__enterprise__industries",
        enterprise="drill__enterprise_id",
    )
    drill = models.ForeignKey(Drill, verbose_name=_("演练"), on_delete=models.CASCADE, related_name="photos")
    file = models.FileField(_("照片"), upload_to="training/drills/%Y/%m/")
    content_type = models.CharField(_("文件类型"), max_length=100)
    uploaded_by = models.ForeignKey(
        USER, verbose_name=_("上传人"), null=True, on_delete=models.PROTECT, related_name="+"
    )

    objects = ScopedQuerySet.as_manager()

    class Meta:
        verbose_name = _("演练照片")
        verbose_name_plural = _("演练照片")
        ordering = ["pk"]

    def __str__(self) -> str:
        return self.file.name.rsplit("/", 1)[-1]


class EmergencyPlan(ScopedModel):
    """应急预案 with its filing (备案) and its next review (评估) date."""

    scope = UNIT_SCOPE
    enterprise = models.ForeignKey(
        "registry.Enterprise",
        verbose_name=_("单位"),
        on_delete=models.PROTECT,
        related_name="emergency_plans",
    )
    name = models.CharField(_("预案名称"), max_length=200)
    level = models.CharField(_("预案类别"), max_length=20, choices=PlanLevel.choices)
    filed_on = models.DateField(_("备案日期"), null=True, blank=True)
    filing_number = models.CharField(_("备案编号"), max_length=60, blank=True)
    filed_with = models.ForeignKey(
        "registry.Department",
        verbose_name=_("备案部门"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    reviewed_on = models.DateField(_("最近评估日期"), null=True, blank=True)
    review_due = models.DateField(_("下次评估日期"))

    class Meta:
        verbose_name = _("应急预案")
        verbose_name_plural = _("应急预案")
        ordering = ["review_due", "pk"]

    def __str__(self) -> str:
        return self.name

    def get_absolute_url(self) -> str:
        return reverse("training:plan_detail", args=[self.pk])
