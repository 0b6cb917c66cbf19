"""The worker roster (从业人员名册) and each worker's training hours."""

from __future__ import annotations

from django.db import models
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from zhiben.core.crypto import EncryptedTextField
from zhiben.core.models import BaseModel, ScopedModel
from zhiben.core.scoping import ScopedQuerySet, ScopePaths

from ..choices import (
    Employment,
    WorkerStatus,
    WorkerTrainingKind,
)
from .common import UNIT_SCOPE, USER
from .sessions import Attendance


class Worker(ScopedModel):
    """从业人员名册: one worker on the roster of the unit that directs their work. A dispatched (劳务派遣) or flexible
    worker is on the roster of the 用工单位, with the employing unit named as text (`employer`). The ID number is
    encrypted; `id_key` (a blind index) finds a duplicate without decrypting."""

    scope = UNIT_SCOPE
    enterprise = models.ForeignKey(
        "registry.Enterprise", verbose_name=_("用工单位"), on_delete=models.PROTECT, related_name="workers"
    )
    name = models.CharField(_("姓名"), max_length=50)
    id_number = EncryptedTextField(_("身份证号"))
    id_key = models.CharField(_("身份证号索引"), max_length=64, editable=False)
    post = models.CharField(_("岗位"), max_length=100)
    hired_on = models.DateField(_("入职（进场）日期"))
    employment = models.CharField(_("用工形式"), max_length=20, choices=Employment.choices)
    employer = models.CharField(_("派遣（用人）单位"), max_length=100, blank=True)
    status = models.CharField(_("状态"), max_length=10, choices=WorkerStatus.choices, default=WorkerStatus.ON)
    left_on = models.DateField(_("离岗日期"), null=True, blank=True)

    class Meta:
        verbose_name = _("从业人员")
        verbose_name_plural = _("从业人员")
        ordering = ["enterprise", "name", "pk"]
        constraints = [
            models.UniqueConstraint(fields=["enterprise", "id_key"], name="training_worker_once_per_unit")
        ]
        indexes = [models.Index(fields=["status", "hired_on"])]

    def __str__(self) -> str:
        return self.name

    def get_absolute_url(self) -> str:
        return reverse("training:worker_detail", args=[self.pk])

    @property
    def masked_id_number(self) -> str:
        from zhiben.tips.services.vault import mask_id_number  # the platform's one masking of ID numbers

        return mask_id_number(self.id_number)


class WorkerTraining(BaseModel):
    """A worker's training hours: an attendance at a session of the platform, or the unit's own record (三级安全教育,
    班组再培训) with its hours. One record per attendance and worker."""

    scope = ScopePaths(
        region="worker__enterprise__region__code",
        industry="worker__enterprise__industries",
        enterprise="worker__enterprise_id",
    )
    worker = models.ForeignKey(
        Worker, verbose_name=_("从业人员"), on_delete=models.CASCADE, related_name="trainings"
    )
    kind = models.CharField(_("培训类别"), max_length=20, choices=WorkerTrainingKind.choices)
    held_on = models.DateField(_("培训日期"))
    hours = models.DecimalField(_("学时"), max_digits=5, decimal_places=1)
    attendance = models.ForeignKey(
        Attendance,
        verbose_name=_("培训签到"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="worker_trainings",
    )
    content = models.CharField(_("培训内容"), max_length=200)
    created_by = models.ForeignKey(
        USER, verbose_name=_("登记人"), null=True, on_delete=models.PROTECT, related_name="+"
    )

    objects = ScopedQuerySet.as_manager()

    class Meta:
        verbose_name = _("从业人员培训记录")
        verbose_name_plural = _("从业人员培训记录")
        ordering = ["worker", "-held_on", "-pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["worker", "attendance"],
                condition=models.Q(attendance__isnull=False),
                name="training_worker_attendance_once",
            )
        ]

    def __str__(self) -> str:
        return f"{self.worker.name} {self.get_kind_display()}"
