"""Abstract base models every domain model builds on."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from ..scoping import ScopedQuerySet, ScopePaths


class BaseModel(models.Model):
    """Creation and modification timestamps."""

    created_at = models.DateTimeField(_("创建时间"), auto_now_add=True)
    updated_at = models.DateTimeField(_("更新时间"), auto_now=True)

    class Meta:
        abstract = True


class VersionedModel(BaseModel):
    """A record edited concurrently: every write bumps `version` by compare-and-swap (R30)."""

    version = models.PositiveIntegerField(_("版本"), default=1, editable=False)

    class Meta:
        abstract = True


class ScopedModel(VersionedModel):
    """A record whose visibility follows the user's role assignments (see core.scoping)."""

    scope = ScopePaths()

    objects = ScopedQuerySet.as_manager()

    class Meta:
        abstract = True


class StepHistory(models.Model):
    """A record's history row for its flow (core.loop.Flow `history`): the step, who, a note, when. A subclass
    adds the foreign key to its record (named as the flow's `history_fk`) and `from_status`/`to_status` with its
    record's status choices."""

    action = models.CharField(_("操作"), max_length=30)
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
        abstract = True
        ordering = ["at", "pk"]

    def __str__(self) -> str:
        return f"{self.action} {self.at:%Y-%m-%d %H:%M}"
