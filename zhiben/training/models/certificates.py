"""Certificates (持证上岗) and their expiry alerts."""

from __future__ import annotations

import datetime as dt

from django.db import models
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from zhiben.core.models import ScopedModel
from zhiben.core.scoping import ScopedQuerySet

from ..choices import (
    CERT_EXPIRED,
    CERT_EXPIRING,
    CERT_REVIEW,
    CERT_VALID,
    AlertThreshold,
    CertificateCategory,
)
from .common import EXPIRING_DAYS, UNIT_SCOPE, Reference


class CertificateType(Reference):
    """A kind of certificate (持证上岗) with its validity and review period and the law on working without."""

    code = models.CharField(_("代码"), max_length=40, unique=True)
    name = models.CharField(_("证书类型"), max_length=100)
    category = models.CharField(_("类别"), max_length=30, choices=CertificateCategory.choices)
    operations = models.JSONField(_("作业类别"), default=list, blank=True)
    valid_years = models.PositiveSmallIntegerField(_("有效期（年）"))
    review_years = models.PositiveSmallIntegerField(_("复审周期（年）"), null=True, blank=True)
    issuer = models.CharField(_("发证机关"), max_length=100, blank=True)
    law = models.CharField(_("未持证上岗的法律责任"), max_length=300, blank=True)
    case_measure = models.BooleanField(_("无证上岗应立案"), default=False)
    sort_order = models.PositiveSmallIntegerField(_("排序"), default=0)

    class Meta:
        verbose_name = _("证书类型")
        verbose_name_plural = _("证书类型")
        ordering = ["sort_order", "code"]

    def __str__(self) -> str:
        return self.name


class CertificateQuerySet(ScopedQuerySet):
    def expiring_within(self, days: int, today: dt.date) -> CertificateQuerySet:
        return self.filter(valid_to__gte=today, valid_to__lte=today + dt.timedelta(days=days))

    def expired(self, today: dt.date) -> CertificateQuerySet:
        return self.filter(valid_to__lt=today)

    def current(self, today: dt.date) -> CertificateQuerySet:
        return self.filter(valid_to__gte=today)


class Certificate(ScopedModel):
    """A person's certificate: holder, type (and operation), number, issuer, validity and review dates."""

    scope = UNIT_SCOPE
    enterprise = models.ForeignKey(
        "registry.Enterprise",
        verbose_name=_("所在单位"),
        on_delete=models.PROTECT,
        related_name="certificates",
    )
    person = models.ForeignKey(
        "registry.Person",
        verbose_name=_("持证人（人员台账）"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="certificates",
    )
    holder_name = models.CharField(_("持证人"), max_length=50)
    kind = models.ForeignKey(
        CertificateType, verbose_name=_("证书类型"), on_delete=models.PROTECT, related_name="certificates"
    )
    operation = models.CharField(_("作业类别"), max_length=100, blank=True)
    number = models.CharField(_("证书编号"), max_length=40, unique=True)
    issuer = models.CharField(_("发证机关"), max_length=100)
    valid_from = models.DateField(_("有效期起"))
    valid_to = models.DateField(_("有效期至"))
    review_due = models.DateField(_("复审日期"), null=True, blank=True)
    reviewed_on = models.DateField(_("最近复审"), null=True, blank=True)

    objects = CertificateQuerySet.as_manager()  # type: ignore[misc]

    class Meta:
        verbose_name = _("证书")
        verbose_name_plural = _("证书")
        ordering = ["valid_to", "pk"]
        indexes = [models.Index(fields=["valid_to"])]

    def __str__(self) -> str:
        return f"{self.holder_name} {self.kind.name}"

    def get_absolute_url(self) -> str:
        return reverse("training:certificate_detail", args=[self.pk])

    def state(self, today: dt.date) -> str:
        if self.valid_to < today:
            return CERT_EXPIRED
        if self.valid_to <= today + dt.timedelta(days=EXPIRING_DAYS):
            return CERT_EXPIRING
        if self.review_due and self.review_due <= today + dt.timedelta(days=EXPIRING_DAYS):
            return CERT_REVIEW
        return CERT_VALID


class CertificateAlert(models.Model):
    """One expiry alert sent (90 or 30 days ahead) for one certificate's end date: the job writes each once."""

    certificate = models.ForeignKey(
        Certificate, verbose_name=_("证书"), on_delete=models.CASCADE, related_name="alerts"
    )
    threshold = models.PositiveSmallIntegerField(_("提前天数"), choices=AlertThreshold.choices)
    valid_to = models.DateField(_("有效期至"))
    sent_at = models.DateTimeField(_("提醒时间"), auto_now_add=True)

    class Meta:
        verbose_name = _("证书到期提醒")
        verbose_name_plural = _("证书到期提醒")
        constraints = [
            models.UniqueConstraint(
                fields=["certificate", "threshold", "valid_to"], name="training_certificate_alert_once"
            )
        ]

    def __str__(self) -> str:
        return f"{self.certificate} {self.threshold}"
