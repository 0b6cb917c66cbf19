"""Audit event types of self-inspection duties and inspection photos beyond those in events.py."""

from django.utils.translation import gettext_lazy as _

from zhiben.core.events import register

INSPECTION_PHOTO_VIEWED = register("INSPECTION_PHOTO_VIEWED", _("查看检查照片"))
DUTY_OCCURRENCES_MISSED = register("DUTY_OCCURRENCES_MISSED", _("标记应查未查"))
DUTY_REMINDERS_SENT = register("DUTY_REMINDERS_SENT", _("发送自查提醒"))
INDUSTRY_RISK_CHANGED = register("INDUSTRY_RISK_CHANGED", _("调整高危行业名录"))
