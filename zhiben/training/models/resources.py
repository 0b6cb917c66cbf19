"""Rescue teams and members, emergency supplies, 宣传 activities and duty reminders."""

from __future__ import annotations

from django.db import models
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from zhiben.core.crypto import EncryptedTextField, mask_phone
from zhiben.core.models import BaseModel, ScopedModel
from zhiben.core.scoping import ScopedQuerySet, ScopePaths

from ..choices import (
    PublicityKind,
    SupplyCategory,
    TeamLevel,
)


class RescueTeam(ScopedModel):
    """救援队伍: a unit's team, a township's, or one of the district's professional teams."""

    scope = ScopePaths(
        region="township__code",
        industry="enterprise__industries",
        enterprise="enterprise_id",
        department="department_id",
    )
    name = models.CharField(_("队伍名称"), max_length=100)
    level = models.CharField(_("队伍类别"), max_length=20, choices=TeamLevel.choices)
    enterprise = models.ForeignKey(
        "registry.Enterprise",
        verbose_name=_("所属单位"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="rescue_teams",
    )
    township = models.ForeignKey(
        "registry.Region",
        verbose_name=_("所在乡镇（街道）"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="rescue_teams",
    )
    department = models.ForeignKey(
        "registry.Department",
        verbose_name=_("主管部门"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="rescue_teams",
    )
    speciality = models.CharField(_("专业方向"), max_length=100)
    leader = models.CharField(_("队长"), max_length=50)
    phone = EncryptedTextField(_("值守电话"), blank=True)
    equipment = models.TextField(_("主要装备"), blank=True)

    class Meta:
        verbose_name = _("救援队伍")
        verbose_name_plural = _("救援队伍")
        ordering = ["level", "name"]

    def __str__(self) -> str:
        return self.name

    def get_absolute_url(self) -> str:
        return reverse("training:team_detail", args=[self.pk])

    @property
    def masked_phone(self) -> str:
        return mask_phone(self.phone)


class TeamMember(BaseModel):
    scope = ScopePaths(
        region="team__township__code",
        industry="team__enterprise__industries",
        enterprise="team__enterprise_id",
        department="team__department_id",
    )
    team = models.ForeignKey(
        RescueTeam, verbose_name=_("救援队伍"), on_delete=models.CASCADE, related_name="members"
    )
    name = models.CharField(_("姓名"), max_length=50)
    duty = models.CharField(_("职责"), max_length=50, blank=True)
    certificate = models.CharField(_("资格证书"), max_length=100, blank=True)
    certificate_valid_to = models.DateField(_("证书有效期至"), null=True, blank=True)

    objects = ScopedQuerySet.as_manager()

    class Meta:
        verbose_name = _("救援队员")
        verbose_name_plural = _("救援队员")
        ordering = ["team", "pk"]

    def __str__(self) -> str:
        return self.name


class EmergencySupply(ScopedModel):
    """应急物资 stored at a place (a township's depot, a team's base, a unit's store)."""

    scope = ScopePaths(
        region="township__code",
        industry="team__enterprise__industries",
        enterprise="team__enterprise_id",
        department="team__department_id",
    )
    name = models.CharField(_("物资名称"), max_length=100)
    category = models.CharField(_("物资类别"), max_length=20, choices=SupplyCategory.choices)
    quantity = models.PositiveIntegerField(_("数量"))
    unit = models.CharField(_("计量单位"), max_length=10)
    township = models.ForeignKey(
        "registry.Region",
        verbose_name=_("所在乡镇（街道）"),
        on_delete=models.PROTECT,
        related_name="emergency_supplies",
    )
    location = models.CharField(_("存放地点"), max_length=200)
    team = models.ForeignKey(
        RescueTeam,
        verbose_name=_("所属队伍"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="supplies",
    )
    keeper = models.CharField(_("保管人"), max_length=50, blank=True)

    class Meta:
        verbose_name = _("应急物资")
        verbose_name_plural = _("应急物资")
        ordering = ["township", "category", "name"]

    def __str__(self) -> str:
        return self.name

    def get_absolute_url(self) -> str:
        return reverse("training:supply_detail", args=[self.pk])


class PublicityActivity(ScopedModel):
    """宣传活动 (安全生产月, 消防宣传月, 敲门行动, 开工第一课) with its reach, evidence for measures 21–22."""

    scope = ScopePaths(
        region="township__code",
        industry="enterprise__industries",
        enterprise="enterprise_id",
        department="department_id",
    )
    kind = models.CharField(_("活动类型"), max_length=20, choices=PublicityKind.choices)
    title = models.CharField(_("活动名称"), max_length=200)
    held_on = models.DateField(_("活动日期"))
    township = models.ForeignKey(
        "registry.Region",
        verbose_name=_("所在乡镇（街道）"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="publicity_activities",
    )
    department = models.ForeignKey(
        "registry.Department",
        verbose_name=_("组织部门"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="publicity_activities",
    )
    enterprise = models.ForeignKey(
        "registry.Enterprise",
        verbose_name=_("组织单位"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="publicity_activities",
    )
    reach = models.PositiveIntegerField(_("覆盖人次"))
    description = models.TextField(_("活动内容"), blank=True)

    class Meta:
        verbose_name = _("宣传活动")
        verbose_name_plural = _("宣传活动")
        ordering = ["-held_on", "-pk"]

    def __str__(self) -> str:
        return self.title

    def get_absolute_url(self) -> str:
        return reverse("training:publicity_detail", args=[self.pk])


class DutyReminder(models.Model):
    """One 应训未训 or 应练未练 reminder sent to a unit for one period: the job's memory (sent once)."""

    kind = models.CharField(_("提醒类型"), max_length=20)
    enterprise = models.ForeignKey(
        "registry.Enterprise", verbose_name=_("单位"), on_delete=models.CASCADE, related_name="+"
    )
    period = models.CharField(_("期间"), max_length=20)
    sent_at = models.DateTimeField(_("提醒时间"), auto_now_add=True)

    class Meta:
        verbose_name = _("培训演练提醒")
        verbose_name_plural = _("培训演练提醒")
        constraints = [
            models.UniqueConstraint(fields=["kind", "enterprise", "period"], name="training_reminder_once")
        ]

    def __str__(self) -> str:
        return f"{self.kind} {self.period}"
