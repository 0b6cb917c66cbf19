"""Audit event types of the hazard loop: one per transition, so each transition writes exactly one row."""

from django.utils.translation import gettext_lazy as _

from zhiben.core.events import register

HAZARD_REGISTERED = register("HAZARD_REGISTERED", _("登记隐患"))
HAZARD_CONFIRMED = register("HAZARD_CONFIRMED", _("判定隐患"))
HAZARD_REJECTED = register("HAZARD_REJECTED", _("不予认定"))
HAZARD_MERGED = register("HAZARD_MERGED", _("合并重复隐患"))
HAZARD_PLAN_SUBMITTED = register("HAZARD_PLAN_SUBMITTED", _("提交整改方案"))
HAZARD_PROGRESS_RECORDED = register("HAZARD_PROGRESS_RECORDED", _("填报整改进展"))
HAZARD_ACCEPTANCE_REQUESTED = register("HAZARD_ACCEPTANCE_REQUESTED", _("申请验收"))
HAZARD_SELF_ACCEPTED = register("HAZARD_SELF_ACCEPTED", _("企业验收"))
HAZARD_ACCEPTANCE_FAILED = register("HAZARD_ACCEPTANCE_FAILED", _("验收不通过"))
HAZARD_CLOSED = register("HAZARD_CLOSED", _("隐患销号"))
HAZARD_RETURNED = register("HAZARD_RETURNED", _("退回整改"))
HAZARD_REOPENED = register("HAZARD_REOPENED", _("重新打开隐患"))
HAZARD_TRANSFERRED = register("HAZARD_TRANSFERRED", _("移送隐患"))
HAZARD_EXTENSION_REQUESTED = register("HAZARD_EXTENSION_REQUESTED", _("申请延期"))
HAZARD_EXTENSION_DECIDED = register("HAZARD_EXTENSION_DECIDED", _("审批延期"))
HAZARD_WORKERS_REPORTED = register("HAZARD_WORKERS_REPORTED", _("向职工（代表）大会报告"))
HAZARD_ATTACHMENT_ADDED = register("HAZARD_ATTACHMENT_ADDED", _("上传隐患附件"))
HAZARD_ATTACHMENT_VIEWED = register("HAZARD_ATTACHMENT_VIEWED", _("查看隐患附件"))
HAZARD_ESCALATED = register("HAZARD_ESCALATED", _("逾期督办"))
HAZARD_SUPERVISION_SET = register("HAZARD_SUPERVISION_SET", _("设定督办级别"))
HAZARDS_IMPORTED = register("HAZARDS_IMPORTED", _("导入重大事故隐患"))
HAZARD_RULES_CHANGED = register("HAZARD_RULES_CHANGED", _("修改隐患规则"))
