"""Audit event types of enforcement: one per step, so each step writes exactly one row."""

from django.utils.translation import gettext_lazy as _

from zhiben.core.events import register

CASE_FILED = register("CASE_FILED", _("立案"))
CASE_INVESTIGATION_STARTED = register("CASE_INVESTIGATION_STARTED", _("调查取证"))
CASE_NOTIFIED = register("CASE_NOTIFIED", _("告知陈述申辩权"))
CASE_DECIDED = register("CASE_DECIDED", _("作出处罚决定"))
CASE_EXECUTION_STARTED = register("CASE_EXECUTION_STARTED", _("执行处罚决定"))
CASE_CLOSED = register("CASE_CLOSED", _("结案"))
CASE_WITHDRAWN = register("CASE_WITHDRAWN", _("撤销立案"))
CASE_MEASURE_ADDED = register("CASE_MEASURE_ADDED", _("添加处理措施"))
CASE_MEASURE_REMOVED = register("CASE_MEASURE_REMOVED", _("删除拟作出的措施"))
CASE_TYPICAL_MARKED = register("CASE_TYPICAL_MARKED", _("标记典型案例"))
CASE_SUBJECT_REGISTERED = register("CASE_SUBJECT_REGISTERED", _("当事人纳入监管"))
DISCRETION_RULE_CHANGED = register("DISCRETION_RULE_CHANGED", _("修改行政裁量基准"))
DISCRETION_RULES_LOADED = register("DISCRETION_RULES_LOADED", _("加载行政裁量基准"))
CLOSURE_PROPOSED = register("CLOSURE_PROPOSED", _("触发提请关闭（安全生产法第一百一十三条）"))
CLOSURE_SUBMITTED = register("CLOSURE_SUBMITTED", _("提请关闭"))
CLOSURE_DISMISSED = register("CLOSURE_DISMISSED", _("不予提请关闭"))
OPERATION_RECORDED = register("OPERATION_RECORDED", _("登记打非治违线索"))
OPERATION_CHANGED = register("OPERATION_CHANGED", _("修改打非治违记录"))
OPERATION_STOPPED = register("OPERATION_STOPPED", _("责令停止非法违法行为"))
OPERATION_BANNED = register("OPERATION_BANNED", _("取缔"))
OPERATION_RECTIFIED = register("OPERATION_RECTIFIED", _("整改合法"))
OPERATION_CONVERTED = register("OPERATION_CONVERTED", _("纳入监管（转为登记单位）"))
OPERATION_EVIDENCE_ADDED = register("OPERATION_EVIDENCE_ADDED", _("上传打非治违证据"))
OPERATION_EVIDENCE_VIEWED = register("OPERATION_EVIDENCE_VIEWED", _("查看打非治违证据"))
