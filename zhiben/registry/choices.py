"""Choices of the registry."""

from django.db import models
from django.utils.translation import gettext_lazy as _


class RegionLevel(models.IntegerChoices):
    PROVINCE = 1, _("省")
    CITY = 2, _("市")
    COUNTY = 3, _("县（区）")
    TOWNSHIP = 4, _("乡镇（街道）")
    VILLAGE = 5, _("村（社区）")


class DepartmentKind(models.TextChoices):
    SUPERVISION = "supervision", _("负有安全生产监督管理职责的部门")
    INDUSTRY = "industry", _("行业领域主管部门")
    SUPPORT = "support", _("其他成员单位")


class EnterpriseKind(models.TextChoices):
    COMPANY = "company", _("企业")
    SOLE_TRADER = "sole_trader", _("个体工商户")
    VENUE = "venue", _("场所")
    CONSTRUCTION_PROJECT = "construction", _("在建项目")
    SELF_BUILT_HOUSE = "self_built", _("经营性自建房")
    COOPERATIVE = "cooperative", _("农民专业合作社")
    INSTITUTION = "institution", _("事业单位")


# A unit of these kinds is checked as that industry (Industry.code) whatever its recorded primary industry: a
# self-built house let as a 棋牌室 is inspected as a 经营性自建房, not as its tenant's trade.
KIND_INDUSTRY: dict[str, str] = {
    EnterpriseKind.SELF_BUILT_HOUSE: "SELFBUILT",
    EnterpriseKind.CONSTRUCTION_PROJECT: "CONSTRUCTION",
}


class EnterpriseStatus(models.TextChoices):
    OPERATING = "operating", _("在营")
    SUSPENDED = "suspended", _("停产停业")
    CLOSED = "closed", _("关闭取缔")
    DEREGISTERED = "deregistered", _("注销")


class StandardisationGrade(models.TextChoices):
    NONE = "none", _("未达标")
    SMALL = "small", _("小微企业")
    GRADE_3 = "3", _("三级")
    GRADE_2 = "2", _("二级")
    GRADE_1 = "1", _("一级")


class PersonRole(models.TextChoices):
    PRINCIPAL = "principal", _("主要负责人")
    CONTROLLER = "controller", _("实际控制人")
    SAFETY_MANAGER = "safety_manager", _("安全管理人员")
    SPECIAL_OPERATOR = "special_operator", _("特种作业人员")
    WORKER = "worker", _("从业人员")


KIND_COLORS = {
    EnterpriseStatus.OPERATING: "success",
    EnterpriseStatus.SUSPENDED: "warning",
    EnterpriseStatus.CLOSED: "danger",
    EnterpriseStatus.DEREGISTERED: "secondary",
}
