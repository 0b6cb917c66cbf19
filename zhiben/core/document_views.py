"""Pages of the document framework: scoped download of issued documents, and the template editor.

Wire into core/urls.py with `urlpatterns += document_views.urlpatterns` (names: core:document_download,
core:document_template_list, core:document_template_edit).
"""

from __future__ import annotations

from django import forms
from django.contrib import messages
from django.contrib.auth.mixins import LoginRequiredMixin
from django.core.exceptions import PermissionDenied
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.http.response import HttpResponseBase
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import path, reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views import View

from . import audit
from .bounds import BoundedForm
from .documents import (
    DOCUMENT_DOWNLOADED,
    DocumentError,
    can_view_document,
    preview_layout,
    render_files,
    render_official_html,
    template_variables,
    update_document_template,
)
from .loop.calls import posted_version, run_service
from .models.documents import DocumentKind, DocumentTemplate, OfficialDocument
from .scoping import can

FORMATS = {
    "docx": ("application/vnd.openxmlformats-officedocument.wordprocessingml.document", True),
    "pdf": ("application/pdf", False),  # shown in the browser's viewer
}


class DocumentDownloadView(LoginRequiredMixin, View):
    """公文下载: the Word or PDF file, only to whoever may see the object it concerns (else 404)."""

    model = OfficialDocument

    def get(self, request: HttpRequest, pk: int, fmt: str) -> HttpResponseBase:
        if fmt not in FORMATS:
            raise Http404
        document = get_object_or_404(OfficialDocument.objects.select_related("template"), pk=pk)
        if not can_view_document(request.user, document):
            raise Http404  # out of scope reads as absent (R08)
        file = document.docx if fmt == "docx" else document.pdf
        if not file or not file.storage.exists(file.name):
            # Deferred rendering has not run yet (worker busy or down): render now rather than fail.
            render_files(document)
            file = document.docx if fmt == "docx" else document.pdf
        audit.record(document, DOCUMENT_DOWNLOADED, actor=request.user, data={"format": fmt})
        content_type, attachment = FORMATS[fmt]
        response = FileResponse(
            file.open("rb"),
            as_attachment=attachment,
            filename=f"{(document.number + document.title)[:120]}.{fmt}",
            content_type=content_type,
        )
        response["Cache-Control"] = "private, no-store"
        response["X-Content-Type-Options"] = "nosniff"
        return response


class DocumentTemplateForm(BoundedForm):
    name = forms.CharField(label=gettext_lazy("名称"), max_length=100)
    issuer = forms.CharField(label=gettext_lazy("发文机关"), max_length=100)
    number_prefix = forms.CharField(
        label=gettext_lazy("文号前缀"),
        max_length=20,
        help_text=gettext_lazy("如 屈安办函、（屈应急）罚；文号为 前缀〔年份〕序号号"),
    )
    kind = forms.ChoiceField(
        label=gettext_lazy("文书格式"),
        choices=DocumentKind.choices,
        help_text=gettext_lazy(
            "公文：红头、版记和印发；执法文书：机关全称、标题、文号、落款；笔录：栏目、签名栏和页码"
        ),
    )
    title = forms.CharField(label=gettext_lazy("标题模板"), max_length=300)
    body = forms.CharField(
        label=gettext_lazy("正文模板"),
        widget=forms.Textarea(attrs={"rows": 18, "class": "font-monospace", "spellcheck": "false"}),
    )
    verified = forms.BooleanField(
        label=gettext_lazy("已核实"), required=False, help_text=gettext_lazy("格式与用语经区安委办确认")
    )


class DocumentTemplateListView(LoginRequiredMixin, View):
    """公文模板: the office's list of templates with their 文号 prefixes and check status."""

    model = DocumentTemplate

    def get(self, request: HttpRequest) -> HttpResponse:
        if not can(request.user, "view", DocumentTemplate):
            raise PermissionDenied(_("您无权访问此页面。"))
        return render(
            request,
            "core/documents/template_list.html",
            {
                "title": _("公文模板"),
                "templates": DocumentTemplate.objects.order_by("code"),
                "can_change": can(request.user, "change", DocumentTemplate),
            },
        )


class DocumentTemplateEditView(LoginRequiredMixin, View):
    """Edit one template; "预览" renders the unsaved text with sample data, "保存" checks and stores it."""

    model = DocumentTemplate

    def _template(self, request: HttpRequest, pk: int) -> DocumentTemplate:
        if not can(request.user, "change", DocumentTemplate):
            raise PermissionDenied(_("您无权修改公文模板。"))
        return get_object_or_404(DocumentTemplate, pk=pk)

    def get(self, request: HttpRequest, pk: int) -> HttpResponse:
        template = self._template(request, pk)
        form = DocumentTemplateForm(
            initial={f: getattr(template, f) for f in DocumentTemplateForm.base_fields}
        )
        return self.render_page(request, template, form, version=template.version)

    def post(self, request: HttpRequest, pk: int) -> HttpResponse:
        template = self._template(request, pk)
        form = DocumentTemplateForm(request.POST)
        posted = posted_version(request)
        version = template.version if posted is None else posted
        if not form.is_valid():
            return self.render_page(request, template, form, version=version, status=400)
        data = form.cleaned_data
        if "preview" in request.POST:
            return self.render_page(request, template, form, version=version, preview=True)
        _saved, status = run_service(
            request,
            form,
            lambda: update_document_template(template, actor=request.user, version=version, **data),
        )
        if status != 200:
            return self.render_page(
                request, template, form, version=version, status=status, conflict=status == 409
            )
        messages.success(request, _("公文模板“%(name)s”已保存。") % {"name": template.name})
        return redirect(reverse("core:document_template_list"))

    def render_page(
        self,
        request: HttpRequest,
        template: DocumentTemplate,
        form: DocumentTemplateForm,
        *,
        version: int,
        status: int = 200,
        preview: bool = False,
        conflict: bool = False,
    ) -> HttpResponse:
        preview_html = ""
        if form.is_bound and form.is_valid():
            title, body = form.cleaned_data["title"], form.cleaned_data["body"]
        elif form.is_bound:
            title, body = "", ""
        else:
            title, body = template.title, template.body
        if title and body:
            try:
                extra = (
                    {
                        "issuer": form.cleaned_data["issuer"],
                        "number_prefix": form.cleaned_data["number_prefix"],
                        "kind": form.cleaned_data["kind"],
                    }
                    if form.is_bound
                    else {}
                )
                layout = preview_layout(template, title=title, body=body, **extra)
                preview_html = render_official_html(layout, preview=True)
            except DocumentError as exc:
                if form.is_bound and exc.field in form.fields and exc.field not in form.errors:
                    form.add_error(exc.field, exc.message)
                status = 400
        return render(
            request,
            "core/documents/template_form.html",
            {
                "title": _("编辑公文模板：%(name)s") % {"name": template.name},
                "object": template,
                "form": form,
                "version": version,
                "variables": sorted(template_variables(template.code).items()),
                "preview_html": preview_html,
                "previewed": preview,
                "conflict": conflict,
            },
            status=status,
        )


urlpatterns = [
    path("documents/<int:pk>/<slug:fmt>/", DocumentDownloadView.as_view(), name="document_download"),
    path("document-templates/", DocumentTemplateListView.as_view(), name="document_template_list"),
    path(
        "document-templates/<int:pk>/edit/", DocumentTemplateEditView.as_view(), name="document_template_edit"
    ),
]
