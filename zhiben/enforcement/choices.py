"""Choices of enforcement cases, measures and 打非治违."""

from django.db import models
from django.utils.translation import gettext_lazy as _


class CaseStatus(models.TextChoices):
    FILED = "filed", _("已立案")
    INVESTIGATING = "investigating", _("调查取证")
    NOTIFIED = "notified", _("已告知")
    DECIDED = "decided", _("已决定")
    EXECUTING = "executing", _("执行中")
    CLOSED = "closed", _("已结案")
    WITHDRAWN = "withdrawn", _("已撤销")


# The path of a case; WITHDRAWN leaves it from any step before 决定.
CASE_STEPS = (
    CaseStatus.FILED,
    CaseStatus.INVESTIGATING,
    CaseStatus.NOTIFIED,
    CaseStatus.DECIDED,
    CaseStatus.EXECUTING,
    CaseStatus.CLOSED,
)


class MeasureKind(models.TextChoices):
    ORDER_RECTIFY = "order_rectify", _("责令限期整改")
    FINE = "fine", _("罚款")
    DAILY_FINE = "daily_fine", _("按日连续处罚")
    SUSPEND = "suspend", _("停产停业整顿")
    LICENCE = "licence", _("暂扣或吊销证照")
    CLOSE = "close", _("提请关闭取缔")
    BAN = "ban", _("行业禁入")
    JOINT_PUNISHMENT = "joint_punishment", _("联合惩戒")
    JUDICIAL = "judicial", _("移送司法（行刑衔接）")


# Measures that are administrative penalties (counted as 处罚 in the statistics); 责令限期整改 is a
# corrective order, not a penalty, and 移送司法 hands the case over.
PENALTY_KINDS = frozenset(
    {
        MeasureKind.FINE,
        MeasureKind.DAILY_FINE,
        MeasureKind.SUSPEND,
        MeasureKind.LICENCE,
        MeasureKind.CLOSE,
        MeasureKind.BAN,
    }
)


class Circumstance(models.TextChoices):
    MINOR = "minor", _("轻微")
    GENERAL = "general", _("一般")
    SERIOUS = "serious", _("较重")
    SEVERE = "severe", _("严重")


class ProposalStatus(models.TextChoices):
    OPEN = "open", _("待处理")
    SUBMITTED = "submitted", _("已提请关闭")
    DISMISSED = "dismissed", _("不予提请")


class OperationKind(models.TextChoices):
    NO_LICENCE = "no_licence", _("无证照或证照不全从事生产经营")
    BANNED_RESUMED = "banned_resumed", _("关闭取缔后又擅自生产经营")
    SUSPENDED_RESUMED = "suspended_resumed", _("停产整顿期间擅自生产")
    OVER_SCOPE = "over_scope", _("超许可范围生产经营")
    ILLEGAL_CONSTRUCTION = "illegal_construction", _("违法建设施工")
    ILLEGAL_STORAGE = "illegal_storage", _("非法储存危险物品")
    OTHER = "other", _("其他非法违法行为")


class OperationStatus(models.TextChoices):
    FOUND = "found", _("已发现")
    STOPPED = "stopped", _("已责令停止")
    BANNED = "banned", _("已取缔")
    RECTIFIED = "rectified", _("已整改合法")
    CONVERTED = "converted", _("已纳入监管")


# The steps of a case (services.py checks every move against this table).
CASE_TRANSITIONS: dict[str, set[str]] = {
    CaseStatus.FILED: {CaseStatus.INVESTIGATING, CaseStatus.WITHDRAWN},
    CaseStatus.INVESTIGATING: {CaseStatus.NOTIFIED, CaseStatus.WITHDRAWN},
    CaseStatus.NOTIFIED: {CaseStatus.DECIDED, CaseStatus.WITHDRAWN},
    CaseStatus.DECIDED: {CaseStatus.EXECUTING},
    CaseStatus.EXECUTING: {CaseStatus.CLOSED},
    CaseStatus.CLOSED: set(),
    CaseStatus.WITHDRAWN: set(),
}

OPEN_CASE_STATUSES = frozenset(
    {
        CaseStatus.FILED,
        CaseStatus.INVESTIGATING,
        CaseStatus.NOTIFIED,
        CaseStatus.DECIDED,
        CaseStatus.EXECUTING,
    }
)
# Before 告知 the proposed penalties may still change; after it they are what the party was told of.
PROPOSING_STATUSES = frozenset({CaseStatus.FILED, CaseStatus.INVESTIGATING})

# Measures that take effect when recorded (a corrective order, a transfer to the judiciary); the others are
# proposed during the investigation and take effect together at 决定.
IMMEDIATE_KINDS = frozenset({MeasureKind.ORDER_RECTIFY, MeasureKind.JUDICIAL})

STATUS_COLORS = {
    CaseStatus.FILED: "info",
    CaseStatus.INVESTIGATING: "primary",
    CaseStatus.NOTIFIED: "warning",
    CaseStatus.DECIDED: "danger",
    CaseStatus.EXECUTING: "warning",
    CaseStatus.CLOSED: "success",
    CaseStatus.WITHDRAWN: "secondary",
}

# 打非治违: 发现 → 责令停止 → 取缔 / 整改合法; a subject that becomes (or is) a registered unit is 纳入监管.
OPERATION_TRANSITIONS: dict[str, set[str]] = {
    OperationStatus.FOUND: {OperationStatus.STOPPED, OperationStatus.CONVERTED},
    OperationStatus.STOPPED: {OperationStatus.BANNED, OperationStatus.RECTIFIED, OperationStatus.CONVERTED},
    OperationStatus.RECTIFIED: {OperationStatus.CONVERTED},
    OperationStatus.BANNED: set(),
    OperationStatus.CONVERTED: set(),
}

OPERATION_COLORS = {
    OperationStatus.FOUND: "danger",
    OperationStatus.STOPPED: "warning",
    OperationStatus.BANNED: "dark",
    OperationStatus.RECTIFIED: "success",
    OperationStatus.CONVERTED: "primary",
}

PROPOSAL_COLORS = {
    ProposalStatus.OPEN: "danger",
    ProposalStatus.SUBMITTED: "success",
    ProposalStatus.DISMISSED: "secondary",
}
