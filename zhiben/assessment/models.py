"""季度考核: schemes as data (one per year and kind, versioned), the quarter's assessment computed from the frozen
indicator snapshot (results per unit, each rule's points with the value it used), 申诉 against a rule's points,
and the quarter's 约谈 with their commitments.

Scope: schemes, assessments and 约谈 rules are read whole by every government role. A unit's `Result` (and its
points, 申诉) is scoped to the unit (a township by its region code, a department by its id); the published
ranking itself (unit, total, rank) is published to every assessed unit (`queries.ranking`). A 约谈 is scoped to
the unit it concerns.
"""

from __future__ import annotations

from decimal import Decimal

from django.conf import settings
from django.db import models
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from zhiben.core.models import StepHistory, VersionedModel
from zhiben.core.scoping import ScopedQuerySet, ScopePaths

from .choices import (
    STATUS_COLORS,
    AppealStatus,
    AssessmentStatus,
    CommitmentStatus,
    InterviewRuleKind,
    InterviewStatus,
    SchemeStatus,
    UnitKind,
)

REFERENCE = ScopePaths(unscoped=True)


class Scheme(VersionedModel):
    """考核方案: one year's scheme for one kind of unit, one version. A version used by a published assessment
    is never edited: the office edits a draft (a new version) and puts it in force."""

    scope = REFERENCE
    year = models.PositiveSmallIntegerField(_("年度"))
    kind = models.CharField(_("考核对象"), max_length=12, choices=UnitKind.choices)
    number = models.PositiveSmallIntegerField(_("版本号"), default=1)
    status = models.CharField(
        _("状态"), max_length=12, choices=SchemeStatus.choices, default=SchemeStatus.DRAFT
    )
    name = models.CharField(_("方案名称"), max_length=200)
    rules = models.JSONField(_("计分规则"), default=list)
    tie_breaks = models.JSONField(_("同分排序规则"), default=list)
    floor = models.DecimalField(_("最低得分"), max_digits=6, decimal_places=2, default=Decimal(0))
    appeal_days = models.PositiveSmallIntegerField(_("申诉期限（发布后自然日）"), default=5)
    source = models.CharField(_("来源"), max_length=300, blank=True)
    verified = models.BooleanField(_("已核实"), default=False)
    note = models.TextField(_("说明"), blank=True)
    edited_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("编辑人"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )

    objects = ScopedQuerySet.as_manager()

    class Meta:
        verbose_name = _("考核方案")
        verbose_name_plural = _("考核方案")
        ordering = ["-year", "kind", "-number"]
        constraints = [
            models.UniqueConstraint(fields=["year", "kind", "number"], name="assessment_scheme_version_once")
        ]

    def __str__(self) -> str:
        return f"{self.name}（第{self.number}版）"

    def get_absolute_url(self) -> str:
        return reverse("assessment:scheme_detail", args=[self.pk])


class Assessment(VersionedModel):
    """One quarter's assessment of one kind of unit: computed (待发布) from the frozen snapshot with one scheme
    version, then published by the office; published results never change except by recorded adjustments."""

    scope = REFERENCE
    year = models.PositiveSmallIntegerField(_("年度"))
    quarter = models.PositiveSmallIntegerField(_("季度"))
    kind = models.CharField(_("考核对象"), max_length=12, choices=UnitKind.choices)
    scheme = models.ForeignKey(Scheme, verbose_name=_("考核方案"), on_delete=models.PROTECT, related_name="+")
    status = models.CharField(
        _("状态"), max_length=12, choices=AssessmentStatus.choices, default=AssessmentStatus.DRAFT
    )
    computed_at = models.DateTimeField(_("计算时间"), default=timezone.now)
    published_at = models.DateTimeField(_("发布时间"), null=True, blank=True)
    bulletin = models.ForeignKey(
        "core.OfficialDocument",
        verbose_name=_("排名通报"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )

    objects = ScopedQuerySet.as_manager()

    class Meta:
        verbose_name = _("季度考核")
        verbose_name_plural = _("季度考核")
        ordering = ["-year", "-quarter", "kind"]
        constraints = [
            models.UniqueConstraint(fields=["year", "quarter", "kind"], name="assessment_once_per_quarter")
        ]

    def __str__(self) -> str:
        return f"{self.year}年第{self.quarter}季度{self.get_kind_display()}考核"

    @property
    def period(self) -> str:
        return f"{self.year}Q{self.quarter}"

    def get_absolute_url(self) -> str:
        return reverse("assessment:ranking") + f"?year={self.year}&quarter={self.quarter}&kind={self.kind}"


class AssessmentTransition(StepHistory):
    assessment = models.ForeignKey(
        Assessment, verbose_name=_("季度考核"), on_delete=models.CASCADE, related_name="history"
    )
    from_status = models.CharField(_("原状态"), max_length=12, choices=AssessmentStatus.choices, blank=True)
    to_status = models.CharField(_("新状态"), max_length=12, choices=AssessmentStatus.choices)

    class Meta(StepHistory.Meta):
        verbose_name = _("考核办理记录")
        verbose_name_plural = _("考核办理记录")


class Result(VersionedModel):
    """One unit's result in one assessment: the computed score and rank (kept as computed), and the final score
    and rank after accepted 申诉 adjustments."""

    scope = ScopePaths(region="township__code", department="department")
    assessment = models.ForeignKey(
        Assessment, verbose_name=_("季度考核"), on_delete=models.CASCADE, related_name="results"
    )
    township = models.ForeignKey(
        "registry.Region",
        verbose_name=_("乡镇（街道）"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    department = models.ForeignKey(
        "registry.Department",
        verbose_name=_("成员单位"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    score = models.DecimalField(_("计算得分"), max_digits=8, decimal_places=2)
    final_score = models.DecimalField(_("最终得分"), max_digits=8, decimal_places=2)
    rank = models.PositiveSmallIntegerField(_("计算排名"))
    final_rank = models.PositiveSmallIntegerField(_("最终排名"))
    vetoed = models.BooleanField(_("一票否决"), default=False)
    deducted = models.DecimalField(_("扣分合计"), max_digits=8, decimal_places=2, default=Decimal(0))

    objects = ScopedQuerySet.as_manager()

    class Meta:
        verbose_name = _("考核结果")
        verbose_name_plural = _("考核结果")
        ordering = ["final_rank", "pk"]

    def __str__(self) -> str:
        return f"{self.unit_name} {self.assessment}"

    @property
    def unit_name(self) -> str:
        unit = self.township or self.department
        return unit.name if unit is not None else "—"

    @property
    def adjusted(self) -> bool:
        return self.final_score != self.score

    def get_absolute_url(self) -> str:
        return reverse("assessment:result_detail", args=[self.pk])


class RulePoint(models.Model):
    """One rule's points for one unit: the indicator value, numerator and denominator it used (from the frozen
    snapshot), the points computed, and the points after an accepted 申诉 (`adjusted_points`)."""

    scope = ScopePaths(region="result__township__code", department="result__department")
    result = models.ForeignKey(
        Result, verbose_name=_("考核结果"), on_delete=models.CASCADE, related_name="points"
    )
    code = models.CharField(_("规则编号"), max_length=20)
    name = models.CharField(_("考核内容"), max_length=200)
    indicator = models.CharField(_("指标"), max_length=80)
    rule_type = models.CharField(_("计分方式"), max_length=12)
    max_points = models.DecimalField(_("分值"), max_digits=8, decimal_places=2, default=Decimal(0))
    available = models.BooleanField(_("已接入"), default=True)
    value = models.DecimalField(_("指标值"), max_digits=18, decimal_places=2, null=True, blank=True)
    numerator = models.DecimalField(_("分子"), max_digits=18, decimal_places=2, null=True, blank=True)
    denominator = models.DecimalField(_("分母"), max_digits=18, decimal_places=2, null=True, blank=True)
    points = models.DecimalField(_("得分"), max_digits=8, decimal_places=2, default=Decimal(0))
    adjusted_points = models.DecimalField(
        _("申诉后得分"), max_digits=8, decimal_places=2, null=True, blank=True
    )
    vetoed = models.BooleanField(_("否决"), default=False)
    explanation = models.CharField(_("计分说明"), max_length=300, blank=True)
    sort_order = models.PositiveSmallIntegerField(_("排序"), default=0)

    objects = ScopedQuerySet.as_manager()

    class Meta:
        verbose_name = _("考核得分")
        verbose_name_plural = _("考核得分")
        ordering = ["sort_order", "pk"]

    def __str__(self) -> str:
        return f"{self.name} {self.points}"

    @property
    def final_points(self) -> Decimal:
        return self.adjusted_points if self.adjusted_points is not None else self.points


class Appeal(VersionedModel):
    """申诉: the assessed unit objects to one rule's points within the window; the office decides."""

    scope = ScopePaths(region="result__township__code", department="result__department")
    result = models.ForeignKey(
        Result, verbose_name=_("考核结果"), on_delete=models.PROTECT, related_name="appeals"
    )
    point = models.ForeignKey(
        RulePoint, verbose_name=_("考核得分"), on_delete=models.PROTECT, related_name="appeals"
    )
    reason = models.TextField(_("申诉理由"))
    evidence = models.TextField(_("证据材料"), help_text=_("证据说明及平台内记录链接"))
    requested_points = models.DecimalField(
        _("申请调整为（分）"), max_digits=8, decimal_places=2, null=True, blank=True
    )
    status = models.CharField(
        _("状态"), max_length=12, choices=AppealStatus.choices, default=AppealStatus.SUBMITTED
    )
    submitted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("申诉人"),
        null=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    submitted_at = models.DateTimeField(_("申诉时间"), default=timezone.now)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("决定人"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    decided_at = models.DateTimeField(_("决定时间"), null=True, blank=True)
    decision_reason = models.TextField(_("决定理由"), blank=True)
    points_before = models.DecimalField(
        _("调整前得分"), max_digits=8, decimal_places=2, null=True, blank=True
    )
    points_after = models.DecimalField(_("调整后得分"), max_digits=8, decimal_places=2, null=True, blank=True)

    objects = ScopedQuerySet.as_manager()

    class Meta:
        verbose_name = _("考核申诉")
        verbose_name_plural = _("考核申诉")
        ordering = ["-submitted_at", "-pk"]

    def __str__(self) -> str:
        return f"{self.result.unit_name} · {self.point.name}"

    def get_absolute_url(self) -> str:
        return reverse("assessment:appeal_detail", args=[self.pk])

    @property
    def color(self) -> str:
        return str(dict(STATUS_COLORS).get(self.status, "secondary"))


class AppealTransition(StepHistory):
    appeal = models.ForeignKey(
        Appeal, verbose_name=_("申诉"), on_delete=models.CASCADE, related_name="history"
    )
    from_status = models.CharField(_("原状态"), max_length=12, choices=AppealStatus.choices, blank=True)
    to_status = models.CharField(_("新状态"), max_length=12, choices=AppealStatus.choices)

    class Meta(StepHistory.Meta):
        verbose_name = _("申诉办理记录")
        verbose_name_plural = _("申诉办理记录")


class InterviewRule(VersionedModel):
    """约谈规则 as data: bottom N of a ranking, an indicator above zero in the frozen quarter (零处罚, 逾期重大
    隐患), or repeated 函告/督促函 in the quarter."""

    scope = REFERENCE
    code = models.CharField(_("编号"), max_length=30, unique=True)
    kind = models.CharField(_("类别"), max_length=12, choices=InterviewRuleKind.choices)
    name = models.CharField(_("规则"), max_length=200)
    applies_to = models.JSONField(_("适用对象"), default=list)  # ["township", "department"]
    n = models.PositiveSmallIntegerField(_("名次/次数"), default=1)
    indicator = models.CharField(_("指标"), max_length=80, blank=True)
    reason = models.CharField(_("约谈事由"), max_length=200)
    active = models.BooleanField(_("启用"), default=True)
    source = models.CharField(_("来源"), max_length=300, blank=True)
    verified = models.BooleanField(_("已核实"), default=False)

    objects = ScopedQuerySet.as_manager()

    class Meta:
        verbose_name = _("约谈规则")
        verbose_name_plural = _("约谈规则")
        ordering = ["code"]

    def __str__(self) -> str:
        return self.name


class Interview(VersionedModel):
    """季度约谈: one unit the quarter's rules named, with the reasons; planned → held (minutes as a document,
    commitments) → commitments followed up → closed."""

    scope = ScopePaths(region="township__code", department="department")
    year = models.PositiveSmallIntegerField(_("年度"))
    quarter = models.PositiveSmallIntegerField(_("季度"))
    township = models.ForeignKey(
        "registry.Region",
        verbose_name=_("乡镇（街道）"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    department = models.ForeignKey(
        "registry.Department",
        verbose_name=_("成员单位"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    reasons = models.JSONField(_("约谈事由"), default=list)  # [{"rule": code, "text": "…"}]
    status = models.CharField(
        _("状态"), max_length=12, choices=InterviewStatus.choices, default=InterviewStatus.PLANNED
    )
    held_at = models.DateTimeField(_("约谈时间"), null=True, blank=True)
    place = models.CharField(_("约谈地点"), max_length=100, blank=True)
    leaders = models.CharField(_("约谈人"), max_length=200, blank=True)
    attendees = models.CharField(_("被约谈人"), max_length=200, blank=True)
    issues = models.TextField(_("指出的问题"), blank=True)
    minutes = models.TextField(_("约谈记录"), blank=True)
    document = models.ForeignKey(
        "core.OfficialDocument",
        verbose_name=_("约谈记录文书"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )

    objects = ScopedQuerySet.as_manager()

    class Meta:
        verbose_name = _("约谈")
        verbose_name_plural = _("约谈")
        ordering = ["-year", "-quarter", "pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["year", "quarter", "township"],
                name="interview_township_once",
                condition=models.Q(township__isnull=False),
            ),
            models.UniqueConstraint(
                fields=["year", "quarter", "department"],
                name="interview_department_once",
                condition=models.Q(department__isnull=False),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.year}年第{self.quarter}季度约谈 · {self.unit_name}"

    @property
    def unit_name(self) -> str:
        unit = self.township or self.department
        return unit.name if unit is not None else "—"

    @property
    def reasons_text(self) -> str:
        return "；".join(r.get("text", "") for r in self.reasons)

    def get_absolute_url(self) -> str:
        return reverse("assessment:interview_detail", args=[self.pk])

    @property
    def color(self) -> str:
        return str(dict(STATUS_COLORS).get(self.status, "secondary"))


class InterviewTransition(StepHistory):
    interview = models.ForeignKey(
        Interview, verbose_name=_("约谈"), on_delete=models.CASCADE, related_name="history"
    )
    from_status = models.CharField(_("原状态"), max_length=12, choices=InterviewStatus.choices, blank=True)
    to_status = models.CharField(_("新状态"), max_length=12, choices=InterviewStatus.choices)

    class Meta(StepHistory.Meta):
        verbose_name = _("约谈办理记录")
        verbose_name_plural = _("约谈办理记录")


class Commitment(models.Model):
    """整改承诺 made at a 约谈: what, by when, and whether the office found it done when it checked."""

    scope = ScopePaths(region="interview__township__code", department="interview__department")
    interview = models.ForeignKey(
        Interview, verbose_name=_("约谈"), on_delete=models.CASCADE, related_name="commitments"
    )
    text = models.CharField(_("承诺事项"), max_length=300)
    due_on = models.DateField(_("完成时限"))
    status = models.CharField(
        _("状态"), max_length=10, choices=CommitmentStatus.choices, default=CommitmentStatus.OPEN
    )
    checked_on = models.DateField(_("核查日期"), null=True, blank=True)
    note = models.CharField(_("核查情况"), max_length=300, blank=True)

    objects = ScopedQuerySet.as_manager()

    class Meta:
        verbose_name = _("约谈承诺")
        verbose_name_plural = _("约谈承诺")
        ordering = ["due_on", "pk"]

    def __str__(self) -> str:
        return self.text
