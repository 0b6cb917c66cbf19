"""Audit event types of 考核督办 that are not steps (each step's event is declared on the step)."""

from django.utils.translation import gettext_lazy as _

from zhiben.core.events import register

LISTS_LOADED = register("OVERSIGHT_LISTS_LOADED", _("加载职责任务清单数据"))
ITEM_UPDATED = register("OVERSIGHT_ITEM_UPDATED", _("修改清单事项"))
BULLETIN_UPDATED = register("OVERSIGHT_BULLETIN_UPDATED", _("修改通报草稿"))
LIST_EXPORTED = register("OVERSIGHT_LIST_EXPORTED", _("导出职责任务清单"))
