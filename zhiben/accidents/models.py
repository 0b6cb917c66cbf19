"""生产安全事故 (国务院令第493号): the register of accidents, their 续报, the office's 瞒报/谎报/迟报 findings, the
investigation and 结案 on the loop kit, the responsibility findings and the 整改措施 that follow.

An accident is scoped like a hazard: the township of its place, its industry, its unit (when registered) and
the supervising department of its industry (三管三必须, fixed when it is registered)."""

from __future__ import annotations

import datetime as dt

from django.conf import settings
from django.db import models
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from zhiben.core.models import BaseModel, ScopedModel
from zhiben.core.scoping import ScopedQuerySet, ScopePaths

from . import reference
from .choices import (
    OPEN_STATUSES,
    Concealment,
    Grade,
    Measure,
    RectificationStatus,
    ResponsibleRole,
    Status,
    SubjectKind,
)

_SCOPE = ScopePaths(
    region="region__code", industry="industry_id", enterprise="enterprise_id", department="department_id"
)


def _child_scope(prefix: str) -> ScopePaths:
    return ScopePaths(
        region=f"{prefix}__region__code",
        industry=f"{prefix}__industry_id",
        enterprise=f"{prefix}__enterprise_id",
        department=f"{prefix}__department_id",
    )


class AccidentQuerySet(ScopedQuerySet):
    def open(self) -> AccidentQuerySet:
        return self.filter(status__in=OPEN_STATUSES)

    def awaiting_supplement(self, now: dt.datetime | None = None) -> AccidentQuerySet:
        """Inside the 补报 window (30 days, road and fire 7) and not closed."""
        return self.open().filter(supplement_until__gt=now or timezone.now())

    def investigation_overdue(self, today: dt.date) -> AccidentQuerySet:
        return self.filter(status=Status.INVESTIGATING, investigation_due__lt=today)


class Accident(ScopedModel):
    """One 生产安全事故: what happened, where, to whom, its grade (computed), its reporting and its investigation."""

    scope = _SCOPE
    code = models.CharField(_("事故编号"), max_length=40, unique=True)
    occurred_at = models.DateTimeField(_("发生时间"))
    occurred_on = models.DateField(
        _("发生日期"), editable=False, db_index=True
    )  # Beijing date of occurred_at
    reported_at = models.DateTimeField(_("报告时间"), help_text=_("事故单位报告监管部门的时间"))
    place = models.CharField(_("事故地点"), max_length=200)
    region = models.ForeignKey(
        "registry.Region", verbose_name=_("所在区划"), on_delete=models.PROTECT, related_name="accidents"
    )
    enterprise = models.ForeignKey(
        "registry.Enterprise",
        verbose_name=_("事故单位（已登记）"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="accidents",
    )
    unit_name = models.CharField(_("事故单位"), max_length=100)
    industry = models.ForeignKey(
        "registry.Industry", verbose_name=_("行业领域"), on_delete=models.PROTECT, related_name="accidents"
    )
    department = models.ForeignKey(
        "registry.Department",
        verbose_name=_("监管部门"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="accidents",
        help_text=_("三管三必须：行业领域的牵头监管部门"),
    )
    accident_type = models.CharField(_("事故类别"), max_length=10, choices=reference.type_choices())
    deaths = models.PositiveIntegerField(_("死亡人数"), default=0)
    serious_injuries = models.PositiveIntegerField(_("重伤人数"), default=0, help_text=_("包括急性工业中毒"))
    missing = models.PositiveIntegerField(_("失踪人数"), default=0)
    direct_loss = models.DecimalField(_("直接经济损失（元）"), max_digits=14, decimal_places=2, default=0)
    grade = models.CharField(_("事故等级"), max_length=20, choices=Grade.choices, editable=False)
    grade_scheme = models.CharField(_("分级依据版本"), max_length=20, editable=False)
    summary = models.TextField(_("事故简要经过"))
    reporter = models.CharField(_("报告人"), max_length=100)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("登记人"),
        null=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    reported_late = models.BooleanField(_("超时报告"), default=False, editable=False)
    supplement_until = models.DateTimeField(_("补报截止"), editable=False)
    # 瞒报 / 谎报 / 迟报 as the office finds it, with its reason; a tip may be how it was discovered.
    concealment = models.CharField(
        _("瞒报谎报迟报"), max_length=10, choices=Concealment.choices, blank=True, default=""
    )
    concealment_reason = models.TextField(_("认定理由"), blank=True)
    tip = models.ForeignKey(
        "tips.Tip",
        verbose_name=_("发现线索（举报）"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    status = models.CharField(_("状态"), max_length=20, choices=Status.choices, default=Status.REGISTERED)
    # Investigation (调查) and 结案.
    team = models.TextField(_("调查组组成"), blank=True)
    lead_unit = models.CharField(_("牵头单位"), max_length=100, blank=True)
    investigation_due = models.DateField(_("调查报告期限"), null=True, blank=True)
    extension_reason = models.CharField(_("延期理由"), max_length=300, blank=True)
    causes = models.TextField(_("事故原因"), blank=True)
    report_summary = models.TextField(_("调查报告摘要"), blank=True)
    report_submitted_on = models.DateField(_("调查报告提交日期"), null=True, blank=True)
    approval_number = models.CharField(_("批复文号"), max_length=60, blank=True)
    closed_on = models.DateField(_("批复结案日期"), null=True, blank=True)

    objects = AccidentQuerySet.as_manager()  # type: ignore[misc]

    class Meta:
        verbose_name = _("生产安全事故")
        verbose_name_plural = _("生产安全事故")
        ordering = ["-occurred_at", "-pk"]
        indexes = [
            models.Index(fields=["occurred_on"], name="accident_day_idx"),
            models.Index(fields=["status", "investigation_due"], name="accident_status_due_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.unit_name}{self.type_name}事故"

    def get_absolute_url(self) -> str:
        return reverse("accidents:accident_detail", args=[self.pk])

    @property
    def type_name(self) -> str:
        return reference.type_name(self.accident_type)

    @property
    def casualties(self) -> str:
        parts = [f"死亡 {self.deaths} 人", f"重伤 {self.serious_injuries} 人"]
        if self.missing:
            parts.append(f"失踪 {self.missing} 人")
        return "，".join(parts)

    def investigation_overdue(self, today: dt.date | None = None) -> bool:
        return (
            self.status == Status.INVESTIGATING
            and self.investigation_due is not None
            and self.investigation_due < (today or timezone.localdate())
        )

    def in_supplement_window(self, now: dt.datetime | None = None) -> bool:
        return self.status in OPEN_STATUSES and (now or timezone.now()) < self.supplement_until


class AccidentTransition(models.Model):
    """An accident's history: one row per step."""

    accident = models.ForeignKey(
        Accident, verbose_name=_("事故"), on_delete=models.CASCADE, related_name="history"
    )
    action = models.CharField(_("操作"), max_length=30)
    from_status = models.CharField(_("原状态"), max_length=20, choices=Status.choices, blank=True)
    to_status = models.CharField(_("新状态"), max_length=20, choices=Status.choices)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("操作人"),
        null=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    note = models.TextField(_("说明"), blank=True)
    at = models.DateTimeField(_("时间"), default=timezone.now)

    class Meta:
        verbose_name = _("事故办理记录")
        verbose_name_plural = _("事故办理记录")
        ordering = ["at", "pk"]

    def __str__(self) -> str:
        return f"{self.accident_id} {self.action}"


class AccidentUpdate(BaseModel):
    """续报 (补报): the casualties and loss as of a later report; the accident is regraded from them."""

    scope = _child_scope("accident")
    accident = models.ForeignKey(
        Accident, verbose_name=_("事故"), on_delete=models.CASCADE, related_name="updates"
    )
    reported_at = models.DateTimeField(_("续报时间"))
    deaths = models.PositiveIntegerField(_("死亡人数"))
    serious_injuries = models.PositiveIntegerField(_("重伤人数"))
    missing = models.PositiveIntegerField(_("失踪人数"))
    direct_loss = models.DecimalField(_("直接经济损失（元）"), max_digits=14, decimal_places=2)
    grade_before = models.CharField(_("续报前等级"), max_length=20, choices=Grade.choices)
    grade_after = models.CharField(_("续报后等级"), max_length=20, choices=Grade.choices)
    late = models.BooleanField(_("超出补报时限"), default=False)
    note = models.TextField(_("续报内容"))
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("续报人"),
        null=True,
        on_delete=models.PROTECT,
        related_name="+",
    )

    objects = ScopedQuerySet.as_manager()

    class Meta:
        verbose_name = _("事故续报")
        verbose_name_plural = _("事故续报")
        ordering = ["reported_at", "pk"]

    def __str__(self) -> str:
        return f"{self.accident_id} 续报"


class ResponsibilityFinding(BaseModel):
    """责任认定: one person or unit found responsible, its role, the finding and the measure proposed."""

    scope = _child_scope("accident")
    accident = models.ForeignKey(
        Accident, verbose_name=_("事故"), on_delete=models.CASCADE, related_name="findings"
    )
    subject_kind = models.CharField(_("对象类别"), max_length=10, choices=SubjectKind.choices)
    name = models.CharField(_("责任人（单位）"), max_length=100)
    role = models.CharField(_("身份"), max_length=20, choices=ResponsibleRole.choices)
    finding = models.TextField(_("责任认定"))
    measure = models.CharField(_("处理建议"), max_length=20, choices=Measure.choices)
    measure_detail = models.CharField(_("处理内容"), max_length=300, blank=True)

    objects = ScopedQuerySet.as_manager()

    class Meta:
        verbose_name = _("事故责任认定")
        verbose_name_plural = _("事故责任认定")
        ordering = ["pk"]

    def __str__(self) -> str:
        return f"{self.name}（{self.get_role_display()}）"


class Rectification(BaseModel):
    """整改措施 of the investigation report and its follow-up (整改落实情况)."""

    scope = _child_scope("accident")
    accident = models.ForeignKey(
        Accident, verbose_name=_("事故"), on_delete=models.CASCADE, related_name="rectifications"
    )
    measure = models.TextField(_("整改措施"))
    responsible = models.CharField(_("责任单位"), max_length=100)
    due_on = models.DateField(_("整改期限"))
    status = models.CharField(
        _("状态"), max_length=10, choices=RectificationStatus.choices, default=RectificationStatus.OPEN
    )
    done_on = models.DateField(_("完成日期"), null=True, blank=True)
    follow_up = models.TextField(_("落实情况"), blank=True)

    objects = ScopedQuerySet.as_manager()

    class Meta:
        verbose_name = _("事故整改措施")
        verbose_name_plural = _("事故整改措施")
        ordering = ["due_on", "pk"]

    def __str__(self) -> str:
        return self.measure[:40]

    def is_overdue(self, today: dt.date | None = None) -> bool:
        return self.status == RectificationStatus.OPEN and self.due_on < (today or timezone.localdate())
