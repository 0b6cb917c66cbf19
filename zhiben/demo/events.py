"""Audit event types of the demo generator."""

from django.utils.translation import gettext_lazy as _

from zhiben.core.events import register

DEMO_SEEDED = register("DEMO_SEEDED", _("生成演示数据"))
