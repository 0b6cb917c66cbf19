"""Photos of inspections and self-checks (photos.save_photo): content-checked, hashed, located, audited."""

from __future__ import annotations

import datetime as dt
import hashlib
import io
from decimal import Decimal
from typing import Any

import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile

from zhiben.core.errors import NotPermitted
from zhiben.core.models import AuditEntry
from zhiben.core.testing import assert_audited
from zhiben.inspections import events
from zhiben.inspections.models import InspectionPhoto, SelfCheck
from zhiben.inspections.services.photos import MAX_PHOTO_BYTES, save_photo
from zhiben.inspections.services.selfchecks import record_self_check

from .support import *  # noqa: F403
from .support import CST, jpeg


@pytest.fixture
def check(world: Any) -> SelfCheck:
    return record_self_check(
        actor=world.qiye2,
        enterprise=world.enterprises["qiye2"],
        checked_on=dt.date(2025, 1, 2),
        led_by_name="张河生",
        summary="检查了罐区",
    )


def upload(content: bytes, name: str = "photo.jpg") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, content)


def save(
    world: Any, check: SelfCheck, content: bytes, name: str = "photo.jpg", **extra: Any
) -> InspectionPhoto:
    return save_photo(
        actor=world.qiye2,
        enterprise=world.enterprises["qiye2"],
        upload=upload(content, name),
        self_check=check,
        **extra,
    )


def png() -> bytes:
    from PIL import Image

    out = io.BytesIO()
    Image.new("RGB", (4, 4), (0, 120, 200)).save(out, "PNG")
    return out.getvalue()


def test_it_keeps_a_photo_with_its_hash_capture_time_and_place_and_one_audit_row(
    world: Any, check: SelfCheck
) -> None:
    content = jpeg(taken="2025:01:02 08:15:30", gps=((28.0, 50.0, 24.0), "N", (112.0, 54.0, 36.0), "E"))
    before = AuditEntry.objects.count()

    photo = save(world, check, content)

    photo.refresh_from_db()
    assert photo.sha256 == hashlib.sha256(content).hexdigest()
    assert (photo.content_type, photo.size) == ("image/jpeg", len(content))
    assert photo.captured_at == dt.datetime(2025, 1, 2, 8, 15, 30, tzinfo=CST)
    assert (photo.latitude, photo.longitude) == (Decimal("28.840000"), Decimal("112.910000"))
    assert photo.file.read() == content
    assert AuditEntry.objects.count() == before + 1
    entry = assert_audited(events.INSPECTION_PHOTO_ADDED, photo, actor=world.qiye2)
    assert entry.data["sha256"] == photo.sha256 and entry.data["self_check"] == check.pk


def test_it_prefers_the_browser_position_and_reads_a_southern_western_exif(
    world: Any, check: SelfCheck
) -> None:
    content = jpeg(gps=((33.0, 52.0, 0.0), "S", (151.0, 12.0, 0.0), "W"))

    exif_only = save(world, check, content)
    explicit = save(world, check, content, latitude="28.8412345", longitude=112.9)

    assert (exif_only.latitude, exif_only.longitude) == (Decimal("-33.866667"), Decimal("-151.200000"))
    assert (explicit.latitude, explicit.longitude) == (Decimal("28.841235"), Decimal("112.900000"))
    assert explicit.captured_at is None  # no EXIF time, none given


def test_it_accepts_png(world: Any, check: SelfCheck) -> None:
    assert save(world, check, png(), "p.png").content_type == "image/png"


@pytest.mark.parametrize(
    ("content", "name", "message"),
    [
        (b"%PDF-1.7\n1 0 obj", "scan.jpg", "不是照片：只接受 JPEG 或 PNG 图片"),
        (b"MZ\x90\x00 an executable", "photo.png", "不是照片"),
        (b"\xff\xd8\xff\xe0" + b"\x00" * 64, "broken.jpg", "不是有效的 JPEG 或 PNG 图片"),
        (b"", "empty.jpg", "为空文件"),
    ],
)
def test_it_rejects_what_is_not_a_photo_with_a_clear_error(
    world: Any, check: SelfCheck, content: bytes, name: str, message: str
) -> None:
    with pytest.raises(ValidationError) as exc:
        save(world, check, content, name)

    assert message in exc.value.message_dict["photos"][0]
    assert not InspectionPhoto.objects.exists()


def test_it_rejects_a_photo_over_ten_megabytes(world: Any, check: SelfCheck) -> None:
    big = jpeg() + b"\x00" * (MAX_PHOTO_BYTES + 1)
    with pytest.raises(ValidationError) as exc:
        save(world, check, big)
    assert "超过 10 MB" in exc.value.message_dict["photos"][0]


def test_it_checks_explicit_coordinates(world: Any, check: SelfCheck) -> None:
    with pytest.raises(ValidationError) as exc:
        save(world, check, jpeg(), latitude="95", longitude="112")
    assert "latitude" in exc.value.message_dict
    with pytest.raises(ValidationError) as exc:
        save(world, check, jpeg(), latitude="28.8")
    assert "longitude" in exc.value.message_dict
    with pytest.raises(ValidationError) as exc:
        save(world, check, jpeg(), latitude="north", longitude="east")
    assert "latitude" in exc.value.message_dict


def test_it_lets_only_the_unit_add_photos_to_its_self_check(world: Any, check: SelfCheck) -> None:
    for actor in (world.qiye1, world.yingji, world.heshi):
        with pytest.raises(NotPermitted):
            save_photo(
                actor=actor, enterprise=world.enterprises["qiye2"], upload=upload(jpeg()), self_check=check
            )
    with pytest.raises(ValidationError):  # the photo's unit must be the check's unit
        save_photo(
            actor=world.qiye2, enterprise=world.enterprises["qiye1"], upload=upload(jpeg()), self_check=check
        )
    with pytest.raises(ValidationError):  # a photo belongs to a check or an inspection
        save_photo(actor=world.qiye2, enterprise=world.enterprises["qiye2"], upload=upload(jpeg()))
    assert not InspectionPhoto.objects.exists()
