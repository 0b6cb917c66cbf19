"""打非治违: 营田镇 records an unlicensed workshop with no USCC in its territory, with a photo; it is stopped,
a case is filed against it, it becomes legal and is registered — the record, its history and its case stay,
now linked to the new unit."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse

from zhiben.core.codes import make_uscc
from zhiben.core.errors import NotPermitted
from zhiben.core.models import AuditEntry
from zhiben.core.testing import assert_audited, login, obtain_token, token_header
from zhiben.core.workflow import TransitionNotAllowed
from zhiben.enforcement import events, operations, steps
from zhiben.enforcement.choices import OperationStatus
from zhiben.enforcement.models import Case, IllegalOperation, IllegalOperationTransition
from zhiben.registry.models import Enterprise, Region

pytestmark = pytest.mark.django_db
PNG = b"\x89PNG\r\n\x1a\n" + b"\0" * 64


def village(name: str) -> Region:
    return Region.objects.get(name=name, level=4).children.order_by("code").first()


def record(world: Any, **kwargs: Any) -> IllegalOperation:
    values = {
        "subject_name": "无名氏五金加工作坊",
        "kind": "no_licence",
        "region": village("营田镇"),
        "address": "营田镇某村三组",
        "description": "未取得营业执照擅自从事金属切割加工，现场堆放易燃物。",
        "discovered_on": dt.date(2025, 3, 2),
        "contact_name": "王某",
        "contact_phone": "13812345678",
        "latitude": Decimal("28.85"),
        "longitude": Decimal("112.95"),
        "industry": world.industries["INDTRADE-MACHINE"],
        "department": world.departments["emergency"],
    }
    values.update(kwargs)
    return operations.record_operation(actor=world.yingtian, **values)


def test_a_township_records_an_unregistered_operation_and_converts_it(
    world: Any, rules: Any, clock: Any
) -> None:
    yingtian = login(Client(), world.yingtian)
    r = yingtian.post(
        reverse("enforcement:operation_create"),
        {
            "subject_name": "无名氏五金加工作坊",
            "kind": "no_licence",
            "region": village("营田镇").code,
            "industry": "INDTRADE-MACHINE",
            "address": "营田镇某村三组",
            "latitude": "28.850000",
            "longitude": "112.950000",
            "description": "未取得营业执照擅自从事金属切割加工。",
            "discovered_on": "2025-03-02",
            "contact_phone": "13812345678",
            "department": world.departments["emergency"].pk,
        },
    )
    assert r.status_code == 302, r.content.decode()[:3000]
    op = IllegalOperation.objects.get()
    assert op.uscc == "" and op.status == OperationStatus.FOUND and op.code.startswith("DF4306712025")
    assert op.recorded_by == world.yingtian and op.latitude == Decimal("28.85")
    entry = assert_audited(steps.RECORD.event, op, actor=world.yingtian)
    assert entry.data["contact_phone"] == "[已脱敏]"
    page = yingtian.get(op.get_absolute_url()).content.decode()
    assert "无统一社会信用代码" in page and "138****5678" in page and "13812345678" not in page

    # A photo as evidence; a text file pretending to be a photo is refused.
    r = yingtian.post(
        reverse("enforcement:evidence_upload", args=[op.pk]),
        {"upload": SimpleUploadedFile("scene.jpg", PNG, content_type="image/jpeg"), "note": "现场照片"},
    )
    assert r.status_code == 302
    evidence = op.evidence.get()
    assert evidence.content_type == "image/png" and evidence.note == "现场照片"
    r = yingtian.post(
        reverse("enforcement:evidence_upload", args=[op.pk]),
        {"upload": SimpleUploadedFile("x.jpg", b"<script>alert(1)</script>", content_type="image/jpeg")},
        follow=True,
    )
    assert "类型不受支持" in r.content.decode() and op.evidence.count() == 1
    shown = yingtian.get(reverse("enforcement:evidence", args=[evidence.pk]))
    assert shown.status_code == 200 and shown["X-Content-Type-Options"] == "nosniff"
    assert_audited(events.OPERATION_EVIDENCE_VIEWED, evidence, actor=world.yingtian)
    assert (
        login(Client(), world.heshi).get(reverse("enforcement:evidence", args=[evidence.pk])).status_code
        == 404
    )

    # 责令停止; 应急管理局 (the handling department) files a case against the unregistered subject.
    assert (
        yingtian.post(
            reverse("enforcement:operation_step", args=[op.pk, "stop"]),
            {"version": op.version, "note": "现场责令停止"},
        ).status_code
        == 302
    )
    yingji = login(Client(), world.yingji)
    assert yingji.get(op.get_absolute_url()).status_code == 200
    r = yingji.post(
        reverse("enforcement:case_create"),
        {
            "operation": op.pk,
            "department": world.departments["emergency"].pk,
            "violation": op.description,
            "filed_on": "2025-03-03",
        },
    )
    assert r.status_code == 302, r.content.decode()[:3000]
    case = Case.objects.get(operation=op)
    assert case.enterprise is None and case.subject_name == "无名氏五金加工作坊" and case.region == op.region

    # It obtains its licence and is registered: the record stays, linked to the new unit, and so does the case.
    op.refresh_from_db()
    assert (
        yingtian.post(
            reverse("enforcement:operation_step", args=[op.pk, "legalise"]),
            {"version": op.version, "note": ""},
        ).status_code
        == 400
    )
    assert (
        yingtian.post(
            reverse("enforcement:operation_step", args=[op.pk, "legalise"]),
            {"version": op.version, "note": "已取得营业执照"},
        ).status_code
        == 302
    )
    op.refresh_from_db()
    uscc = make_uscc("9", "2", "430671", "MA4L0099")
    r = yingtian.post(
        reverse("enforcement:operation_step", args=[op.pk, "convert"]),
        {
            "version": op.version,
            "name": "屈原王氏五金加工厂",
            "uscc": uscc,
            "kind": "sole_trader",
            "primary_industry": "INDTRADE-MACHINE",
        },
    )
    assert r.status_code == 302, r.content.decode()[:3000]
    op.refresh_from_db()
    enterprise = Enterprise.objects.get(uscc=uscc)
    assert op.status == OperationStatus.CONVERTED and op.enterprise == enterprise and op.uscc == uscc
    assert enterprise.region == op.region and enterprise.principal_phone == "13812345678"
    assert list(
        IllegalOperationTransition.objects.filter(operation=op)
        .order_by("pk")
        .values_list("action", flat=True)
    ) == [
        "record",
        "stop",
        "legalise",
        "convert",
    ]
    assert op.evidence.count() == 1
    case.refresh_from_db()
    assert case.enterprise == enterprise and case.history.filter(action="register_subject").exists()
    assert_audited(steps.REGISTER_SUBJECT.event, case, enterprise=enterprise.pk)
    assert AuditEntry.objects.filter(event="ENTERPRISE_CREATED", object_id=str(enterprise.pk)).exists()
    # The unit's cases now include the one filed before registration.
    page = yingji.get(reverse("enforcement:case_list"), {"enterprise": enterprise.pk}).content.decode()
    assert case.code in page
    page = yingtian.get(op.get_absolute_url()).content.decode()
    assert "已纳入监管" in page and "屈原王氏五金加工厂" in page and case.code in page
    assert yingtian.get(reverse("enforcement:operation_edit", args=[op.pk])).status_code == 200
    r = yingtian.post(reverse("enforcement:operation_edit", args=[op.pk]), {"version": op.version})
    assert r.status_code == 400


def test_a_township_records_only_in_its_territory(world: Any, rules: Any, clock: Any) -> None:
    with pytest.raises(ValidationError) as refused:
        record(world, region=village("河市镇"))
    assert "region" in refused.value.error_dict
    op = record(world)
    assert login(Client(), world.heshi).get(op.get_absolute_url()).status_code == 404
    assert login(Client(), world.zhujian).get(op.get_absolute_url()).status_code == 404
    # A department records only as itself.
    with pytest.raises(ValidationError) as refused:
        operations.record_operation(
            actor=world.zhujian,
            subject_name="x",
            kind="other",
            region=village("天问街道"),
            address="x",
            description="x",
            discovered_on=dt.date(2025, 3, 1),
            department=world.departments["emergency"],
        )
    assert "department" in refused.value.error_dict
    # Only a holder of the right to register units converts (departments cannot).
    with pytest.raises(NotPermitted):
        operations.convert_operation(
            op, actor=world.yingji, name="x", primary_industry=world.industries["GAS"]
        )


def test_converting_with_a_registered_uscc_links_the_unit(world: Any, rules: Any, clock: Any) -> None:
    shop = world.enterprises["yt_shop"]
    op = record(world, subject_name="营田兰花超市（仓库）", kind="over_scope", uscc=shop.uscc)
    operations.stop_operation(op, actor=world.yingtian)
    before = Enterprise.objects.count()
    operations.convert_operation(op, actor=world.yingtian, name="", primary_industry=None)
    op.refresh_from_db()
    assert op.enterprise == shop and Enterprise.objects.count() == before
    # A banned operation cannot be converted.
    other = record(world, subject_name="黑加油点", kind="illegal_storage")
    operations.stop_operation(other, actor=world.yingtian)
    operations.ban_operation(other, actor=world.yingtian, note="查封储油罐")
    with pytest.raises(TransitionNotAllowed) as refused:
        operations.convert_operation(
            other, actor=world.yingtian, name="x", primary_industry=world.industries["GAS"]
        )
    assert "不能变更为" in str(refused.value)


def test_the_api_records_steps_and_refuses_bad_input(world: Any, rules: Any, clock: Any) -> None:
    c = Client()
    h = token_header(obtain_token(c, "yingtian"))
    r = c.post(
        "/api/v1/illegal-operations/", {"subject_name": ""}, content_type="application/json", headers=h
    )
    assert r.status_code == 400 and {"subject_name", "kind", "region", "address", "description"} <= set(
        r.json()
    )
    body = {
        "subject_name": "流动烟花销售点",
        "kind": "no_licence",
        "region": village("河市镇").code,
        "address": "河市镇集市",
        "description": "无证销售烟花爆竹",
        "discovered_on": "2025-03-01",
        "department": "emergency",
    }
    r = c.post("/api/v1/illegal-operations/", body, content_type="application/json", headers=h)
    assert r.status_code == 400 and "region" in r.json()  # not 营田镇's territory
    body["region"] = village("营田镇").code
    body["uscc"] = "123"
    r = c.post("/api/v1/illegal-operations/", body, content_type="application/json", headers=h)
    assert r.status_code == 400 and "uscc" in r.json()
    body["uscc"] = ""
    body["latitude"] = "95.0"
    body["longitude"] = "112.9"
    r = c.post("/api/v1/illegal-operations/", body, content_type="application/json", headers=h)
    assert r.status_code == 400 and "latitude" in r.json()
    body["latitude"] = "28.8"
    r = c.post("/api/v1/illegal-operations/", body, content_type="application/json", headers=h)
    assert r.status_code == 201, r.content
    op = r.json()
    url = f"/api/v1/illegal-operations/{op['id']}/"
    r = c.post(url + "evidence/", {"upload": SimpleUploadedFile("p.pdf", b"%PDF-1.4 test")}, headers=h)
    assert r.status_code == 201 and r.json()["content_type"] == "application/pdf"
    assert len(c.get(url + "evidence/", headers=h).json()) == 1
    r = c.post(
        url + "ban/", {"note": "x", "version": op["version"]}, content_type="application/json", headers=h
    )
    assert r.status_code == 400  # 取缔 only after 责令停止
    r = c.post(url + "stop/", {"version": op["version"]}, content_type="application/json", headers=h)
    assert r.status_code == 200 and r.json()["status"] == OperationStatus.STOPPED
    r = c.post(url + "stop/", {"version": op["version"]}, content_type="application/json", headers=h)
    assert r.status_code == 409
    r = c.patch(
        url, {"address": "河市镇集市东", "version": op["version"]}, content_type="application/json", headers=h
    )
    assert r.status_code == 409
    r = c.patch(
        url,
        {"address": "营田镇集市东", "version": op["version"] + 1},
        content_type="application/json",
        headers=h,
    )
    assert r.status_code == 200 and r.json()["address"] == "营田镇集市东"
    # 应急管理局 handles the record and sees it, but registering units is the township's: 403.
    d = token_header(obtain_token(c, "yingji"))
    assert c.get(url, headers=d).status_code == 200
    r = c.post(
        url + "convert/",
        {"name": "x", "version": r.json()["version"]},
        content_type="application/json",
        headers=d,
    )
    assert r.status_code == 403
    assert c.get(url, headers=token_header(obtain_token(c, "zhujian"))).status_code == 404


def test_the_list_filters_unregistered_subjects_and_is_scoped(world: Any, rules: Any, clock: Any) -> None:
    unregistered = record(world)
    registered = record(
        world, subject_name="营田兰花超市", kind="over_scope", uscc=world.enterprises["yt_shop"].uscc
    )
    url = reverse("enforcement:operation_list")
    yingtian = login(Client(), world.yingtian)
    page = yingtian.get(url).content.decode()
    assert unregistered.code in page and registered.code in page
    page = yingtian.get(url, {"unregistered": "true"}).content.decode()
    assert unregistered.code in page and registered.code not in page
    assert yingtian.get(reverse("enforcement:operation_create")).status_code == 200
    edit = reverse("enforcement:operation_edit", args=[unregistered.pk])
    page = yingtian.get(edit).content.decode()
    assert 'value="无名氏五金加工作坊"' in page and 'value="营田镇某村三组"' in page
    form = {
        "subject_name": "王氏五金加工作坊",
        "kind": "no_licence",
        "region": unregistered.region.code,
        "address": unregistered.address,
        "description": unregistered.description,
        "discovered_on": "2025-03-02",
        "version": unregistered.version,
    }
    assert yingtian.post(edit, form).status_code == 302
    unregistered.refresh_from_db()
    assert unregistered.subject_name == "王氏五金加工作坊" and unregistered.version == 2
    assert_audited(events.OPERATION_CHANGED, unregistered, subject_name="王氏五金加工作坊")
    assert yingtian.post(edit, form).status_code == 409
    # 河市镇 sees none of 营田镇's records; a unit and the expert have no 打非治违 permission at all.
    assert unregistered.code not in login(Client(), world.heshi).get(url).content.decode()
    assert login(Client(), world.qiye1).get(url).status_code == 403
    assert login(Client(), world.zhuanjia).get(reverse("enforcement:operation_create")).status_code == 403
    assert login(Client(), world.anweiban).get(reverse("enforcement:operation_create")).status_code == 403
