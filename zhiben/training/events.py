"""Audit event types of 培训演练 that are not steps (each step's event is declared on the step)."""

from django.utils.translation import gettext_lazy as _

from zhiben.core.events import register

REFERENCE_LOADED = register("TRAINING_REFERENCE_LOADED", _("加载培训演练规则数据"))
SESSION_UPDATED = register("TRAINING_SESSION_UPDATED", _("修改培训"))
SIGNED_IN = register("TRAINING_SIGNED_IN", _("培训签到"))
EXAM_RECORDED = register("TRAINING_EXAM_RECORDED", _("登记考核成绩"))
CERTIFICATE_ADDED = register("TRAINING_CERTIFICATE_ADDED", _("登记证书"))
CERTIFICATE_UPDATED = register("TRAINING_CERTIFICATE_UPDATED", _("修改证书"))
CERTIFICATE_ALERTED = register("TRAINING_CERTIFICATE_ALERTED", _("证书到期提醒"))
CERTIFICATE_CHECKED = register("TRAINING_CERTIFICATE_CHECKED", _("现场核验证书"))
CERTIFICATE_FINDING = register("TRAINING_CERTIFICATE_FINDING", _("未持证上岗记为检查问题"))
DRILL_UPDATED = register("TRAINING_DRILL_UPDATED", _("修改演练"))
DRILL_PHOTO_ADDED = register("TRAINING_DRILL_PHOTO_ADDED", _("上传演练照片"))
DRILL_PHOTO_VIEWED = register("TRAINING_DRILL_PHOTO_VIEWED", _("查看演练照片"))
PLAN_SAVED = register("TRAINING_PLAN_SAVED", _("保存应急预案"))
TEAM_SAVED = register("TRAINING_TEAM_SAVED", _("保存救援队伍"))
MEMBER_ADDED = register("TRAINING_MEMBER_ADDED", _("添加救援队员"))
SUPPLY_SAVED = register("TRAINING_SUPPLY_SAVED", _("保存应急物资"))
PUBLICITY_SAVED = register("TRAINING_PUBLICITY_SAVED", _("保存宣传活动"))
WORKER_ADDED = register("TRAINING_WORKER_ADDED", _("登记从业人员"))
WORKER_UPDATED = register("TRAINING_WORKER_UPDATED", _("修改从业人员"))
WORKER_LEFT = register("TRAINING_WORKER_LEFT", _("从业人员离岗"))
WORKER_TRAINED = register("TRAINING_WORKER_TRAINED", _("登记从业人员培训学时"))
