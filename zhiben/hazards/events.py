"""Audit event types of the hazard module that are not steps of the loop.

Each step's event is declared on the step itself (steps.py: `Step(..., event="HAZARD_CLOSED")`) and labelled
with the step's name, so a step, its history entry and its audit row read alike."""

from django.utils.translation import gettext_lazy as _

from zhiben.core.events import register

HAZARD_ATTACHMENT_ADDED = register("HAZARD_ATTACHMENT_ADDED", _("上传隐患附件"))
HAZARD_ATTACHMENT_VIEWED = register("HAZARD_ATTACHMENT_VIEWED", _("查看隐患附件"))
HAZARD_ESCALATED = register("HAZARD_ESCALATED", _("逾期督办"))
HAZARD_INTERVIEW_SCHEDULED = register("HAZARD_INTERVIEW_SCHEDULED", _("发出约谈通知"))
HAZARDS_IMPORTED = register("HAZARDS_IMPORTED", _("导入重大事故隐患"))
HAZARD_RULES_CHANGED = register("HAZARD_RULES_CHANGED", _("修改隐患规则"))
