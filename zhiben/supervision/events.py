"""Audit event types of 督办交办 and 暗访 that are not steps (each step's event is declared on the step)."""

from django.utils.translation import gettext_lazy as _

from zhiben.core.events import register

ITEM_ISSUED = register("SUPERVISION_ITEM_ISSUED", _("交办督办事项"))
ITEM_DONE = register("SUPERVISION_ITEM_DONE", _("督办事项办结"))
LETTER_ISSUED = register("SUPERVISION_LETTER_ISSUED", _("签发督促函"))
ESCALATED = register("SUPERVISION_ESCALATED", _("督办事项逾期升级"))
RULES_LOADED = register("SUPERVISION_RULES_LOADED", _("加载督办提醒与升级规则"))
FILE_VIEWED = register("SUPERVISION_FILE_VIEWED", _("查看督办附件"))
VISIT_RECORDED = register("SUPERVISION_VISIT_RECORDED", _("登记暗访"))
FINDING_ADDED = register("SUPERVISION_FINDING_ADDED", _("登记暗访发现问题"))
FINDING_TO_HAZARD = register("SUPERVISION_FINDING_TO_HAZARD", _("暗访问题登记为隐患"))
