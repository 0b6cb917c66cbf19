"""Audit event types of 监测预警 that are not steps (each step's event is declared on the step)."""

from django.utils.translation import gettext_lazy as _

from zhiben.core.events import register

DEVICE_ADDED = register("MONITORING_DEVICE_ADDED", _("登记监测设备"))
ALARM_ESCALATED = register("MONITORING_ALARM_ESCALATED", _("报警超时未确认升级"))
DEVICE_CHANGED = register("MONITORING_DEVICE_CHANGED", _("修改监测设备"))
DEVICE_SECRET_ROTATED = register("MONITORING_DEVICE_SECRET_ROTATED", _("重置设备密钥"))
