"""Official documents (公文): editable templates, and each issued document with its sequential 文号."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from .base import VersionedModel


class DocumentKind(models.TextChoices):
    """The form a document is laid out in (chosen per template, by data)."""

    # GB/T 9704-2012: red 发文机关标志 and rule, 发文字号, title, 主送, body, 署名 and 成文日期, 版记 with 印发.
    OFFICIAL = "official", _("公文")
    # 安全生产执法文书样式 (决定书, 指令书): the body's full name over a centred title, the number, the text,
    # the body's name and date for the seal; no red header, no 版记.
    ENFORCEMENT = "enforcement", _("执法文书")
    # 笔录 (现场检查笔录, 询问笔录): like 执法文书, with the form's fields, signature blanks instead of the
    # 落款, and "共 N 页 第 M 页" on every page.
    RECORD = "record", _("笔录")


class DocumentTemplate(VersionedModel):
    """An editable template for one kind of document (函告, 通报, 约谈通知书, 交办单, 笔录, 决定书 …).

    `number_prefix` with the year and a sequence gives the 文号: 屈安办函〔2025〕12号, or with the issuing
    body's 代字 in front, （屈应急）罚〔2025〕3号. `title` and `body` are Django template text rendered with
    the document's context; `kind` chooses the layout (公文 / 执法文书 / 笔录).
    """

    code = models.CharField(_("代码"), max_length=40, unique=True)
    name = models.CharField(_("名称"), max_length=100)
    issuer = models.CharField(_("发文机关"), max_length=100)
    number_prefix = models.CharField(
        _("文号前缀"), max_length=20, help_text=_("如 屈安办函、屈安办通、（屈应急）罚")
    )
    kind = models.CharField(
        _("文书格式"),
        max_length=20,
        choices=DocumentKind.choices,
        default=DocumentKind.OFFICIAL,
        help_text=_("公文：红头、版记和印发；执法文书：机关全称、标题、文号、落款；笔录：栏目、签名栏和页码"),
    )
    title = models.CharField(_("标题模板"), max_length=300)
    body = models.TextField(_("正文模板"), help_text=_("Django 模板语法；可用变量见页面说明"))
    verified = models.BooleanField(_("已核实"), default=False, help_text=_("格式与用语经区安委办确认"))

    class Meta:
        verbose_name = _("公文模板")
        verbose_name_plural = _("公文模板")
        ordering = ["code"]

    def __str__(self) -> str:
        return self.name


class OfficialDocument(models.Model):
    """One issued document: its number, the rendered text, and the Word and PDF files."""

    template = models.ForeignKey(
        DocumentTemplate, verbose_name=_("模板"), on_delete=models.PROTECT, related_name="documents"
    )
    number = models.CharField(_("文号"), max_length=60, unique=True)
    year = models.PositiveSmallIntegerField(_("年度"))
    seq = models.PositiveIntegerField(_("序号"))
    title = models.CharField(_("标题"), max_length=300)
    body = models.TextField(_("正文"))
    context = models.JSONField(_("数据"), default=dict, blank=True)
    docx = models.FileField(_("Word 文件"), upload_to="documents/%Y/", blank=True)
    pdf = models.FileField(_("PDF 文件"), upload_to="documents/%Y/", blank=True)
    object_type = models.CharField(_("关联对象类型"), max_length=100, blank=True)
    object_id = models.CharField(_("关联对象"), max_length=64, blank=True)
    issued_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("签发人"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    issued_at = models.DateTimeField(_("签发时间"))

    class Meta:
        verbose_name = _("公文")
        verbose_name_plural = _("公文")
        ordering = ["-issued_at", "-id"]
        indexes = [models.Index(fields=["object_type", "object_id"], name="document_object_idx")]

    def __str__(self) -> str:
        return f"{self.number} {self.title}"
