"""Import pages an app subclasses, and the stored error reports (MEDIA_ROOT/imports/<uuid>.xlsx)."""

from __future__ import annotations

import datetime as dt
import json
import uuid
from collections.abc import Callable
from pathlib import Path
from typing import Any, ClassVar

from django import forms
from django.conf import settings
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.http.response import HttpResponseBase
from django.shortcuts import render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views import View

from ..views import ScopedViewMixin
from .export import XLSX_MIME, workbook_response
from .importer import ImportResult, error_report_workbook, make_template, run_import
from .reader import MAX_UPLOAD_BYTES, ImportFileError
from .spec import ImportMode, ImportSpec

# ---------------------------------------------------------------------------------------------------------
# Stored error reports: MEDIA_ROOT/imports/<uuid>.xlsx, readable only by the user who imported


REPORT_DIR = "imports"
REPORT_LIFETIME = dt.timedelta(days=7)


def _report_dir() -> Path:
    return Path(settings.MEDIA_ROOT) / REPORT_DIR


def store_error_report(result: ImportResult, owner: Any) -> uuid.UUID:
    """Save the error report for `owner`; returns the token of its download link. Old reports are purged."""
    directory = _report_dir()
    directory.mkdir(parents=True, exist_ok=True)
    _purge_old_reports(directory)
    token = uuid.uuid4()
    error_report_workbook(result).save(directory / f"{token}.xlsx")
    meta = {"owner": owner.pk, "title": result.title, "at": timezone.now().isoformat()}
    (directory / f"{token}.json").write_text(json.dumps(meta, ensure_ascii=False), encoding="utf-8")
    return token


def error_report_path(token: uuid.UUID, user: Any) -> tuple[Path, dict[str, Any]]:
    """The stored report of `token` if `user` made it; anyone else gets 404 (not 403: no existence leak)."""
    directory = _report_dir()
    meta_path, path = directory / f"{token}.json", directory / f"{token}.xlsx"
    try:
        meta = json.loads(meta_path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        raise Http404 from None
    if meta.get("owner") != getattr(user, "pk", None) or not path.exists():
        raise Http404
    return path, meta


def _purge_old_reports(directory: Path) -> None:
    cutoff = (timezone.now() - REPORT_LIFETIME).timestamp()
    for path in directory.glob("*.*"):
        try:
            if path.suffix in (".xlsx", ".json") and path.stat().st_mtime < cutoff:
                path.unlink()
        except OSError:
            continue  # another worker purged it first


# ---------------------------------------------------------------------------------------------------------
# Views: an app subclasses these with its spec, model, template and URL names


class ImportForm(forms.Form):
    """The upload form of an import page (数据导入)."""

    file = forms.FileField(label=gettext_lazy("Excel 文件（.xlsx）"))
    mode = forms.ChoiceField(
        label=gettext_lazy("导入方式"),
        choices=ImportMode.choices,
        initial=ImportMode.ALL_OR_NOTHING,
        widget=forms.RadioSelect,
    )

    def clean_file(self) -> Any:
        upload = self.cleaned_data["file"]
        if upload.size > MAX_UPLOAD_BYTES:
            raise forms.ValidationError(
                _("文件超过 %(n)d MB，请分批导入。") % {"n": MAX_UPLOAD_BYTES // 1024 // 1024}
            )
        return upload


class ImportView(ScopedViewMixin, View):
    """Upload page: GET shows the form, POST runs the import and shows counts and the row errors."""

    action = "import"
    spec_factory: ClassVar[Callable[[], ImportSpec]]
    template_name: ClassVar[str]
    template_url_name: ClassVar[str]
    errors_url_name: ClassVar[str]
    list_url_name: ClassVar[str | None] = None

    def get(self, request: HttpRequest) -> HttpResponse:
        self.check_action(request)
        return self.render_page(request, ImportForm())

    def post(self, request: HttpRequest) -> HttpResponse:
        self.check_action(request)
        form = ImportForm(request.POST, request.FILES)
        if not form.is_valid():
            return self.render_page(request, form, status=400)
        upload = form.cleaned_data["file"]
        spec = type(self).spec_factory()
        try:
            result = run_import(
                spec, upload, actor=request.user, mode=form.cleaned_data["mode"], filename=upload.name
            )
        except ImportFileError as exc:
            form.add_error("file", exc.message)
            return self.render_page(request, form, status=400)
        token = store_error_report(result, request.user) if result.failed else None
        return self.render_page(
            request, ImportForm(initial={"mode": result.mode}), result=result, token=token
        )

    def render_page(
        self, request: HttpRequest, form: ImportForm, status: int = 200, **extra: Any
    ) -> HttpResponse:
        spec = type(self).spec_factory()
        context = {
            "title": _("导入%(t)s") % {"t": spec.title_text},
            "spec": spec,
            "form": form,
            "template_url_name": self.template_url_name,
            "errors_url_name": self.errors_url_name,
            "list_url_name": self.list_url_name,
            "max_mb": MAX_UPLOAD_BYTES // 1024 // 1024,
            **extra,
        }
        return render(request, self.template_name, context, status=status)


class ImportTemplateView(ScopedViewMixin, View):
    """Download the import template (导入模板)."""

    action = "import"
    spec_factory: ClassVar[Callable[[], ImportSpec]]

    def get(self, request: HttpRequest) -> HttpResponse:
        self.check_action(request)
        spec = type(self).spec_factory()
        return workbook_response(make_template(spec), _("%(t)s导入模板.xlsx") % {"t": spec.title_text})


class ImportErrorReportView(ScopedViewMixin, View):
    """Download a stored error report; only its owner may (404 for anyone else)."""

    action = "import"

    def get(self, request: HttpRequest, token: uuid.UUID) -> HttpResponseBase:
        self.check_action(request)
        path, meta = error_report_path(token, request.user)
        return FileResponse(
            path.open("rb"),
            as_attachment=True,
            filename=_("%(t)s导入错误报告.xlsx") % {"t": meta.get("title", "")},
            content_type=XLSX_MIME,
        )
