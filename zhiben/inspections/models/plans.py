"""Annual inspection plans (年度监督检查计划), per-unit inspection caps, and verifiable 双随机 draws.

A plan covers key units in full (重点检查) and general units by 双随机 draws. Caps (国办发〔2024〕54号) are
data by industry × risk class × standardisation grade; exceeding one needs an approved `CapException`.

A `Draw` is verifiable: before drawing, the pools are frozen and the SM3 digests of the pools and of the
secret seed are published (commitment); after drawing, the seed is revealed and anyone can replay the draw
(`zhiben draw replay <id>`) from the frozen pools and the seed and get the identical assignments.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from zhiben.core.models import BaseModel, ScopedModel, VersionedModel
from zhiben.core.scoping import ScopedQuerySet, ScopePaths
from zhiben.registry.choices import StandardisationGrade

from ..choices import DrawStatus, ExceptionStatus, PlanStatus, PlanUnitKind, RiskClass


class InspectionCap(VersionedModel):
    """年度检查频次上限: how many inspections a unit of this class may receive per year (editable data).

    Blank dimensions match any unit; the most specific matching row applies.
    """

    scope = ScopePaths(unscoped=True)
    industry = models.ForeignKey(
        "registry.Industry",
        verbose_name=_("行业领域"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    risk_class = models.CharField(
        _("风险类别"), max_length=10, choices=RiskClass.choices, blank=True, default=""
    )
    standardisation_grade = models.CharField(_("标准化等级"), max_length=10, blank=True, default="")
    max_per_year = models.PositiveSmallIntegerField(_("每年最多检查次数"))
    source = models.CharField(_("依据"), max_length=200, blank=True)
    verified = models.BooleanField(_("已核实"), default=False)

    objects = ScopedQuerySet.as_manager()

    class Meta:
        verbose_name = _("检查频次上限")
        verbose_name_plural = _("检查频次上限")
        ordering = ["industry", "risk_class", "standardisation_grade"]
        constraints = [
            models.UniqueConstraint(
                fields=["industry", "risk_class", "standardisation_grade"],
                name="inspection_cap_unique",
                nulls_distinct=False,
            ),
        ]

    def __str__(self) -> str:
        grade = ""
        if self.standardisation_grade in StandardisationGrade.values:
            grade = f" {StandardisationGrade(self.standardisation_grade).label}"
        return (
            f"{self.industry or _('全部行业')} {self.get_risk_class_display()}{grade} ≤ {self.max_per_year}"
        )

    def get_absolute_url(self) -> str:
        return reverse("inspections:cap_edit", args=[self.pk])


class CapException(BaseModel):
    """An approval to inspect a unit beyond its yearly cap (with the reason, e.g. a tip or an accident)."""

    scope = ScopePaths(
        region="enterprise__region__code", industry="enterprise__industries", department="department_id"
    )
    enterprise = models.ForeignKey(
        "registry.Enterprise", verbose_name=_("生产经营单位"), on_delete=models.PROTECT, related_name="+"
    )
    department = models.ForeignKey(
        "registry.Department", verbose_name=_("申请部门"), on_delete=models.PROTECT, related_name="+"
    )
    year = models.PositiveSmallIntegerField(_("年度"))
    reason = models.TextField(_("理由"))
    status = models.CharField(
        _("状态"), max_length=10, choices=ExceptionStatus.choices, default=ExceptionStatus.PENDING
    )
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("申请人"), on_delete=models.PROTECT, related_name="+"
    )
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("审批人"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    decided_at = models.DateTimeField(_("审批时间"), null=True, blank=True)
    decision_note = models.CharField(_("审批意见"), max_length=500, blank=True)

    objects = ScopedQuerySet.as_manager()

    class Meta:
        verbose_name = _("超频次检查审批")
        verbose_name_plural = _("超频次检查审批")

    def __str__(self) -> str:
        return f"{self.enterprise.name} {self.year}"

    def get_absolute_url(self) -> str:
        return reverse("inspections:cap_exception_detail", args=[self.pk])


class InspectionPlan(ScopedModel):
    """年度监督检查计划 of one department: key units in full plus 双随机 for general units."""

    scope = ScopePaths(department="department_id")
    department = models.ForeignKey(
        "registry.Department",
        verbose_name=_("部门"),
        on_delete=models.PROTECT,
        related_name="inspection_plans",
    )
    year = models.PositiveSmallIntegerField(_("年度"))
    title = models.CharField(_("计划名称"), max_length=200)
    random_ratio = models.DecimalField(_("一般单位抽查比例（%）"), max_digits=5, decimal_places=2, default=5)
    notes = models.TextField(_("说明"), blank=True)
    status = models.CharField(_("状态"), max_length=10, choices=PlanStatus.choices, default=PlanStatus.DRAFT)
    submitted_at = models.DateTimeField(_("提交时间"), null=True, blank=True)
    approved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("审批人"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    approved_at = models.DateTimeField(_("审批时间"), null=True, blank=True)
    is_public = models.BooleanField(_("已公开"), default=False)
    review_note = models.CharField(_("审批意见"), max_length=500, blank=True)

    class Meta:
        verbose_name = _("年度监督检查计划")
        verbose_name_plural = _("年度监督检查计划")
        ordering = ["-year", "department__sort_order"]
        constraints = [
            models.UniqueConstraint(fields=["department", "year"], name="inspection_plan_unique"),
        ]

    def __str__(self) -> str:
        return self.title

    def get_absolute_url(self) -> str:
        return reverse("inspections:plan_detail", args=[self.pk])


class PlanUnit(BaseModel):
    """A unit in a plan: a key unit inspected in full, or one drawn by 双随机."""

    scope = ScopePaths(department="plan__department_id")
    plan = models.ForeignKey(
        InspectionPlan, verbose_name=_("计划"), on_delete=models.CASCADE, related_name="units"
    )
    enterprise = models.ForeignKey(
        "registry.Enterprise", verbose_name=_("生产经营单位"), on_delete=models.PROTECT, related_name="+"
    )
    kind = models.CharField(_("类别"), max_length=10, choices=PlanUnitKind.choices)
    planned_quarter = models.PositiveSmallIntegerField(_("计划季度"), null=True, blank=True)
    inspection = models.ForeignKey(
        "inspections.Inspection",
        verbose_name=_("检查"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )

    objects = ScopedQuerySet.as_manager()

    class Meta:
        verbose_name = _("计划检查单位")
        verbose_name_plural = _("计划检查单位")
        constraints = [
            models.UniqueConstraint(fields=["plan", "enterprise"], name="plan_unit_unique"),
        ]


class Draw(ScopedModel):
    """双随机抽查: one draw of units from a frozen pool and of officers (≥ 2 per check), with 回避.

    `criteria` holds the pool filters and parameters as entered; `entity_pool`, `officer_pool`,
    `excluded_pairs` and `weights` are the frozen inputs (canonical JSON) the commitment covers.
    """

    scope = ScopePaths(department="department_id")
    code = models.CharField(_("抽查编号"), max_length=40, unique=True)
    department = models.ForeignKey(
        "registry.Department", verbose_name=_("部门"), on_delete=models.PROTECT, related_name="draws"
    )
    plan = models.ForeignKey(
        InspectionPlan,
        verbose_name=_("年度计划"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="draws",
    )
    title = models.CharField(_("抽查任务名称"), max_length=200)
    subject = models.CharField(_("抽查事项"), max_length=200, blank=True)
    criteria = models.JSONField(_("抽取条件"), default=dict)
    status = models.CharField(_("状态"), max_length=12, choices=DrawStatus.choices, default=DrawStatus.DRAFT)
    algorithm = models.CharField(_("算法版本"), max_length=20, default="zhiben-draw-1")

    @property
    def algorithm_label(self) -> str:
        from ..draw_algorithm import algorithm_label  # draw_algorithm imports nothing of the models' app

        return algorithm_label(self.algorithm)

    entity_pool = models.JSONField(_("检查对象名录（冻结）"), default=list)
    officer_pool = models.JSONField(_("执法人员名录（冻结）"), default=list)
    excluded_pairs = models.JSONField(_("回避对（冻结）"), default=list)
    weights = models.JSONField(
        _("风险权重（冻结）"), default=list
    )  # aligned with entity_pool; [] = unweighted
    # Count, officers per check, max checks per officer, weighting: the frozen parameters the commitment covers.
    parameters = models.JSONField(_("抽取参数（冻结）"), default=dict)
    # Sizes of the frozen pools, so lists need not load the pools themselves.
    entity_count = models.PositiveIntegerField(_("名录单位数"), default=0)
    officer_count = models.PositiveIntegerField(_("执法人员数"), default=0)
    pool_digest = models.CharField(_("名录摘要（SM3）"), max_length=64, blank=True)
    seed_digest = models.CharField(_("种子承诺值（SM3）"), max_length=64, blank=True)
    seed = models.CharField(_("随机种子"), max_length=64, blank=True)  # secret until revealed
    committed_at = models.DateTimeField(_("承诺公布时间"), null=True, blank=True)
    drawn_at = models.DateTimeField(_("抽取时间"), null=True, blank=True)
    published_at = models.DateTimeField(_("结果公开时间"), null=True, blank=True)
    result_digest = models.CharField(_("结果摘要（SM3）"), max_length=64, blank=True)
    redraw_of = models.OneToOneField(
        "self",
        verbose_name=_("重新抽取自"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="redrawn_as",
    )
    redraw_reason = models.TextField(_("重新抽取理由"), blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("创建人"),
        null=True,
        on_delete=models.PROTECT,
        related_name="+",
    )

    class Meta:
        verbose_name = _("双随机抽查")
        verbose_name_plural = _("双随机抽查")
        ordering = ["-created_at", "-pk"]

    def __str__(self) -> str:
        return f"{self.code} {self.title}"

    def get_absolute_url(self) -> str:
        return reverse("inspections:draw_detail", args=[self.pk])


class DrawAssignment(BaseModel):
    """One drawn unit with its drawn officers (in draw order), and the inspection created for it."""

    scope = ScopePaths(department="draw__department_id")
    draw = models.ForeignKey(
        Draw, verbose_name=_("抽查"), on_delete=models.CASCADE, related_name="assignments"
    )
    position = models.PositiveIntegerField(_("序号"))
    enterprise = models.ForeignKey(
        "registry.Enterprise", verbose_name=_("生产经营单位"), on_delete=models.PROTECT, related_name="+"
    )
    officer_ids = models.JSONField(_("检查人员"), default=list)
    inspection = models.OneToOneField(
        "inspections.Inspection",
        verbose_name=_("检查"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="draw_assignment",
    )

    objects = ScopedQuerySet.as_manager()

    class Meta:
        verbose_name = _("抽查结果")
        verbose_name_plural = _("抽查结果")
        ordering = ["draw", "position"]
        constraints = [
            models.UniqueConstraint(fields=["draw", "position"], name="draw_assignment_position_unique"),
            models.UniqueConstraint(fields=["draw", "enterprise"], name="draw_assignment_enterprise_unique"),
        ]
