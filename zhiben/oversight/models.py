"""考核督办 records: the duty and task lists of the district's and townships' leaders and of the committee's
member units (职责清单、年度任务清单, seed 三（一）1), and the 通报 and reports the office issues.

A list item belongs to one owner: a post of the district (区级领导: no township, no department), a post of a
township (its township), or a member unit (its department). 职责 have no year; 年度任务 have one. Items are data
with their source; interpretations are `verified=False` (待核实). A township sees its own items, a department
its own; the office and the leaders see every list.
"""

from __future__ import annotations

import datetime as dt

from django.conf import settings
from django.db import models
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from zhiben.core.models import ScopedModel, VersionedModel
from zhiben.core.scoping import ScopedQuerySet, ScopePaths

from .choices import (
    OPEN_ITEM_STATUSES,
    BulletinKind,
    BulletinStatus,
    ItemKind,
    ItemStatus,
    OwnerKind,
)


class DutyItemQuerySet(ScopedQuerySet):
    def open(self) -> DutyItemQuerySet:
        return self.filter(status__in=OPEN_ITEM_STATUSES)

    def overdue(self, today: dt.date | None = None) -> DutyItemQuerySet:
        return self.open().filter(due_on__lt=today or timezone.localdate())


class DutyItem(ScopedModel):
    """One item of a 职责清单 (no year) or 年度任务清单 (a year): whose, what, what proves it, how far."""

    scope = ScopePaths(region="township__code", department="department")
    code = models.CharField(_("编号"), max_length=60, unique=True)
    owner_kind = models.CharField(_("责任主体类别"), max_length=12, choices=OwnerKind.choices)
    township = models.ForeignKey(
        "registry.Region",
        verbose_name=_("乡镇（街道）"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="duty_items",
    )
    department = models.ForeignKey(
        "registry.Department",
        verbose_name=_("成员单位"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="duty_items",
    )
    post = models.CharField(
        _("岗位"), max_length=60, help_text=_("如 党政主要负责人、分管负责人、主要负责人")
    )
    kind = models.CharField(_("类别"), max_length=6, choices=ItemKind.choices)
    year = models.PositiveSmallIntegerField(_("年度"), null=True, blank=True)
    text = models.TextField(_("内容"))
    evidence_required = models.CharField(_("佐证材料要求"), max_length=300, blank=True)
    due_on = models.DateField(_("完成时限"), null=True, blank=True)
    status = models.CharField(
        _("状态"), max_length=12, choices=ItemStatus.choices, default=ItemStatus.NOT_STARTED
    )
    evidence = models.TextField(_("完成情况及佐证"), blank=True)
    completed_on = models.DateField(_("完成日期"), null=True, blank=True)
    source = models.CharField(_("来源"), max_length=200)
    verified = models.BooleanField(_("已核实"), default=False)
    sort_order = models.PositiveSmallIntegerField(_("排序"), default=0)

    objects = DutyItemQuerySet.as_manager()  # type: ignore[misc]  # narrows the ScopedQuerySet manager

    class Meta:
        verbose_name = _("职责任务清单事项")
        verbose_name_plural = _("职责任务清单事项")
        ordering = ["owner_kind", "sort_order", "code"]
        indexes = [models.Index(fields=["year", "status"])]

    def __str__(self) -> str:
        return self.text[:40]

    def get_absolute_url(self) -> str:
        return reverse("oversight:item_detail", args=[self.pk])

    @property
    def owner_name(self) -> str:
        """区级 · 党政主要负责人 / 营田镇 · 分管负责人 / 区住房和城乡建设局."""
        if self.department_id:
            return self.department.name  # type: ignore[union-attr]
        if self.township_id:
            return f"{self.township.name} · {self.post}"  # type: ignore[union-attr]
        return f"{_('区级')} · {self.post}"

    @property
    def unit_name(self) -> str:
        if self.department_id:
            return self.department.name  # type: ignore[union-attr]
        if self.township_id:
            return self.township.name  # type: ignore[union-attr]
        return str(_("区级领导"))

    def is_overdue(self, today: dt.date | None = None) -> bool:
        return (
            self.status in OPEN_ITEM_STATUSES
            and self.due_on is not None
            and self.due_on < (today or timezone.localdate())
        )


class DutyItemTransition(models.Model):
    """An item's history: one row per step (报告进展, 报告完成, 确认完成, 退回)."""

    item = models.ForeignKey(
        DutyItem, verbose_name=_("事项"), on_delete=models.CASCADE, related_name="history"
    )
    action = models.CharField(_("操作"), max_length=30)
    from_status = models.CharField(_("原状态"), max_length=12, choices=ItemStatus.choices, blank=True)
    to_status = models.CharField(_("新状态"), max_length=12, choices=ItemStatus.choices)
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
        verbose_name = _("清单事项办理记录")
        verbose_name_plural = _("清单事项办理记录")
        ordering = ["at", "pk"]

    def __str__(self) -> str:
        return f"{self.item_id} {self.action}"


class Bulletin(VersionedModel):
    """A 通报 or report of the office: drafted with its figures frozen (read from the quarter snapshots) and the
    office's text, previewed, then 签发 as a numbered 公文 (`document`). A district document: unscoped, read by
    whoever holds the permission."""

    scope = ScopePaths(unscoped=True)
    kind = models.CharField(_("类别"), max_length=12, choices=BulletinKind.choices)
    year = models.PositiveSmallIntegerField(_("年度"))
    period = models.CharField(
        _("期间"), max_length=8, blank=True, help_text=_("季度（2026Q1）或半年（2026H1）；曝光、表扬可不填")
    )
    title = models.CharField(_("标题"), max_length=200)
    narrative = models.TextField(_("正文（区安委办编写）"), blank=True)
    figures = models.JSONField(_("数据"), default=dict, blank=True, editable=False)
    status = models.CharField(
        _("状态"), max_length=8, choices=BulletinStatus.choices, default=BulletinStatus.DRAFT
    )
    document = models.ForeignKey(
        "core.OfficialDocument",
        verbose_name=_("公文"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    drafted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("起草人"),
        null=True,
        on_delete=models.PROTECT,
        related_name="+",
    )

    objects = ScopedQuerySet.as_manager()

    class Meta:
        verbose_name = _("通报与报告")
        verbose_name_plural = _("通报与报告")
        ordering = ["-year", "-pk"]

    def __str__(self) -> str:
        return self.title

    def get_absolute_url(self) -> str:
        return reverse("oversight:bulletin_detail", args=[self.pk])


class BulletinTransition(models.Model):
    """A 通报's history: 起草, 签发."""

    bulletin = models.ForeignKey(
        Bulletin, verbose_name=_("通报"), on_delete=models.CASCADE, related_name="history"
    )
    action = models.CharField(_("操作"), max_length=30)
    from_status = models.CharField(_("原状态"), max_length=8, choices=BulletinStatus.choices, blank=True)
    to_status = models.CharField(_("新状态"), max_length=8, choices=BulletinStatus.choices)
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
        verbose_name = _("通报办理记录")
        verbose_name_plural = _("通报办理记录")
        ordering = ["at", "pk"]

    def __str__(self) -> str:
        return f"{self.bulletin_id} {self.action}"
