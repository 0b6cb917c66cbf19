"""Gap-free counters (hazard codes, 文号): one row per key, advanced under a row lock."""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _


class Sequence(models.Model):
    key = models.CharField(_("序列"), max_length=100, unique=True)
    last = models.PositiveIntegerField(_("当前值"), default=0)

    class Meta:
        verbose_name = _("编号序列")
        verbose_name_plural = _("编号序列")

    def __str__(self) -> str:
        return f"{self.key}={self.last}"
