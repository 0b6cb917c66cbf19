"""Audit event types of the accident register that are not steps (each step's event is declared on the step)."""

from django.utils.translation import gettext_lazy as _

from zhiben.core.events import register

LOOKBACK_EXPORTED = register("ACCIDENT_LOOKBACK_EXPORTED", _("导出责任倒查"))
