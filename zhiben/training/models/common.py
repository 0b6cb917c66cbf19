"""What the module's models share: the unit scope paths and the reference tables (themes, duty rules)."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from zhiben.core.models import VersionedModel
from zhiben.core.scoping import ScopedQuerySet, ScopePaths

from ..choices import (
    Frequency,
)

USER = settings.AUTH_USER_MODEL
EXPIRING_DAYS = 90  # a certificate within this many days of its end is 即将到期 (the first alert)

UNIT_SCOPE = ScopePaths(
    region="enterprise__region__code", industry="enterprise__industries", enterprise="enterprise_id"
)


class Reference(VersionedModel):
    """Reference data shipped in `training/data/*.json` with its source; unverified rows show 待核实."""

    scope = ScopePaths(unscoped=True)
    source = models.CharField(_("依据"), max_length=300, blank=True)
    verified = models.BooleanField(_("已核实"), default=False)

    objects = ScopedQuerySet.as_manager()

    class Meta:
        abstract = True


class TrainingTheme(Reference):
    """The year's theme of principal training (seed 三（七）17): who is due, by industry and role."""

    year = models.PositiveSmallIntegerField(_("年度"), unique=True)
    name = models.CharField(_("培训主题"), max_length=200)
    # [{"label": "危化企业主要负责人", "industries": ["HAZCHEM"], "roles": ["principal"]}, …]
    audience = models.JSONField(_("培训对象"), default=list)

    class Meta:
        verbose_name = _("年度培训主题")
        verbose_name_plural = _("年度培训主题")
        ordering = ["year"]

    def __str__(self) -> str:
        return f"{self.year}年 {self.name}"

    @property
    def audience_text(self) -> str:
        return "；".join(str(a.get("label", "")) for a in self.audience)


class TrainingRule(Reference):
    """A training duty (audience × frequency × hours), e.g. 主要负责人每年再培训不少于12学时."""

    code = models.CharField(_("代码"), max_length=40, unique=True)
    name = models.CharField(_("培训义务"), max_length=200)
    roles = models.JSONField(_("对象身份"), default=list)
    industries = models.JSONField(_("行业领域"), default=list, blank=True)  # empty: every industry
    high_risk = models.BooleanField(_("仅高危行业"), default=False)
    frequency = models.CharField(_("频次"), max_length=20, choices=Frequency.choices)
    hours = models.DecimalField(_("学时"), max_digits=5, decimal_places=1)
    note = models.CharField(_("说明"), max_length=300, blank=True)
    sort_order = models.PositiveSmallIntegerField(_("排序"), default=0)

    class Meta:
        verbose_name = _("培训义务")
        verbose_name_plural = _("培训义务")
        ordering = ["sort_order", "code"]

    def __str__(self) -> str:
        return self.name
