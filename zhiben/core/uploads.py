"""Uploads checked by their content: the one way a file enters the platform's storage.

The type is read from the file's first bytes, never from its name or the browser's claim; the size is bounded;
the SHA-256 is kept as evidence and names the stored file. Each app keeps its own record of the file (hazard
attachment, inspection photo, 打非治违 evidence) and creates it from the `CheckedUpload` returned here.
"""

from __future__ import annotations

import hashlib
from collections.abc import Collection
from dataclasses import dataclass
from typing import Any

from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy

MAX_UPLOAD_BYTES = 10 * 1024 * 1024
# Accepted files, recognised by their first bytes: (magic bytes, content type).
SIGNATURES: tuple[tuple[bytes, str], ...] = (
    (b"\xff\xd8\xff", "image/jpeg"),
    (b"\x89PNG\r\n\x1a\n", "image/png"),
    (b"%PDF-", "application/pdf"),
    (b"PK\x03\x04", "application/vnd.openxmlformats-officedocument"),
)
IMAGE_TYPES = frozenset({"image/jpeg", "image/png"})
EXTENSIONS = {"image/jpeg": "jpg", "image/png": "png", "application/pdf": "pdf"}

TOO_BIG = gettext_lazy("文件“%(n)s”超过 10 MB。")
EMPTY = gettext_lazy("文件“%(n)s”为空。")


def sniff(head: bytes) -> str | None:
    """The content type of a file from its first bytes (16 are enough), or None when it is none we accept."""
    for magic, content_type in SIGNATURES:
        if head.startswith(magic):
            return content_type
    return None


@dataclass(frozen=True)
class CheckedUpload:
    """An upload whose size and type were checked, with its digest; the upload is rewound for storing."""

    content_type: str
    size: int
    sha256: str

    def file_name(self, prefix: Any, *, extension: bool = True) -> str:
        """`<prefix>-<first 16 hex digits of the digest>[.ext]`: the name the file is stored under."""
        name = f"{prefix}-{self.sha256[:16]}"
        return f"{name}.{EXTENSIONS[self.content_type]}" if extension else name


def check_upload(
    upload: Any,
    *,
    field: str,
    accept: Collection[str],
    refused: Any,
    name: str | None = None,
    max_bytes: int = MAX_UPLOAD_BYTES,
    too_big: Any = TOO_BIG,
    empty: Any = EMPTY,
) -> CheckedUpload:
    """Size (1 byte … `max_bytes`), then type by content (one of `accept`), then SHA-256.

    Errors are ValidationErrors on `field`; the messages take the file's name as `%(n)s`.
    """
    shown = upload.name if name is None else name
    size = upload.size or 0
    if size > max_bytes:
        raise ValidationError({field: str(too_big) % {"n": shown}})
    if size == 0:
        raise ValidationError({field: str(empty) % {"n": shown}})
    upload.seek(0)
    content_type = sniff(upload.read(16))
    if content_type is None or content_type not in accept:
        raise ValidationError({field: str(refused) % {"n": shown}})
    upload.seek(0)
    digest = hashlib.sha256()
    for chunk in upload.chunks():
        digest.update(chunk)
    upload.seek(0)
    return CheckedUpload(content_type=content_type, size=size, sha256=digest.hexdigest())
