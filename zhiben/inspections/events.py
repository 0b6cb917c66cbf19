"""Audit event types of inspections, self-inspection duties, plans and 双随机 draws."""

from django.utils.translation import gettext_lazy as _

from zhiben.core.events import register

INSPECTOR_SAVED = register("INSPECTOR_SAVED", _("维护执法检查人员"))
CONFLICT_DECLARED = register("CONFLICT_DECLARED", _("申报回避关系"))
INSPECTION_CREATED = register("INSPECTION_CREATED", _("创建检查任务"))
INSPECTION_STARTED = register("INSPECTION_STARTED", _("开始现场检查"))
INSPECTION_ANSWERED = register("INSPECTION_ANSWERED", _("填写检查表"))
INSPECTION_FINDING_RECORDED = register("INSPECTION_FINDING_RECORDED", _("记录检查发现问题"))
INSPECTION_COMPLETED = register("INSPECTION_COMPLETED", _("完成现场检查"))
INSPECTION_CANCELLED = register("INSPECTION_CANCELLED", _("取消检查任务"))
INSPECTION_PHOTO_ADDED = register("INSPECTION_PHOTO_ADDED", _("上传检查照片"))
CHECKLIST_SAVED = register("CHECKLIST_SAVED", _("维护检查表"))
DUTY_RULE_CHANGED = register("DUTY_RULE_CHANGED", _("修改自查规则"))
DUTY_OCCURRENCES_GENERATED = register("DUTY_OCCURRENCES_GENERATED", _("生成自查任务"))
SELF_CHECK_RECORDED = register("SELF_CHECK_RECORDED", _("记录企业自查"))
PLAN_SAVED = register("PLAN_SAVED", _("编制年度监督检查计划"))
PLAN_SUBMITTED = register("PLAN_SUBMITTED", _("提交年度监督检查计划"))
PLAN_APPROVED = register("PLAN_APPROVED", _("审批年度监督检查计划"))
CAP_CHANGED = register("CAP_CHANGED", _("修改检查频次上限"))
CAP_EXCEPTION_REQUESTED = register("CAP_EXCEPTION_REQUESTED", _("申请超频次检查"))
CAP_EXCEPTION_DECIDED = register("CAP_EXCEPTION_DECIDED", _("审批超频次检查"))
DRAW_CREATED = register("DRAW_CREATED", _("创建双随机抽查"))
DRAW_COMMITTED = register("DRAW_COMMITTED", _("公布抽查承诺值"))
DRAW_PERFORMED = register("DRAW_PERFORMED", _("执行双随机抽取"))
DRAW_PUBLISHED = register("DRAW_PUBLISHED", _("公开抽查结果"))
DRAW_REDRAWN = register("DRAW_REDRAWN", _("重新抽取"))

# Self-inspection duties and inspection photos.
INSPECTION_PHOTO_VIEWED = register("INSPECTION_PHOTO_VIEWED", _("查看检查照片"))
DUTY_OCCURRENCES_MISSED = register("DUTY_OCCURRENCES_MISSED", _("标记应查未查"))
DUTY_REMINDERS_SENT = register("DUTY_REMINDERS_SENT", _("发送自查提醒"))
INDUSTRY_RISK_CHANGED = register("INDUSTRY_RISK_CHANGED", _("调整高危行业名录"))

# Plans, cap exceptions and draws.
PLAN_RETURNED = register("PLAN_RETURNED", _("退回年度监督检查计划"))
PLAN_UNIT_ADDED = register("PLAN_UNIT_ADDED", _("计划增加重点检查单位"))
PLAN_UNIT_REMOVED = register("PLAN_UNIT_REMOVED", _("计划移除重点检查单位"))
PLAN_PUBLICITY_CHANGED = register("PLAN_PUBLICITY_CHANGED", _("设置年度计划公开"))
DRAW_UPDATED = register("DRAW_UPDATED", _("修改双随机抽查条件"))

# Inspection records.
CONFLICT_WITHDRAWN = register("CONFLICT_WITHDRAWN", _("撤销回避关系"))
