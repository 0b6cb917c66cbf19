"""Audit event types of the registry."""

from django.utils.translation import gettext_lazy as _

from zhiben.core.events import register

ENTERPRISE_CREATED = register("ENTERPRISE_CREATED", _("新建生产经营单位"))
ENTERPRISE_UPDATED = register("ENTERPRISE_UPDATED", _("修改生产经营单位"))
ENTERPRISES_IMPORTED = register("ENTERPRISES_IMPORTED", _("导入生产经营单位"))
PERSON_CREATED = register("PERSON_CREATED", _("新建人员"))
PERSON_UPDATED = register("PERSON_UPDATED", _("修改人员"))
RESPONSIBILITY_CHANGED = register("RESPONSIBILITY_CHANGED", _("调整三管三必须职责"))
REFERENCE_LOADED = register("REFERENCE_LOADED", _("加载基础数据"))
REGION_UPDATED = register("REGION_UPDATED", _("修改行政区划"))
