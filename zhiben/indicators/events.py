"""Audit event types of the indicator registry."""

from django.utils.translation import gettext_lazy as _

from zhiben.core.events import register

INDICATORS_FROZEN = register("INDICATORS_FROZEN", _("冻结季度指标快照"))
