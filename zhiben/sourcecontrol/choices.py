"""Choices of 源头管控: certificate state, project kinds and statuses, 淘汰 status."""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _


class CertificateStatus(models.TextChoices):
    VALID = "valid", _("有效")
    EXPIRED = "expired", _("已过期")
    REVOKED = "revoked", _("已撤销")


class ProjectKind(models.TextChoices):
    NEW = "new", _("新建")
    REBUILD = "rebuild", _("改建")
    EXPAND = "expand", _("扩建")
    OLD = "old", _("老旧项目（安全设计诊断）")


NEW_KINDS = frozenset({ProjectKind.NEW, ProjectKind.REBUILD, ProjectKind.EXPAND})


class ProjectStatus(models.TextChoices):
    REGISTERED = "registered", _("待安全审查")
    REFUSED = "refused", _("审查不予通过")
    PRE_ASSESSMENT = "pre", _("待安全预评价")
    DESIGN_REVIEW = "design", _("待安全设施设计审查")
    TRIAL_RUN = "trial", _("待试运行")
    ACCEPTANCE = "acceptance", _("待竣工验收")
    DONE = "done", _("三同时完成")
    DIAGNOSIS = "diagnosis", _("待安全设计诊断")
    DIAGNOSED = "diagnosed", _("诊断完成")


# The statuses that wait for the supervising department (审查、审查类节点), not for the unit.
AWAITING_DEPARTMENT = frozenset(
    {ProjectStatus.REGISTERED, ProjectStatus.DESIGN_REVIEW, ProjectStatus.ACCEPTANCE}
)
FINISHED = frozenset({ProjectStatus.DONE, ProjectStatus.DIAGNOSED, ProjectStatus.REFUSED})


class Stage(models.TextChoices):
    REVIEW = "review", _("安全审查")
    PRE_ASSESSMENT = "pre", _("安全预评价")
    DESIGN_REVIEW = "design", _("安全设施设计审查")
    TRIAL_RUN = "trial", _("试运行")
    ACCEPTANCE = "acceptance", _("竣工验收")
    DIAGNOSIS = "diagnosis", _("安全设计诊断")


class PhaseOutStatus(models.TextChoices):
    REGISTERED = "registered", _("已登记")
    DONE = "done", _("淘汰完成")


class PhaseOutKind(models.TextChoices):
    CONVERTED_TRACTOR = "tractor", _("变型拖拉机")
    OLD_LOCOMOTIVE = "locomotive", _("老旧直流内燃机车")
    FALSE_LABEL_TRUCK = "truck", _("“大吨小标”货车")
    EQUIPMENT = "equipment", _("落后设备")
    PROCESS = "process", _("落后工艺")
