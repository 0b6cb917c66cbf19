"""Attachments of a tip (R15): checked by content, the original kept encrypted, a working copy without metadata.

* Checked with `zhiben.core.uploads` (type by the first bytes, ≤ 10 MB each), at most `MAX_FILES` per tip:
  JPEG, PNG and PDF. A file whose name or claimed type says one thing and whose content says another is
  refused; so is an image Pillow cannot decode.
* The ORIGINAL (evidence, for the custodian only) is stored SM4-GCM encrypted under the field keys, and its
  name is kept encrypted in `TipAttachment.original_name`.
* The WORKING copy handlers see: images decoded, turned upright by their EXIF orientation, and re-encoded
  from the pixels alone (no EXIF, GPS, XMP, ICC or text chunks); PDFs with their document information
  (/Info: author, creator, producer, dates …) and XMP metadata streams blanked in place (same length, so the
  cross-reference offsets stay valid). A PDF whose metadata cannot be reached that way (encrypted, or its
  /Info inside a compressed object stream) is refused with a message asking for photos instead: pypdf is
  not installed, and a PDF that might still name its author must not reach the handlers.
* Every attachment gets a neutral name: 附件1.jpg, 附件2.pdf …

`prepare_files` does all checking and cleaning before anything is stored (the intake validates first);
`store_files` writes the rows; `read_original` decrypts an original for the custodian's vault.
"""

from __future__ import annotations

import hashlib
import io
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any

from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from PIL import Image, ImageOps, UnidentifiedImageError

from zhiben.core.crypto import current_key_version, field_keys, sm4_gcm_decrypt, sm4_gcm_encrypt
from zhiben.core.uploads import EXTENSIONS, check_upload

from ..models import Tip, TipAttachment

MAX_FILES = 6
ACCEPT = frozenset({"image/jpeg", "image/png", "application/pdf"})
MAX_PIXELS = 40_000_000  # a 10 MB file that decodes to more is a decompression bomb, not a photo
FIELD = "files"

REFUSED = "文件“%(n)s”不是可接受的照片或文档：请上传 JPEG、PNG 图片或 PDF 文件。"
TOO_MANY = f"附件最多 {MAX_FILES} 个。"
BROKEN_IMAGE = "文件“{n}”无法作为图片读取（文件已损坏或与类型不符）。"
PDF_UNCLEAN = (
    "PDF 文件“{n}”的文档属性无法自动清除（文件已加密或结构特殊），为保护您的身份，请改为拍照或截图上传。"
)

_HEADER = b"ZBTIPS1:"  # then the key version (one byte) and the SM4-GCM blob


@dataclass(frozen=True)
class PreparedFile:
    """One checked and cleaned upload, not yet stored."""

    number: int
    content_type: str
    original: bytes
    original_name: str
    working: bytes

    @property
    def name(self) -> str:
        return f"附件{self.number}.{EXTENSIONS[self.content_type]}"


def prepare_files(files: Iterable[Any]) -> list[PreparedFile]:
    """Check and clean every upload; raise one ValidationError on `files` for the first refusal."""
    uploads = [f for f in files if f is not None]
    if len(uploads) > MAX_FILES:
        raise ValidationError({FIELD: TOO_MANY})
    prepared: list[PreparedFile] = []
    for number, upload in enumerate(uploads, start=1):
        name = _shown_name(upload, number)
        checked = check_upload(upload, field=FIELD, accept=ACCEPT, refused=REFUSED, name=name)
        upload.seek(0)
        original = upload.read()
        if checked.content_type in ("image/jpeg", "image/png"):
            working = clean_image(original, checked.content_type, name)
        else:
            working = clean_pdf(original, name)
        prepared.append(PreparedFile(number, checked.content_type, original, name, working))
    return prepared


def _shown_name(upload: Any, number: int) -> str:
    name = str(getattr(upload, "name", "") or "").replace("\\", "/").rsplit("/", 1)[-1].strip()
    return name[:100] or f"第{number}个文件"


def clean_image(data: bytes, content_type: str, name: str) -> bytes:
    """The pixels alone, upright, re-encoded: no EXIF (GPS), XMP, ICC profile or text chunks."""
    out = io.BytesIO()
    try:
        with Image.open(io.BytesIO(data)) as image:
            if image.width * image.height > MAX_PIXELS:
                raise ValidationError({FIELD: BROKEN_IMAGE.format(n=name)})
            image.load()
            upright = ImageOps.exif_transpose(image)
            if content_type == "image/jpeg":
                pixels = upright.convert("RGB")
                pixels.info = {}
                pixels.save(out, "JPEG", quality=88, optimize=True)
            else:
                mode = upright.mode if upright.mode in ("RGB", "RGBA", "L", "LA") else "RGBA"
                pixels = upright.convert(mode)
                pixels.info = {}
                pixels.save(out, "PNG", optimize=True)
    except (UnidentifiedImageError, OSError, ValueError, Image.DecompressionBombError, SyntaxError) as exc:
        raise ValidationError({FIELD: BROKEN_IMAGE.format(n=name)}) from exc
    return out.getvalue()


# --- PDF: blank the document information and XMP in place ---------------------------------------------------

_INFO_REF = re.compile(rb"/Info\s+(\d+)\s+(\d+)\s+R")
_METADATA_REF = re.compile(rb"/Metadata\s+(\d+)\s+(\d+)\s+R")
_XMP_MARKERS = (b"<x:xmpmeta", b"<rdf:RDF", b"<?xpacket")
_FILTER = re.compile(rb"/(?:Filter|DecodeParms)\s*(?:/[A-Za-z0-9]+|\[[^\]]*\]|<<[^>]*>>)")


def _object_spans(data: bytes, number: bytes, generation: bytes) -> list[tuple[int, int]]:
    """Start and end (after `endobj`) of every definition of object `number generation` in the file."""
    spans = []
    pattern = re.compile(rb"(?<![0-9])" + number + rb"\s+" + generation + rb"\s+obj\b")
    for match in pattern.finditer(data):
        end = data.find(b"endobj", match.end())
        if end == -1:
            continue
        spans.append((match.end(), end))
    return spans


def _blank_strings(buf: bytearray, start: int, end: int) -> None:
    """Overwrite the contents of every literal (…) and hex <…> string in buf[start:end] with spaces."""
    i = start
    while i < end:
        c = buf[i]
        if c == 0x28:  # (
            depth, j = 1, i + 1
            while j < end and depth:
                if buf[j] == 0x5C:  # backslash escapes the next byte
                    buf[j] = 0x20
                    if j + 1 < end:
                        buf[j + 1] = 0x20
                    j += 2
                    continue
                if buf[j] == 0x28:
                    depth += 1
                elif buf[j] == 0x29:
                    depth -= 1
                    if depth == 0:
                        break
                buf[j] = 0x20
                j += 1
            # Nested parentheses were blanked too: the string is now "(   …   )".
            i = j + 1
        elif c == 0x3C and i + 1 < end and buf[i + 1] != 0x3C:  # < but not <<
            j = i + 1
            while j < end and buf[j] != 0x3E:
                buf[j] = 0x20
                j += 1
            i = j + 1
        elif c == 0x3C:
            i += 2
        else:
            i += 1


def _blank_stream(buf: bytearray, start: int, end: int) -> bool:
    """Blank the data of the stream object in buf[start:end] and drop its filter; False if it has none."""
    head = bytes(buf[start:end])
    at = head.find(b"stream")
    stop = head.rfind(b"endstream")
    if at == -1 or stop == -1 or stop < at:
        return False
    for match in _FILTER.finditer(head[:at]):
        buf[start + match.start() : start + match.end()] = b" " * (match.end() - match.start())
    data_start = start + at + len(b"stream")
    buf[data_start : start + stop] = re.sub(rb"[^\r\n]", b" ", bytes(buf[data_start : start + stop]))
    return True


def clean_pdf(data: bytes, name: str) -> bytes:
    """The PDF with /Info values and XMP metadata blanked; ValidationError when that cannot be assured."""
    if b"/Encrypt" in data:
        raise ValidationError({FIELD: PDF_UNCLEAN.format(n=name)})
    buf = bytearray(data)
    for match in {m.groups() for m in _INFO_REF.finditer(data)}:
        spans = _object_spans(data, *match)
        if not spans:  # inside a compressed object stream: unreachable without a PDF library
            raise ValidationError({FIELD: PDF_UNCLEAN.format(n=name)})
        for start, end in spans:
            _blank_strings(buf, start, end)
    for match in {m.groups() for m in _METADATA_REF.finditer(data)}:
        for start, end in _object_spans(data, *match):
            _blank_stream(buf, start, end)
    cleaned = bytes(buf)
    if any(marker in cleaned for marker in _XMP_MARKERS):
        raise ValidationError({FIELD: PDF_UNCLEAN.format(n=name)})
    return cleaned


# --- storing and reading ---------------------------------------------------------------------------------------


def _aad(version: int) -> bytes:
    return b"tips-attachment-original:v%d" % version


def encrypt_original(data: bytes) -> bytes:
    version = current_key_version()
    blob = sm4_gcm_encrypt(data, field_keys()[version], aad=_aad(version))
    return _HEADER + bytes([version]) + blob


def decrypt_original(stored: bytes) -> bytes:
    if not stored.startswith(_HEADER):
        raise ValueError("not an encrypted tip attachment")
    version = stored[len(_HEADER)]
    return sm4_gcm_decrypt(stored[len(_HEADER) + 1 :], field_keys()[version], aad=_aad(version))


def read_original(attachment: TipAttachment) -> bytes:
    """The original bytes as uploaded (the custodian's evidence view; the caller checks and audits access)."""
    with attachment.original_file.open("rb") as handle:
        return decrypt_original(handle.read())


def store_files(
    tip: Tip, prepared: Sequence[PreparedFile], rows: list[TipAttachment] | None = None
) -> list[TipAttachment]:
    """The attachment rows and files of `tip` (inside the intake's transaction); each row is appended to
    `rows` as soon as its files are written, so a caller whose transaction fails can `discard_files` them."""
    rows = [] if rows is None else rows
    for item in prepared:
        digest = hashlib.sha256(item.working).hexdigest()
        stem = f"{tip.pk}-{item.number}-{digest[:16]}"
        attachment = TipAttachment(
            tip=tip,
            original_name=item.original_name,
            name=item.name,
            content_type=item.content_type,
            size=len(item.working),
            sha256=digest,
        )
        rows.append(attachment)
        attachment.original_file.save(f"{stem}.bin", ContentFile(encrypt_original(item.original)), save=False)
        attachment.working_file.save(
            f"{stem}.{EXTENSIONS[item.content_type]}", ContentFile(item.working), save=False
        )
        attachment.save()
    return rows


def discard_files(rows: Iterable[TipAttachment]) -> None:
    """Delete the stored files of attachments whose transaction rolled back (no orphan original on disk)."""
    for attachment in rows:
        for stored in (attachment.original_file, attachment.working_file):
            if stored.name:
                stored.storage.delete(stored.name)
