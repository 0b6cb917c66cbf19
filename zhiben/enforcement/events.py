"""Audit event types of enforcement that are not steps.

Each step's event is declared on the step itself (steps.py) and labelled with the step's name."""

from django.utils.translation import gettext_lazy as _

from zhiben.core.events import register

DISCRETION_RULE_CHANGED = register("DISCRETION_RULE_CHANGED", _("修改行政裁量基准"))
DISCRETION_RULES_LOADED = register("DISCRETION_RULES_LOADED", _("加载行政裁量基准"))
CLOSURE_PROPOSED = register("CLOSURE_PROPOSED", _("触发提请关闭（安全生产法第一百一十三条）"))
OPERATION_CHANGED = register("OPERATION_CHANGED", _("修改打非治违记录"))
OPERATION_EVIDENCE_ADDED = register("OPERATION_EVIDENCE_ADDED", _("上传打非治违证据"))
OPERATION_EVIDENCE_VIEWED = register("OPERATION_EVIDENCE_VIEWED", _("查看打非治违证据"))
