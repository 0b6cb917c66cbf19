"""Self-inspection duties (企业负责人自查): rules as data, dated occurrences per unit and period, the checks.

Seed §三 5: the principal leads a check of the unit's major-hazard work at least once a quarter; monthly in
high-risk industries. Rules are editable data (`DutyRule`); `Industry.high_risk` is the editable list of
high-risk industries. Occurrences are generated per period; an occurrence past its end without a check is
应查未查.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from zhiben.core.models import BaseModel, ScopedModel, VersionedModel
from zhiben.core.scoping import ScopedQuerySet, ScopePaths

from ..choices import Answer, Frequency, OccurrenceStatus

_UNIT_SCOPE = ScopePaths(
    region="enterprise__region__code", industry="enterprise__industries", enterprise="enterprise_id"
)


class DutyRule(VersionedModel):
    """One self-inspection obligation: who leads, how often, for which units."""

    scope = ScopePaths(unscoped=True)
    code = models.CharField(_("规则代码"), max_length=40, unique=True)
    name = models.CharField(_("名称"), max_length=100)
    frequency = models.CharField(_("频次"), max_length=20, choices=Frequency.choices)
    high_risk_only = models.BooleanField(
        _("仅高危行业"), default=False, help_text=_("适用于主行业为高危行业或标记为高危企业的单位")
    )
    led_by = models.CharField(_("带队人"), max_length=50, default="主要负责人")
    reminder_days = models.PositiveSmallIntegerField(_("到期前提醒（天）"), default=5)
    source = models.CharField(_("依据"), max_length=200, blank=True)
    verified = models.BooleanField(_("已核实"), default=False)
    active = models.BooleanField(_("启用"), default=True)

    objects = ScopedQuerySet.as_manager()

    class Meta:
        verbose_name = _("自查规则")
        verbose_name_plural = _("自查规则")
        ordering = ["code"]

    def __str__(self) -> str:
        return self.name


class SelfCheck(ScopedModel):
    """企业自查: one principal-led check of the unit, with the checklist used and what it found."""

    scope = _UNIT_SCOPE
    enterprise = models.ForeignKey(
        "registry.Enterprise",
        verbose_name=_("生产经营单位"),
        on_delete=models.PROTECT,
        related_name="self_checks",
    )
    checked_on = models.DateField(_("检查日期"))
    led_by_name = models.CharField(_("带队负责人"), max_length=50)
    led_by_title = models.CharField(_("职务"), max_length=50, blank=True)
    led_by_person = models.ForeignKey(
        "registry.Person",
        verbose_name=_("带队负责人（人员库）"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    participants = models.CharField(_("参加人员"), max_length=300, blank=True)
    checklist = models.ForeignKey(
        "standards.Checklist",
        verbose_name=_("检查表"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="self_checks",
    )
    summary = models.TextField(_("检查情况"), blank=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("记录人"),
        null=True,
        on_delete=models.PROTECT,
        related_name="+",
    )

    class Meta:
        verbose_name = _("企业自查")
        verbose_name_plural = _("企业自查")
        indexes = [models.Index(fields=["enterprise", "-checked_on"], name="selfcheck_enterprise_idx")]

    def __str__(self) -> str:
        return f"{self.enterprise.name} {self.checked_on}"

    def get_absolute_url(self) -> str:
        return reverse("inspections:selfcheck_detail", args=[self.pk])


class SelfCheckAnswer(BaseModel):
    """The answer to one checklist item in a self-inspection; 不符合 may register a hazard."""

    scope = ScopePaths(
        region="self_check__enterprise__region__code",
        industry="self_check__enterprise__industries",
        enterprise="self_check__enterprise_id",
    )
    self_check = models.ForeignKey(
        SelfCheck, verbose_name=_("企业自查"), on_delete=models.CASCADE, related_name="answers"
    )
    item = models.ForeignKey(
        "standards.ChecklistItem", verbose_name=_("检查项"), on_delete=models.PROTECT, related_name="+"
    )
    result = models.CharField(_("检查结果"), max_length=10, choices=Answer.choices)
    note = models.CharField(_("说明"), max_length=500, blank=True)
    hazard = models.OneToOneField(
        "hazards.Hazard",
        verbose_name=_("隐患"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="self_check_answer",
    )

    objects = ScopedQuerySet.as_manager()

    class Meta:
        verbose_name = _("自查检查项")
        verbose_name_plural = _("自查检查项")
        constraints = [
            models.UniqueConstraint(fields=["self_check", "item"], name="selfcheck_answer_unique"),
        ]


class DutyOccurrence(BaseModel):
    """One period's obligation of one unit: done when a check dated in the period is recorded."""

    scope = _UNIT_SCOPE
    enterprise = models.ForeignKey(
        "registry.Enterprise", verbose_name=_("生产经营单位"), on_delete=models.CASCADE, related_name="duties"
    )
    rule = models.ForeignKey(DutyRule, verbose_name=_("自查规则"), on_delete=models.PROTECT, related_name="+")
    period_start = models.DateField(_("周期开始"))
    period_end = models.DateField(_("周期结束"))
    status = models.CharField(
        _("状态"), max_length=10, choices=OccurrenceStatus.choices, default=OccurrenceStatus.PENDING
    )
    self_check = models.ForeignKey(
        SelfCheck,
        verbose_name=_("自查记录"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    reminded_at = models.DateTimeField(_("提醒时间"), null=True, blank=True)
    overdue_notified_at = models.DateTimeField(_("应查未查通知时间"), null=True, blank=True)

    objects = ScopedQuerySet.as_manager()

    class Meta:
        verbose_name = _("自查任务")
        verbose_name_plural = _("自查任务")
        constraints = [
            models.UniqueConstraint(
                fields=["enterprise", "rule", "period_start"], name="duty_occurrence_unique"
            ),
        ]
        indexes = [
            models.Index(fields=["status", "period_end"], name="duty_status_end_idx"),
            models.Index(fields=["enterprise", "period_start"], name="duty_enterprise_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.enterprise.name} {self.period_start:%Y-%m}"

    def get_absolute_url(self) -> str:
        return reverse("inspections:duty_occurrence_detail", args=[self.pk])
