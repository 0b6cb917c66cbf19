"""Import pages an app subclasses, and the stored error reports (MEDIA_ROOT/imports/<uuid>.xlsx)."""

from __future__ import annotations

import datetime as dt
import json
import os
import uuid
from collections.abc import Callable
from pathlib import Path
from typing import Any, ClassVar

from django import forms
from django.conf import settings
from django.contrib.auth import get_user_model
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.http.response import HttpResponseBase
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.module_loading import import_string
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views import View

from ..bounds import BoundedForm
from ..jobs import enqueue_on_commit, job, reap_stale_runs, worker_alive, worker_id
from ..views import ScopedViewMixin
from .export import XLSX_MIME, workbook_response
from .importer import ImportResult, error_report_workbook, make_template, run_import
from .reader import MAX_UPLOAD_BYTES, ImportFileError, parse_workbook
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


# ---------------------------------------------------------------------------------------------------------
# Background imports: a large sheet runs in the worker; its state lives in MEDIA_ROOT/imports/run-<uuid>.json
# (a file, not a table: SQLite admits one writer, and the import's own transaction holds it to the end).

# Sheets with more data rows than this run in the worker with a progress page; smaller ones answer at once.
SYNC_ROWS = 300
# Uploads bigger than this are not even read in the request: the worker reads and imports them.
SYNC_BYTES = 256 * 1024
MAX_STORED_ERRORS = 500


def _run_meta_path(token: uuid.UUID | str) -> Path:
    return _report_dir() / f"run-{token}.json"


def _run_upload_path(token: uuid.UUID | str) -> Path:
    return _report_dir() / f"run-{token}.upload.xlsx"


ABANDONED_MESSAGE = gettext_lazy(
    "导入中断：后台任务在导入过程中意外退出，本次没有导入任何数据（整份表格在一个事务中导入）。请重新上传文件导入。"
)


def _write_run(token: uuid.UUID | str, meta: dict[str, Any]) -> None:
    """Replace the run's state atomically, so a reader never sees half a file."""
    path = _run_meta_path(token)
    tmp = path.with_suffix(".tmp")
    tmp.write_text(json.dumps(meta, ensure_ascii=False), encoding="utf-8")
    os.replace(tmp, path)


def read_run(token: uuid.UUID | str, user: Any) -> dict[str, Any]:
    """A background import's state, for the user who started it only (404 for anyone else)."""
    try:
        meta = json.loads(_run_meta_path(token).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        raise Http404 from None
    if meta.get("owner") != getattr(user, "pk", None):
        raise Http404
    return meta


def start_background_import(
    spec_factory: Callable[[], ImportSpec], upload: Any, *, actor: Any, mode: str, total: int
) -> uuid.UUID:
    """Keep the upload and queue the import job; the job starts after the current transaction commits."""
    directory = _report_dir()
    directory.mkdir(parents=True, exist_ok=True)
    _purge_old_reports(directory)
    token = uuid.uuid4()
    with _run_upload_path(token).open("wb") as out:
        for chunk in upload.chunks():
            out.write(chunk)
    _write_run(
        token,
        {
            "owner": actor.pk,
            "spec": f"{spec_factory.__module__}.{spec_factory.__qualname__}",
            "title": spec_factory().title_text,
            "mode": mode,
            "filename": upload.name,
            "state": "queued",
            "done": 0,
            "total": total,
            "at": timezone.now().isoformat(),
        },
    )
    enqueue_on_commit(run_import_job, str(token))
    return token


def run_stored_import(token: str) -> dict[str, Any]:
    """The worker's side: run a queued import, reporting progress; a second call for the same run does nothing."""
    meta = json.loads(_run_meta_path(token).read_text(encoding="utf-8"))
    if meta["state"] != "queued":
        return {"state": meta["state"]}  # already run (a retried or duplicated job): importing twice is wrong
    meta["state"] = "running"
    meta["worker"] = worker_id()  # so the page can tell a run whose worker died (abandon_import)
    _write_run(token, meta)

    def progress(done: int, total: int) -> None:
        meta.update(done=done, total=total)
        _write_run(token, meta)

    actor = get_user_model()._default_manager.get(pk=meta["owner"])
    spec = import_string(meta["spec"])()
    try:
        with _run_upload_path(token).open("rb") as f:
            result = run_import(
                spec, f, actor=actor, mode=meta["mode"], filename=meta["filename"], progress=progress
            )
    except ImportFileError as exc:
        meta.update(state="failed", message=exc.message)
    else:
        report = store_error_report(result, actor) if result.failed else None
        meta.update(
            state="done",
            done=result.total,
            report=str(report) if report else None,
            result={
                **result.counts(),
                "filename": result.filename,
                "mode": result.mode,
                "rolled_back": result.rolled_back,
                "errors": [
                    {"row": e.row, "column": str(e.column or ""), "message": str(e.message)}
                    for e in result.errors[:MAX_STORED_ERRORS]
                ],
                "errors_cut": max(0, len(result.errors) - MAX_STORED_ERRORS),
            },
        )
    finally:
        _run_upload_path(token).unlink(missing_ok=True)
    _write_run(token, meta)
    return {"state": meta["state"], "done": meta["done"]}


def abandon_import(token: str) -> None:
    """The worker died during this import: the run fails with a clear message and its upload is deleted.

    Nothing was written (the import is one transaction, which the database rolled back with the dead
    connection), so the page offers to upload again. A run that has ended is left alone."""
    try:
        meta = json.loads(_run_meta_path(token).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return
    if meta.get("state") in ("queued", "running"):
        meta.update(state="failed", message=str(ABANDONED_MESSAGE))
        _write_run(token, meta)
    _run_upload_path(token).unlink(missing_ok=True)
    _run_meta_path(token).with_suffix(".tmp").unlink(missing_ok=True)


@job(retries=0, resume=False, on_abandoned=abandon_import)
def run_import_job(token: str) -> dict[str, object]:
    """A large Excel import (数据导入) in the worker; the page polls its progress. Not retried: a failed
    import reports its error to the user rather than running again behind their back; nor resumed when its
    worker dies (abandon_import tells the user)."""
    return run_stored_import(token)


def _purge_old_reports(directory: Path) -> None:
    cutoff = (timezone.now() - REPORT_LIFETIME).timestamp()
    for path in directory.glob("*.*"):
        try:
            if path.suffix in (".xlsx", ".json", ".tmp") and path.stat().st_mtime < cutoff:
                path.unlink()
        except OSError:
            continue  # another worker purged it first


# ---------------------------------------------------------------------------------------------------------
# Views: an app subclasses these with its spec, model, template and URL names


class ImportForm(BoundedForm):
    """The upload form of an import page (数据导入). A page with a second upload (another file format) gives
    it its own `prefix` and `file_label`."""

    file = forms.FileField(label=gettext_lazy("Excel 文件（.xlsx）"))
    mode = forms.ChoiceField(
        label=gettext_lazy("导入方式"),
        choices=ImportMode.choices,
        initial=ImportMode.ALL_OR_NOTHING,
        widget=forms.RadioSelect,
    )

    def __init__(self, *args: Any, file_label: Any = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if file_label is not None:
            self.fields["file"].label = file_label

    def clean_file(self) -> Any:
        upload = self.cleaned_data["file"]
        if upload.size > MAX_UPLOAD_BYTES:
            raise forms.ValidationError(
                _("文件超过 %(n)d MB，请分批导入。") % {"n": MAX_UPLOAD_BYTES // 1024 // 1024}
            )
        return upload


class ImportView(ScopedViewMixin, View):
    """Upload page: GET shows the form, POST runs the import and shows counts and the row errors.

    A sheet of more than SYNC_ROWS data rows runs in the worker and the page redirects to its progress. A view
    importing another file format overrides `read_upload` (turn the upload into the sheet) and, when the page
    shows that upload beside the Excel one, `form_prefix`, `file_label` and `form_page`."""

    action = "import"
    spec_factory: ClassVar[Callable[[], ImportSpec]]
    template_name: ClassVar[str] = "core/import_page.html"
    import_note: ClassVar[Any] = ""  # how rows are matched: shown under the template link
    template_url_name: ClassVar[str]
    errors_url_name: ClassVar[str]
    status_url_name: ClassVar[str]
    list_url_name: ClassVar[str | None] = None
    form_prefix: ClassVar[str | None] = None
    file_label: ClassVar[Any] = None

    def make_form(self, *args: Any, **kwargs: Any) -> ImportForm:
        """This view's upload form."""
        return ImportForm(*args, prefix=self.form_prefix, file_label=self.file_label, **kwargs)

    def read_upload(self, upload: Any, spec: ImportSpec) -> tuple[Any, int | None]:
        """The sheet to import from `upload` and its number of data rows (None: not read here, the upload is
        big enough to be read in the worker); ImportFileError when unreadable."""
        if upload.size > SYNC_BYTES:
            return upload, None
        rows = len(parse_workbook(upload, spec).rows)
        upload.seek(0)
        return upload, rows

    def get(self, request: HttpRequest) -> HttpResponse:
        self.check_action(request)
        return self.form_page(request, self.make_form())

    def post(self, request: HttpRequest) -> HttpResponse:
        self.check_action(request)
        form = self.make_form(request.POST, request.FILES)
        if not form.is_valid():
            return self.form_page(request, form, status=400)
        upload = form.cleaned_data["file"]
        mode = form.cleaned_data["mode"]
        spec = type(self).spec_factory()
        try:
            sheet, rows = self.read_upload(upload, spec)
            if rows is None or rows > SYNC_ROWS:
                run_token = start_background_import(
                    type(self).spec_factory, sheet, actor=request.user, mode=mode, total=rows or 0
                )
                return redirect(self.status_url_name, token=run_token)
            result = run_import(spec, sheet, actor=request.user, mode=mode, filename=upload.name)
        except ImportFileError as exc:
            form.add_error("file", exc.message)
            return self.form_page(request, form, status=400)
        token = store_error_report(result, request.user) if result.failed else None
        return self.form_page(
            request, self.make_form(initial={"mode": result.mode}), result=result, token=token
        )

    def form_page(
        self, request: HttpRequest, form: ImportForm, status: int = 200, **extra: Any
    ) -> HttpResponse:
        """The page showing this view's upload form `form`."""
        return self.render_page(request, form, status, **extra)

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
            "import_note": self.import_note,
            "max_mb": MAX_UPLOAD_BYTES // 1024 // 1024,
            **extra,
        }
        return render(request, self.template_name, context, status=status)


class ImportStatusView(ScopedViewMixin, View):
    """A background import's progress, then its result; htmx polls the fragment until the run ends."""

    action = "import"
    template_name: ClassVar[str] = "core/import_status.html"
    result_template_name: ClassVar[str] = "core/import_result.html"
    errors_url_name: ClassVar[str]
    import_url_name: ClassVar[str]
    list_url_name: ClassVar[str | None] = None

    def get(self, request: HttpRequest, token: uuid.UUID) -> HttpResponse:
        self.check_action(request)
        run = read_run(token, request.user)
        if run["state"] in ("queued", "running") and worker_alive(run.get("worker", "")) is False:
            # Its worker died: say so now rather than poll for ever (the restarted worker would also tell).
            reap_stale_runs()
            abandon_import(str(token))
            run = read_run(token, request.user)
        percent = int(100 * run["done"] / run["total"]) if run.get("total") else 0
        context = {
            "title": _("导入%(t)s") % {"t": run["title"]},
            "run": run,
            "percent": percent,
            "finished": run["state"] in ("done", "failed"),
            "result": run.get("result"),
            "token": run.get("report"),
            "result_template_name": self.result_template_name,
            "errors_url_name": self.errors_url_name,
            "import_url_name": self.import_url_name,
            "list_url_name": self.list_url_name,
        }
        partial = bool(getattr(request, "htmx", False))
        return render(request, "core/_import_progress.html" if partial else self.template_name, context)


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
