"""core.uploads: a file is accepted by its content, bounded in size, and named by its digest."""

from __future__ import annotations

import hashlib

import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile

from zhiben.core import uploads

PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 32
PDF = b"%PDF-1.7\n" + b"x" * 32


def test_it_sniffs_the_type_from_the_first_bytes_not_the_name() -> None:
    assert uploads.sniff(PNG[:16]) == "image/png"
    assert uploads.sniff(PDF[:16]) == "application/pdf"
    assert uploads.sniff(b"PK\x03\x04rest") == "application/vnd.openxmlformats-officedocument"
    assert uploads.sniff(b"<html><script>") is None


def test_it_checks_size_type_and_digest_and_rewinds_the_upload() -> None:
    upload = SimpleUploadedFile("photo.pdf", PNG, content_type="application/pdf")
    checked = uploads.check_upload(upload, field="files", accept=uploads.IMAGE_TYPES, refused="no %(n)s")
    assert checked == uploads.CheckedUpload("image/png", len(PNG), hashlib.sha256(PNG).hexdigest())
    assert upload.tell() == 0
    assert checked.file_name(7) == f"7-{checked.sha256[:16]}.png"
    assert checked.file_name(7, extension=False) == f"7-{checked.sha256[:16]}"


@pytest.mark.parametrize(
    ("content", "message"),
    [
        (b"", "文件“x.png”为空。"),
        (PDF, "no x.png"),
        (PNG + b"\x00" * uploads.MAX_UPLOAD_BYTES, "文件“x.png”超过 10 MB。"),
    ],
)
def test_it_refuses_on_the_field_with_the_files_name(content: bytes, message: str) -> None:
    upload = SimpleUploadedFile("x.png", content)
    with pytest.raises(ValidationError) as exc:
        uploads.check_upload(upload, field="files", accept=uploads.IMAGE_TYPES, refused="no %(n)s")
    assert exc.value.message_dict == {"files": [message]}
