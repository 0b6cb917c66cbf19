"""Training sessions, their history and attendance."""

from __future__ import annotations

import secrets

from django.db import models
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from zhiben.core.crypto import EncryptedTextField, mask_phone
from zhiben.core.models import BaseModel, ScopedModel, StepHistory
from zhiben.core.scoping import ScopedQuerySet, ScopePaths

from ..choices import (
    AttendeeRole,
    OrganiserKind,
    SessionKind,
    SessionStatus,
    SignIn,
)
from .common import USER, TrainingTheme


class SessionQuerySet(ScopedQuerySet):
    def held(self) -> SessionQuerySet:
        return self.exclude(status=SessionStatus.PLANNED)


class TrainingSession(ScopedModel):
    """培训: one course held by a department, a township, a unit or a training body, with its attendance."""

    scope = ScopePaths(
        region="township__code",
        industry="enterprise__industries",
        enterprise="enterprise_id",
        department="department_id",
    )
    title = models.CharField(_("培训名称"), max_length=200)
    kind = models.CharField(_("培训类别"), max_length=20, choices=SessionKind.choices)
    theme = models.ForeignKey(
        TrainingTheme,
        verbose_name=_("年度主题"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="sessions",
    )
    organiser_kind = models.CharField(_("组织方"), max_length=20, choices=OrganiserKind.choices)
    department = models.ForeignKey(
        "registry.Department",
        verbose_name=_("组织部门"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="training_sessions",
    )
    township = models.ForeignKey(
        "registry.Region",
        verbose_name=_("所在乡镇（街道）"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="training_sessions",
    )
    enterprise = models.ForeignKey(
        "registry.Enterprise",
        verbose_name=_("组织单位"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="training_sessions",
    )
    body_name = models.CharField(_("培训机构"), max_length=100, blank=True)
    project = models.ForeignKey(
        "sourcecontrol.ConstructionProject",
        verbose_name=_("建设工程项目"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="training_sessions",
    )
    held_on = models.DateField(_("培训日期"))
    hours = models.DecimalField(_("学时"), max_digits=5, decimal_places=1)
    place = models.CharField(_("培训地点"), max_length=200, blank=True)
    content = models.TextField(_("培训内容"))
    covers_major_hazard = models.BooleanField(_("含重大事故隐患判定标准"), default=False)
    exam = models.BooleanField(_("组织考核"), default=False)
    status = models.CharField(
        _("状态"), max_length=10, choices=SessionStatus.choices, default=SessionStatus.PLANNED
    )
    signin_token = models.CharField(_("签到码"), max_length=40, unique=True, editable=False)
    created_by = models.ForeignKey(
        USER, verbose_name=_("登记人"), null=True, on_delete=models.PROTECT, related_name="+"
    )

    objects = SessionQuerySet.as_manager()  # type: ignore[misc]

    class Meta:
        verbose_name = _("培训")
        verbose_name_plural = _("培训")
        ordering = ["-held_on", "-pk"]
        indexes = [models.Index(fields=["kind", "held_on"])]

    def __str__(self) -> str:
        return self.title

    def save(self, *args: object, **kwargs: object) -> None:
        if not self.signin_token:
            self.signin_token = secrets.token_urlsafe(18)
        super().save(*args, **kwargs)  # type: ignore[arg-type]

    def get_absolute_url(self) -> str:
        return reverse("training:session_detail", args=[self.pk])

    @property
    def organiser_name(self) -> str:
        named = {
            OrganiserKind.DEPARTMENT: self.department,
            OrganiserKind.TOWNSHIP: self.township,
            OrganiserKind.ENTERPRISE: self.enterprise,
        }.get(self.organiser_kind)  # type: ignore[call-overload]
        return str(named.name) if named is not None else self.body_name


class SessionTransition(StepHistory):
    session = models.ForeignKey(
        TrainingSession, verbose_name=_("培训"), on_delete=models.CASCADE, related_name="history"
    )
    from_status = models.CharField(_("原状态"), max_length=10, choices=SessionStatus.choices, blank=True)
    to_status = models.CharField(_("新状态"), max_length=10, choices=SessionStatus.choices)

    class Meta(StepHistory.Meta):
        verbose_name = _("培训办理记录")
        verbose_name_plural = _("培训办理记录")


class Attendance(BaseModel):
    """签到: one person at one session — a unit's person (by name and role, linked to the registry's person
    when there is one) or an inspector of the roster. One sign-in per person and session (`person_key`)."""

    scope = ScopePaths(
        region="enterprise__region__code",
        industry="enterprise__industries",
        enterprise="enterprise_id",
        department="inspector__department_id",
    )
    session = models.ForeignKey(
        TrainingSession, verbose_name=_("培训"), on_delete=models.CASCADE, related_name="attendance"
    )
    enterprise = models.ForeignKey(
        "registry.Enterprise",
        verbose_name=_("所在单位"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="training_attendance",
    )
    person = models.ForeignKey(
        "registry.Person",
        verbose_name=_("人员"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="training_attendance",
    )
    inspector = models.ForeignKey(
        "inspections.Inspector",
        verbose_name=_("执法人员"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="training_attendance",
    )
    name = models.CharField(_("姓名"), max_length=50)
    role = models.CharField(_("身份"), max_length=20, choices=AttendeeRole.choices)
    phone = EncryptedTextField(_("手机号"), blank=True)
    person_key = models.CharField(_("人员标识"), max_length=64, editable=False)
    signed_at = models.DateTimeField(_("签到时间"))
    via = models.CharField(_("签到方式"), max_length=10, choices=SignIn.choices, default=SignIn.QR)
    score = models.PositiveSmallIntegerField(_("考核成绩"), null=True, blank=True)
    passed = models.BooleanField(_("考核合格"), null=True, blank=True)
    certificate = models.ForeignKey(
        "core.OfficialDocument",
        verbose_name=_("结业证书"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )

    objects = ScopedQuerySet.as_manager()

    class Meta:
        verbose_name = _("培训签到")
        verbose_name_plural = _("培训签到")
        ordering = ["session", "signed_at", "pk"]
        constraints = [
            models.UniqueConstraint(fields=["session", "person_key"], name="training_attendance_once"),
        ]

    def __str__(self) -> str:
        return self.name

    @property
    def masked_phone(self) -> str:
        return mask_phone(self.phone)
