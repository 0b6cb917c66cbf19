"""Choices of the hazard register."""

from django.db import models
from django.utils.translation import gettext_lazy as _

STOCK_CUTOFF = "2023-12-31"  # 存量: discovered on or before this day (seed §三)


class Level(models.TextChoices):
    GENERAL = "general", _("一般")
    MAJOR = "major", _("重大")


class Source(models.TextChoices):
    SELF_CHECK = "self_check", _("企业自查")
    EXPERT = "expert", _("专家诊查")
    PEER = "peer", _("行业互查")
    INSPECTION = "inspection", _("监管检查")
    PATROL = "patrol", _("乡镇巡查")
    UNDERCOVER = "undercover", _("暗访")
    TIP = "tip", _("举报")
    MEDIA = "media", _("媒体曝光")
    MONITORING = "monitoring", _("监测预警")
    ASSIGNED = "assigned", _("上级交办")
    TRANSFERRED = "transferred", _("部门移送")


class Status(models.TextChoices):
    REPORTED = "reported", _("待判定")
    CONFIRMED = "confirmed", _("待制定方案")
    RECTIFYING = "rectifying", _("整改中")
    ACCEPTANCE_REQUESTED = "acceptance", _("待企业验收")
    SELF_ACCEPTED = "accepted", _("待销号")
    CLOSED = "closed", _("已销号")
    REJECTED = "rejected", _("不予认定")
    MERGED = "merged", _("已合并")


class Stage(models.TextChoices):
    """The two steps with a deadline of their own: 判定 (a report waiting for the department) and 整改."""

    RECTIFY = "rectify", _("整改")
    JUDGE = "judge", _("判定")


# Confirmed and not yet closed: these have a deadline and can be overdue.
OPEN_STATUSES = frozenset(
    {Status.CONFIRMED, Status.RECTIFYING, Status.ACCEPTANCE_REQUESTED, Status.SELF_ACCEPTED}
)
# Counted as hazards at all (a rejected or merged report is not a hazard).
COUNTED_STATUSES = OPEN_STATUSES | {Status.CLOSED}


class SupervisionLevel(models.TextChoices):
    NONE = "", _("无")
    DISTRICT = "district", _("区级")
    CITY = "city", _("市级")
    PROVINCE = "province", _("省级")


class ExtensionStatus(models.TextChoices):
    PENDING = "pending", _("待审批")
    APPROVED = "approved", _("已批准")
    REJECTED = "rejected", _("不予批准")


class AttachmentKind(models.TextChoices):
    PHOTO = "photo", _("照片")
    DOCUMENT = "document", _("文件")


class NoticeRecipient(models.TextChoices):
    PRINCIPAL = "principal", _("主要负责人")
    CONTROLLER = "controller", _("实际控制人")
    DEPARTMENT = "department", _("监管部门")
    ENTERPRISE = "enterprise", _("单位账号")
    TOWNSHIP = "township", _("属地乡镇（街道）")


class EscalationKind(models.TextChoices):
    LETTER = "letter", _("函告")
    BULLETIN = "bulletin", _("通报")
    INTERVIEW = "interview", _("约谈")
    EXPOSURE = "exposure", _("曝光")
    LISTED = "listed", _("挂牌督办")
