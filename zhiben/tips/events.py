"""Audit event types of the whistleblower channel that are not steps (each step declares its own event)."""

from django.utils.translation import gettext_lazy as _

from zhiben.core.events import register

TIP_RECEIVED = register("TIP_RECEIVED", _("收到举报"))
