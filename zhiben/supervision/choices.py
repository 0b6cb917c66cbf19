"""Choices of 督办交办 and 暗访."""

from django.db import models
from django.utils.translation import gettext_lazy as _


class Level(models.TextChoices):
    GENERAL = "general", _("一般")
    KEY = "key", _("重点")


class ItemStatus(models.TextChoices):
    OPEN = "open", _("办理中")
    DONE = "done", _("已办结")


class AssigneeStatus(models.TextChoices):
    ISSUED = "issued", _("待签收")
    WORKING = "working", _("办理中")
    REPORTED = "reported", _("待审核")
    DONE = "done", _("已办结")


OPEN_ASSIGNEE_STATUSES = (AssigneeStatus.ISSUED, AssigneeStatus.WORKING, AssigneeStatus.REPORTED)


class NoteKind(models.TextChoices):
    PROGRESS = "progress", _("办理进展")
    REPORT = "report", _("办理反馈")
    RETURN = "return", _("退回")
    FINISH = "finish", _("办结")


class RuleKind(models.TextChoices):
    REMIND = "remind", _("到期提醒")
    ESCALATE = "escalate", _("逾期督办")


class EscalationKind(models.TextChoices):
    """The ladder, lightest first."""

    REMINDER = "reminder", _("逾期提醒")
    LETTER = "letter", _("督促函")
    BULLETIN = "bulletin", _("通报")
    INTERVIEW = "interview", _("约谈建议")


class IssuerKind(models.TextChoices):
    OFFICE = "office", _("区安委办")
    LEADER = "leader", _("区领导")
