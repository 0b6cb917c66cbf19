"""Audit event types of inspection records added after the shared events.py (kept here to avoid edit races)."""

from django.utils.translation import gettext_lazy as _

from zhiben.core.events import register

CONFLICT_WITHDRAWN = register("CONFLICT_WITHDRAWN", _("撤销回避关系"))
