"""Audit event types of 双重预防 and 一会三卡 that are not steps (each step's event is declared on its step)."""

from django.utils.translation import gettext_lazy as _

from zhiben.core.events import register

POINT_UPDATED = register("RISK_POINT_UPDATED", _("修改风险点"))
ZONE_SAVED = register("RISK_ZONE_SAVED", _("绘制四色图区域"))
PLAN_UPLOADED = register("RISK_PLAN_UPLOADED", _("上传厂区平面图"))
PATROL_RECORDED = register("RISK_PATROL_RECORDED", _("风险点巡查"))
TABLE_ADDED = register("RISK_TABLE_ADDED", _("新增风险分级表版本"))
TABLE_ADOPTED = register("RISK_TABLE_ADOPTED", _("采用风险分级表"))
POST_ADDED = register("RISK_POST_ADDED", _("新增岗位及卡片"))
MEETING_RECORDED = register("RISK_MEETING_RECORDED", _("记录安全班前会"))
CHECK_RECORDED = register("RISK_CHECK_RECORDED", _("记录体检卡"))
