"""Audit event types of checklists (检查表), declared beside the standards they are built from.

CHECKLIST_SAVED is the code inspections/events.py also declares; register() is idempotent, and keeping the
declaration here lets the standards app write it without importing a domain app above it.
"""

from django.utils.translation import gettext_lazy as _

from zhiben.core.events import register

CHECKLIST_SAVED = register("CHECKLIST_SAVED", _("维护检查表"))
CHECKLIST_COPIED = register("CHECKLIST_COPIED", _("复制检查表"))
CHECKLIST_ITEM_ADDED = register("CHECKLIST_ITEM_ADDED", _("添加检查项"))
CHECKLIST_ITEM_REMOVED = register("CHECKLIST_ITEM_REMOVED", _("删除检查项"))
