"""Choices of 双重预防 (risk points, four-colour grading, patrols) and 一会三卡."""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _


class Method(models.TextChoices):
    LEC = "LEC", _("LEC 作业条件危险性评价法")
    LS = "LS", _("LS 风险矩阵法")


class Level(models.TextChoices):
    MAJOR = "major", _("重大风险")
    LARGE = "large", _("较大风险")
    GENERAL = "general", _("一般风险")
    LOW = "low", _("低风险")


# The band tables name levels and colours in Chinese (重大/较大/一般/低, 红/橙/黄/蓝): the API answers in them.
LEVEL_BY_NAME = {"重大": Level.MAJOR, "较大": Level.LARGE, "一般": Level.GENERAL, "低": Level.LOW}
NAME_BY_LEVEL = {v: k for k, v in LEVEL_BY_NAME.items()}
COLOUR_BY_LEVEL = {Level.MAJOR: "红", Level.LARGE: "橙", Level.GENERAL: "黄", Level.LOW: "蓝"}
LEVEL_BY_COLOUR = {v: k for k, v in COLOUR_BY_LEVEL.items()}
# Screen colours of the four levels (GB 2893 safety colours, as the provincial platforms draw them).
HEX = {Level.MAJOR: "#d9252b", Level.LARGE: "#f28c28", Level.GENERAL: "#f5d000", Level.LOW: "#1f6fd1"}
LEVEL_ORDER = (Level.MAJOR, Level.LARGE, Level.GENERAL, Level.LOW)


class PointKind(models.TextChoices):
    PLACE = "place", _("场所")
    POST = "post", _("岗位")
    EQUIPMENT = "equipment", _("设备设施")
    ACTIVITY = "activity", _("作业活动")


class ControlKind(models.TextChoices):
    ENGINEERING = "engineering", _("工程技术措施")
    MANAGEMENT = "management", _("管理措施")
    TRAINING = "training", _("培训教育措施")
    PPE = "ppe", _("个体防护措施")
    EMERGENCY = "emergency", _("应急处置措施")


class ResponsibleLevel(models.TextChoices):
    COMPANY = "company", _("公司级")
    WORKSHOP = "workshop", _("车间级")
    TEAM = "team", _("班组级")
    POST = "post", _("岗位级")


class PointStatus(models.TextChoices):
    NEW = "new", _("待评估")
    ASSESSED = "assessed", _("已评估")
    REASSESS = "reassess", _("待重新评估")


class CardKind(models.TextChoices):
    CHECK = "check", _("体检卡")
    EMERGENCY = "emergency", _("应急处置卡")


class WorkKind(models.TextChoices):
    HOT = "hot", _("动火作业")
    CONFINED = "confined", _("受限空间作业")
    HEIGHT = "height", _("高处作业")
    LIFTING = "lifting", _("吊装作业")
    ELECTRICITY = "electricity", _("临时用电作业")


class PermitStatus(models.TextChoices):
    APPLIED = "applied", _("待确认")
    CONFIRMED = "confirmed", _("作业中")
    FINISHED = "finished", _("已完工")
    RETURNED = "returned", _("已退回")
    CANCELLED = "cancelled", _("已作废")
