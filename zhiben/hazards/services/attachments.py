"""Attachments of a hazard: photos and documents, recognised by content (core.uploads)."""

from __future__ import annotations

from typing import Any

from django.core.files.uploadedfile import UploadedFile
from django.db import transaction
from django.utils.translation import gettext as _

from zhiben.core import audit, uploads
from zhiben.core.errors import NotPermitted
from zhiben.core.scoping import can

from .. import events
from ..choices import AttachmentKind
from ..models import Hazard, HazardAttachment, HazardProgress
from .common import ATTACHMENT_TYPES

# --- attachments ---------------------------------------------------------------------------------------------


def _store_attachment(
    hazard: Hazard, upload: UploadedFile, *, actor: Any, progress: HazardProgress | None = None
) -> HazardAttachment:
    checked = uploads.check_upload(
        upload,
        field="files",
        accept=ATTACHMENT_TYPES,
        refused=_("文件“%(n)s”的类型不受支持：只接受 JPEG、PNG 照片和 PDF、Word/Excel 文件。"),
    )
    kind = AttachmentKind.PHOTO if checked.content_type in uploads.IMAGE_TYPES else AttachmentKind.DOCUMENT
    att = HazardAttachment(
        hazard=hazard,
        progress=progress,
        kind=kind,
        name=(upload.name or "file")[:200],
        content_type=checked.content_type,
        size=checked.size,
        sha256=checked.sha256,
        uploaded_by=actor,
    )
    att.file.save(checked.file_name(hazard.pk, extension=False), upload, save=False)
    att.save()
    return att


@transaction.atomic
def add_attachment(hazard: Hazard, *, actor: Any, upload: UploadedFile) -> HazardAttachment:
    """Attach a photo or document to the hazard (type by content, ≤ 10 MB)."""
    if actor is not None:
        if not can(actor, "add", HazardAttachment):
            raise NotPermitted()
        if not Hazard.objects.restrict(actor, "view").filter(pk=hazard.pk).exists():
            raise NotPermitted(_("该隐患不在您的职责范围内。"))
    att = _store_attachment(hazard, upload, actor=actor)
    audit.record(
        att,
        events.HAZARD_ATTACHMENT_ADDED,
        actor=actor,
        data={"hazard": hazard.pk, "name": att.name, "size": att.size, "sha256": att.sha256},
    )
    return att
