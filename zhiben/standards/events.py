"""Audit event types of the judgement-standard library."""

from django.utils.translation import gettext_lazy as _

from zhiben.core.events import register

STANDARDS_LOADED = register("STANDARDS_LOADED", _("加载判定标准"))
STANDARD_VERSION_CREATED = register("STANDARD_VERSION_CREATED", _("新增判定标准版本"))
STANDARD_VERSION_UPDATED = register("STANDARD_VERSION_UPDATED", _("修改判定标准版本"))
CLAUSE_CHANGED = register("CLAUSE_CHANGED", _("修改判定条款"))
