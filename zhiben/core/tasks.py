"""Framework jobs: outbox delivery."""

from __future__ import annotations

from .jobs import crontab, job, periodic_job
from .outbox import deliver_pending


@job
def deliver_outbox() -> dict[str, int]:
    """Deliver queued notifications now (enqueued after each commit that queued one)."""
    return deliver_pending()


@periodic_job(crontab(minute="*"))
def deliver_outbox_periodically() -> dict[str, int]:
    """Safety net: retries and anything whose after-commit enqueue was lost."""
    return deliver_pending()


@job(retries=0)
def run_import_job(token: str) -> dict[str, object]:
    """A large Excel import (数据导入) in the worker; the page polls its progress. Not retried: a failed
    import reports its error to the user rather than running again behind their back."""
    from .excel.web import run_stored_import

    return run_stored_import(token)


@job
def render_document_files(document_id: int) -> dict[str, object]:
    """Write an issued document's Word and PDF files (deferred from a busy transaction); idempotent."""
    from .documents import render_files
    from .models import OfficialDocument

    document = OfficialDocument.objects.filter(pk=document_id).select_related("template").first()
    if document is None:
        return {"rendered": False}
    render_files(document)
    return {"rendered": True, "number": document.number}
