"""The campaign plan as data (治本攻坚三年行动, 屈安发〔2024〕1号): goals, the numbered measures, their tasks with the
task loop (report → accept / return → done), sub-plans of member units, progress reports with evidence, the
reminder and escalation rules, and the small registers of things the plan counts without a module of its own.

Goals and measures are the plan itself: every government role reads them whole. A task is scoped to its lead
and co-operating departments (`departments`, kept equal to lead + co-departments) and, for a township's task,
to the township (属地); the office and the leaders see every task.
"""

from __future__ import annotations

import datetime as dt

from django.conf import settings
from django.db import models
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from zhiben.core.models import BaseModel, ScopedModel, VersionedModel
from zhiben.core.scoping import ScopedQuerySet, ScopePaths

from .choices import (
    OPEN_TASK_STATUSES,
    Direction,
    EntryStatus,
    EscalationKind,
    GoalKind,
    RegisterKind,
    ReportKind,
    ReportOutcome,
    RuleKind,
    TaskStatus,
)

PLAN_SCOPE = ScopePaths(unscoped=True)


class Goal(VersionedModel):
    """A goal of the plan: the 总体目标 (no year) or a 阶段目标 due by the end of 2024, 2025 or 2026.

    `indicator` names the indicator (by its id in the indicator registry) that measures the goal, when one
    does; `target_value`/`unit`/`direction` are its target as data."""

    scope = PLAN_SCOPE
    code = models.CharField(_("编号"), max_length=40, unique=True)
    kind = models.CharField(_("类别"), max_length=10, choices=GoalKind.choices)
    year = models.PositiveSmallIntegerField(_("年度"), null=True, blank=True)
    title = models.CharField(_("目标"), max_length=200)
    text = models.TextField(_("原文"), blank=True)
    indicator = models.CharField(
        _("指标"), max_length=80, blank=True, help_text=_("指标注册表中衡量该目标的指标编号")
    )
    target_value = models.DecimalField(_("目标值"), max_digits=12, decimal_places=2, null=True, blank=True)
    unit = models.CharField(_("单位"), max_length=20, blank=True)
    direction = models.CharField(_("方向"), max_length=10, choices=Direction.choices, default=Direction.UP)
    due_on = models.DateField(_("完成时限"), null=True, blank=True)
    measures = models.JSONField(_("相关措施序号"), default=list, blank=True)
    source = models.CharField(_("来源"), max_length=200)
    verified = models.BooleanField(_("已核实"), default=False)
    sort_order = models.PositiveSmallIntegerField(_("排序"), default=0)

    objects = ScopedQuerySet.as_manager()

    class Meta:
        verbose_name = _("攻坚目标")
        verbose_name_plural = _("攻坚目标")
        ordering = ["year", "sort_order", "code"]

    def __str__(self) -> str:
        return self.title

    def get_absolute_url(self) -> str:
        return reverse("campaign:plan") + (f"?year={self.year}" if self.year else "")


class Measure(VersionedModel):
    """One of the seed's numbered measures (三、主要任务 1–22) with its lead and co-operating units (三管三必须).

    Units the district's department register does not hold are kept by name in `other_units` (待核实)."""

    scope = PLAN_SCOPE
    number = models.PositiveSmallIntegerField(_("序号"), unique=True)
    title = models.CharField(_("措施"), max_length=100)
    section = models.CharField(_("所属部分"), max_length=100)
    text = models.TextField(_("原文"))
    lead_departments = models.ManyToManyField(
        "registry.Department", verbose_name=_("牵头单位"), related_name="campaign_leads", blank=True
    )
    co_departments = models.ManyToManyField(
        "registry.Department", verbose_name=_("配合单位"), related_name="campaign_co_measures", blank=True
    )
    other_units = models.CharField(_("其他单位（待核实）"), max_length=300, blank=True)
    source = models.CharField(_("来源"), max_length=200)
    verified = models.BooleanField(_("已核实"), default=False)

    objects = ScopedQuerySet.as_manager()

    class Meta:
        verbose_name = _("攻坚措施")
        verbose_name_plural = _("攻坚措施")
        ordering = ["number"]

    def __str__(self) -> str:
        return f"{self.number}. {self.title}"

    def get_absolute_url(self) -> str:
        return reverse("campaign:measure_detail", args=[self.pk])


class TaskQuerySet(ScopedQuerySet):
    def open(self) -> TaskQuerySet:
        return self.filter(status__in=OPEN_TASK_STATUSES)

    def overdue(self, today: dt.date | None = None) -> TaskQuerySet:
        return self.open().filter(due_on__lt=today or timezone.localdate())


class Task(ScopedModel):
    """A measure's task for one year: who leads, who helps, by when, what it delivers and what proves it."""

    scope = ScopePaths(region="township__code", department="departments")
    code = models.CharField(_("编号"), max_length=40, unique=True)
    measure = models.ForeignKey(
        Measure, verbose_name=_("措施"), on_delete=models.PROTECT, related_name="tasks"
    )
    title = models.CharField(_("任务"), max_length=200)
    year = models.PositiveSmallIntegerField(_("年度"))
    due_on = models.DateField(_("完成时限"))
    lead_department = models.ForeignKey(
        "registry.Department",
        verbose_name=_("牵头单位"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="campaign_tasks",
    )
    township = models.ForeignKey(
        "registry.Region",
        verbose_name=_("乡镇（街道）"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="campaign_tasks",
        help_text=_("乡镇（街道）牵头的任务"),
    )
    co_departments = models.ManyToManyField(
        "registry.Department", verbose_name=_("配合单位"), related_name="campaign_co_tasks", blank=True
    )
    # Lead + co-departments: the scope path (a department sees the tasks it leads or helps with).
    departments = models.ManyToManyField(
        "registry.Department",
        verbose_name=_("相关单位"),
        related_name="campaign_scope_tasks",
        blank=True,
        editable=False,
    )
    other_units = models.CharField(_("其他单位（待核实）"), max_length=300, blank=True)
    deliverable = models.TextField(_("成果要求"), blank=True)
    evidence_required = models.TextField(_("佐证材料"), blank=True)
    status = models.CharField(_("状态"), max_length=20, choices=TaskStatus.choices, default=TaskStatus.OPEN)
    percent = models.PositiveSmallIntegerField(_("完成比例（%）"), default=0)
    completed_on = models.DateField(_("完成日期"), null=True, blank=True)
    source = models.CharField(_("来源"), max_length=200)
    verified = models.BooleanField(_("已核实"), default=False)
    sort_order = models.PositiveSmallIntegerField(_("排序"), default=0)

    objects = TaskQuerySet.as_manager()  # type: ignore[misc]  # narrows the ScopedQuerySet manager

    class Meta:
        verbose_name = _("攻坚任务")
        verbose_name_plural = _("攻坚任务")
        ordering = ["measure__number", "year", "sort_order", "code"]
        indexes = [models.Index(fields=["status", "due_on"])]

    def __str__(self) -> str:
        return self.title

    def get_absolute_url(self) -> str:
        return reverse("campaign:task_detail", args=[self.pk])

    @property
    def lead_name(self) -> str:
        if self.lead_department_id:
            return self.lead_department.name  # type: ignore[union-attr]
        if self.township_id:
            return self.township.name  # type: ignore[union-attr]
        return str(_("待核实"))

    def is_overdue(self, today: dt.date | None = None) -> bool:
        return self.status in OPEN_TASK_STATUSES and self.due_on < (today or timezone.localdate())

    def timeliness(self, today: dt.date | None = None) -> tuple[str, str]:
        """The badge of the plan page: 已完成 / 逾期 / 按期, with its colour."""
        if self.status == TaskStatus.DONE:
            late = self.completed_on is not None and self.completed_on > self.due_on
            return (str(_("逾期完成")) if late else str(_("已完成"))), "success"
        if self.is_overdue(today):
            return str(_("逾期")), "danger"
        return str(_("按期")), "primary"

    def sync_departments(self) -> None:
        ids = set(self.co_departments.values_list("pk", flat=True))
        if self.lead_department_id:
            ids.add(self.lead_department_id)
        self.departments.set(ids)


class TaskTransition(models.Model):
    """A task's history: one row per step (报告进展, 报告完成, 通过, 退回)."""

    task = models.ForeignKey(Task, verbose_name=_("任务"), on_delete=models.CASCADE, related_name="history")
    action = models.CharField(_("操作"), max_length=30)
    from_status = models.CharField(_("原状态"), max_length=20, choices=TaskStatus.choices, blank=True)
    to_status = models.CharField(_("新状态"), max_length=20, choices=TaskStatus.choices)
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
        verbose_name = _("任务办理记录")
        verbose_name_plural = _("任务办理记录")
        ordering = ["at", "pk"]

    def __str__(self) -> str:
        return f"{self.task_id} {self.action}"


class TaskReport(BaseModel):
    """进展报告 / 完成报告 of a task, with its evidence and links to platform records; reviewed by the office."""

    scope = ScopePaths(region="task__township__code", department="task__departments")
    task = models.ForeignKey(Task, verbose_name=_("任务"), on_delete=models.CASCADE, related_name="reports")
    kind = models.CharField(_("类别"), max_length=10, choices=ReportKind.choices)
    content = models.TextField(_("进展情况"))
    percent = models.PositiveSmallIntegerField(_("完成比例（%）"), default=0)
    links = models.JSONField(
        _("关联记录"), default=list, blank=True, help_text=_("平台内记录的链接（如 /hazards/12/）")
    )
    reported_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("报告人"),
        null=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    reported_on = models.DateField(_("报告日期"), default=timezone.localdate)
    outcome = models.CharField(
        _("审核结果"), max_length=10, choices=ReportOutcome.choices, default=ReportOutcome.PENDING
    )
    reviewed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("审核人"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    reviewed_at = models.DateTimeField(_("审核时间"), null=True, blank=True)
    review_note = models.TextField(_("审核意见"), blank=True)

    objects = ScopedQuerySet.as_manager()

    class Meta:
        verbose_name = _("任务进展报告")
        verbose_name_plural = _("任务进展报告")
        ordering = ["-reported_on", "-pk"]


class CampaignFile(BaseModel):
    """A file checked by its content (zhiben.core.uploads), read only through the scoped, audited view."""

    file = models.FileField(_("文件"), upload_to="campaign/%Y/%m/")
    name = models.CharField(_("文件名"), max_length=200)
    content_type = models.CharField(_("类型"), max_length=100)
    size = models.PositiveIntegerField(_("大小"))
    sha256 = models.CharField(_("文件摘要"), max_length=64)
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("上传人"),
        null=True,
        on_delete=models.PROTECT,
        related_name="+",
    )

    class Meta:
        abstract = True


class TaskAttachment(CampaignFile):
    scope = ScopePaths(region="report__task__township__code", department="report__task__departments")
    report = models.ForeignKey(
        TaskReport, verbose_name=_("进展报告"), on_delete=models.CASCADE, related_name="attachments"
    )

    objects = ScopedQuerySet.as_manager()

    class Meta:
        verbose_name = _("进展报告附件")
        verbose_name_plural = _("进展报告附件")


class SubPlan(CampaignFile):
    """子方案: a member unit's own implementation plan for a measure (seed 二、任务分工), as issued."""

    scope = PLAN_SCOPE
    measure = models.ForeignKey(
        Measure, verbose_name=_("措施"), on_delete=models.PROTECT, related_name="subplans"
    )
    department = models.ForeignKey(
        "registry.Department", verbose_name=_("制定单位"), on_delete=models.PROTECT, related_name="+"
    )
    title = models.CharField(_("方案名称"), max_length=200)
    document_number = models.CharField(_("文号"), max_length=60, blank=True)
    issued_on = models.DateField(_("印发日期"))

    objects = ScopedQuerySet.as_manager()

    class Meta:
        verbose_name = _("子方案")
        verbose_name_plural = _("子方案")
        ordering = ["-issued_on", "-pk"]

    def __str__(self) -> str:
        return self.title


class TaskRule(VersionedModel):
    """Reminder and escalation rules of tasks, as data: remind `days` before the due date; escalate (督促函 →
    通报 → 约谈) once a task is `days` overdue and `interval_days` after the previous rung."""

    scope = PLAN_SCOPE
    kind = models.CharField(_("类别"), max_length=10, choices=RuleKind.choices)
    days = models.PositiveSmallIntegerField(
        _("天数"), help_text=_("到期前天数（提醒）或逾期天数（督办），自然日")
    )
    escalation = models.CharField(_("督办措施"), max_length=10, choices=EscalationKind.choices, blank=True)
    interval_days = models.PositiveSmallIntegerField(_("距上一措施至少（天）"), default=0)
    active = models.BooleanField(_("启用"), default=True)
    source = models.CharField(_("来源"), max_length=200)
    verified = models.BooleanField(_("已核实"), default=False)

    objects = ScopedQuerySet.as_manager()

    class Meta:
        verbose_name = _("任务提醒与督办规则")
        verbose_name_plural = _("任务提醒与督办规则")
        ordering = ["kind", "days"]

    def __str__(self) -> str:
        if self.kind == RuleKind.REMIND:
            return str(_("到期前 %(d)s 天提醒")) % {"d": self.days}
        return str(_("逾期 %(d)s 天%(k)s")) % {"d": self.days, "k": self.get_escalation_display()}


class TaskReminder(models.Model):
    """A reminder sent: one per (task, rule, due date), so the daily job is idempotent."""

    task = models.ForeignKey(Task, verbose_name=_("任务"), on_delete=models.CASCADE, related_name="reminders")
    rule = models.ForeignKey(TaskRule, verbose_name=_("规则"), on_delete=models.PROTECT, related_name="+")
    due_on = models.DateField(_("完成时限"))
    sent_on = models.DateField(_("提醒日期"))

    class Meta:
        verbose_name = _("任务到期提醒")
        verbose_name_plural = _("任务到期提醒")
        constraints = [
            models.UniqueConstraint(fields=["task", "rule", "due_on"], name="campaign_reminder_once")
        ]

    def __str__(self) -> str:
        return f"{self.task_id} {self.sent_on}"


class TaskEscalation(models.Model):
    """A rung of the escalation ladder applied to an overdue task: one per (task, rule, due date)."""

    task = models.ForeignKey(
        Task, verbose_name=_("任务"), on_delete=models.CASCADE, related_name="escalations"
    )
    rule = models.ForeignKey(TaskRule, verbose_name=_("规则"), on_delete=models.PROTECT, related_name="+")
    kind = models.CharField(_("督办措施"), max_length=10, choices=EscalationKind.choices)
    due_on = models.DateField(_("完成时限"))
    overdue_days = models.PositiveSmallIntegerField(_("逾期天数"))
    applied_on = models.DateField(_("督办日期"))

    class Meta:
        verbose_name = _("任务逾期督办")
        verbose_name_plural = _("任务逾期督办")
        ordering = ["applied_on", "pk"]
        constraints = [
            models.UniqueConstraint(fields=["task", "rule", "due_on"], name="campaign_escalation_once")
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()}（{self.applied_on}）"


class RegisterEntry(VersionedModel):
    """One entry of a small register (基层应急站, 两站两员, 执法装备, 工程治理, 宣传活动, 示范创建, 能力建设 …):
    what, where (township) or whose (department), how many, in what state, on what date, with evidence."""

    scope = ScopePaths(region="township__code", department="department")
    kind = models.CharField(_("登记类别"), max_length=20, choices=RegisterKind.choices)
    name = models.CharField(_("名称"), max_length=200)
    township = models.ForeignKey(
        "registry.Region",
        verbose_name=_("乡镇（街道）"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    department = models.ForeignKey(
        "registry.Department",
        verbose_name=_("责任部门"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    quantity = models.DecimalField(_("数量"), max_digits=12, decimal_places=2, default=1)
    status = models.CharField(_("状态"), max_length=10, choices=EntryStatus.choices, default=EntryStatus.DONE)
    on = models.DateField(_("日期"))
    evidence_note = models.CharField(_("佐证说明"), max_length=300, blank=True)
    evidence = models.FileField(_("佐证材料"), upload_to="campaign/registers/%Y/", blank=True)
    evidence_type = models.CharField(_("佐证材料类型"), max_length=100, blank=True, editable=False)
    evidence_sha256 = models.CharField(_("佐证材料摘要"), max_length=64, blank=True, editable=False)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("登记人"),
        null=True,
        on_delete=models.PROTECT,
        related_name="+",
    )

    objects = ScopedQuerySet.as_manager()

    class Meta:
        verbose_name = _("攻坚登记")
        verbose_name_plural = _("攻坚登记")
        ordering = ["-on", "-pk"]
        indexes = [models.Index(fields=["kind", "status"])]

    def __str__(self) -> str:
        return self.name

    def get_absolute_url(self) -> str:
        return reverse("campaign:register_list") + f"?kind={self.kind}"
