"""培训演练 (seed 三（七）17 – 三（八）20, 三（二）11): training sessions by the year's theme with attendance signed in
by QR and exam results; the training duties as data and the 应训未训 they leave; certificates (持证上岗) with
their expiry alerts; drills (演练) with the duty as data and the 应练未练 they leave; emergency plans (应急预案);
rescue teams, their members and the emergency supplies; 宣传 activities with their reach.

Scope: every record follows its unit (region through the unit's place, industry through the unit's industries,
the unit itself for its own users); a session organised by a department or a township is also that
organiser's; an inspector's attendance is also its department's. Reference rows (themes, duty rules,
certificate types, drill rules) are read in full by every role that may read the module.
"""

from __future__ import annotations

import datetime as dt
import secrets

from django.conf import settings
from django.db import models
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from zhiben.core.crypto import EncryptedTextField, mask_phone
from zhiben.core.models import BaseModel, ScopedModel, StepHistory, VersionedModel
from zhiben.core.scoping import ScopedQuerySet, ScopePaths

from .choices import (
    CERT_EXPIRED,
    CERT_EXPIRING,
    CERT_REVIEW,
    CERT_VALID,
    AlertThreshold,
    AttendeeRole,
    CertificateCategory,
    DrillKind,
    DrillStatus,
    Employment,
    Frequency,
    OrganiserKind,
    PlanLevel,
    PublicityKind,
    SessionKind,
    SessionStatus,
    SignIn,
    SupplyCategory,
    TeamLevel,
    WorkerStatus,
    WorkerTrainingKind,
)

USER = settings.AUTH_USER_MODEL
EXPIRING_DAYS = 90  # a certificate within this many days of its end is 即将到期 (the first alert)

_UNIT_SCOPE = ScopePaths(
    region="enterprise__region__code", industry="enterprise__industries", enterprise="enterprise_id"
)


class Reference(VersionedModel):
    """Reference data shipped in `training/data/*.json` with its source; unverified rows show 待核实."""

    scope = ScopePaths(unscoped=True)
    source = models.CharField(_("依据"), max_length=300, blank=True)
    verified = models.BooleanField(_("已核实"), default=False)

    objects = ScopedQuerySet.as_manager()

    class Meta:
        abstract = True


class TrainingTheme(Reference):
    """The year's theme of principal training (seed 三（七）17): who is due, by industry and role."""

    year = models.PositiveSmallIntegerField(_("年度"), unique=True)
    name = models.CharField(_("培训主题"), max_length=200)
    # [{"label": "危化企业主要负责人", "industries": ["HAZCHEM"], "roles": ["principal"]}, …]
    audience = models.JSONField(_("培训对象"), default=list)

    class Meta:
        verbose_name = _("年度培训主题")
        verbose_name_plural = _("年度培训主题")
        ordering = ["year"]

    def __str__(self) -> str:
        return f"{self.year}年 {self.name}"

    @property
    def audience_text(self) -> str:
        return "；".join(str(a.get("label", "")) for a in self.audience)


class TrainingRule(Reference):
    """A training duty (audience × frequency × hours), e.g. 主要负责人每年再培训不少于12学时."""

    code = models.CharField(_("代码"), max_length=40, unique=True)
    name = models.CharField(_("培训义务"), max_length=200)
    roles = models.JSONField(_("对象身份"), default=list)
    industries = models.JSONField(_("行业领域"), default=list, blank=True)  # empty: every industry
    high_risk = models.BooleanField(_("仅高危行业"), default=False)
    frequency = models.CharField(_("频次"), max_length=20, choices=Frequency.choices)
    hours = models.DecimalField(_("学时"), max_digits=5, decimal_places=1)
    note = models.CharField(_("说明"), max_length=300, blank=True)
    sort_order = models.PositiveSmallIntegerField(_("排序"), default=0)

    class Meta:
        verbose_name = _("培训义务")
        verbose_name_plural = _("培训义务")
        ordering = ["sort_order", "code"]

    def __str__(self) -> str:
        return self.name


class SessionQuerySet(ScopedQuerySet):
    def held(self) -> SessionQuerySet:
        return self.exclude(status=SessionStatus.PLANNED)


class TrainingSession(ScopedModel):
    """培训: one course held by a department, a township, a unit or a training body, with its attendance."""

    scope = ScopePaths(
        region="township__code",
        industry="enterprise__industries",
        enterprise="enterprise_id",
        department="department_id",
    )
    title = models.CharField(_("培训名称"), max_length=200)
    kind = models.CharField(_("培训类别"), max_length=20, choices=SessionKind.choices)
    theme = models.ForeignKey(
        TrainingTheme,
        verbose_name=_("年度主题"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="sessions",
    )
    organiser_kind = models.CharField(_("组织方"), max_length=20, choices=OrganiserKind.choices)
    department = models.ForeignKey(
        "registry.Department",
        verbose_name=_("组织部门"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="training_sessions",
    )
    township = models.ForeignKey(
        "registry.Region",
        verbose_name=_("所在乡镇（街道）"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="training_sessions",
    )
    enterprise = models.ForeignKey(
        "registry.Enterprise",
        verbose_name=_("组织单位"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="training_sessions",
    )
    body_name = models.CharField(_("培训机构"), max_length=100, blank=True)
    project = models.ForeignKey(
        "sourcecontrol.ConstructionProject",
        verbose_name=_("建设工程项目"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="training_sessions",
    )
    held_on = models.DateField(_("培训日期"))
    hours = models.DecimalField(_("学时"), max_digits=5, decimal_places=1)
    place = models.CharField(_("培训地点"), max_length=200, blank=True)
    content = models.TextField(_("培训内容"))
    covers_major_hazard = models.BooleanField(_("含重大事故隐患判定标准"), default=False)
    exam = models.BooleanField(_("组织考核"), default=False)
    status = models.CharField(
        _("状态"), max_length=10, choices=SessionStatus.choices, default=SessionStatus.PLANNED
    )
    signin_token = models.CharField(_("签到码"), max_length=40, unique=True, editable=False)
    created_by = models.ForeignKey(
        USER, verbose_name=_("登记人"), null=True, on_delete=models.PROTECT, related_name="+"
    )

    objects = SessionQuerySet.as_manager()  # type: ignore[misc]

    class Meta:
        verbose_name = _("培训")
        verbose_name_plural = _("培训")
        ordering = ["-held_on", "-pk"]
        indexes = [models.Index(fields=["kind", "held_on"])]

    def __str__(self) -> str:
        return self.title

    def save(self, *args: object, **kwargs: object) -> None:
        if not self.signin_token:
            self.signin_token = secrets.token_urlsafe(18)
        super().save(*args, **kwargs)  # type: ignore[arg-type]

    def get_absolute_url(self) -> str:
        return reverse("training:session_detail", args=[self.pk])

    @property
    def organiser_name(self) -> str:
        named = {
            OrganiserKind.DEPARTMENT: self.department,
            OrganiserKind.TOWNSHIP: self.township,
            OrganiserKind.ENTERPRISE: self.enterprise,
        }.get(self.organiser_kind)  # type: ignore[call-overload]
        return str(named.name) if named is not None else self.body_name


class SessionTransition(StepHistory):
    session = models.ForeignKey(
        TrainingSession, verbose_name=_("培训"), on_delete=models.CASCADE, related_name="history"
    )
    from_status = models.CharField(_("原状态"), max_length=10, choices=SessionStatus.choices, blank=True)
    to_status = models.CharField(_("新状态"), max_length=10, choices=SessionStatus.choices)

    class Meta(StepHistory.Meta):
        verbose_name = _("培训办理记录")
        verbose_name_plural = _("培训办理记录")


class Attendance(BaseModel):
    """签到: one person at one session — a unit's person (by name and role, linked to the registry's person
    when there is one) or an inspector of the roster. One sign-in per person and session (`person_key`)."""

    scope = ScopePaths(
        region="enterprise__region__code",
        industry="enterprise__industries",
        enterprise="enterprise_id",
        department="inspector__department_id",
    )
    session = models.ForeignKey(
        TrainingSession, verbose_name=_("培训"), on_delete=models.CASCADE, related_name="attendance"
    )
    enterprise = models.ForeignKey(
        "registry.Enterprise",
        verbose_name=_("所在单位"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="training_attendance",
    )
    person = models.ForeignKey(
        "registry.Person",
        verbose_name=_("人员"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="training_attendance",
    )
    inspector = models.ForeignKey(
        "inspections.Inspector",
        verbose_name=_("执法人员"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="training_attendance",
    )
    name = models.CharField(_("姓名"), max_length=50)
    role = models.CharField(_("身份"), max_length=20, choices=AttendeeRole.choices)
    phone = EncryptedTextField(_("手机号"), blank=True)
    person_key = models.CharField(_("人员标识"), max_length=64, editable=False)
    signed_at = models.DateTimeField(_("签到时间"))
    via = models.CharField(_("签到方式"), max_length=10, choices=SignIn.choices, default=SignIn.QR)
    score = models.PositiveSmallIntegerField(_("考核成绩"), null=True, blank=True)
    passed = models.BooleanField(_("考核合格"), null=True, blank=True)
    certificate = models.ForeignKey(
        "core.OfficialDocument",
        verbose_name=_("结业证书"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )

    objects = ScopedQuerySet.as_manager()

    class Meta:
        verbose_name = _("培训签到")
        verbose_name_plural = _("培训签到")
        ordering = ["session", "signed_at", "pk"]
        constraints = [
            models.UniqueConstraint(fields=["session", "person_key"], name="training_attendance_once"),
        ]

    def __str__(self) -> str:
        return self.name

    @property
    def masked_phone(self) -> str:
        return mask_phone(self.phone)


class CertificateType(Reference):
    """A kind of certificate (持证上岗) with its validity and review period and the law on working without."""

    code = models.CharField(_("代码"), max_length=40, unique=True)
    name = models.CharField(_("证书类型"), max_length=100)
    category = models.CharField(_("类别"), max_length=30, choices=CertificateCategory.choices)
    operations = models.JSONField(_("作业类别"), default=list, blank=True)
    valid_years = models.PositiveSmallIntegerField(_("有效期（年）"))
    review_years = models.PositiveSmallIntegerField(_("复审周期（年）"), null=True, blank=True)
    issuer = models.CharField(_("发证机关"), max_length=100, blank=True)
    law = models.CharField(_("未持证上岗的法律责任"), max_length=300, blank=True)
    case_measure = models.BooleanField(_("无证上岗应立案"), default=False)
    sort_order = models.PositiveSmallIntegerField(_("排序"), default=0)

    class Meta:
        verbose_name = _("证书类型")
        verbose_name_plural = _("证书类型")
        ordering = ["sort_order", "code"]

    def __str__(self) -> str:
        return self.name


class CertificateQuerySet(ScopedQuerySet):
    def expiring_within(self, days: int, today: dt.date) -> CertificateQuerySet:
        return self.filter(valid_to__gte=today, valid_to__lte=today + dt.timedelta(days=days))

    def expired(self, today: dt.date) -> CertificateQuerySet:
        return self.filter(valid_to__lt=today)

    def current(self, today: dt.date) -> CertificateQuerySet:
        return self.filter(valid_to__gte=today)


class Certificate(ScopedModel):
    """A person's certificate: holder, type (and operation), number, issuer, validity and review dates."""

    scope = _UNIT_SCOPE
    enterprise = models.ForeignKey(
        "registry.Enterprise",
        verbose_name=_("所在单位"),
        on_delete=models.PROTECT,
        related_name="certificates",
    )
    person = models.ForeignKey(
        "registry.Person",
        verbose_name=_("持证人（人员台账）"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="certificates",
    )
    holder_name = models.CharField(_("持证人"), max_length=50)
    kind = models.ForeignKey(
        CertificateType, verbose_name=_("证书类型"), on_delete=models.PROTECT, related_name="certificates"
    )
    operation = models.CharField(_("作业类别"), max_length=100, blank=True)
    number = models.CharField(_("证书编号"), max_length=40, unique=True)
    issuer = models.CharField(_("发证机关"), max_length=100)
    valid_from = models.DateField(_("有效期起"))
    valid_to = models.DateField(_("有效期至"))
    review_due = models.DateField(_("复审日期"), null=True, blank=True)
    reviewed_on = models.DateField(_("最近复审"), null=True, blank=True)

    objects = CertificateQuerySet.as_manager()  # type: ignore[misc]

    class Meta:
        verbose_name = _("证书")
        verbose_name_plural = _("证书")
        ordering = ["valid_to", "pk"]
        indexes = [models.Index(fields=["valid_to"])]

    def __str__(self) -> str:
        return f"{self.holder_name} {self.kind.name}"

    def get_absolute_url(self) -> str:
        return reverse("training:certificate_detail", args=[self.pk])

    def state(self, today: dt.date) -> str:
        if self.valid_to < today:
            return CERT_EXPIRED
        if self.valid_to <= today + dt.timedelta(days=EXPIRING_DAYS):
            return CERT_EXPIRING
        if self.review_due and self.review_due <= today + dt.timedelta(days=EXPIRING_DAYS):
            return CERT_REVIEW
        return CERT_VALID


class CertificateAlert(models.Model):
    """One expiry alert sent (90 or 30 days ahead) for one certificate's end date: the job writes each once."""

    certificate = models.ForeignKey(
        Certificate, verbose_name=_("证书"), on_delete=models.CASCADE, related_name="alerts"
    )
    threshold = models.PositiveSmallIntegerField(_("提前天数"), choices=AlertThreshold.choices)
    valid_to = models.DateField(_("有效期至"))
    sent_at = models.DateTimeField(_("提醒时间"), auto_now_add=True)

    class Meta:
        verbose_name = _("证书到期提醒")
        verbose_name_plural = _("证书到期提醒")
        constraints = [
            models.UniqueConstraint(
                fields=["certificate", "threshold", "valid_to"], name="training_certificate_alert_once"
            )
        ]

    def __str__(self) -> str:
        return f"{self.certificate} {self.threshold}"


class DrillRule(Reference):
    """The drill duty: how many 疏散逃生 drills a unit holds per year (高危行业 per half-year)."""

    code = models.CharField(_("代码"), max_length=40, unique=True)
    name = models.CharField(_("演练义务"), max_length=200)
    high_risk = models.BooleanField(_("高危行业"), default=False)
    periods_per_year = models.PositiveSmallIntegerField(_("每年期数"))  # 1: a year, 2: each half-year
    kinds = models.JSONField(_("计入的演练类型"), default=list)

    class Meta:
        verbose_name = _("演练义务")
        verbose_name_plural = _("演练义务")
        ordering = ["code"]

    def __str__(self) -> str:
        return self.name


class Drill(ScopedModel):
    """演练: planned, then recorded with what happened (participants, evaluation, improvements, photos)."""

    scope = _UNIT_SCOPE
    enterprise = models.ForeignKey(
        "registry.Enterprise", verbose_name=_("单位"), on_delete=models.PROTECT, related_name="drills"
    )
    kind = models.CharField(_("演练类型"), max_length=20, choices=DrillKind.choices)
    scenario = models.CharField(_("演练科目（情景）"), max_length=200)
    planned_on = models.DateField(_("计划日期"))
    held_on = models.DateField(_("实施日期"), null=True, blank=True)
    participants = models.PositiveIntegerField(_("参演人数"), null=True, blank=True)
    evaluation = models.TextField(_("演练评估"), blank=True)
    improvements = models.TextField(_("改进措施"), blank=True)
    status = models.CharField(
        _("状态"), max_length=10, choices=DrillStatus.choices, default=DrillStatus.PLANNED
    )
    created_by = models.ForeignKey(
        USER, verbose_name=_("登记人"), null=True, on_delete=models.PROTECT, related_name="+"
    )

    class Meta:
        verbose_name = _("应急演练")
        verbose_name_plural = _("应急演练")
        ordering = ["-planned_on", "-pk"]
        indexes = [models.Index(fields=["status", "held_on"])]

    def __str__(self) -> str:
        return f"{self.enterprise.name} {self.scenario}"

    def get_absolute_url(self) -> str:
        return reverse("training:drill_detail", args=[self.pk])


class DrillTransition(StepHistory):
    drill = models.ForeignKey(Drill, verbose_name=_("演练"), on_delete=models.CASCADE, related_name="history")
    from_status = models.CharField(_("原状态"), max_length=10, choices=DrillStatus.choices, blank=True)
    to_status = models.CharField(_("新状态"), max_length=10, choices=DrillStatus.choices)

    class Meta(StepHistory.Meta):
        verbose_name = _("演练办理记录")
        verbose_name_plural = _("演练办理记录")


class DrillPhoto(BaseModel):
    """演练照片 (checked by content, stored under MEDIA_ROOT, read through a scoped view)."""

    scope = ScopePaths(
        region="drill__enterprise__region__code",
        industry="drill__enterprise__industries",
        enterprise="drill__enterprise_id",
    )
    drill = models.ForeignKey(Drill, verbose_name=_("演练"), on_delete=models.CASCADE, related_name="photos")
    file = models.FileField(_("照片"), upload_to="training/drills/%Y/%m/")
    content_type = models.CharField(_("文件类型"), max_length=100)
    uploaded_by = models.ForeignKey(
        USER, verbose_name=_("上传人"), null=True, on_delete=models.PROTECT, related_name="+"
    )

    objects = ScopedQuerySet.as_manager()

    class Meta:
        verbose_name = _("演练照片")
        verbose_name_plural = _("演练照片")
        ordering = ["pk"]

    def __str__(self) -> str:
        return self.file.name.rsplit("/", 1)[-1]


class EmergencyPlan(ScopedModel):
    """应急预案 with its filing (备案) and its next review (评估) date."""

    scope = _UNIT_SCOPE
    enterprise = models.ForeignKey(
        "registry.Enterprise",
        verbose_name=_("单位"),
        on_delete=models.PROTECT,
        related_name="emergency_plans",
    )
    name = models.CharField(_("预案名称"), max_length=200)
    level = models.CharField(_("预案类别"), max_length=20, choices=PlanLevel.choices)
    filed_on = models.DateField(_("备案日期"), null=True, blank=True)
    filing_number = models.CharField(_("备案编号"), max_length=60, blank=True)
    filed_with = models.ForeignKey(
        "registry.Department",
        verbose_name=_("备案部门"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    reviewed_on = models.DateField(_("最近评估日期"), null=True, blank=True)
    review_due = models.DateField(_("下次评估日期"))

    class Meta:
        verbose_name = _("应急预案")
        verbose_name_plural = _("应急预案")
        ordering = ["review_due", "pk"]

    def __str__(self) -> str:
        return self.name

    def get_absolute_url(self) -> str:
        return reverse("training:plan_detail", args=[self.pk])


class RescueTeam(ScopedModel):
    """救援队伍: a unit's team, a township's, or one of the district's professional teams."""

    scope = ScopePaths(
        region="township__code",
        industry="enterprise__industries",
        enterprise="enterprise_id",
        department="department_id",
    )
    name = models.CharField(_("队伍名称"), max_length=100)
    level = models.CharField(_("队伍类别"), max_length=20, choices=TeamLevel.choices)
    enterprise = models.ForeignKey(
        "registry.Enterprise",
        verbose_name=_("所属单位"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="rescue_teams",
    )
    township = models.ForeignKey(
        "registry.Region",
        verbose_name=_("所在乡镇（街道）"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="rescue_teams",
    )
    department = models.ForeignKey(
        "registry.Department",
        verbose_name=_("主管部门"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="rescue_teams",
    )
    speciality = models.CharField(_("专业方向"), max_length=100)
    leader = models.CharField(_("队长"), max_length=50)
    phone = EncryptedTextField(_("值守电话"), blank=True)
    equipment = models.TextField(_("主要装备"), blank=True)

    class Meta:
        verbose_name = _("救援队伍")
        verbose_name_plural = _("救援队伍")
        ordering = ["level", "name"]

    def __str__(self) -> str:
        return self.name

    def get_absolute_url(self) -> str:
        return reverse("training:team_detail", args=[self.pk])

    @property
    def masked_phone(self) -> str:
        return mask_phone(self.phone)


class TeamMember(BaseModel):
    scope = ScopePaths(
        region="team__township__code",
        industry="team__enterprise__industries",
        enterprise="team__enterprise_id",
        department="team__department_id",
    )
    team = models.ForeignKey(
        RescueTeam, verbose_name=_("救援队伍"), on_delete=models.CASCADE, related_name="members"
    )
    name = models.CharField(_("姓名"), max_length=50)
    duty = models.CharField(_("职责"), max_length=50, blank=True)
    certificate = models.CharField(_("资格证书"), max_length=100, blank=True)
    certificate_valid_to = models.DateField(_("证书有效期至"), null=True, blank=True)

    objects = ScopedQuerySet.as_manager()

    class Meta:
        verbose_name = _("救援队员")
        verbose_name_plural = _("救援队员")
        ordering = ["team", "pk"]

    def __str__(self) -> str:
        return self.name


class EmergencySupply(ScopedModel):
    """应急物资 stored at a place (a township's depot, a team's base, a unit's store)."""

    scope = ScopePaths(
        region="township__code",
        industry="team__enterprise__industries",
        enterprise="team__enterprise_id",
        department="team__department_id",
    )
    name = models.CharField(_("物资名称"), max_length=100)
    category = models.CharField(_("物资类别"), max_length=20, choices=SupplyCategory.choices)
    quantity = models.PositiveIntegerField(_("数量"))
    unit = models.CharField(_("计量单位"), max_length=10)
    township = models.ForeignKey(
        "registry.Region",
        verbose_name=_("所在乡镇（街道）"),
        on_delete=models.PROTECT,
        related_name="emergency_supplies",
    )
    location = models.CharField(_("存放地点"), max_length=200)
    team = models.ForeignKey(
        RescueTeam,
        verbose_name=_("所属队伍"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="supplies",
    )
    keeper = models.CharField(_("保管人"), max_length=50, blank=True)

    class Meta:
        verbose_name = _("应急物资")
        verbose_name_plural = _("应急物资")
        ordering = ["township", "category", "name"]

    def __str__(self) -> str:
        return self.name

    def get_absolute_url(self) -> str:
        return reverse("training:supply_detail", args=[self.pk])


class PublicityActivity(ScopedModel):
    """宣传活动 (安全生产月, 消防宣传月, 敲门行动, 开工第一课) with its reach, evidence for measures 21–22."""

    scope = ScopePaths(
        region="township__code",
        industry="enterprise__industries",
        enterprise="enterprise_id",
        department="department_id",
    )
    kind = models.CharField(_("活动类型"), max_length=20, choices=PublicityKind.choices)
    title = models.CharField(_("活动名称"), max_length=200)
    held_on = models.DateField(_("活动日期"))
    township = models.ForeignKey(
        "registry.Region",
        verbose_name=_("所在乡镇（街道）"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="publicity_activities",
    )
    department = models.ForeignKey(
        "registry.Department",
        verbose_name=_("组织部门"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="publicity_activities",
    )
    enterprise = models.ForeignKey(
        "registry.Enterprise",
        verbose_name=_("组织单位"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="publicity_activities",
    )
    reach = models.PositiveIntegerField(_("覆盖人次"))
    description = models.TextField(_("活动内容"), blank=True)

    class Meta:
        verbose_name = _("宣传活动")
        verbose_name_plural = _("宣传活动")
        ordering = ["-held_on", "-pk"]

    def __str__(self) -> str:
        return self.title

    def get_absolute_url(self) -> str:
        return reverse("training:publicity_detail", args=[self.pk])


class DutyReminder(models.Model):
    """One 应训未训 or 应练未练 reminder sent to a unit for one period: the job's memory (sent once)."""

    kind = models.CharField(_("提醒类型"), max_length=20)
    enterprise = models.ForeignKey(
        "registry.Enterprise", verbose_name=_("单位"), on_delete=models.CASCADE, related_name="+"
    )
    period = models.CharField(_("期间"), max_length=20)
    sent_at = models.DateTimeField(_("提醒时间"), auto_now_add=True)

    class Meta:
        verbose_name = _("培训演练提醒")
        verbose_name_plural = _("培训演练提醒")
        constraints = [
            models.UniqueConstraint(fields=["kind", "enterprise", "period"], name="training_reminder_once")
        ]

    def __str__(self) -> str:
        return f"{self.kind} {self.period}"


class Worker(ScopedModel):
    """从业人员名册: one worker on the roster of the unit that directs their work. A dispatched (劳务派遣) or flexible
    worker is on the roster of the 用工单位, with the employing unit named as text (`employer`). The ID number is
    encrypted; `id_key` (a blind index) finds a duplicate without decrypting."""

    scope = _UNIT_SCOPE
    enterprise = models.ForeignKey(
        "registry.Enterprise", verbose_name=_("用工单位"), on_delete=models.PROTECT, related_name="workers"
    )
    name = models.CharField(_("姓名"), max_length=50)
    id_number = EncryptedTextField(_("身份证号"))
    id_key = models.CharField(_("身份证号索引"), max_length=64, editable=False)
    post = models.CharField(_("岗位"), max_length=100)
    hired_on = models.DateField(_("入职（进场）日期"))
    employment = models.CharField(_("用工形式"), max_length=20, choices=Employment.choices)
    employer = models.CharField(_("派遣（用人）单位"), max_length=100, blank=True)
    status = models.CharField(_("状态"), max_length=10, choices=WorkerStatus.choices, default=WorkerStatus.ON)
    left_on = models.DateField(_("离岗日期"), null=True, blank=True)

    class Meta:
        verbose_name = _("从业人员")
        verbose_name_plural = _("从业人员")
        ordering = ["enterprise", "name", "pk"]
        constraints = [
            models.UniqueConstraint(fields=["enterprise", "id_key"], name="training_worker_once_per_unit")
        ]
        indexes = [models.Index(fields=["status", "hired_on"])]

    def __str__(self) -> str:
        return self.name

    def get_absolute_url(self) -> str:
        return reverse("training:worker_detail", args=[self.pk])

    @property
    def masked_id_number(self) -> str:
        from zhiben.tips.services.vault import mask_id_number  # the platform's one masking of ID numbers

        return mask_id_number(self.id_number)


class WorkerTraining(BaseModel):
    """A worker's training hours: an attendance at a session of the platform, or the unit's own record (三级安全教育,
    班组再培训) with its hours. One record per attendance and worker."""

    scope = ScopePaths(
        region="worker__enterprise__region__code",
        industry="worker__enterprise__industries",
        enterprise="worker__enterprise_id",
    )
    worker = models.ForeignKey(
        Worker, verbose_name=_("从业人员"), on_delete=models.CASCADE, related_name="trainings"
    )
    kind = models.CharField(_("培训类别"), max_length=20, choices=WorkerTrainingKind.choices)
    held_on = models.DateField(_("培训日期"))
    hours = models.DecimalField(_("学时"), max_digits=5, decimal_places=1)
    attendance = models.ForeignKey(
        Attendance,
        verbose_name=_("培训签到"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="worker_trainings",
    )
    content = models.CharField(_("培训内容"), max_length=200)
    created_by = models.ForeignKey(
        USER, verbose_name=_("登记人"), null=True, on_delete=models.PROTECT, related_name="+"
    )

    objects = ScopedQuerySet.as_manager()

    class Meta:
        verbose_name = _("从业人员培训记录")
        verbose_name_plural = _("从业人员培训记录")
        ordering = ["worker", "-held_on", "-pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["worker", "attendance"],
                condition=models.Q(attendance__isnull=False),
                name="training_worker_attendance_once",
            )
        ]

    def __str__(self) -> str:
        return f"{self.worker.name} {self.get_kind_display()}"
