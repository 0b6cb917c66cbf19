"""Choices of inspections, self-inspection duties, plans and draws."""

from django.db import models
from django.utils.translation import gettext_lazy as _


class InspectorKind(models.TextChoices):
    # Only a certified law-enforcement officer is the legal inspecting subject (国办发〔2024〕54号);
    # experts and technical inspectors assist and are recorded as such (research/domain.md §4).
    OFFICER = "officer", _("行政执法人员")
    EXPERT = "expert", _("专家")
    TECHNICIAN = "technician", _("技术检查员")


class Mode(models.TextChoices):
    ROUTINE = "routine", _("常规检查")
    UNANNOUNCED = "unannounced", _("四不两直")
    OPEN = "open", _("明查")
    UNDERCOVER = "undercover", _("暗访")
    CROSS_AREA = "cross_area", _("异地交叉")
    JOINT = "joint", _("联合检查")
    EXPERT = "expert", _("专家诊查")
    PEER = "peer", _("行业互查")
    REMOTE = "remote", _("远程检查（互联网+执法）")
    # 乡镇（街道）网格化巡查 of the units of its territory: not 行政执法 (no certified officers, no cap, not in the
    # enforcement figures); what it finds goes to the unit's supervising department to judge.
    PATROL = "patrol", _("乡镇巡查")


# The modes of 行政执法检查 (every mode but the township's patrol).
ENFORCEMENT_MODES = tuple(m for m in Mode.values if m != Mode.PATROL)


class Origin(models.TextChoices):
    KEY_UNIT = "key_unit", _("重点检查")
    RANDOM = "random", _("双随机抽查")
    SPECIAL = "special", _("专项检查")
    TIP = "tip", _("举报核查")
    ASSIGNED = "assigned", _("上级交办")
    FOLLOW_UP = "follow_up", _("复查")
    OTHER = "other", _("其他")


class InspectionStatus(models.TextChoices):
    PLANNED = "planned", _("待检查")
    IN_PROGRESS = "in_progress", _("检查中")
    COMPLETED = "completed", _("已完成")
    CANCELLED = "cancelled", _("已取消")


class OfficerRole(models.TextChoices):
    LEAD = "lead", _("主办执法人员")
    ASSOCIATE = "associate", _("协办执法人员")
    ASSISTANT = "assistant", _("辅助检查（专家/技术人员）")


class Answer(models.TextChoices):
    PASS = "pass", _("符合")
    FAIL = "fail", _("不符合")
    NOT_APPLICABLE = "na", _("不适用")


class FindingHandling(models.TextChoices):
    ON_SITE = "on_site", _("当场整改")
    HAZARD = "hazard", _("登记隐患")
    CASE = "case", _("立案查处")
    HAZARD_AND_CASE = "hazard_case", _("登记隐患并立案")


class Frequency(models.TextChoices):
    MONTHLY = "monthly", _("每月")
    QUARTERLY = "quarterly", _("每季度")
    HALF_YEARLY = "half_yearly", _("每半年")
    YEARLY = "yearly", _("每年")


# Months per period, for generating occurrences.
FREQUENCY_MONTHS = {
    Frequency.MONTHLY: 1,
    Frequency.QUARTERLY: 3,
    Frequency.HALF_YEARLY: 6,
    Frequency.YEARLY: 12,
}


class OccurrenceStatus(models.TextChoices):
    PENDING = "pending", _("待自查")
    DONE = "done", _("已自查")
    LATE = "late", _("逾期补查")
    MISSED = "missed", _("应查未查")


class PlanStatus(models.TextChoices):
    DRAFT = "draft", _("编制中")
    SUBMITTED = "submitted", _("待审批")
    APPROVED = "approved", _("已批准")
    RETURNED = "returned", _("已退回")


class PlanUnitKind(models.TextChoices):
    KEY = "key", _("重点检查")
    RANDOM = "random", _("双随机抽查")


class RiskClass(models.TextChoices):
    ANY = "", _("不限")
    HIGH = "high", _("高危")
    GENERAL = "general", _("非高危")


class ExceptionStatus(models.TextChoices):
    PENDING = "pending", _("待审批")
    APPROVED = "approved", _("已批准")
    REJECTED = "rejected", _("不予批准")


class DrawStatus(models.TextChoices):
    DRAFT = "draft", _("待公布承诺")
    COMMITTED = "committed", _("已公布承诺")
    DRAWN = "drawn", _("已抽取")
    PUBLISHED = "published", _("已公开")
    SUPERSEDED = "superseded", _("已重新抽取")
