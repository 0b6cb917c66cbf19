"""Quarter-end snapshots of the indicators (§6): the values per scope as they stood when the quarter closed.

Rows are written once by `snapshots.freeze(period)` and never changed: the model refuses update and delete
(as the audit rows do), and on PostgreSQL a trigger refuses UPDATE and DELETE (migration 0002). Each row
carries an SM3 digest of its canonical content, so `zhiben indicators recount` can also tell a row altered
behind the application's back.
"""

from __future__ import annotations

from typing import Any

from django.db import models
from django.utils.translation import gettext_lazy as _


class FrozenQuerySet(models.QuerySet["IndicatorSnapshot"]):
    def update(self, **kwargs: Any) -> int:
        raise PermissionError("indicator snapshots are immutable")

    def delete(self) -> Any:
        raise PermissionError("indicator snapshots are immutable")


class IndicatorSnapshot(models.Model):
    """指标快照: one indicator's value for one scope at the end of one quarter."""

    indicator = models.CharField(_("指标"), max_length=80)
    period = models.CharField(_("季度"), max_length=6)  # "2026Q2"
    scope_kind = models.CharField(_("范围类型"), max_length=12)
    scope_key = models.CharField(_("范围"), max_length=20, blank=True)
    available = models.BooleanField(_("已接入"), default=True)
    numerator = models.DecimalField(_("分子"), max_digits=18, decimal_places=2, null=True)
    denominator = models.DecimalField(_("分母"), max_digits=18, decimal_places=2, null=True)
    value = models.DecimalField(_("指标值"), max_digits=18, decimal_places=2, null=True)
    computed_at = models.DateTimeField(_("计算时间"))
    digest = models.CharField(_("校验值"), max_length=64)

    objects = FrozenQuerySet.as_manager()

    class Meta:
        verbose_name = _("指标快照")
        verbose_name_plural = _("指标快照")
        constraints = [
            models.UniqueConstraint(
                fields=["indicator", "period", "scope_kind", "scope_key"], name="indicator_snapshot_unique"
            )
        ]
        indexes = [models.Index(fields=["period", "indicator"], name="indicator_snapshot_period_idx")]

    def __str__(self) -> str:
        return f"{self.indicator} {self.period} {self.scope_kind}:{self.scope_key}"

    def save(self, *args: Any, **kwargs: Any) -> None:
        if self.pk is not None:
            raise PermissionError("indicator snapshots are immutable")
        super().save(*args, **kwargs)

    def delete(self, *args: Any, **kwargs: Any) -> Any:
        raise PermissionError("indicator snapshots are immutable")
