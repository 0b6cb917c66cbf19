"""The public intake (issue 12 §1, R14, R15): submit_tip, receipts, attachments, the portal and its limits."""

from __future__ import annotations

import io
import logging
import re
from typing import Any
from unittest import mock

import pytest
from django.core.cache import cache
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test import Client, override_settings
from PIL import Image

from zhiben.core.models import AuditEntry
from zhiben.registry.models import Region
from zhiben.tips import steps
from zhiben.tips.choices import Category, Channel, TipStatus
from zhiben.tips.models import Tip, TipAttachment, TipDeadlineRule, TipExtension, TipIdentity, TipTransition
from zhiben.tips.services import files as tip_files
from zhiben.tips.services import receipts
from zhiben.tips.services.intake import submit_tip
from zhiben.tips.testing import SENTINEL_ID, SENTINEL_NAME, SENTINEL_PHONE

TEXT = "营田镇某仓库堆放大量液化气瓶，消防通道被堵死，夜间有人住宿。"
SENTINEL_IP = "203.0.113.199"
SENTINEL_UA = "SentinelBrowser/9.9 (哨兵终端)"


@pytest.fixture(autouse=True)
def _fresh_limits() -> None:
    cache.clear()


def jpeg_with_gps(size: tuple[int, int] = (40, 30)) -> bytes:
    image = Image.new("RGB", size, "red")
    exif = Image.Exif()
    exif[0x010F] = "SentinelCam"
    exif[0x0112] = 6  # rotate 90° when shown
    exif[0x8825] = {1: "N", 2: (28.0, 50.0, 12.5), 3: "E", 4: (112.0, 53.0, 1.0)}
    out = io.BytesIO()
    image.save(out, "JPEG", exif=exif)
    return out.getvalue()


def pdf_with_metadata() -> bytes:
    out = io.BytesIO()
    Image.new("RGB", (20, 20), "white").save(out, "PDF", title="SentinelTitle", author="哨兵作者")
    return out.getvalue()


def upload(name: str, data: bytes, content_type: str = "image/jpeg") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, data, content_type=content_type)


# --- submit_tip ---------------------------------------------------------------------------------------------


def test_submit_creates_a_tip_with_code_receipt_vault_history_and_audit(world: Any) -> None:
    village = Region.objects.filter(level=5).first()
    tip, receipt = submit_tip(
        category=Category.MAJOR_HAZARD,
        text=TEXT,
        enterprise=world.enterprises["yt_gas"],
        place=village,
        address="老街东头",
        latitude="28.8312",
        longitude="112.9001",
        identity={
            "name": SENTINEL_NAME,
            "phone": SENTINEL_PHONE,
            "id_number": SENTINEL_ID,
            "works_there": True,
        },
        files=[upload("IMG_0001.jpg", jpeg_with_gps())],
    )
    assert re.fullmatch(r"JB\d{4}-\d{6}", tip.code)
    assert tip.status == TipStatus.RECEIVED and tip.channel == Channel.PORTAL
    assert tip.unit_name == world.enterprises["yt_gas"].name and tip.real_name
    assert tip.working_text == "" and tip.accept_deadline is None  # no rule row: no deadline
    assert re.fullmatch(r"\d{5}( \d{5}){4}", receipt)
    identity = TipIdentity.objects.get(tip=tip)
    assert (identity.name, identity.phone, identity.works_there) == (SENTINEL_NAME, SENTINEL_PHONE, "是")
    assert TipTransition.objects.get(tip=tip).action == steps.RECEIVE.name
    entry = AuditEntry.objects.get(object_type="tips.tip", object_id=str(tip.pk))
    assert entry.event == "TIP_RECEIVED" and entry.ip is None and entry.request_id == ""
    stored = str(entry.data) + entry.object_repr
    for secret in (SENTINEL_NAME, SENTINEL_PHONE, receipt.replace(" ", ""), TEXT[:6]):
        assert secret not in stored


def test_codes_are_numbered_per_year(world: Any) -> None:
    first, _ = submit_tip(category=Category.HAZARD, text=TEXT)
    second, _ = submit_tip(category=Category.HAZARD, text=TEXT)
    assert int(second.code[-6:]) == int(first.code[-6:]) + 1


def test_accept_deadline_comes_from_the_rule_row(world: Any) -> None:
    TipDeadlineRule.objects.create(stage="accept", name="受理", days=5, working_days=False)
    tip, _ = submit_tip(category=Category.HAZARD, text=TEXT)
    assert (tip.accept_deadline - tip.received_at.date()).days in (5, 6)


@pytest.mark.parametrize(
    ("fields", "field", "message"),
    [
        ({"text": "   "}, "text", "请填写举报内容"),
        ({"text": "有隐患"}, "text", "举报内容过短"),
        ({"category": "fire"}, "category", "请选择举报类别"),
        ({"identity": {"phone": "abc"}}, "phone", "联系电话"),
        ({"identity": {"id_number": "12345"}}, "id_number", "身份证号码"),
        ({"latitude": "91", "longitude": "112"}, "latitude", "纬度"),
        ({"files": [upload("a.jpg", b"MZ\x90\x00 not an image at all")]}, "files", "不是可接受的"),
        ({"files": [upload("a.jpg", b"\xff\xd8\xff\xe0 but broken")]}, "files", "无法作为图片读取"),
        ({"files": [upload(f"{i}.png", b"x") for i in range(7)]}, "files", "最多 6 个"),
    ],
)
def test_bad_input_is_refused_in_chinese_and_nothing_is_stored(
    world: Any, fields: dict[str, Any], field: str, message: str
) -> None:
    values: dict[str, Any] = {"category": Category.HAZARD, "text": TEXT, **fields}
    with pytest.raises(ValidationError) as refused:
        submit_tip(**values)
    assert message in " ".join(refused.value.message_dict[field])
    assert (
        not Tip.objects.exists() and not TipIdentity.objects.exists() and not TipAttachment.objects.exists()
    )


def test_an_oversized_file_is_refused(world: Any) -> None:
    big = upload("big.jpg", b"\xff\xd8\xff" + b"0" * (10 * 1024 * 1024))
    with pytest.raises(ValidationError) as refused:
        submit_tip(category=Category.HAZARD, text=TEXT, files=[big])
    assert "超过 10 MB" in refused.value.message_dict["files"][0]


def test_a_failure_late_in_the_transaction_leaves_nothing(world: Any, settings: Any, tmp_path: Any) -> None:
    settings.MEDIA_ROOT = str(tmp_path)
    failing = mock.patch.object(steps.FLOW, "record_created", side_effect=RuntimeError("audit down"))
    with failing, pytest.raises(RuntimeError):
        submit_tip(
            category=Category.HAZARD,
            text=TEXT,
            identity={"name": SENTINEL_NAME},
            files=[upload("a.jpg", jpeg_with_gps())],
        )
    assert not Tip.objects.exists() and not TipIdentity.objects.exists()
    assert not [p for p in tmp_path.rglob("*") if p.is_file()]  # no orphan original or working copy


def test_a_repeated_submission_key_returns_the_first_tip(world: Any) -> None:
    first, receipt = submit_tip(category=Category.HAZARD, text=TEXT, submission_key="app:abc")
    again, none = submit_tip(category=Category.HAZARD, text=TEXT, submission_key="app:abc")
    assert again.pk == first.pk and receipt and none is None and Tip.objects.count() == 1


# --- receipts ------------------------------------------------------------------------------------------------


def test_receipt_codes_come_from_the_csprng_and_carry_over_80_bits() -> None:
    with mock.patch("zhiben.tips.services.receipts.secrets.randbelow", return_value=42) as drawn:
        assert receipts.new_receipt() == "00000 00000 00000 00000 00042"
    assert drawn.call_args.args[0] == 10**25 and 10**25 > 2**80


def test_only_the_index_and_a_slow_hash_are_stored(world: Any) -> None:
    tip, receipt = submit_tip(category=Category.HAZARD, text=TEXT)
    digits = receipt.replace(" ", "")
    row = Tip.objects.filter(pk=tip.pk).values().get()
    assert digits not in str(row) and row["receipt_hash"].startswith(("md5$", "argon2", "pbkdf2"))
    assert receipts.find_by_receipt(receipt).pk == tip.pk
    assert receipts.find_by_receipt("-".join([digits[:5], digits[5:]])).pk == tip.pk  # dashes, no spaces
    forged = digits[:-1] + str((int(digits[-1]) + 1) % 10)
    assert receipts.find_by_receipt(forged) is None
    assert receipts.find_by_receipt("12345") is None and receipts.find_by_receipt("") is None


def test_a_stolen_index_without_the_code_does_not_verify(world: Any) -> None:
    tip, receipt = submit_tip(category=Category.HAZARD, text=TEXT)
    Tip.objects.filter(pk=tip.pk).update(
        receipt_hash=receipts.receipt_fields(receipts.new_receipt())["receipt_hash"]
    )
    assert receipts.find_by_receipt(receipt) is None


def test_public_view_follows_a_merge_and_shows_only_public_facts(world: Any) -> None:
    main, _ = submit_tip(category=Category.HAZARD, text=TEXT)
    dup, receipt = submit_tip(category=Category.HAZARD, text=TEXT)
    Tip.objects.filter(pk=main.pk).update(
        status=TipStatus.REJECTED, rejection_reason="不属于安全生产监管范围", conclusion="内部核查情况"
    )
    Tip.objects.filter(pk=dup.pk).update(status=TipStatus.MERGED, merged_into=main)
    view = receipts.public_view(receipts.find_by_receipt(receipt))
    assert view.code == dup.code and view.merged and view.status == "rejected"
    assert view.rejection_reason == "不属于安全生产监管范围"
    assert "内部核查情况" not in str(view)


def test_extension_reason_is_told_once_approved(world: Any) -> None:
    tip, receipt = submit_tip(category=Category.HAZARD, text=TEXT)
    Tip.objects.filter(pk=tip.pk).update(status=TipStatus.VERIFYING, extended=True)
    TipExtension.objects.create(
        tip=tip, days=30, reason="需检测机构出具报告", requested_by=world.yingji, approved=True
    )
    assert receipts.public_view(receipts.find_by_receipt(receipt)).extension_reason == "需检测机构出具报告"


# --- attachments ---------------------------------------------------------------------------------------------


def test_jpeg_working_copy_has_no_exif_and_the_original_decrypts_exactly(world: Any) -> None:
    data = jpeg_with_gps()
    tip, _ = submit_tip(category=Category.HAZARD, text=TEXT, files=[upload("我家门口.jpg", data)])
    attachment = TipAttachment.objects.get(tip=tip)
    assert attachment.name == "附件1.jpg" and attachment.original_name == "我家门口.jpg"
    with attachment.working_file.open("rb") as handle:
        working = handle.read()
    image = Image.open(io.BytesIO(working))
    assert len(image.getexif()) == 0 and b"SentinelCam" not in working
    assert image.size == (30, 40)  # turned upright by the orientation before it was dropped
    with attachment.original_file.open("rb") as handle:
        stored = handle.read()
    assert data not in stored and b"SentinelCam" not in stored  # encrypted at rest
    assert tip_files.read_original(attachment) == data


def test_pdf_working_copy_loses_its_document_information(world: Any) -> None:
    data = pdf_with_metadata()
    tip, _ = submit_tip(
        category=Category.HAZARD, text=TEXT, files=[upload("举报材料.pdf", data, "application/pdf")]
    )
    attachment = TipAttachment.objects.get(tip=tip)
    with attachment.working_file.open("rb") as handle:
        working = handle.read()
    assert attachment.name == "附件1.pdf" and len(working) == len(data)  # blanked in place
    assert b"S\x00e\x00n\x00t\x00i\x00n\x00e\x00l" not in working and b"D:20" not in working
    assert b"S\x00e\x00n\x00t\x00i\x00n\x00e\x00l" in data
    assert working.startswith(b"%PDF-") and b"startxref" in working
    Image.open(io.BytesIO(jpeg_with_gps()))  # Pillow still reads our own images after all this


def test_a_pdf_whose_info_is_unreachable_is_refused() -> None:
    data = b"%PDF-1.7\n1 0 obj<</Type/ObjStm>>stream\nxx\nendstream endobj\ntrailer<</Info 9 0 R>>\n%%EOF"
    with pytest.raises(ValidationError) as refused:
        tip_files.clean_pdf(data, "x.pdf")
    assert "拍照" in refused.value.message_dict["files"][0]


def test_png_text_chunks_are_dropped() -> None:
    from PIL import PngImagePlugin

    info = PngImagePlugin.PngInfo()
    info.add_text("Author", "哨兵作者")
    out = io.BytesIO()
    Image.new("RGBA", (8, 8)).save(out, "PNG", pnginfo=info)
    cleaned = tip_files.clean_image(out.getvalue(), "image/png", "a.png")
    assert not Image.open(io.BytesIO(cleaned)).info.get("Author")


# --- the portal ----------------------------------------------------------------------------------------------


def portal_post(client: Client, **fields: Any) -> Any:
    page = client.get("/tips/")
    token = re.search(rb'name="token" value="([^"]+)"', page.content).group(1).decode()
    data = {"category": Category.HAZARD, "text": TEXT, "token": token, **fields}
    return client.post("/tips/", data, **_sentinel_headers())


def _sentinel_headers() -> dict[str, str]:
    return {"HTTP_X_FORWARDED_FOR": SENTINEL_IP, "HTTP_USER_AGENT": SENTINEL_UA}


def assert_private(response: Any) -> None:
    assert response["Cache-Control"] == "no-store"
    assert response["Referrer-Policy"] == "no-referrer"
    assert not response.cookies, response.cookies


def test_portal_page_is_public_private_and_self_contained(world: Any) -> None:
    response = Client().get("/tips/")
    assert response.status_code == 200
    assert_private(response)
    body = response.content.decode()
    assert "只有区安委办举报受理保密员可以查看" in body
    assert "zb-sidebar" not in body and "退出登录" not in body  # no staff navigation
    assert not re.search(r"""(src|href)=["'](https?:)?//""", body)  # nothing from another origin
    assert "天问街道" in body and "<optgroup" in body
    assert "'self'" in response["Content-Security-Policy"]


def test_portal_submit_shows_the_receipt_once_and_a_double_submit_files_one_tip(world: Any) -> None:
    client = Client()
    page = client.get("/tips/")
    token = re.search(rb'name="token" value="([^"]+)"', page.content).group(1).decode()
    data = {"category": Category.ILLEGAL, "text": TEXT, "token": token, "name": SENTINEL_NAME}
    first = client.post("/tips/", {**data, "files": upload("p.jpg", jpeg_with_gps())})
    assert first.status_code == 200
    assert_private(first)
    receipt = re.search(r'data-testid="receipt">([\d ]+)<', first.content.decode()).group(1)
    assert receipts.find_by_receipt(receipt) is not None
    second = client.post("/tips/", data)
    assert second.status_code == 200 and "已提交" in second.content.decode()
    assert receipt not in second.content.decode()
    assert Tip.objects.count() == 1 and TipAttachment.objects.count() == 1


def test_portal_errors_are_chinese_and_keep_the_text(world: Any) -> None:
    response = portal_post(Client(), text="太短")
    assert response.status_code == 400
    assert "举报内容过短" in response.content.decode() and "太短" in response.content.decode()
    assert not Tip.objects.exists()


def test_portal_refuses_a_forged_token(world: Any) -> None:
    response = Client().post("/tips/", {"category": Category.HAZARD, "text": TEXT, "token": "forged"})
    assert response.status_code == 400 and "24小时" in response.content.decode()
    assert not Tip.objects.exists()


def test_unit_lookup_answers_names_and_ids_only(world: Any) -> None:
    response = Client().get("/tips/units/", {"q": "营田"})
    assert_private(response)
    rows = response.json()["results"]
    assert rows and all(set(r) == {"id", "name"} for r in rows)
    assert {r["name"] for r in rows} >= {world.enterprises["yt_gas"].name}
    assert Client().get("/tips/units/", {"q": "营"}).json() == {"results": []}


def test_status_page_shows_public_facts_never_internal_ones(world: Any) -> None:
    tip, receipt = submit_tip(category=Category.HAZARD, text=TEXT)
    Tip.objects.filter(pk=tip.pk).update(
        status=TipStatus.CLOSED,
        department=world.departments[next(iter(world.departments))],
        conclusion="企业回复称已整改（内部）",
        public_feedback="经核查，反映问题属实，已责令整改并依法处罚。",
    )
    response = Client().post("/tips/status/", {"receipt": receipt})
    body = response.content.decode()
    assert response.status_code == 200
    assert_private(response)
    assert "已办结" in body and "已责令整改" in body
    assert "企业回复" not in body and str(tip.department) not in body


def test_status_page_refuses_a_wrong_code_in_chinese(world: Any) -> None:
    response = Client().post("/tips/status/", {"receipt": "1" * 25})
    assert response.status_code == 404 and "查询码不正确" in response.content.decode()


def test_thirty_quick_wrong_lookups_hit_429(world: Any) -> None:
    client = Client()
    codes = [client.post("/tips/status/", {"receipt": f"{i:025d}"}).status_code for i in range(30)]
    assert codes[:20] == [404] * 20 and set(codes[20:]) == {429}
    limited = client.post("/tips/status/", {"receipt": "0" * 25})
    assert "查询过于频繁" in limited.content.decode() and limited["Retry-After"] == "600"


def test_a_flood_of_submissions_hits_429(world: Any) -> None:
    client = Client()
    codes = [portal_post(client).status_code for _ in range(7)]
    assert codes == [200] * 5 + [429] * 2
    assert Tip.objects.count() == 5


@override_settings(TRUSTED_PROXIES=["127.0.0.1"])
def test_the_client_address_and_user_agent_are_stored_nowhere(world: Any, caplog: Any) -> None:
    caplog.set_level(logging.DEBUG)
    client = Client()
    response = portal_post(client, name=SENTINEL_NAME, files=upload("a.jpg", jpeg_with_gps()))
    assert response.status_code == 200
    receipt = re.search(r'data-testid="receipt">([\d ]+)<', response.content.decode()).group(1)
    client.post("/tips/status/", {"receipt": receipt}, **_sentinel_headers())
    client.post("/tips/status/", {"receipt": "9" * 25}, **_sentinel_headers())
    api = client.post(
        "/api/v1/public/tips/",
        {"category": Category.HAZARD, "text": TEXT, "name": SENTINEL_NAME},
        content_type="application/json",
        **_sentinel_headers(),
    )
    open311 = client.post(
        "/open311/v2/requests.json",
        {
            "service_code": Category.HAZARD.value,
            "description": TEXT,
            "address_string": "老街",
            "phone": SENTINEL_PHONE,
        },
        **_sentinel_headers(),
    )
    assert (api.status_code, open311.status_code) == (201, 200)
    assert AuditEntry.objects.filter(object_type="tips.tip").count() == 3
    dump = database_text()
    for sentinel in (
        SENTINEL_IP,
        SENTINEL_UA,
        "SentinelBrowser",
        SENTINEL_NAME,
        SENTINEL_PHONE,
        receipt.replace(" ", ""),
    ):
        assert sentinel not in dump, sentinel
        assert sentinel not in caplog.text, sentinel


def database_text() -> str:
    """Every text of every table, as a dump would show it."""
    parts = []
    with connection.cursor() as cursor:
        for table in connection.introspection.table_names(cursor):
            cursor.execute(f'SELECT * FROM "{table}"')  # noqa: S608 - table names from the introspection
            parts.extend(str(row) for row in cursor.fetchall())
    return "\n".join(parts)
