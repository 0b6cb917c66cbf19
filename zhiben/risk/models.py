"""双重预防 (risk half) and 一会三卡: risk points of each unit with their hazard factors and controls, their
assessments by LEC or LS against a versioned band table, the unit's site plan (四色图), patrols by QR code,
the 一会三卡 posts and cards, 班前会 and 体检卡 records, and 动工卡 (hazardous-work permits, on the loop kit).

Scope: everything belongs to one unit (`enterprise`): the unit itself, its township (属地) and the departments of
its industries read it (`ScopePaths` through the unit). Band tables and their adoption by a region are reference
data read by every role that may read risk points; the office adds versions and adopts them.
"""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.db import models
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from zhiben.core.models import BaseModel, ScopedModel, StepHistory
from zhiben.core.scoping import ScopePaths

from .choices import (
    COLOUR_BY_LEVEL,
    HEX,
    CardKind,
    Level,
    Method,
    PermitStatus,
    PointKind,
    PointStatus,
    ResponsibleLevel,
    WorkKind,
)

USER = settings.AUTH_USER_MODEL
UNIT_SCOPE = ScopePaths(
    region="enterprise__region__code", industry="enterprise__industries", enterprise="enterprise"
)


def _through(path: str) -> ScopePaths:
    return ScopePaths(
        region=f"{path}__enterprise__region__code",
        industry=f"{path}__enterprise__industries",
        enterprise=f"{path}__enterprise",
    )


class RiskTable(BaseModel):
    """A versioned band table of one method: its scales and its bands with explicit inclusivity (data)."""

    code = models.CharField(_("版本编号"), max_length=40, unique=True)
    method = models.CharField(_("评价方法"), max_length=4, choices=Method.choices)
    name = models.CharField(_("名称"), max_length=100)
    data = models.JSONField(_("分值与分级"), default=dict)
    source = models.TextField(_("依据"), blank=True)
    verified = models.BooleanField(_("已核实"), default=False)
    created_by = models.ForeignKey(
        USER, verbose_name=_("创建人"), null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )

    class Meta:
        verbose_name = _("风险分级表")
        verbose_name_plural = _("风险分级表")
        ordering = ["method", "-created_at", "-pk"]

    def __str__(self) -> str:
        return self.name

    def get_absolute_url(self) -> str:
        return reverse("risk:table_list") + f"#table-{self.pk}"


class TableAdoption(BaseModel):
    """A region adopts a table for a method: new assessments of units in it use it (the latest adoption)."""

    region = models.ForeignKey(
        "registry.Region", verbose_name=_("行政区划"), on_delete=models.PROTECT, related_name="+"
    )
    method = models.CharField(_("评价方法"), max_length=4, choices=Method.choices)
    table = models.ForeignKey(
        RiskTable, verbose_name=_("分级表"), on_delete=models.PROTECT, related_name="adoptions"
    )
    adopted_by = models.ForeignKey(
        USER, verbose_name=_("采用人"), null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )

    class Meta:
        verbose_name = _("分级表采用记录")
        verbose_name_plural = _("分级表采用记录")
        ordering = ["-created_at", "-pk"]

    def __str__(self) -> str:
        return f"{self.region.name} · {self.table}"


class RiskPoint(ScopedModel):
    """A risk point (风险点) of a unit: a place, post, equipment or activity, with its hazard factors (危险有害
    因素 by GB/T 13861 category), its controls, who answers for it, and its current grade (latest assessment)."""

    scope = UNIT_SCOPE
    enterprise = models.ForeignKey(
        "registry.Enterprise",
        verbose_name=_("生产经营单位"),
        on_delete=models.PROTECT,
        related_name="risk_points",
    )
    kind = models.CharField(_("风险点类型"), max_length=12, choices=PointKind.choices)
    name = models.CharField(_("风险点名称"), max_length=100)
    location = models.CharField(_("所在位置"), max_length=200, blank=True)
    factors = models.JSONField(
        _("危险有害因素"), default=list, blank=True
    )  # [{"category": "2.1", "text": …}]
    controls = models.JSONField(
        _("管控措施"), default=list, blank=True
    )  # [{"kind": "engineering", "text": …}]
    responsible_level = models.CharField(
        _("管控层级"), max_length=10, choices=ResponsibleLevel.choices, default=ResponsibleLevel.TEAM
    )
    responsible_person = models.CharField(_("责任人"), max_length=50, blank=True)
    status = models.CharField(_("状态"), max_length=10, choices=PointStatus.choices, default=PointStatus.NEW)
    level = models.CharField(_("风险等级"), max_length=10, choices=Level.choices, blank=True)
    score = models.DecimalField(_("风险值"), max_digits=10, decimal_places=2, null=True, blank=True)
    assessed_on = models.DateField(_("评估日期"), null=True, blank=True)
    reassess_reason = models.CharField(_("重新评估原因"), max_length=200, blank=True)
    zone = models.JSONField(_("四色图区域"), default=list, blank=True)  # [[x, y], …] as fractions of the plan
    created_by = models.ForeignKey(
        USER, verbose_name=_("登记人"), null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )

    class Meta:
        verbose_name = _("风险点")
        verbose_name_plural = _("风险点")
        ordering = ["enterprise", "name", "pk"]
        indexes = [models.Index(fields=["level", "status"])]

    def __str__(self) -> str:
        return self.name

    def get_absolute_url(self) -> str:
        return reverse("risk:point_detail", args=[self.pk])

    def patrol_url(self) -> str:
        return reverse("risk:patrol", args=[self.pk])

    @property
    def colour(self) -> str:
        return COLOUR_BY_LEVEL.get(self.level, "") if self.level else ""  # type: ignore[call-overload]

    @property
    def hex(self) -> str:
        return HEX.get(self.level, "#adb5bd") if self.level else "#adb5bd"  # type: ignore[call-overload]


class RiskPointTransition(StepHistory):
    riskpoint = models.ForeignKey(
        RiskPoint, verbose_name=_("风险点"), on_delete=models.CASCADE, related_name="history"
    )
    from_status = models.CharField(_("原状态"), max_length=10, choices=PointStatus.choices, blank=True)
    to_status = models.CharField(_("新状态"), max_length=10, choices=PointStatus.choices)

    class Meta(StepHistory.Meta):
        verbose_name = _("风险点记录")
        verbose_name_plural = _("风险点记录")


class Assessment(ScopedModel):
    """One assessment of a point: the inputs, the score, the level and the band table version it used."""

    scope = _through("point")
    point = models.ForeignKey(
        RiskPoint, verbose_name=_("风险点"), on_delete=models.CASCADE, related_name="assessments"
    )
    method = models.CharField(_("评价方法"), max_length=4, choices=Method.choices)
    inputs = models.JSONField(_("取值"), default=dict)
    score = models.DecimalField(_("风险值"), max_digits=10, decimal_places=2)
    level = models.CharField(_("风险等级"), max_length=10, choices=Level.choices)
    table = models.ForeignKey(RiskTable, verbose_name=_("分级表"), on_delete=models.PROTECT, related_name="+")
    assessed_by = models.ForeignKey(
        USER, verbose_name=_("评估人"), null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    assessed_on = models.DateField(_("评估日期"), default=timezone.localdate)
    note = models.TextField(_("说明"), blank=True)

    class Meta:
        verbose_name = _("风险评估")
        verbose_name_plural = _("风险评估")
        ordering = ["-assessed_on", "-pk"]

    def __str__(self) -> str:
        return f"{self.point.name} {self.assessed_on:%Y-%m-%d}"

    def get_absolute_url(self) -> str:
        return self.point.get_absolute_url()


class SitePlan(ScopedModel):
    """The unit's site plan (平面图) for its 四色图; the latest is shown."""

    scope = UNIT_SCOPE
    enterprise = models.ForeignKey(
        "registry.Enterprise", verbose_name=_("生产经营单位"), on_delete=models.PROTECT, related_name="+"
    )
    image = models.FileField(_("平面图"), upload_to="risk/plans/%Y/")
    content_type = models.CharField(_("文件类型"), max_length=40)
    name = models.CharField(_("文件名"), max_length=200)
    uploaded_by = models.ForeignKey(
        USER, verbose_name=_("上传人"), null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )

    class Meta:
        verbose_name = _("厂区平面图")
        verbose_name_plural = _("厂区平面图")
        ordering = ["-created_at", "-pk"]

    def __str__(self) -> str:
        return self.name

    def get_absolute_url(self) -> str:
        return reverse("risk:map", args=[self.enterprise_id])


class Patrol(ScopedModel):
    """A patrol check of a point's controls (by scanning its QR code); a 不符合 item registers a 一般 hazard in
    the hazard loop, linked here (`hazard`), and flags the point 待重新评估."""

    scope = _through("point")
    point = models.ForeignKey(
        RiskPoint, verbose_name=_("风险点"), on_delete=models.CASCADE, related_name="patrols"
    )
    checked_by = models.ForeignKey(
        USER, verbose_name=_("巡查人"), null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    checked_at = models.DateTimeField(_("巡查时间"), default=timezone.now)
    results = models.JSONField(_("检查结果"), default=list)  # [{"control": text, "ok": bool, "note": …}]
    conforming = models.BooleanField(_("全部符合"), default=True)
    note = models.TextField(_("说明"), blank=True)
    hazard = models.ForeignKey(
        "hazards.Hazard",
        verbose_name=_("登记的隐患"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )

    class Meta:
        verbose_name = _("风险点巡查")
        verbose_name_plural = _("风险点巡查")
        ordering = ["-checked_at", "-pk"]

    def __str__(self) -> str:
        return f"{self.point.name} 巡查"

    def get_absolute_url(self) -> str:
        return self.point.get_absolute_url() + f"#patrol-{self.pk}"


# --- 一会三卡 ---------------------------------------------------------------------------------------------


class Post(ScopedModel):
    """A post (岗位) of the unit, which should hold its 体检卡 and 应急处置卡."""

    scope = UNIT_SCOPE
    enterprise = models.ForeignKey(
        "registry.Enterprise", verbose_name=_("生产经营单位"), on_delete=models.PROTECT, related_name="+"
    )
    name = models.CharField(_("岗位名称"), max_length=100)
    template = models.CharField(_("卡片模板"), max_length=40, blank=True)
    active = models.BooleanField(_("在用"), default=True)

    class Meta:
        verbose_name = _("岗位")
        verbose_name_plural = _("岗位")
        ordering = ["enterprise", "name", "pk"]
        constraints = [models.UniqueConstraint(fields=["enterprise", "name"], name="risk_post_unique_name")]

    def __str__(self) -> str:
        return self.name

    def get_absolute_url(self) -> str:
        return reverse("risk:post_detail", args=[self.pk])


class PostCard(ScopedModel):
    """A post's 体检卡 (its pre-shift checks) or 应急处置卡 (its emergency steps and contacts)."""

    scope = _through("post")
    post = models.ForeignKey(Post, verbose_name=_("岗位"), on_delete=models.CASCADE, related_name="cards")
    kind = models.CharField(_("卡片"), max_length=10, choices=CardKind.choices)
    items = models.JSONField(_("检查项或处置步骤"), default=list)
    contacts = models.JSONField(_("应急联系人"), default=list, blank=True)  # [{"name": …, "phone": …}]
    issued_on = models.DateField(_("制卡日期"), default=timezone.localdate)

    class Meta:
        verbose_name = _("岗位卡片")
        verbose_name_plural = _("岗位卡片")
        ordering = ["post", "kind"]
        constraints = [models.UniqueConstraint(fields=["post", "kind"], name="risk_one_card_per_kind")]

    def __str__(self) -> str:
        return f"{self.post.name} {self.get_kind_display()}"

    def get_absolute_url(self) -> str:
        return self.post.get_absolute_url()


class ShiftMeeting(ScopedModel):
    """安全班前会 record of a day: attendance, today's risks, the measures, who signed it off."""

    scope = UNIT_SCOPE
    enterprise = models.ForeignKey(
        "registry.Enterprise", verbose_name=_("生产经营单位"), on_delete=models.PROTECT, related_name="+"
    )
    post = models.ForeignKey(
        Post, verbose_name=_("岗位（班组）"), null=True, blank=True, on_delete=models.SET_NULL
    )
    held_on = models.DateField(_("日期"), default=timezone.localdate)
    attendees = models.PositiveSmallIntegerField(_("应到人数"))
    present = models.PositiveSmallIntegerField(_("实到人数"))
    risks = models.TextField(_("今日风险"))
    measures = models.TextField(_("管控措施"))
    signed_by = models.CharField(_("签字确认人"), max_length=50)
    recorded_by = models.ForeignKey(
        USER, verbose_name=_("记录人"), null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )

    class Meta:
        verbose_name = _("安全班前会")
        verbose_name_plural = _("安全班前会")
        ordering = ["-held_on", "-pk"]
        indexes = [models.Index(fields=["enterprise", "held_on"])]

    def __str__(self) -> str:
        return f"{self.held_on:%Y-%m-%d} 班前会"

    def get_absolute_url(self) -> str:
        return reverse("risk:card_unit", args=[self.enterprise_id]) + f"#meeting-{self.pk}"


class PreShiftCheck(ScopedModel):
    """A day's 体检卡 record of a post: each check item 正常 or 异常."""

    scope = _through("post")
    post = models.ForeignKey(Post, verbose_name=_("岗位"), on_delete=models.CASCADE, related_name="checks")
    checked_on = models.DateField(_("日期"), default=timezone.localdate)
    results = models.JSONField(_("检查结果"), default=list)  # [{"item": text, "ok": bool}]
    all_ok = models.BooleanField(_("全部正常"), default=True)
    recorded_by = models.ForeignKey(
        USER, verbose_name=_("记录人"), null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )

    class Meta:
        verbose_name = _("体检卡记录")
        verbose_name_plural = _("体检卡记录")
        ordering = ["-checked_on", "-pk"]

    def __str__(self) -> str:
        return f"{self.post.name} {self.checked_on:%Y-%m-%d}"

    def get_absolute_url(self) -> str:
        return self.post.get_absolute_url() + f"#check-{self.pk}"


class WorkPermit(ScopedModel):
    """动工卡: a hazardous work (动火, 受限空间, 高处, 吊装, 临时用电) confirmed before it starts:
    申请 → 确认 (by someone other than the applicant) → 完工; the confirmer may 退回 it to the applicant (who edits
    and resubmits), and the applicant or the unit's safety manager may 作废 it before it is confirmed."""

    scope = UNIT_SCOPE
    enterprise = models.ForeignKey(
        "registry.Enterprise", verbose_name=_("生产经营单位"), on_delete=models.PROTECT, related_name="+"
    )
    number = models.CharField(_("动工卡编号"), max_length=40, unique=True)
    kind = models.CharField(_("作业类型"), max_length=12, choices=WorkKind.choices)
    location = models.CharField(_("作业地点"), max_length=200)
    description = models.TextField(_("作业内容"))
    work_on = models.DateField(_("作业日期"), default=timezone.localdate)
    measures = models.JSONField(_("安全措施确认"), default=list)  # [{"item": text, "ok": bool}]
    status = models.CharField(
        _("状态"), max_length=10, choices=PermitStatus.choices, default=PermitStatus.APPLIED
    )
    applicant = models.ForeignKey(
        USER, verbose_name=_("申请人"), null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    confirmed_by = models.ForeignKey(
        USER, verbose_name=_("确认人"), null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    confirmed_at = models.DateTimeField(_("确认时间"), null=True, blank=True)
    finished_at = models.DateTimeField(_("完工时间"), null=True, blank=True)
    reason = models.TextField(_("退回或作废理由"), blank=True)

    class Meta:
        verbose_name = _("动工卡")
        verbose_name_plural = _("动工卡")
        ordering = ["-work_on", "-pk"]

    def __str__(self) -> str:
        return f"{self.number} {self.get_kind_display()}"

    def get_absolute_url(self) -> str:
        return reverse("risk:permit_detail", args=[self.pk])


class WorkPermitTransition(StepHistory):
    workpermit = models.ForeignKey(
        WorkPermit, verbose_name=_("动工卡"), on_delete=models.CASCADE, related_name="history"
    )
    from_status = models.CharField(_("原状态"), max_length=10, choices=PermitStatus.choices, blank=True)
    to_status = models.CharField(_("新状态"), max_length=10, choices=PermitStatus.choices)

    class Meta(StepHistory.Meta):
        verbose_name = _("动工卡记录")
        verbose_name_plural = _("动工卡记录")


def latest_plan(enterprise: Any) -> SitePlan | None:
    return (
        SitePlan.objects.unrestricted("the plan of a unit already read in scope")
        .filter(enterprise=enterprise)
        .first()
    )
