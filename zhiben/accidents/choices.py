"""Choices of the accident register."""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _


class Grade(models.TextChoices):
    GENERAL = "general", _("一般事故")
    LARGER = "larger", _("较大事故")
    MAJOR = "major", _("重大事故")
    ESPECIALLY_MAJOR = "especially_major", _("特别重大事故")


GRADE_RANK = {Grade.GENERAL: 0, Grade.LARGER: 1, Grade.MAJOR: 2, Grade.ESPECIALLY_MAJOR: 3}
GRADE_COLORS = {
    Grade.GENERAL: "warning",
    Grade.LARGER: "danger",
    Grade.MAJOR: "danger",
    Grade.ESPECIALLY_MAJOR: "dark",
}


class Status(models.TextChoices):
    REGISTERED = "registered", _("已登记")
    INVESTIGATING = "investigating", _("调查中")
    REPORTED = "reported", _("调查报告已提交")
    CLOSED = "closed", _("已批复结案")


STATUS_COLORS = {
    Status.REGISTERED: "secondary",
    Status.INVESTIGATING: "primary",
    Status.REPORTED: "info",
    Status.CLOSED: "success",
}
OPEN_STATUSES = frozenset({Status.REGISTERED, Status.INVESTIGATING, Status.REPORTED})


class Concealment(models.TextChoices):
    NONE = "", _("无")
    CONCEALED = "concealed", _("瞒报")
    FALSE = "false", _("谎报")
    LATE = "late", _("迟报")


# 瞒报谎报 count for the indicator accidents.concealed; 迟报 does not.
CONCEALED_KINDS = (Concealment.CONCEALED, Concealment.FALSE)


class SubjectKind(models.TextChoices):
    PERSON = "person", _("个人")
    UNIT = "unit", _("单位")


class ResponsibleRole(models.TextChoices):
    PRINCIPAL = "principal", _("主要负责人")
    CONTROLLER = "controller", _("实际控制人")
    DEPARTMENT = "department", _("监管部门")
    TOWNSHIP = "township", _("乡镇（街道）")
    UNIT = "unit", _("事故单位")
    OTHER = "other", _("其他")


class Measure(models.TextChoices):
    PENALTY = "penalty", _("行政处罚")
    DISCIPLINE = "discipline", _("党纪政务处分")
    JUDICIAL = "judicial", _("移送司法")
    ACCOUNTABILITY = "accountability", _("问责（诫勉、约谈）")
    OTHER = "other", _("其他处理")


class RectificationStatus(models.TextChoices):
    OPEN = "open", _("整改中")
    DONE = "done", _("已整改")
