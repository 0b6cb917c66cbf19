"""Choices of the quarterly assessment (季度考核), its 申诉 and the quarter's 约谈."""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _


class UnitKind(models.TextChoices):
    TOWNSHIP = "township", _("乡镇（街道）")
    DEPARTMENT = "department", _("成员单位")


class SchemeStatus(models.TextChoices):
    DRAFT = "draft", _("草稿")
    ACTIVE = "active", _("施行")
    SUPERSEDED = "superseded", _("已被新版本替代")


class RuleType(models.TextChoices):
    LINEAR = "linear", _("按目标线性计分")
    THRESHOLD = "threshold", _("分档计分")
    DEDUCT = "deduct", _("按次扣分")
    VETO = "veto", _("一票否决")


class AssessmentStatus(models.TextChoices):
    DRAFT = "draft", _("待发布")
    PUBLISHED = "published", _("已发布")


class AppealStatus(models.TextChoices):
    SUBMITTED = "submitted", _("待决定")
    ACCEPTED = "accepted", _("已采纳")
    REJECTED = "rejected", _("不予采纳")


class InterviewStatus(models.TextChoices):
    PLANNED = "planned", _("待约谈")
    HELD = "held", _("已约谈")
    FOLLOWING = "following", _("承诺跟踪中")
    CLOSED = "closed", _("已办结")


class CommitmentStatus(models.TextChoices):
    OPEN = "open", _("未完成")
    DONE = "done", _("已完成")


class InterviewRuleKind(models.TextChoices):
    BOTTOM = "bottom", _("排名末位")
    INDICATOR = "indicator", _("指标触发")
    LETTERS = "letters", _("多次函告")


STATUS_COLORS: dict[str, str] = {
    AssessmentStatus.DRAFT: "warning",
    AssessmentStatus.PUBLISHED: "success",
    AppealStatus.SUBMITTED: "info",
    AppealStatus.ACCEPTED: "success",
    AppealStatus.REJECTED: "secondary",
    InterviewStatus.PLANNED: "warning",
    InterviewStatus.HELD: "info",
    InterviewStatus.FOLLOWING: "primary",
    InterviewStatus.CLOSED: "success",
}
