"""Abstract base models every domain model builds on."""

from __future__ import annotations

from django.db import models
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
