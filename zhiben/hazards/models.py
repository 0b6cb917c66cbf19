"""The hazard register (隐患台账) and the records of its closed loop.

`Hazard` carries the field set of research/domain.md §9. Every status change goes through
`services.py` (compare-and-swap, a `HazardTransition` row, an audit row, outbox messages, the statistics
tally), never through a plain save.
"""

from __future__ import annotations

import datetime as dt

from django.conf import settings
from django.db import models
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from zhiben.core.loop.steps import action_label
from zhiben.core.models import BaseModel, ScopedModel, VersionedModel
from zhiben.core.scoping import ScopedQuerySet, ScopePaths

from .choices import (
    OPEN_STATUSES,
    AttachmentKind,
    EscalationKind,
    ExtensionStatus,
    Level,
    NoticeRecipient,
    Source,
    Stage,
    Status,
    SupervisionLevel,
)

_HAZARD_SCOPE = ScopePaths(
    region="region__code", industry="industry_id", enterprise="enterprise_id", department="department_id"
)


def _child_scope(prefix: str) -> ScopePaths:
    return ScopePaths(
        region=f"{prefix}__region__code",
        industry=f"{prefix}__industry_id",
        enterprise=f"{prefix}__enterprise_id",
        department=f"{prefix}__department_id",
    )


class DeadlinePolicy(VersionedModel):
    """Default period and reminder lead time per step (判定 or 整改) and level, in working days (editable data).

    判定: a report waits this long for the department's 判定 from the day it was registered; 整改: the default
    rectification period set at 判定."""

    scope = ScopePaths(unscoped=True)
    stage = models.CharField(_("环节"), max_length=10, choices=Stage.choices, default=Stage.RECTIFY)
    level = models.CharField(_("隐患等级"), max_length=10, choices=Level.choices)
    workdays = models.PositiveSmallIntegerField(_("期限（工作日）"))
    reminder_workdays = models.PositiveSmallIntegerField(_("到期前提醒（工作日）"), default=3)
    source = models.CharField(_("依据"), max_length=200, blank=True)
    verified = models.BooleanField(_("已核实"), default=False)

    objects = ScopedQuerySet.as_manager()

    class Meta:
        verbose_name = _("期限规则")
        verbose_name_plural = _("期限规则")
        ordering = ["stage", "level"]
        constraints = [models.UniqueConstraint(fields=["stage", "level"], name="deadline_policy_unique")]

    def __str__(self) -> str:
        return f"{self.get_level_display()}隐患{self.get_stage_display()}期限：{self.workdays} 个工作日"


class EscalationRule(VersionedModel):
    """One step of a ladder: a hazard of `level` this many working days past its deadline gets `kind`.

    Two ladders share the machinery: 整改 (the unit, past its rectification deadline) and 判定 (the supervising
    department, a report past its 判定 deadline)."""

    scope = ScopePaths(unscoped=True)
    stage = models.CharField(_("环节"), max_length=10, choices=Stage.choices, default=Stage.RECTIFY)
    level = models.CharField(_("隐患等级"), max_length=10, choices=Level.choices)
    kind = models.CharField(_("督办措施"), max_length=20, choices=EscalationKind.choices)
    overdue_workdays = models.PositiveSmallIntegerField(_("逾期工作日"))
    interval_workdays = models.PositiveSmallIntegerField(
        _("距上一措施间隔（工作日）"),
        default=0,
        help_text=_("上一督办措施实施后至少经过的工作日数，本措施才能实施；避免同一天连发多项措施"),
    )
    template_code = models.CharField(_("公文模板"), max_length=40)
    active = models.BooleanField(_("启用"), default=True)
    source = models.CharField(_("依据"), max_length=200, blank=True)
    notes = models.TextField(_("说明"), blank=True)
    verified = models.BooleanField(_("已核实"), default=False)

    objects = ScopedQuerySet.as_manager()

    class Meta:
        verbose_name = _("逾期督办规则")
        verbose_name_plural = _("逾期督办规则")
        ordering = ["stage", "level", "overdue_workdays"]
        constraints = [
            models.UniqueConstraint(fields=["stage", "level", "kind"], name="escalation_rule_unique"),
        ]

    def __str__(self) -> str:
        late = _("逾期未判定") if self.stage == Stage.JUDGE else _("逾期")
        return f"{self.get_level_display()}隐患{late} {self.overdue_workdays} 个工作日：{self.get_kind_display()}"


class HazardQuerySet(ScopedQuerySet):
    def open(self) -> HazardQuerySet:
        return self.filter(status__in=OPEN_STATUSES)

    def major(self) -> HazardQuerySet:
        return self.filter(level=Level.MAJOR)

    def overdue(self, today: dt.date) -> HazardQuerySet:
        return self.filter(status__in=OPEN_STATUSES, deadline__lt=today)

    def awaiting_judgement(self) -> HazardQuerySet:
        return self.filter(status=Status.REPORTED)

    def judgement_overdue(self, today: dt.date) -> HazardQuerySet:
        """Reports still waiting for 判定 past their 判定 deadline."""
        return self.filter(status=Status.REPORTED, judge_deadline__lt=today)


class Hazard(ScopedModel):
    """事故隐患: one hazard of one unit, from registration to 销号."""

    scope = _HAZARD_SCOPE

    code = models.CharField(_("隐患编号"), max_length=40, unique=True)
    enterprise = models.ForeignKey(
        "registry.Enterprise",
        verbose_name=_("生产经营单位"),
        on_delete=models.PROTECT,
        related_name="hazards",
    )
    region = models.ForeignKey(
        "registry.Region", verbose_name=_("所在区划"), on_delete=models.PROTECT, related_name="hazards"
    )
    industry = models.ForeignKey(
        "registry.Industry", verbose_name=_("行业领域"), on_delete=models.PROTECT, related_name="hazards"
    )
    department = models.ForeignKey(
        "registry.Department", verbose_name=_("监管部门"), on_delete=models.PROTECT, related_name="hazards"
    )
    level = models.CharField(_("隐患等级"), max_length=10, choices=Level.choices)
    clause = models.ForeignKey(
        "standards.Clause",
        verbose_name=_("判定依据条款"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="hazards",
    )
    source = models.CharField(_("隐患来源"), max_length=20, choices=Source.choices)
    title = models.CharField(_("隐患名称"), max_length=200)
    description = models.TextField(_("隐患描述"), blank=True)
    location = models.CharField(_("隐患部位"), max_length=200, blank=True)
    discovered_on = models.DateField(_("发现日期"))
    finder = models.CharField(_("发现人"), max_length=100, blank=True)
    is_stock = models.BooleanField(_("存量隐患"), default=False, help_text=_("2023年12月31日及以前发现"))
    status = models.CharField(_("状态"), max_length=20, choices=Status.choices, default=Status.REPORTED)
    reported_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("登记人"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    reported_to_department_at = models.DateTimeField(_("报告监管部门时间"), null=True, blank=True)
    reported_to_workers_on = models.DateField(
        _("向职工（代表）大会报告日期"), null=True, blank=True, help_text=_("安全生产法第四十一条")
    )
    # 判定 / 交办
    judge_deadline = models.DateField(
        _("判定期限"), null=True, blank=True, help_text=_("待判定的报告应在此日前判定（工作日，见期限规则）")
    )
    confirmed_at = models.DateTimeField(_("判定时间"), null=True, blank=True)
    confirmed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("判定人"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    deadline = models.DateField(_("整改期限"), null=True, blank=True, db_index=True)
    supervision_level = models.CharField(
        _("督办级别"), max_length=10, choices=SupervisionLevel.choices, blank=True, default=""
    )
    escalation = models.CharField(
        _("当前督办措施"), max_length=20, choices=EscalationKind.choices, blank=True, default=""
    )
    # 治理方案 / 五落实
    plan_goal = models.TextField(_("治理目标和任务"), blank=True)
    plan_measures = models.TextField(_("整改措施"), blank=True)
    plan_responsible = models.CharField(_("整改责任人"), max_length=50, blank=True)
    plan_funds = models.DecimalField(
        _("整改资金（万元）"), max_digits=12, decimal_places=2, null=True, blank=True
    )
    plan_deadline = models.DateField(_("方案整改时限"), null=True, blank=True)
    plan_contingency = models.TextField(_("应急预案"), blank=True)
    interim_measures = models.TextField(_("整改期间安全防范措施"), blank=True)
    stop_production = models.BooleanField(_("停产停业整改"), default=False)
    plan_submitted_at = models.DateTimeField(_("方案提交时间"), null=True, blank=True)
    # 验收 / 销号
    accepted_on = models.DateField(_("企业验收日期"), null=True, blank=True)
    acceptor = models.CharField(_("企业验收人"), max_length=50, blank=True)
    closed_on = models.DateField(_("销号日期"), null=True, blank=True)
    closed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("销号人"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    closed_on_time = models.BooleanField(_("按期整改"), null=True, blank=True)
    merged_into = models.ForeignKey(
        "self",
        verbose_name=_("合并至"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="duplicates",
    )
    reopen_count = models.PositiveSmallIntegerField(_("重新打开次数"), default=0)

    objects = HazardQuerySet.as_manager()  # type: ignore[misc]  # narrows the ScopedQuerySet manager

    class Meta:
        verbose_name = _("事故隐患")
        verbose_name_plural = _("事故隐患")
        indexes = [
            # The register page: newest first, optionally one level.
            models.Index(fields=["-discovered_on", "-id"], name="hazard_recent_idx"),
            models.Index(fields=["level", "-discovered_on", "-id"], name="hazard_level_recent_idx"),
            # Jobs: open hazards by deadline (escalation, reminders).
            models.Index(fields=["status", "deadline"], name="hazard_status_deadline_idx"),
            models.Index(fields=["enterprise", "status"], name="hazard_enterprise_status_idx"),
            models.Index(fields=["department", "status"], name="hazard_department_status_idx"),
            models.Index(fields=["region", "industry"], name="hazard_region_industry_idx"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=~models.Q(level=Level.MAJOR) | models.Q(clause__isnull=False),
                name="major_hazard_cites_clause",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.code} {self.title}"

    def get_absolute_url(self) -> str:
        return reverse("hazards:hazard_detail", args=[self.pk])

    @property
    def is_open(self) -> bool:
        return self.status in OPEN_STATUSES

    def is_judgement_overdue(self, today: dt.date) -> bool:
        return (
            self.status == Status.REPORTED and self.judge_deadline is not None and self.judge_deadline < today
        )

    def is_overdue(self, today: dt.date) -> bool:
        return self.is_open and self.deadline is not None and self.deadline < today


class HazardTransition(models.Model):
    """One status change, in order: the history of a hazard."""

    scope = _child_scope("hazard")
    hazard = models.ForeignKey(
        Hazard, verbose_name=_("隐患"), on_delete=models.CASCADE, related_name="transitions"
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
    at = models.DateTimeField(_("时间"), auto_now_add=True)

    objects = ScopedQuerySet.as_manager()

    class Meta:
        verbose_name = _("隐患流转记录")
        verbose_name_plural = _("隐患流转记录")
        ordering = ["hazard", "at", "id"]

    def __str__(self) -> str:
        return f"{self.hazard_id}: {self.from_status}→{self.to_status}"

    @property
    def action_label(self) -> str:
        return action_label(self)


class HazardProgress(BaseModel):
    """台账: one progress entry of the rectification, with its evidence."""

    scope = _child_scope("hazard")
    hazard = models.ForeignKey(
        Hazard, verbose_name=_("隐患"), on_delete=models.CASCADE, related_name="progress"
    )
    entry_on = models.DateField(_("日期"))
    content = models.TextField(_("整改进展"))
    percent = models.PositiveSmallIntegerField(_("完成比例（%）"), default=0)
    funds_spent = models.DecimalField(
        _("已投入资金（万元）"), max_digits=12, decimal_places=2, null=True, blank=True
    )
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("填报人"),
        null=True,
        on_delete=models.PROTECT,
        related_name="+",
    )

    objects = ScopedQuerySet.as_manager()

    class Meta:
        verbose_name = _("整改台账")
        verbose_name_plural = _("整改台账")
        ordering = ["hazard", "entry_on", "id"]

    def __str__(self) -> str:
        return f"{self.entry_on} {self.content[:20]}"


class HazardAttachment(BaseModel):
    """A photo or document; stored under MEDIA_ROOT (never served directly), read through a scoped view."""

    scope = _child_scope("hazard")
    hazard = models.ForeignKey(
        Hazard, verbose_name=_("隐患"), on_delete=models.CASCADE, related_name="attachments"
    )
    progress = models.ForeignKey(
        HazardProgress,
        verbose_name=_("台账记录"),
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="attachments",
    )
    kind = models.CharField(_("类型"), max_length=10, choices=AttachmentKind.choices)
    file = models.FileField(_("文件"), upload_to="hazards/%Y/%m/")
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

    objects = ScopedQuerySet.as_manager()

    class Meta:
        verbose_name = _("隐患附件")
        verbose_name_plural = _("隐患附件")
        ordering = ["hazard", "created_at"]

    def __str__(self) -> str:
        return self.name


class DeadlineExtension(BaseModel):
    """延期: requested by the unit, decided by the supervising department; the history of deadline changes."""

    scope = _child_scope("hazard")
    hazard = models.ForeignKey(
        Hazard, verbose_name=_("隐患"), on_delete=models.CASCADE, related_name="extensions"
    )
    old_deadline = models.DateField(_("原期限"))
    requested_deadline = models.DateField(_("申请延至"))
    reason = models.TextField(_("延期理由"))
    status = models.CharField(
        _("审批状态"), max_length=10, choices=ExtensionStatus.choices, default=ExtensionStatus.PENDING
    )
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("申请人"),
        null=True,
        on_delete=models.PROTECT,
        related_name="+",
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

    objects = ScopedQuerySet.as_manager()

    class Meta:
        verbose_name = _("延期申请")
        verbose_name_plural = _("延期申请")
        ordering = ["hazard", "created_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["hazard"],
                condition=models.Q(status="pending"),
                name="one_pending_extension",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.old_deadline}→{self.requested_deadline}"


class HazardTransfer(BaseModel):
    """移送: the supervising department handed the hazard to another, with the reason."""

    scope = _child_scope("hazard")
    hazard = models.ForeignKey(
        Hazard, verbose_name=_("隐患"), on_delete=models.CASCADE, related_name="transfers"
    )
    from_department = models.ForeignKey(
        "registry.Department", verbose_name=_("移出部门"), on_delete=models.PROTECT, related_name="+"
    )
    to_department = models.ForeignKey(
        "registry.Department", verbose_name=_("接收部门"), on_delete=models.PROTECT, related_name="+"
    )
    reason = models.TextField(_("移送理由"))
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("操作人"),
        null=True,
        on_delete=models.PROTECT,
        related_name="+",
    )

    objects = ScopedQuerySet.as_manager()

    class Meta:
        verbose_name = _("隐患移送")
        verbose_name_plural = _("隐患移送")
        ordering = ["hazard", "created_at"]

    def __str__(self) -> str:
        return f"{self.from_department}→{self.to_department}"


class HazardNotice(BaseModel):
    """Who was told about a 重大 hazard, how, and through which outbox message (安全生产法 Art 41)."""

    scope = _child_scope("hazard")
    hazard = models.ForeignKey(
        Hazard, verbose_name=_("隐患"), on_delete=models.CASCADE, related_name="notices"
    )
    recipient_kind = models.CharField(_("对象"), max_length=20, choices=NoticeRecipient.choices)
    recipient_name = models.CharField(_("姓名/单位"), max_length=100)
    channel = models.CharField(_("渠道"), max_length=10)
    address_masked = models.CharField(_("号码"), max_length=40, blank=True)
    message_id = models.UUIDField(_("消息"), null=True, blank=True)
    topic = models.CharField(_("事由"), max_length=40)

    objects = ScopedQuerySet.as_manager()

    class Meta:
        verbose_name = _("隐患告知记录")
        verbose_name_plural = _("隐患告知记录")
        ordering = ["hazard", "created_at"]

    def __str__(self) -> str:
        return f"{self.get_recipient_kind_display()} {self.recipient_name}"


class HazardReminder(BaseModel):
    """A deadline reminder sent: at most one per hazard, step (判定/整改) and deadline, so the daily job is
    idempotent."""

    hazard = models.ForeignKey(
        Hazard, verbose_name=_("隐患"), on_delete=models.CASCADE, related_name="reminders"
    )
    stage = models.CharField(_("环节"), max_length=10, choices=Stage.choices, default=Stage.RECTIFY)
    deadline = models.DateField(_("期限"))

    class Meta:
        verbose_name = _("到期提醒记录")
        verbose_name_plural = _("到期提醒记录")
        constraints = [
            models.UniqueConstraint(fields=["hazard", "stage", "deadline"], name="one_reminder_per_deadline")
        ]

    def __str__(self) -> str:
        return f"{self.hazard_id}@{self.deadline}"


class Escalation(BaseModel):
    """One ladder step applied to one overdue hazard for one deadline, with its official document."""

    scope = _child_scope("hazard")
    hazard = models.ForeignKey(
        Hazard, verbose_name=_("隐患"), on_delete=models.CASCADE, related_name="escalations"
    )
    rule = models.ForeignKey(
        EscalationRule, verbose_name=_("规则"), on_delete=models.PROTECT, related_name="+"
    )
    kind = models.CharField(_("督办措施"), max_length=20, choices=EscalationKind.choices)
    deadline = models.DateField(_("对应期限"))  # the 判定 or 整改 deadline the rule's step missed
    overdue_workdays = models.PositiveSmallIntegerField(_("逾期工作日"))
    applied_on = models.DateField(_("督办日期"))
    # 约谈: the office sets its time and place when it issues the notice (the job only finds it due).
    interview_at = models.DateTimeField(_("约谈时间"), null=True, blank=True)
    interview_place = models.CharField(_("约谈地点"), max_length=100, blank=True)
    document = models.ForeignKey(
        "core.OfficialDocument",
        verbose_name=_("督办文书"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )

    objects = ScopedQuerySet.as_manager()

    class Meta:
        verbose_name = _("逾期督办记录")
        verbose_name_plural = _("逾期督办记录")
        ordering = ["hazard", "applied_on", "id"]
        constraints = [
            models.UniqueConstraint(fields=["hazard", "rule", "deadline"], name="one_step_per_deadline"),
        ]

    def __str__(self) -> str:
        return f"{self.hazard_id} {self.get_kind_display()}"

    def get_absolute_url(self) -> str:
        return reverse("hazards:hazard_detail", args=[self.hazard_id])

    @property
    def stage(self) -> str:
        return self.rule.stage


class TallyState(models.Model):
    """The tally's columns besides its place (region, industry, department): shared by the tally and its
    change log, whose rows copy a tally key."""

    level = models.CharField(_("隐患等级"), max_length=10, choices=Level.choices)
    source = models.CharField(_("来源"), max_length=20, choices=Source.choices)
    is_stock = models.BooleanField(_("存量"))
    status = models.CharField(_("状态"), max_length=20, choices=Status.choices)
    quarter = models.CharField(_("发现季度"), max_length=6, help_text="discovered in, e.g. 2025Q3")
    discovered_on = models.DateField(_("发现日期"), null=True)
    deadline = models.DateField(_("整改期限"), null=True)
    on_time = models.BooleanField(_("按期"), null=True)

    class Meta:
        abstract = True


class HazardTally(TallyState):
    """Read model for the statistics: how many hazards share one combination of dimensions and state.

    Maintained in the same transaction as every change (`stats.apply`); `stats.recount()` rebuilds it from
    the register and must give the same rows. Open hazards keep their deadline and discovery day (overdue
    and ageing move with the clock); closed ones keep only quarter and on-time flag, so the table stays small.
    """

    key = models.CharField(_("分组键"), max_length=200, unique=True)
    region = models.ForeignKey(
        "registry.Region", verbose_name=_("行政区划"), on_delete=models.PROTECT, related_name="+"
    )
    industry = models.ForeignKey(
        "registry.Industry", verbose_name=_("行业领域"), on_delete=models.PROTECT, related_name="+"
    )
    department = models.ForeignKey(
        "registry.Department", verbose_name=_("监管部门"), on_delete=models.PROTECT, related_name="+"
    )
    count = models.IntegerField(_("数量"), default=0)

    class Meta:
        verbose_name = _("隐患统计")
        verbose_name_plural = _("隐患统计")
        # The trend (new 重大 hazards per quarter) reads a few quarters of the few 重大 rows.
        indexes = [
            models.Index(fields=["quarter"], condition=models.Q(level="major"), name="hazard_tally_major_q")
        ]

    def __str__(self) -> str:
        return f"{self.key}={self.count}"


class HazardTallyChange(TallyState):
    """One change of the tally (a transition's −1 on the old combination and +1 on the new), kept for the
    statistics snapshots (stats/snapshots.py): a dashboard reads its snapshot plus the changes the snapshot
    could not see. Written on PostgreSQL only, in the same statement as the tally row; `txid` is the writing
    transaction (pg_current_xact_id). Rows every kept snapshot has seen are pruned by the job that renews
    snapshots (stats/renewal.py). No foreign-key checks: these rows copy a tally row's keys, which the tally row checked."""

    id = models.BigAutoField(_("编号"), primary_key=True)
    txid = models.BigIntegerField(_("事务号"), db_index=True)
    region = models.ForeignKey(
        "registry.Region",
        verbose_name=_("行政区划"),
        on_delete=models.DO_NOTHING,
        related_name="+",
        db_constraint=False,
        db_index=False,
    )
    industry = models.ForeignKey(
        "registry.Industry",
        verbose_name=_("行业领域"),
        on_delete=models.DO_NOTHING,
        related_name="+",
        db_constraint=False,
        db_index=False,
    )
    department = models.ForeignKey(
        "registry.Department",
        verbose_name=_("监管部门"),
        on_delete=models.DO_NOTHING,
        related_name="+",
        db_constraint=False,
        db_index=False,
    )
    count = models.IntegerField(_("数量"))

    class Meta:
        verbose_name = _("隐患统计变动")
        verbose_name_plural = _("隐患统计变动")

    def __str__(self) -> str:
        return f"{self.txid}: {self.status} {self.count:+d}"


class HazardStatsSnapshot(models.Model):
    """The dashboard's folded breakdowns for one statistics scope on one day, as of one PostgreSQL snapshot
    (`visibility`, a pg_snapshot): the figures are these rows plus the tally changes that snapshot did not
    see. Ageing and overdue buckets are the day's, so a snapshot serves only its day."""

    scope_key = models.CharField(_("范围"), max_length=64)
    day = models.DateField(_("日期"))
    visibility = models.TextField(_("快照"))
    oldest_txid = models.BigIntegerField(_("最早未完成事务"))
    rows = models.JSONField(_("分组数据"), default=list)
    built_at = models.DateTimeField(_("生成时间"))
    reader = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("使用人"),
        on_delete=models.SET_NULL,
        null=True,
        related_name="+",
        help_text="whose scope the renewal job rebuilds it for",
    )

    class Meta:
        verbose_name = _("隐患统计快照")
        verbose_name_plural = _("隐患统计快照")
        constraints = [models.UniqueConstraint(fields=["scope_key", "day"], name="hazard_snapshot_scope_day")]

    def __str__(self) -> str:
        return f"{self.scope_key[:8]} {self.day}"
