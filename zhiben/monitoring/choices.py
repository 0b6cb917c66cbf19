"""Choices of 监测预警: alarm kinds, levels (红橙黄蓝), statuses, 消警 reasons, check tasks, rejections."""

from django.db import models
from django.utils.translation import gettext_lazy as _


class Level(models.TextChoices):
    RED = "red", _("红色")
    ORANGE = "orange", _("橙色")
    YELLOW = "yellow", _("黄色")
    BLUE = "blue", _("蓝色")


# Most severe first; a reading that crosses a higher threshold raises the open alarm's level.
LEVEL_RANK = {Level.BLUE: 1, Level.YELLOW: 2, Level.ORANGE: 3, Level.RED: 4}


class AlarmKind(models.TextChoices):
    THRESHOLD = "threshold", _("超限报警")
    OFFLINE = "offline", _("离线报警")


class AlarmStatus(models.TextChoices):
    RAISED = "raised", _("待确认")
    ACKNOWLEDGED = "acknowledged", _("已确认")
    HANDLING = "handling", _("处置中")
    CLEARED = "cleared", _("已消警")


OPEN_ALARM_STATUSES = frozenset({AlarmStatus.RAISED, AlarmStatus.ACKNOWLEDGED, AlarmStatus.HANDLING})


class ClearReason(models.TextChoices):
    FALSE_ALARM = "false_alarm", _("误报")
    DEVICE_FAULT = "device_fault", _("设备故障")
    REAL_DANGER = "real_danger", _("真实险情已处置")
    RECOVERED = "recovered", _("设备恢复上报")  # the system's own 消警 of a 离线 alarm


HUMAN_CLEAR_REASONS = [(v, label) for v, label in ClearReason.choices if v != ClearReason.RECOVERED]


class Direction(models.TextChoices):
    HIGH = "high", _("高于阈值报警")
    LOW = "low", _("低于阈值报警")


class DeviceStatus(models.TextChoices):
    NEW = "new", _("未上报")
    ONLINE = "online", _("在线")
    OFFLINE = "offline", _("离线")


class TaskStatus(models.TextChoices):
    OPEN = "open", _("待核查")
    DONE = "done", _("已核查")


class RejectReason(models.TextChoices):
    MALFORMED = "malformed", _("报文格式错误")
    UNKNOWN_DEVICE = "unknown_device", _("未登记设备")
    BAD_MAC = "bad_mac", _("签名校验失败")
    REPLAY = "replay", _("序号重复（重放）")
    OUT_OF_RANGE = "out_of_range", _("超出物理量程")
    BAD_TIME = "bad_time", _("时间戳异常")
    DISABLED = "disabled", _("设备已停用")


class AggregateKind(models.TextChoices):
    MINUTE = "minute", _("1分钟")
    HOUR = "hour", _("1小时")
