"""督办交办 and 暗访: supervision items issued by the office (or a leader) to one or more units, each unit's
assignee row moving through its own steps (签收 → 办理 → 反馈 → 审核: 退回 / 办结); the objects an item concerns
(hazards, campaign tasks, tips, enterprises); the reminder and escalation rules with what they did; and the
office's unannounced visits (暗访) whose findings become hazards or new items.

Scope: an item is visible to the units it is assigned to (a department by `assignees__department`, a township
by `assignees__township__code`) and district-wide to the office and the leaders; an assignee row, its notes and
files only to its own unit (another unit's row is a 404), so a department on one item never reads the other
units' progress. 暗访 records are the office's (district-wide roles only).
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.conf import settings
from django.contrib.contenttypes.models import ContentType
from django.db import models
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from zhiben.core.models import BaseModel, ScopedModel, VersionedModel
from zhiben.core.scoping import ScopedQuerySet, ScopePaths

from .choices import (
    OPEN_ASSIGNEE_STATUSES,
    AssigneeStatus,
    EscalationKind,
    IssuerKind,
    ItemStatus,
    Level,
    NoteKind,
    RuleKind,
)

USER = settings.AUTH_USER_MODEL


class ItemQuerySet(ScopedQuerySet):
    def open(self) -> ItemQuerySet:
        return self.filter(status=ItemStatus.OPEN)


class SupervisionItem(ScopedModel):
    """督办事项: what the office (or a leader) asks of one or more units, by when, on what basis."""

    scope = ScopePaths(region="assignees__township__code", department="assignees__department")
    number = models.CharField(_("督办编号"), max_length=40, unique=True)
    subject = models.CharField(_("督办事项"), max_length=200)
    requirement = models.TextField(_("督办要求"))
    basis = models.TextField(_("督办依据"), blank=True)
    deadline = models.DateField(_("办理时限"))
    level = models.CharField(_("督办级别"), max_length=10, choices=Level.choices, default=Level.GENERAL)
    status = models.CharField(_("状态"), max_length=10, choices=ItemStatus.choices, default=ItemStatus.OPEN)
    issuer_kind = models.CharField(
        _("交办方"), max_length=10, choices=IssuerKind.choices, default=IssuerKind.OFFICE
    )
    issued_by = models.ForeignKey(
        USER, verbose_name=_("交办人"), null=True, on_delete=models.PROTECT, related_name="+"
    )
    issued_on = models.DateField(_("交办日期"), default=timezone.localdate)
    done_on = models.DateField(_("办结日期"), null=True, blank=True)
    finding = models.OneToOneField(
        "supervision.VisitFinding",
        verbose_name=_("来源暗访问题"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="item",
    )

    objects = ItemQuerySet.as_manager()  # type: ignore[misc]

    class Meta:
        verbose_name = _("督办事项")
        verbose_name_plural = _("督办事项")
        ordering = ["-issued_on", "-pk"]

    def __str__(self) -> str:
        return f"{self.number} {self.subject}"

    def get_absolute_url(self) -> str:
        return reverse("supervision:item_detail", args=[self.pk])


class AssigneeQuerySet(ScopedQuerySet):
    def open(self) -> AssigneeQuerySet:
        return self.filter(status__in=OPEN_ASSIGNEE_STATUSES)

    def overdue(self, today: dt.date | None = None) -> AssigneeQuerySet:
        return self.open().filter(deadline__lt=today or timezone.localdate())


class Assignee(ScopedModel):
    """One unit's part of an item (承办单位): a member department or a township, with its own steps."""

    scope = ScopePaths(region="township__code", department="department")
    item = models.ForeignKey(
        SupervisionItem, verbose_name=_("督办事项"), on_delete=models.CASCADE, related_name="assignees"
    )
    department = models.ForeignKey(
        "registry.Department",
        verbose_name=_("承办部门"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="supervision_assignments",
    )
    township = models.ForeignKey(
        "registry.Region",
        verbose_name=_("承办乡镇（街道）"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="supervision_assignments",
    )
    deadline = models.DateField(_("办理时限"))
    status = models.CharField(
        _("状态"), max_length=10, choices=AssigneeStatus.choices, default=AssigneeStatus.ISSUED
    )
    accepted_at = models.DateTimeField(_("签收时间"), null=True, blank=True)
    accepted_by = models.ForeignKey(
        USER, verbose_name=_("签收人"), null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    result = models.TextField(_("办理结果"), blank=True)
    reported_on = models.DateField(_("反馈日期"), null=True, blank=True)
    done_on = models.DateField(_("办结日期"), null=True, blank=True)
    returns = models.PositiveSmallIntegerField(_("退回次数"), default=0)

    objects = AssigneeQuerySet.as_manager()  # type: ignore[misc]

    class Meta:
        verbose_name = _("承办单位")
        verbose_name_plural = _("承办单位")
        ordering = ["item", "pk"]
        indexes = [models.Index(fields=["status", "deadline"])]
        constraints = [
            models.UniqueConstraint(
                fields=["item", "department"],
                condition=models.Q(department__isnull=False),
                name="supervision_one_row_per_department",
            ),
            models.UniqueConstraint(
                fields=["item", "township"],
                condition=models.Q(township__isnull=False),
                name="supervision_one_row_per_township",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.item.number} · {self.unit_name}"

    def get_absolute_url(self) -> str:
        return reverse("supervision:item_detail", args=[self.item_id]) + f"#assignee-{self.pk}"

    @property
    def unit_name(self) -> str:
        if self.department_id:
            return self.department.name  # type: ignore[union-attr]
        if self.township_id:
            return self.township.name  # type: ignore[union-attr]
        return "—"

    def is_overdue(self, today: dt.date | None = None) -> bool:
        return self.status in OPEN_ASSIGNEE_STATUSES and self.deadline < (today or timezone.localdate())

    def on_time(self) -> bool | None:
        if self.done_on is None:
            return None
        return self.done_on <= self.deadline


class AssigneeTransition(models.Model):
    """An assignee row's history: one row per step."""

    assignee = models.ForeignKey(
        Assignee, verbose_name=_("承办单位"), on_delete=models.CASCADE, related_name="history"
    )
    action = models.CharField(_("操作"), max_length=30)
    from_status = models.CharField(_("原状态"), max_length=10, choices=AssigneeStatus.choices, blank=True)
    to_status = models.CharField(_("新状态"), max_length=10, choices=AssigneeStatus.choices)
    actor = models.ForeignKey(
        USER, verbose_name=_("操作人"), null=True, on_delete=models.PROTECT, related_name="+"
    )
    note = models.TextField(_("说明"), blank=True)
    at = models.DateTimeField(_("时间"), default=timezone.now)

    class Meta:
        verbose_name = _("督办办理记录")
        verbose_name_plural = _("督办办理记录")
        ordering = ["at", "pk"]

    def __str__(self) -> str:
        return f"{self.assignee_id} {self.action}"


class AssigneeNote(BaseModel):
    """办理进展, 办理反馈 (result and evidence), 退回 (reason) and 办结 notes of an assignee row."""

    scope = ScopePaths(region="assignee__township__code", department="assignee__department")
    assignee = models.ForeignKey(
        Assignee, verbose_name=_("承办单位"), on_delete=models.CASCADE, related_name="notes"
    )
    kind = models.CharField(_("类别"), max_length=10, choices=NoteKind.choices)
    text = models.TextField(_("内容"))
    on = models.DateField(_("日期"), default=timezone.localdate)
    author = models.ForeignKey(
        USER, verbose_name=_("填写人"), null=True, on_delete=models.PROTECT, related_name="+"
    )

    objects = ScopedQuerySet.as_manager()

    class Meta:
        verbose_name = _("办理情况")
        verbose_name_plural = _("办理情况")
        ordering = ["on", "pk"]


class SupervisionFile(BaseModel):
    """A file checked by its content (core.uploads), read only through the scoped, audited view."""

    file = models.FileField(_("文件"), upload_to="supervision/%Y/%m/")
    name = models.CharField(_("文件名"), max_length=200)
    content_type = models.CharField(_("类型"), max_length=100)
    size = models.PositiveIntegerField(_("大小"))
    sha256 = models.CharField(_("文件摘要"), max_length=64)
    uploaded_by = models.ForeignKey(
        USER, verbose_name=_("上传人"), null=True, on_delete=models.PROTECT, related_name="+"
    )

    class Meta:
        abstract = True


class NoteAttachment(SupervisionFile):
    scope = ScopePaths(region="note__assignee__township__code", department="note__assignee__department")
    note = models.ForeignKey(
        AssigneeNote, verbose_name=_("办理情况"), on_delete=models.CASCADE, related_name="attachments"
    )

    objects = ScopedQuerySet.as_manager()

    class Meta:
        verbose_name = _("办理佐证材料")
        verbose_name_plural = _("办理佐证材料")


class ItemLink(models.Model):
    """An object the item concerns: a hazard, a campaign task, a tip or an enterprise (content type + id).
    Shown by name with a link to each reader who may see the object; a tip only by its code and category."""

    item = models.ForeignKey(
        SupervisionItem, verbose_name=_("督办事项"), on_delete=models.CASCADE, related_name="links"
    )
    content_type = models.ForeignKey(ContentType, verbose_name=_("对象类型"), on_delete=models.PROTECT)
    object_id = models.PositiveBigIntegerField(_("对象编号"))

    class Meta:
        verbose_name = _("督办关联对象")
        verbose_name_plural = _("督办关联对象")
        ordering = ["pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["item", "content_type", "object_id"], name="supervision_link_once"
            )
        ]

    def __str__(self) -> str:
        return f"{self.content_type_id}:{self.object_id}"


class SupervisionRule(VersionedModel):
    """Reminder and escalation rules as data (待核实): remind `days` before the deadline; climb the ladder
    (逾期提醒 → 督促函 → 通报 → 约谈建议) once an assignee row is `days` overdue and at least `interval_days`
    after its previous rung."""

    scope = ScopePaths(unscoped=True)
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
        verbose_name = _("督办提醒与升级规则")
        verbose_name_plural = _("督办提醒与升级规则")
        ordering = ["kind", "days"]

    def __str__(self) -> str:
        if self.kind == RuleKind.REMIND:
            return str(_("到期前 %(d)s 天提醒")) % {"d": self.days}
        return str(_("逾期 %(d)s 天%(k)s")) % {"d": self.days, "k": self.get_escalation_display()}


class AssigneeReminder(models.Model):
    """A reminder sent: one per (assignee, rule, deadline)."""

    assignee = models.ForeignKey(
        Assignee, verbose_name=_("承办单位"), on_delete=models.CASCADE, related_name="reminders"
    )
    rule = models.ForeignKey(
        SupervisionRule, verbose_name=_("规则"), on_delete=models.PROTECT, related_name="+"
    )
    deadline = models.DateField(_("办理时限"))
    sent_on = models.DateField(_("提醒日期"))

    class Meta:
        verbose_name = _("督办到期提醒")
        verbose_name_plural = _("督办到期提醒")
        constraints = [
            models.UniqueConstraint(fields=["assignee", "rule", "deadline"], name="supervision_remind_once")
        ]

    def __str__(self) -> str:
        return f"{self.assignee_id} {self.sent_on}"


class AssigneeEscalation(models.Model):
    """A rung applied: one per (assignee, rule, deadline); a 督促函 rung holds the issued document."""

    scope = ScopePaths(region="assignee__township__code", department="assignee__department")
    assignee = models.ForeignKey(
        Assignee, verbose_name=_("承办单位"), on_delete=models.CASCADE, related_name="escalations"
    )
    rule = models.ForeignKey(
        SupervisionRule, verbose_name=_("规则"), on_delete=models.PROTECT, related_name="+"
    )
    kind = models.CharField(_("督办措施"), max_length=10, choices=EscalationKind.choices)
    deadline = models.DateField(_("办理时限"))
    overdue_days = models.PositiveIntegerField(_("逾期天数"))
    applied_on = models.DateField(_("日期"))
    document = models.ForeignKey(
        "core.OfficialDocument",
        verbose_name=_("文书"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )

    objects = ScopedQuerySet.as_manager()

    class Meta:
        verbose_name = _("督办逾期升级")
        verbose_name_plural = _("督办逾期升级")
        ordering = ["applied_on", "pk"]
        constraints = [
            models.UniqueConstraint(fields=["assignee", "rule", "deadline"], name="supervision_rung_once")
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.applied_on}"


# --- 暗访 ----------------------------------------------------------------------------------------------------


class UndercoverVisit(VersionedModel):
    """暗访: an unannounced visit by the office — when, where, which units, who went, what was found."""

    scope = ScopePaths(region="township__code")
    visited_on = models.DateField(_("暗访日期"))
    place = models.CharField(_("暗访地点"), max_length=200)
    township = models.ForeignKey(
        "registry.Region",
        verbose_name=_("乡镇（街道）"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    enterprises = models.ManyToManyField(
        "registry.Enterprise", verbose_name=_("暗访单位"), related_name="undercover_visits", blank=True
    )
    team = models.CharField(_("暗访人员"), max_length=300)
    summary = models.TextField(_("暗访情况"), blank=True)
    recorded_by = models.ForeignKey(
        USER, verbose_name=_("记录人"), null=True, on_delete=models.PROTECT, related_name="+"
    )

    objects = ScopedQuerySet.as_manager()

    class Meta:
        verbose_name = _("暗访")
        verbose_name_plural = _("暗访")
        ordering = ["-visited_on", "-pk"]

    def __str__(self) -> str:
        return str(_("%(d)s 暗访 %(p)s")) % {"d": f"{self.visited_on:%Y-%m-%d}", "p": self.place}

    def get_absolute_url(self) -> str:
        return reverse("supervision:visit_detail", args=[self.pk])


class VisitFinding(BaseModel):
    """One problem found on a visit: its unit, its text and photos; it becomes a hazard or a new item."""

    scope = ScopePaths(region="visit__township__code")
    visit = models.ForeignKey(
        UndercoverVisit, verbose_name=_("暗访"), on_delete=models.CASCADE, related_name="findings"
    )
    enterprise = models.ForeignKey(
        "registry.Enterprise", verbose_name=_("涉及单位"), null=True, blank=True, on_delete=models.PROTECT
    )
    text = models.TextField(_("发现问题"))
    hazard = models.OneToOneField(
        "hazards.Hazard",
        verbose_name=_("登记的隐患"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="undercover_finding",
    )

    objects = ScopedQuerySet.as_manager()

    class Meta:
        verbose_name = _("暗访发现问题")
        verbose_name_plural = _("暗访发现问题")
        ordering = ["pk"]

    def __str__(self) -> str:
        return self.text[:40]

    def get_absolute_url(self) -> str:
        return reverse("supervision:visit_detail", args=[self.visit_id]) + f"#finding-{self.pk}"

    @property
    def outcome(self) -> Any:
        return self.hazard if self.hazard_id else getattr(self, "item", None)


class FindingPhoto(SupervisionFile):
    scope = ScopePaths(region="finding__visit__township__code")
    finding = models.ForeignKey(
        VisitFinding, verbose_name=_("暗访发现问题"), on_delete=models.CASCADE, related_name="photos"
    )

    objects = ScopedQuerySet.as_manager()

    class Meta:
        verbose_name = _("暗访照片")
        verbose_name_plural = _("暗访照片")
