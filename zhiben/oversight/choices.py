"""Choices of 考核督办: the duty and task lists (职责清单、年度任务清单) and the 通报 and reports."""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _


class OwnerKind(models.TextChoices):
    DISTRICT = "district", _("区级领导")
    TOWNSHIP = "township", _("乡镇（街道）")
    DEPARTMENT = "department", _("成员单位")


class ItemKind(models.TextChoices):
    DUTY = "duty", _("职责")
    TASK = "task", _("年度任务")


class ItemStatus(models.TextChoices):
    NOT_STARTED = "not_started", _("未开始")
    IN_PROGRESS = "in_progress", _("推进中")
    CONFIRMING = "confirming", _("待确认")
    DONE = "done", _("已完成")


OPEN_ITEM_STATUSES = frozenset({ItemStatus.NOT_STARTED, ItemStatus.IN_PROGRESS, ItemStatus.CONFIRMING})
ITEM_COLORS = {
    ItemStatus.NOT_STARTED: "secondary",
    ItemStatus.IN_PROGRESS: "primary",
    ItemStatus.CONFIRMING: "info",
    ItemStatus.DONE: "success",
}


class BulletinKind(models.TextChoices):
    PROGRESS = "progress", _("工作进展通报")
    EXPOSURE = "exposure", _("典型案例曝光")
    PRAISE = "praise", _("通报表扬")
    HALF_YEAR = "half_year", _("半年工作报告")


class BulletinStatus(models.TextChoices):
    DRAFT = "draft", _("草稿")
    ISSUED = "issued", _("已签发")


# kind → the 公文 template shipped in data/document_templates.json
TEMPLATE_OF = {
    BulletinKind.PROGRESS: "oversight_progress",
    BulletinKind.EXPOSURE: "oversight_exposure",
    BulletinKind.PRAISE: "oversight_praise",
    BulletinKind.HALF_YEAR: "oversight_half_year",
}
