"""Audit event types of the campaign that are not steps (each step's event is declared on the step)."""

from django.utils.translation import gettext_lazy as _

from zhiben.core.events import register

PLAN_LOADED = register("CAMPAIGN_PLAN_LOADED", _("加载治本攻坚方案数据"))
SUBPLAN_ADDED = register("CAMPAIGN_SUBPLAN_ADDED", _("上传子方案"))
FILE_VIEWED = register("CAMPAIGN_FILE_VIEWED", _("查看治本攻坚附件"))
TASK_ESCALATED = register("CAMPAIGN_TASK_ESCALATED", _("治本攻坚任务逾期督办"))
ENTRY_ADDED = register("CAMPAIGN_ENTRY_ADDED", _("新增攻坚登记"))
