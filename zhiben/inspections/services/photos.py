"""Photos of inspections and self-inspections (检查照片): one way in (`save_photo`), one way out (`PhotoView`
in views/photos.py).

A photo is accepted only when its content is a JPEG or PNG image (recognised by its first bytes and opened by
Pillow, never by its name or the browser's claim) of at most 10 MB. Its SHA-256 is kept as evidence; the
capture time and place come from the device: EXIF DateTimeOriginal and GPS when the camera wrote them, while
values the caller passes explicitly (the browser's geolocation at the moment of upload) win over EXIF.
Photos are read only through `PhotoView`: scoped like the unit, audited, and served so that a browser never
runs them.
"""

from __future__ import annotations

import datetime as dt
import math
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation
from typing import Any

from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import UploadedFile
from django.db import transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from zhiben.core import audit, uploads
from zhiben.core.errors import NotPermitted
from zhiben.core.scoping import can
from zhiben.registry.models import Enterprise

from .. import events
from ..models import Finding, Inspection, InspectionPhoto, SelfCheck

MAX_PHOTO_BYTES = uploads.MAX_UPLOAD_BYTES
FIELD = "photos"  # the form/API field the errors are reported on
_FORMATS = {"image/jpeg": "JPEG", "image/png": "PNG"}  # content type → the Pillow format it must open as
_COORDINATE = Decimal("0.000001")  # the model keeps 6 decimal places (about 0.1 m)

# EXIF tag numbers (EXIF 2.3): the Exif and GPS sub-IFDs and the tags read from them.
_EXIF_IFD, _GPS_IFD = 0x8769, 0x8825
_DATETIME, _DATETIME_ORIGINAL, _OFFSET_TIME_ORIGINAL = 0x0132, 0x9003, 0x9011
_GPS_LAT_REF, _GPS_LAT, _GPS_LON_REF, _GPS_LON = 1, 2, 3, 4


@dataclass(frozen=True)
class PhotoMetadata:
    """What the device recorded in the file: when and where the photo was taken (each may be unknown)."""

    captured_at: dt.datetime | None = None
    latitude: Decimal | None = None
    longitude: Decimal | None = None


def read_metadata(upload: Any) -> tuple[str | None, PhotoMetadata]:
    """Open the image with Pillow: its format (None when it is not a readable image) and its EXIF data."""
    from PIL import Image, UnidentifiedImageError  # lazy: Pillow is loaded only when a photo is checked

    upload.seek(0)
    try:
        with Image.open(upload) as img:
            fmt = img.format
            exif = img.getexif()
    except (UnidentifiedImageError, OSError, ValueError, SyntaxError, Image.DecompressionBombError):
        return None, PhotoMetadata()
    finally:
        upload.seek(0)
    try:
        return fmt, PhotoMetadata(_exif_time(exif), *_exif_position(exif))
    except Exception:  # a damaged EXIF block loses the metadata, not the photo
        return fmt, PhotoMetadata()


def _exif_time(exif: Any) -> dt.datetime | None:
    sub = exif.get_ifd(_EXIF_IFD)
    raw = sub.get(_DATETIME_ORIGINAL) or exif.get(_DATETIME)
    if not isinstance(raw, str):
        return None
    try:
        naive = dt.datetime.strptime(raw.strip("\x00 ")[:19], "%Y:%m:%d %H:%M:%S")
    except ValueError:
        return None
    offset = sub.get(_OFFSET_TIME_ORIGINAL)
    if isinstance(offset, str) and len(offset) >= 6 and offset[0] in "+-":
        try:
            hours, minutes = int(offset[1:3]), int(offset[4:6])
            sign = 1 if offset[0] == "+" else -1
            return naive.replace(tzinfo=dt.timezone(sign * dt.timedelta(hours=hours, minutes=minutes)))
        except ValueError:
            pass
    # Cameras write local time without a zone: the district's own (Asia/Shanghai).
    return timezone.make_aware(naive, timezone.get_default_timezone())


def _exif_position(exif: Any) -> tuple[Decimal | None, Decimal | None]:
    gps = exif.get_ifd(_GPS_IFD)
    lat = _degrees(gps.get(_GPS_LAT), gps.get(_GPS_LAT_REF), "S")
    lon = _degrees(gps.get(_GPS_LON), gps.get(_GPS_LON_REF), "W")
    if lat is None or lon is None or not (-90 <= lat <= 90 and -180 <= lon <= 180):
        return None, None
    if lat == 0 and lon == 0:  # devices without a fix write zeros
        return None, None
    return _quantize(lat), _quantize(lon)


def _degrees(value: Any, ref: Any, negative: str) -> Decimal | None:
    if not isinstance(value, tuple) or len(value) != 3:
        return None
    parts = [float(v) for v in value]
    if any(math.isnan(p) or math.isinf(p) for p in parts):
        return None
    degrees = Decimal(str(parts[0] + parts[1] / 60 + parts[2] / 3600))
    if isinstance(ref, bytes):
        ref = ref.decode(errors="ignore")
    return -degrees if str(ref or "").strip().upper() == negative else degrees


def _quantize(value: Decimal) -> Decimal:
    return value.quantize(_COORDINATE, rounding=ROUND_HALF_UP)


def _coordinate(value: Any, field: str, limit: int) -> Decimal | None:
    """An explicit latitude/longitude: a number within ±limit, kept to 6 decimal places."""
    if value in (None, ""):
        return None
    try:
        number = Decimal(str(value))
    except (InvalidOperation, ValueError):
        raise ValidationError({field: _("坐标应为数字。")})
    if not number.is_finite() or not (-limit <= number <= limit):
        raise ValidationError({field: _("坐标超出范围（±%(n)s 度）。") % {"n": limit}})
    return _quantize(number)


def _check_owner(
    actor: Any,
    enterprise: Enterprise,
    inspection: Inspection | None,
    self_check: SelfCheck | None,
    finding: Finding | None,
) -> None:
    if inspection is None and self_check is None:
        raise ValidationError({FIELD: _("照片须属于一次检查或一次企业自查。")})
    for owner in (inspection, self_check):
        if owner is not None and owner.enterprise_id != enterprise.pk:
            raise ValidationError({FIELD: _("照片的单位与检查记录的单位不一致。")})
    if finding is not None and (inspection is None or finding.inspection_id != inspection.pk):
        raise ValidationError({FIELD: _("问题不属于该次检查。")})
    if actor is None:  # system jobs and imports
        return
    if not can(actor, "add", InspectionPhoto):
        raise NotPermitted(_("您无权上传检查照片。"))
    if self_check is not None and not can(actor, "add", SelfCheck):
        raise NotPermitted(_("企业自查的照片由单位上传。"))
    for owner in (inspection, self_check):
        if owner is not None and not type(owner).objects.restrict(actor, "view").filter(pk=owner.pk).exists():
            raise NotPermitted(_("该检查记录不在您的职责范围内。"))


@transaction.atomic
def save_photo(
    *,
    actor: Any,
    enterprise: Enterprise,
    upload: UploadedFile,
    inspection: Inspection | None = None,
    self_check: SelfCheck | None = None,
    finding: Finding | None = None,
    captured_at: dt.datetime | None = None,
    latitude: Any = None,
    longitude: Any = None,
) -> InspectionPhoto:
    """保存检查照片: validate by content (JPEG/PNG, ≤ 10 MB), hash, read EXIF time and GPS, one audit row.

    Errors are field-level ValidationErrors on "photos" (or "latitude"/"longitude" for explicit values).
    """
    _check_owner(actor, enterprise, inspection, self_check, finding)
    name = (getattr(upload, "name", "") or "photo")[:100]
    checked = uploads.check_upload(
        upload,
        field=FIELD,
        accept=uploads.IMAGE_TYPES,
        name=name,
        max_bytes=MAX_PHOTO_BYTES,
        empty=_("照片“%(n)s”为空文件。"),
        too_big=_("照片“%(n)s”超过 10 MB。"),
        refused=_("“%(n)s”不是照片：只接受 JPEG 或 PNG 图片。"),
    )
    fmt, meta = read_metadata(upload)
    if fmt != _FORMATS[checked.content_type]:
        raise ValidationError(
            {FIELD: _("“%(n)s”不是有效的 JPEG 或 PNG 图片，文件可能已损坏。") % {"n": name}}
        )
    lat = _coordinate(latitude, "latitude", 90)
    lon = _coordinate(longitude, "longitude", 180)
    if (lat is None) != (lon is None):
        raise ValidationError({"longitude" if lon is None else "latitude": _("经度和纬度须同时提供。")})
    if lat is None:  # the browser gave no position: the one the camera wrote, if any
        lat, lon = meta.latitude, meta.longitude
    if captured_at is not None and timezone.is_naive(captured_at):
        captured_at = timezone.make_aware(captured_at, timezone.get_default_timezone())
    sha = checked.sha256
    photo = InspectionPhoto(
        enterprise=enterprise,
        inspection=inspection,
        self_check=self_check,
        finding=finding,
        content_type=checked.content_type,
        size=checked.size,
        sha256=sha,
        captured_at=captured_at or meta.captured_at,
        latitude=lat,
        longitude=lon,
        uploaded_by=actor,
    )
    photo.file.save(checked.file_name(enterprise.pk), upload, save=False)
    photo.save()
    audit.record(
        photo,
        events.INSPECTION_PHOTO_ADDED,
        actor=actor,
        object_repr=f"{enterprise.name} {name}",
        data={
            "enterprise": enterprise.pk,
            "inspection": inspection.pk if inspection else None,
            "self_check": self_check.pk if self_check else None,
            "finding": finding.pk if finding else None,
            "name": name,
            "size": checked.size,
            "sha256": sha,
            "captured_at": photo.captured_at.isoformat() if photo.captured_at else None,
            "located": lat is not None,
        },
    )
    return photo


def photo_url(photo: InspectionPhoto) -> str:
    return reverse("inspections:photo", args=[photo.pk])


def download_name(photo: InspectionPhoto) -> str:
    """The file name a photo is served under: its id and the extension of its checked content type."""
    return f"photo-{photo.pk}.{uploads.EXTENSIONS.get(photo.content_type, 'bin')}"
