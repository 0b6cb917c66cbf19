"""Choices of the whistleblower channel (举报奖励)."""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _


class Category(models.TextChoices):
    MAJOR_HAZARD = "major_hazard", _("重大事故隐患")
    HAZARD = "hazard", _("一般隐患")
    ILLEGAL = "illegal", _("非法违法生产经营建设")
    CONCEALED = "concealed", _("瞒报谎报事故")


class Channel(models.TextChoices):
    PORTAL = "portal", _("网上举报")
    HOTLINE = "hotline", _("12350热线")
    APP = "app", _("移动应用")
    OPEN311 = "open311", _("第三方平台")
    LETTER = "letter", _("来信")
    VISIT = "visit", _("来访")
    EMAIL = "email", _("电子邮件")


class TipStatus(models.TextChoices):
    RECEIVED = "received", _("待受理")
    ACCEPTED = "accepted", _("待转办")
    VERIFYING = "verifying", _("核查中")
    CONCLUDED = "concluded", _("待反馈")
    CLOSED = "closed", _("已办结")
    REJECTED = "rejected", _("不予受理")
    MERGED = "merged", _("已合并")


OPEN_TIP_STATUSES = frozenset(
    {TipStatus.RECEIVED, TipStatus.ACCEPTED, TipStatus.VERIFYING, TipStatus.CONCLUDED}
)
FINAL_TIP_STATUSES = frozenset({TipStatus.CLOSED, TipStatus.REJECTED, TipStatus.MERGED})


class Outcome(models.TextChoices):
    FOUNDED = "founded", _("属实")
    PARTLY = "partly", _("部分属实")
    UNFOUNDED = "unfounded", _("不属实")


class PublicStatus(models.TextChoices):
    """What the reporter is told of the progress (never handler names or the enterprise's reply)."""

    RECEIVED = "received", _("已收到，等待受理")
    ACCEPTED = "accepted", _("已受理，正在核查")
    CONCLUDED = "concluded", _("核查完毕，等待答复")
    CLOSED = "closed", _("已办结")
    REJECTED = "rejected", _("不予受理")


class IdentityRequestStatus(models.TextChoices):
    REQUESTED = "requested", _("待审批")
    APPROVED = "approved", _("已批准")
    DENIED = "denied", _("不予批准")
    EXPIRED = "expired", _("已过期")


class RewardBasis(models.TextChoices):
    FINE = "fine", _("按罚款比例")
    CONCEALED_DEATHS = "concealed_deaths", _("按瞒报死亡人数")
    FIXED = "fixed", _("定额")


class AccidentGrade(models.TextChoices):
    ORDINARY = "一般", _("一般事故")
    LARGER = "较大", _("较大事故")
    MAJOR = "重大", _("重大事故")
    EXTRAORDINARY = "特别重大", _("特别重大事故")


class RewardStatus(models.TextChoices):
    PROPOSED = "proposed", _("待审批")
    APPROVED = "approved", _("已批准，待领取")
    CLAIMED = "claimed", _("已申领，待发放")
    PAID = "paid", _("已发放")
    LAPSED = "lapsed", _("逾期未领")
    DECLINED = "declined", _("不予奖励")


class InternalStatus(models.TextChoices):
    RECEIVED = "received", _("待核实")
    FOUNDED = "founded", _("属实")
    UNFOUNDED = "unfounded", _("不属实")
