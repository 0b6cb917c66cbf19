"""Choices of 培训演练 (the codes stay in data and the API; pages show the labels)."""

from django.db import models
from django.utils.translation import gettext_lazy as _


class OrganiserKind(models.TextChoices):
    DEPARTMENT = "department", _("监管部门")
    TOWNSHIP = "township", _("乡镇（街道）")
    ENTERPRISE = "enterprise", _("生产经营单位")
    BODY = "body", _("培训机构")


class SessionKind(models.TextChoices):
    THEME = "theme", _("年度主题培训")
    REFRESHER = "refresher", _("年度再培训")
    PRE_JOB = "pre_job", _("岗前培训")
    FIRST_LESSON = "first_lesson", _("开工第一课")
    SPECIAL = "special", _("特种作业培训")
    INSPECTORS = "inspectors", _("执法人员集中轮训")
    OTHER = "other", _("其他培训")


class SessionStatus(models.TextChoices):
    PLANNED = "planned", _("计划中")
    OPEN = "open", _("签到中")
    CLOSED = "closed", _("已结束")


class AttendeeRole(models.TextChoices):
    PRINCIPAL = "principal", _("主要负责人")
    SAFETY_MANAGER = "safety_manager", _("安全管理人员")
    SPECIAL_OPERATOR = "special_operator", _("特种作业人员")
    WORKER = "worker", _("从业人员")
    DISPATCHED = "dispatched", _("劳务派遣/灵活用工人员")
    INSPECTOR = "inspector", _("执法人员")


class SignIn(models.TextChoices):
    QR = "qr", _("扫码签到")
    MANUAL = "manual", _("补录")


class Frequency(models.TextChoices):
    ONCE = "once", _("一次（上岗前）")
    ANNUAL = "annual", _("每年")
    PER_PROJECT = "per_project", _("每个项目")
    THREE_YEARS = "three_years", _("三年一轮")


class CertificateCategory(models.TextChoices):
    PRINCIPAL = "principal", _("主要负责人安全生产知识和管理能力考核合格证")
    SAFETY_MANAGER = "safety_manager", _("安全生产管理人员安全生产知识和管理能力考核合格证")
    SPECIAL_OPERATION = "special_operation", _("特种作业操作证")
    SPECIAL_EQUIPMENT = "special_equipment", _("特种设备作业人员证")


class AlertThreshold(models.IntegerChoices):
    DAYS_90 = 90, _("90天")
    DAYS_30 = 30, _("30天")


class DrillKind(models.TextChoices):
    EVACUATION = "evacuation", _("疏散逃生")
    COMPREHENSIVE = "comprehensive", _("综合演练")
    SPECIAL = "special", _("专项演练")
    ON_SITE = "on_site", _("现场处置")


class DrillStatus(models.TextChoices):
    PLANNED = "planned", _("计划")
    DONE = "done", _("已实施")


class PlanLevel(models.TextChoices):
    COMPREHENSIVE = "comprehensive", _("综合应急预案")
    SPECIAL = "special", _("专项应急预案")
    ON_SITE = "on_site", _("现场处置方案")


class TeamLevel(models.TextChoices):
    ENTERPRISE = "enterprise", _("企业救援队")
    TOWNSHIP = "township", _("乡镇（街道）救援队")
    DISTRICT = "district", _("区级专业救援队")


class SupplyCategory(models.TextChoices):
    PROTECTION = "protection", _("个体防护")
    RESCUE = "rescue", _("抢险救援装备")
    FIRE = "fire", _("消防器材")
    DRAINAGE = "drainage", _("排水防汛")
    LIGHTING = "lighting", _("照明通信")
    MEDICAL = "medical", _("医疗救护")
    LIVING = "living", _("生活保障")


class PublicityKind(models.TextChoices):
    SAFETY_MONTH = "safety_month", _("安全生产月")
    FIRE_MONTH = "fire_month", _("消防宣传月")
    KNOCK = "knock", _("敲门行动")
    FIRST_LESSON = "first_lesson", _("开工第一课")
    OTHER = "other", _("其他宣传")


CERT_EXPIRED = "expired"
CERT_EXPIRING = "expiring"
CERT_REVIEW = "review"
CERT_VALID = "valid"
CERT_STATUS_LABELS = {
    CERT_EXPIRED: _("已过期"),
    CERT_EXPIRING: _("即将到期"),
    CERT_REVIEW: _("待复审"),
    CERT_VALID: _("有效"),
}
CERT_STATUS_COLORS = {
    CERT_EXPIRED: "danger",
    CERT_EXPIRING: "warning",
    CERT_REVIEW: "warning",
    CERT_VALID: "success",
}


class Employment(models.TextChoices):
    """用工形式: dispatched and flexible workers are on the roster of the unit that directs their work."""

    REGULAR = "regular", _("正式职工")
    DISPATCHED = "dispatched", _("劳务派遣")
    FLEXIBLE = "flexible", _("灵活用工")
    CONTRACTOR = "contractor", _("承包商人员")
    INTERN = "intern", _("实习")


class WorkerStatus(models.TextChoices):
    ON = "on", _("在岗")
    LEFT = "left", _("离岗")


class WorkerTrainingKind(models.TextChoices):
    PRE_JOB = "pre_job", _("岗前培训（三级安全教育）")
    ANNUAL = "annual", _("年度再培训")
