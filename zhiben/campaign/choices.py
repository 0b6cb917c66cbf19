"""Choices of the campaign plan (治本攻坚三年行动, 屈安发〔2024〕1号)."""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _

YEARS = (2024, 2025, 2026)


class GoalKind(models.TextChoices):
    OVERALL = "overall", _("总体目标")
    STAGE = "stage", _("阶段目标")


class Direction(models.TextChoices):
    UP = "up", _("越高越好")
    DOWN = "down", _("越低越好")
    DONE = "done", _("达成即可")


class TaskStatus(models.TextChoices):
    OPEN = "open", _("推进中")
    REVIEWING = "reviewing", _("进展待审核")
    FINAL_REVIEW = "final_review", _("完成待审核")
    RETURNED = "returned", _("已退回")
    DONE = "done", _("已完成")


OPEN_TASK_STATUSES = frozenset(
    {TaskStatus.OPEN, TaskStatus.REVIEWING, TaskStatus.FINAL_REVIEW, TaskStatus.RETURNED}
)
STATUS_COLORS = {
    TaskStatus.OPEN: "primary",
    TaskStatus.REVIEWING: "info",
    TaskStatus.FINAL_REVIEW: "info",
    TaskStatus.RETURNED: "warning",
    TaskStatus.DONE: "success",
}


class ReportKind(models.TextChoices):
    PROGRESS = "progress", _("进展报告")
    FINAL = "final", _("完成报告")


class ReportOutcome(models.TextChoices):
    PENDING = "pending", _("待审核")
    ACCEPTED = "accepted", _("已通过")
    RETURNED = "returned", _("已退回")


class RuleKind(models.TextChoices):
    REMIND = "remind", _("到期提醒")
    ESCALATE = "escalate", _("逾期督办")


class EscalationKind(models.TextChoices):
    URGE = "urge", _("督促函")
    BULLETIN = "bulletin", _("通报")
    INTERVIEW = "interview", _("约谈")


class RegisterKind(models.TextChoices):
    """Things the plan counts that have no module of their own (seed §三 measures 10, 11, 16, 21, 22; the 7个100%)."""

    STATION = "station", _("基层应急站/消防所一体化")
    TWO_STATIONS = "two_stations", _("两站两员")
    EQUIPMENT = "equipment", _("执法装备")
    FIRE_STATION = "fire_station", _("消防站")
    RURAL_ROAD = "rural_road", _("农村公路安全隐患整治")
    RESERVOIR = "reservoir", _("水库除险加固")
    ELEVATOR = "elevator", _("电梯更新")
    SELF_BUILT = "self_built", _("自建房整治")
    FIRE_WATER = "fire_water", _("消防供水")
    SAFETY_MONTH = "safety_month", _("安全生产月活动")
    KNOCK = "knock", _("敲门行动")
    DEMONSTRATION = "demonstration", _("示范创建")
    SUPERVISION_TEAM = "supervision_team", _("专业监管队伍配备")
    CAPACITY = "capacity", _("基层应急管理能力建设")
    DIGITAL_FIRE = "digital_fire", _("数字消防接入场所")
    SMART = "smart", _("智慧监管事项")


# The measure of the seed each register counts for (its number), and the unit its quantity is in.
REGISTER_MEASURE = {
    RegisterKind.STATION: 10,
    RegisterKind.TWO_STATIONS: 10,
    RegisterKind.EQUIPMENT: 11,
    RegisterKind.FIRE_STATION: 16,
    RegisterKind.RURAL_ROAD: 16,
    RegisterKind.RESERVOIR: 16,
    RegisterKind.ELEVATOR: 16,
    RegisterKind.SELF_BUILT: 16,
    RegisterKind.FIRE_WATER: 16,
    RegisterKind.SAFETY_MONTH: 21,
    RegisterKind.KNOCK: 21,
    RegisterKind.DEMONSTRATION: 22,
    RegisterKind.SUPERVISION_TEAM: 10,
    RegisterKind.CAPACITY: 10,
    RegisterKind.DIGITAL_FIRE: 14,
    RegisterKind.SMART: 14,
}
REGISTER_UNITS = {
    RegisterKind.STATION: _("个"),
    RegisterKind.TWO_STATIONS: _("人"),
    RegisterKind.EQUIPMENT: _("台（套）"),
    RegisterKind.FIRE_STATION: _("座"),
    RegisterKind.RURAL_ROAD: _("公里"),
    RegisterKind.RESERVOIR: _("座"),
    RegisterKind.ELEVATOR: _("台"),
    RegisterKind.SELF_BUILT: _("栋"),
    RegisterKind.FIRE_WATER: _("处"),
    RegisterKind.SAFETY_MONTH: _("场"),
    RegisterKind.KNOCK: _("户"),
    RegisterKind.DEMONSTRATION: _("个"),
    RegisterKind.SUPERVISION_TEAM: _("人"),
    RegisterKind.CAPACITY: _("项"),
    RegisterKind.DIGITAL_FIRE: _("家"),
    RegisterKind.SMART: _("项"),
}


class EntryStatus(models.TextChoices):
    PLANNED = "planned", _("计划")
    ONGOING = "ongoing", _("实施中")
    DONE = "done", _("已完成")
