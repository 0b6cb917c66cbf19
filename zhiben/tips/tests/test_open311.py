"""Open311 GeoReport v2 (/open311/v2/): a stock client's payloads file into the same intake."""

from __future__ import annotations

import re
from typing import Any

import pytest
from django.core.cache import cache
from django.test import Client

from zhiben.tips.choices import Category, Channel, TipStatus
from zhiben.tips.models import Tip, TipIdentity
from zhiben.tips.services import receipts
from zhiben.tips.testing import SENTINEL_PHONE
from zhiben.tips.tests.test_intake import TEXT

# What a stock GeoReport v2 client (e.g. the Open311 mobile apps, python-open311) posts: form-encoded.
STOCK_PAYLOAD = {
    "jurisdiction_id": "quyuan.example",
    "api_key": "client-key-123",
    "service_code": Category.HAZARD.value,
    "lat": "28.829500",
    "long": "112.902200",
    "address_string": "营田镇老街12号",
    "email": "reporter@example.com",
    "device_id": "device-abc",
    "account_id": "",
    "first_name": "三",
    "last_name": "张",
    "phone": SENTINEL_PHONE,
    "description": TEXT,
    "media_url": "https://example.com/photo.jpg",
}


@pytest.fixture(autouse=True)
def _fresh_limits() -> None:
    cache.clear()


def test_services_lists_the_four_categories() -> None:
    response = Client().get("/open311/v2/services.json")
    assert response.status_code == 200 and response["Cache-Control"] == "no-store"
    services = response.json()
    assert [s["service_code"] for s in services] == list(Category.values)
    assert {s["service_name"] for s in services} == {str(c.label) for c in Category}
    assert all(
        s["metadata"] is False and s["type"] == "realtime" and s["keywords"] and s["group"] for s in services
    )


def test_a_stock_client_post_files_a_tip_with_the_receipt_in_the_notice(world: Any) -> None:
    response = Client().post("/open311/v2/requests.json", STOCK_PAYLOAD)
    assert response.status_code == 200, response.content
    (answer,) = response.json()
    assert set(answer) == {"service_request_id", "service_notice", "token"} and answer["token"] is None
    tip = Tip.objects.get(code=answer["service_request_id"])
    assert (
        tip.channel == Channel.OPEN311
        and tip.address == "营田镇老街12号"
        and str(tip.latitude) == "28.829500"
    )
    assert tip.place is None  # coordinates are kept as given, never mapped to anything
    receipt = re.search(r"查询码：([\d ]+)", answer["service_notice"]).group(1).strip()
    assert receipts.find_by_receipt(receipt).pk == tip.pk
    assert "附件链接未获取" in answer["service_notice"]
    identity = TipIdentity.objects.get(tip=tip)
    assert (identity.name, identity.phone) == ("张三", SENTINEL_PHONE) and tip.real_name


def test_a_request_answers_its_public_status_and_the_rest_only_with_the_receipt(world: Any) -> None:
    client = Client()
    (answer,) = client.post("/open311/v2/requests.json", STOCK_PAYLOAD).json()
    receipt = re.search(r"查询码：([\d ]+)", answer["service_notice"]).group(1).strip()
    code = answer["service_request_id"]
    Tip.objects.filter(code=code).update(
        status=TipStatus.CLOSED, public_feedback="已责令整改。", conclusion="企业回复（内部）"
    )
    (bare,) = client.get(f"/open311/v2/requests/{code}.json").json()
    assert bare["status"] == "closed" and bare["service_name"] == "一般隐患"
    assert "address" not in bare and "已责令整改" not in str(bare)
    (full,) = client.get(f"/open311/v2/requests/{code}.json", {"receipt": receipt}).json()
    assert "已责令整改" in full["status_notes"] and full["address"] == "营田镇老街12号"
    for answered in (bare, full):
        text = str(answered)
        assert SENTINEL_PHONE not in text and "张三" not in text and "企业回复" not in text
        assert {"requested_datetime", "updated_datetime"} <= set(answered)


@pytest.mark.parametrize(
    ("change", "words"),
    [
        ({"service_code": "pothole"}, "service_code"),
        ({"lat": "", "long": "", "address_string": ""}, "位置"),
        ({"description": ""}, "举报内容"),
        ({"phone": "not a phone"}, "联系电话"),
    ],
)
def test_errors_follow_the_spec(world: Any, change: dict[str, str], words: str) -> None:
    response = Client().post("/open311/v2/requests.json", {**STOCK_PAYLOAD, **change})
    assert response.status_code == 400
    (error,) = response.json()
    assert error["code"] == 400 and words in error["description"]
    assert not Tip.objects.exists()


def test_unknown_request_and_the_list_are_refused(world: Any) -> None:
    client = Client()
    missing = client.get("/open311/v2/requests/JB2026-999999.json")
    assert missing.status_code == 404 and missing.json()[0]["code"] == 404
    listing = client.get("/open311/v2/requests.json")
    assert listing.status_code == 400 and listing.json()[0]["code"] == 400
