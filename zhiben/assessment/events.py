"""Audit event types of the assessment that are not steps (each step's event is declared on the step)."""

from django.utils.translation import gettext_lazy as _

from zhiben.core.events import register

ASSESSMENT_COMPUTED = register("ASSESSMENT_COMPUTED", _("计算季度考核"))
SCHEME_SAVED = register("ASSESSMENT_SCHEME_SAVED", _("编辑考核方案草稿"))
SCHEME_ACTIVATED = register("ASSESSMENT_SCHEME_ACTIVATED", _("考核方案施行"))
INTERVIEWS_LISTED = register("ASSESSMENT_INTERVIEWS_LISTED", _("生成季度约谈名单"))
RANKING_BULLETIN = register("ASSESSMENT_RANKING_BULLETIN", _("印发季度考核排名通报"))
