"""Audit event types of plans, cap exceptions and draws beyond those declared in events.py."""

from django.utils.translation import gettext_lazy as _

from zhiben.core.events import register

PLAN_RETURNED = register("PLAN_RETURNED", _("退回年度监督检查计划"))
PLAN_UNIT_ADDED = register("PLAN_UNIT_ADDED", _("计划增加重点检查单位"))
PLAN_UNIT_REMOVED = register("PLAN_UNIT_REMOVED", _("计划移除重点检查单位"))
PLAN_PUBLICITY_CHANGED = register("PLAN_PUBLICITY_CHANGED", _("设置年度计划公开"))
DRAW_UPDATED = register("DRAW_UPDATED", _("修改双随机抽查条件"))
