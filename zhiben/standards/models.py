"""重大事故隐患判定标准: sector standards, their versions, and the clauses a 重大 hazard cites.

A new version is a new `StandardVersion` with its own clauses; old versions stay, so a hazard keeps citing
the clause it was judged under. Data ships in `data/*.json` with its source and confidence (V/M/U).
"""

from __future__ import annotations

from django.db import models
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from zhiben.core.models import BaseModel, VersionedModel
from zhiben.core.scoping import ScopedQuerySet, ScopePaths


class Confidence(models.TextChoices):
    VERIFIED = "V", _("已核实")
    MEDIUM = "M", _("较可靠")
    UNVERIFIED = "U", _("待核实")


class Standard(VersionedModel):
    """One sector's judgement standard (工贸, 化工和危险化学品, 烟花爆竹 …) across its versions."""

    scope = ScopePaths(unscoped=True)
    code = models.CharField(_("代码"), max_length=40, unique=True)
    sector = models.CharField(_("行业领域"), max_length=50)
    name = models.CharField(_("标准名称"), max_length=200)
    industries = models.ManyToManyField(
        "registry.Industry",
        verbose_name=_("适用行业"),
        blank=True,
        related_name="standards",
        help_text=_("登记该行业单位的隐患时优先列出本标准"),
    )
    text_found = models.BooleanField(
        _("已收录条款"), default=True, help_text=_("公开资料未找到条款文本的标准为空标准，可由区安委办补录")
    )
    sort_order = models.PositiveSmallIntegerField(_("排序"), default=0)

    objects = ScopedQuerySet.as_manager()

    class Meta:
        verbose_name = _("判定标准")
        verbose_name_plural = _("判定标准")
        ordering = ["sort_order", "code"]

    def __str__(self) -> str:
        return f"{self.sector}：{self.name}"

    def get_absolute_url(self) -> str:
        return reverse("standards:standard_detail", args=[self.pk])

    @property
    def current_version(self) -> StandardVersion | None:
        return self.versions.filter(is_current=True).first()


class StandardVersion(VersionedModel):
    """One issued text of a standard: document number, dates, and its clauses."""

    scope = ScopePaths(unscoped=True)
    standard = models.ForeignKey(
        Standard, verbose_name=_("判定标准"), on_delete=models.PROTECT, related_name="versions"
    )
    label = models.CharField(_("版本"), max_length=40, help_text=_("如 2023版、2024版"))
    title = models.CharField(_("文件标题"), max_length=200)
    doc_number = models.CharField(_("文号"), max_length=100, blank=True)
    issued_on = models.DateField(_("发布日期"), null=True, blank=True)
    effective_from = models.DateField(_("施行日期"), null=True, blank=True)
    effective_to = models.DateField(_("废止日期"), null=True, blank=True)
    is_current = models.BooleanField(_("现行有效"), default=True)
    source = models.CharField(_("来源"), max_length=300, blank=True)
    confidence = models.CharField(
        _("核实状态"), max_length=1, choices=Confidence.choices, default=Confidence.UNVERIFIED
    )
    notes = models.TextField(_("说明"), blank=True)

    objects = ScopedQuerySet.as_manager()

    class Meta:
        verbose_name = _("判定标准版本")
        verbose_name_plural = _("判定标准版本")
        ordering = ["standard__sort_order", "standard__code", "-effective_from", "label"]
        constraints = [
            models.UniqueConstraint(fields=["standard", "label"], name="standard_version_unique"),
        ]

    def __str__(self) -> str:
        number = f"（{self.doc_number}）" if self.doc_number else ""
        return f"{self.title}{number} {self.label}"

    def get_absolute_url(self) -> str:
        return reverse("standards:version_detail", args=[self.pk])


class Clause(BaseModel):
    """One judgement item of a version, e.g. 工贸 第四条第（六）项: the text a 重大 hazard cites.

    Not a VersionedModel: `version` is the standard version it belongs to, and clause writes
    compare-and-swap that StandardVersion's row version instead (see services.py).
    """

    scope = ScopePaths(unscoped=True)
    version = models.ForeignKey(
        StandardVersion, verbose_name=_("标准版本"), on_delete=models.PROTECT, related_name="clauses"
    )
    code = models.CharField(_("条款编号"), max_length=40, help_text=_("在本版本内唯一，如 4.6、第四条（六）"))
    article = models.CharField(_("所属条/章"), max_length=100, blank=True, help_text=_("如 第四条 冶金企业"))
    text = models.TextField(_("条款内容（释义）"))
    sort_order = models.PositiveIntegerField(_("排序"), default=0)

    objects = ScopedQuerySet.as_manager()

    class Meta:
        verbose_name = _("判定条款")
        verbose_name_plural = _("判定条款")
        ordering = ["version", "sort_order", "code"]
        constraints = [
            models.UniqueConstraint(fields=["version", "code"], name="clause_code_unique"),
        ]

    def __str__(self) -> str:
        return f"{self.version.standard.sector} {self.code} {self.text[:30]}"

    def get_absolute_url(self) -> str:
        return reverse("standards:clause_detail", args=[self.pk])

    @property
    def citation(self) -> str:
        """How a document cites it: 《标准》（文号）第七条（五）. The article heading ("机械企业") is left out
        when the clause code already names the article, so the citation reads as one phrase."""
        v = self.version
        number = f"（{v.doc_number}）" if v.doc_number else ""
        code = self.code.strip()
        article = (self.article or "").split()[0] if self.article else ""
        where = code if code.startswith("第") or not article else f"{article} {code}"
        return f"《{v.title}》{number}{where}"


class Checklist(VersionedModel):
    """检查表: the items an inspector or a unit goes through, built from judgement clauses plus custom items.

    A department's checklist (`department`) serves its inspections; a joint inspection merges the checklists
    of every department taking part. A unit's own checklist (`enterprise`) serves its self-inspection.
    Neither set: a district template anyone may copy.
    """

    # Checklists are working tools, not sensitive records: readable by all who may view checklists; who
    # may change one (its department, its unit, or the office for templates) is checked in services.
    scope = ScopePaths(unscoped=True)
    name = models.CharField(_("检查表名称"), max_length=100)
    department = models.ForeignKey(
        "registry.Department",
        verbose_name=_("所属部门"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="checklists",
    )
    enterprise = models.ForeignKey(
        "registry.Enterprise",
        verbose_name=_("所属单位"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="checklists",
    )
    industry = models.ForeignKey(
        "registry.Industry",
        verbose_name=_("适用行业"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="checklists",
    )
    description = models.TextField(_("说明"), blank=True)
    active = models.BooleanField(_("启用"), default=True)

    objects = ScopedQuerySet.as_manager()

    class Meta:
        verbose_name = _("检查表")
        verbose_name_plural = _("检查表")
        ordering = ["name", "pk"]

    def __str__(self) -> str:
        return self.name

    def get_absolute_url(self) -> str:
        return reverse("standards:checklist_detail", args=[self.pk])


class ChecklistItem(BaseModel):
    """One line of a checklist: a judgement clause (its text kept as answered) or a custom item.

    Answering 不符合 on a clause item proposes a 重大 hazard citing that clause.
    """

    scope = ScopePaths(unscoped=True)
    checklist = models.ForeignKey(
        Checklist, verbose_name=_("检查表"), on_delete=models.CASCADE, related_name="items"
    )
    clause = models.ForeignKey(
        Clause,
        verbose_name=_("判定条款"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="checklist_items",
    )
    text = models.TextField(_("检查内容"))
    guidance = models.TextField(_("检查方法"), blank=True)
    sort_order = models.PositiveIntegerField(_("排序"), default=0)

    objects = ScopedQuerySet.as_manager()

    class Meta:
        verbose_name = _("检查项")
        verbose_name_plural = _("检查项")
        ordering = ["checklist", "sort_order", "pk"]

    def __str__(self) -> str:
        return self.text[:40]

    @property
    def is_major_clause(self) -> bool:
        """A clause item: 不符合 means a 重大事故隐患 under that clause."""
        return self.clause_id is not None
