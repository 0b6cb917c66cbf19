"""The anonymous public API: POST /api/v1/public/tips/ and GET /api/v1/public/tips/status/ (issue 12 §2)."""

from __future__ import annotations

import re
from typing import Any

import pytest
from django.core.cache import cache
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from drf_spectacular.generators import SchemaGenerator

from zhiben.core.testing import obtain_token, token_header
from zhiben.tips.choices import Category, Channel, TipStatus
from zhiben.tips.models import Tip, TipAttachment, TipIdentity
from zhiben.tips.testing import SENTINEL_NAME, SENTINEL_PHONE
from zhiben.tips.tests.test_intake import TEXT, jpeg_with_gps

SUBMIT = "/api/v1/public/tips/"
STATUS = "/api/v1/public/tips/status/"


@pytest.fixture(autouse=True)
def _fresh_limits() -> None:
    cache.clear()


def private(response: Any) -> Any:
    assert response["Cache-Control"] == "no-store" and response["Referrer-Policy"] == "no-referrer"
    assert not response.cookies
    return response


def test_anonymous_json_submit_returns_a_receipt_and_its_status_works(world: Any) -> None:
    client = Client()
    created = private(
        client.post(
            SUBMIT,
            {"category": Category.CONCEALED, "text": TEXT, "name": SENTINEL_NAME, "phone": SENTINEL_PHONE},
            content_type="application/json",
        )
    )
    assert created.status_code == 201, created.content
    body = created.json()
    assert set(body) == {"receipt", "code"} and re.fullmatch(r"\d{5}( \d{5}){4}", body["receipt"])
    tip = Tip.objects.get(code=body["code"])
    assert tip.channel == Channel.APP and TipIdentity.objects.get(tip=tip).phone == SENTINEL_PHONE

    status = private(client.get(STATUS, {"receipt": body["receipt"]}))
    assert status.status_code == 200
    assert status.json()["status"] == "received" and status.json()["status_label"] == "已收到，等待受理"
    assert SENTINEL_NAME not in status.content.decode()


def test_multipart_submit_with_a_photo_and_a_retry_key(world: Any) -> None:
    client = Client()
    data = {
        "category": Category.HAZARD,
        "text": TEXT,
        "submission_key": "device-42-1",
        "files": SimpleUploadedFile("x.jpg", jpeg_with_gps(), content_type="image/jpeg"),
    }
    first = client.post(SUBMIT, data)
    assert first.status_code == 201, first.content
    data["files"] = SimpleUploadedFile("x.jpg", jpeg_with_gps(), content_type="image/jpeg")
    again = client.post(SUBMIT, data)
    assert again.status_code == 200 and again.json() == {"receipt": None, "code": first.json()["code"]}
    assert Tip.objects.count() == 1 and TipAttachment.objects.count() == 1


def test_bad_input_is_a_chinese_400_and_stores_nothing(world: Any) -> None:
    client = Client()
    empty = client.post(SUBMIT, {"category": Category.HAZARD, "text": "  "}, content_type="application/json")
    assert empty.status_code == 400 and "text" in empty.json()
    short = client.post(
        SUBMIT, {"category": Category.HAZARD, "text": "有隐患"}, content_type="application/json"
    )
    assert short.status_code == 400 and "过短" in short.json()["text"][0]
    disguised = client.post(
        SUBMIT,
        {
            "category": Category.HAZARD,
            "text": TEXT,
            "files": SimpleUploadedFile("a.jpg", b"MZ\x90\x00 an exe", content_type="image/jpeg"),
        },
    )
    assert disguised.status_code == 400 and "不是可接受的" in disguised.json()["files"][0]
    assert not Tip.objects.exists()


def test_unknown_forged_or_missing_receipts(world: Any) -> None:
    client = Client()
    tip_body = client.post(
        SUBMIT, {"category": Category.HAZARD, "text": TEXT}, content_type="application/json"
    ).json()
    digits = tip_body["receipt"].replace(" ", "")
    forged = digits[:-1] + str((int(digits[-1]) + 1) % 10)
    assert client.get(STATUS, {"receipt": forged}).status_code == 404
    assert client.get(STATUS, {"receipt": "abc"}).status_code == 404
    assert client.get(STATUS).status_code == 400
    # POST keeps the code out of URLs and access logs.
    assert (
        client.post(STATUS, {"receipt": tip_body["receipt"]}, content_type="application/json").status_code
        == 200
    )
    assert client.post(STATUS, {"receipt": forged}, content_type="application/json").status_code == 404
    assert client.post(STATUS, {"receipt": ["x"]}, content_type="application/json").status_code == 400


def test_status_never_tells_internal_facts(world: Any) -> None:
    client = Client()
    body = client.post(
        SUBMIT, {"category": Category.HAZARD, "text": TEXT}, content_type="application/json"
    ).json()
    Tip.objects.filter(code=body["code"]).update(
        status=TipStatus.CLOSED,
        conclusion="企业回复：已整改（内部）",
        public_feedback="经核查属实，已责令整改。",
        department=next(iter(world.departments.values())),
    )
    answer = client.get(STATUS, {"receipt": body["receipt"]}).json()
    assert answer["status"] == "closed" and answer["public_feedback"] == "经核查属实，已责令整改。"
    text = str(answer)
    assert "企业回复" not in text and str(next(iter(world.departments.values()))) not in text


def test_thirty_quick_wrong_lookups_hit_429(world: Any) -> None:
    client = Client()
    codes = [client.get(STATUS, {"receipt": f"{i:025d}"}).status_code for i in range(30)]
    assert codes[:20] == [404] * 20 and set(codes[20:]) == {429}
    limited = client.get(STATUS, {"receipt": "0" * 25})
    assert "查询过于频繁" in limited.json()["detail"]


def test_a_flood_of_api_submissions_hits_429(world: Any) -> None:
    client = Client()
    codes = [
        client.post(
            SUBMIT, {"category": Category.HAZARD, "text": TEXT}, content_type="application/json"
        ).status_code
        for _ in range(7)
    ]
    assert codes == [201] * 5 + [429] * 2


def test_a_logged_in_caller_files_as_the_public(world: Any) -> None:
    client = Client()
    headers = token_header(obtain_token(client, "anweiban"))
    response = client.post(
        SUBMIT, {"category": Category.HAZARD, "text": TEXT}, content_type="application/json", headers=headers
    )
    assert response.status_code == 201
    assert Tip.objects.get().transitions.get().actor is None


def test_the_paths_are_in_the_openapi_schema() -> None:
    document = SchemaGenerator().get_schema(request=None, public=True)
    post = document["paths"]["/api/v1/public/tips/"]["post"]
    assert {"201", "200", "400", "429"} <= set(post["responses"]) and "401" not in post["responses"]
    get = document["paths"]["/api/v1/public/tips/status/"]["get"]
    assert {"200", "400", "404", "429"} <= set(get["responses"])
    assert [p["name"] for p in get["parameters"]] == ["receipt"]
    post_lookup = document["paths"]["/api/v1/public/tips/status/"]["post"]
    assert {"200", "400", "404", "429"} <= set(post_lookup["responses"])
