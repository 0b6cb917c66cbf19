"""区安委办 and 应急管理局 exchange the major-hazard list with the national database, as Excel and as JSON.

The story: the district's register holds 重大 hazards in every state of the loop. An export imports back with
zero changes; an empty register re-created from the file equals the original, statistics included; bad rows
are named by row and column; a step the lifecycle forbids is refused; the unit cannot import, and each
department exports only what it supervises.
"""

from __future__ import annotations

import datetime as dt
import io
import json
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from openpyxl import Workbook, load_workbook

from zhiben.core import events as core_events
from zhiben.core.codes import make_uscc
from zhiben.core.excel import XLSX_MIME, ImportMode, run_import
from zhiben.core.models import AuditEntry
from zhiben.core.models.sequence import Sequence
from zhiben.hazards import events, exchange, services, tally
from zhiben.hazards.choices import Level, Source, Status
from zhiben.hazards.models import Hazard, HazardTally, HazardTransfer, HazardTransition

pytestmark = [pytest.mark.django_db, pytest.mark.urls("zhiben.hazards.tests.urls_for_exchange")]

DOC = Path(__file__).resolve().parents[3] / "docs" / "hazard-exchange.md"
FOREIGN_KEYS = {"enterprise", "region", "industry", "department", "clause"}
MULTILINE = "配电柜前未铺设绝缘垫\n电缆沟积水  约 5 厘米"


def snapshot(codes: Any = None) -> dict[str, dict[str, Any]]:
    """Every mapped field of every hazard, by code (foreign keys as ids)."""
    qs = Hazard.objects.unrestricted("test: the whole register").order_by("code")
    if codes is not None:
        qs = qs.filter(code__in=codes)
    return {
        h.code: {
            f: getattr(h, f"{f}_id") if f in FOREIGN_KEYS else getattr(h, f) for f in exchange.MAPPED_FIELDS
        }
        for h in qs
    }


def versions() -> dict[str, int]:
    return dict(Hazard.objects.unrestricted("test: the whole register").values_list("code", "version"))


def _plan(h: Hazard, actor: Any) -> None:
    services.submit_plan(
        h,
        actor=actor,
        measures="安装固定式可燃气体报警仪并与通风联锁",
        responsible="王厂长",
        plan_deadline=h.deadline,
        funds=Decimal("12.5"),
        contingency="喷漆房火灾爆炸专项应急预案",
        interim_measures="停用喷漆房，设置警戒",
        goal="消除喷漆房火灾爆炸风险",
        stop_production=True,
    )


def build_register(world: Any, clause: Any) -> dict[str, Hazard]:
    """qiye1's 重大 hazards in every state, a 2023 stock hazard, a 一般 and a rejected one, and qiye3's."""
    qiye1 = world.enterprises["qiye1"]

    def major(title: str, *, actor: Any = None, **extra: Any) -> Hazard:
        extra.setdefault("discovered_on", dt.date(2025, 3, 1))
        return services.register_hazard(
            actor=actor or world.qiye1,
            enterprise=qiye1,
            level=Level.MAJOR,
            clause=clause,
            title=title,
            **extra,
        )

    h: dict[str, Hazard] = {}
    h["reported"] = major("喷漆房未设置可燃气体报警装置", location="=喷漆房（公式样文本）")
    h["confirmed"] = major("燃气燃烧器未设置压力报警装置")
    services.confirm(h["confirmed"], actor=world.yingji, supervision_level="district")
    h["rectifying"] = major("配电室防护不到位", description=MULTILINE)
    services.confirm(h["rectifying"], actor=world.yingji)
    _plan(h["rectifying"], world.qiye1)
    services.record_workers_report(h["rectifying"], actor=world.qiye1, reported_on=dt.date(2025, 3, 3))
    h["accepted"] = major("铸造熔炼炉冷却水系统无温度监测")
    services.confirm(h["accepted"], actor=world.yingji)
    _plan(h["accepted"], world.qiye1)
    services.request_acceptance(h["accepted"], actor=world.qiye1)
    services.self_accept(h["accepted"], actor=world.qiye1, acceptor="王厂长")
    h["closed"] = major("起重机械限位装置失效")
    services.confirm(h["closed"], actor=world.yingji)
    _plan(h["closed"], world.qiye1)
    services.request_acceptance(h["closed"], actor=world.qiye1)
    services.self_accept(h["closed"], actor=world.qiye1, acceptor="王厂长")
    services.close(h["closed"], actor=world.yingji)
    h["stock"] = major(
        "2023年检查发现：有限空间作业未审批",
        actor=world.yingji,
        source=Source.INSPECTION,
        discovered_on=dt.date(2023, 6, 1),
        finder="应急管理局检查组",
    )
    services.confirm(h["stock"], actor=world.yingji)
    h["general"] = services.register_hazard(
        actor=world.qiye1,
        enterprise=qiye1,
        level=Level.GENERAL,
        title="灭火器压力不足",
        discovered_on=dt.date(2025, 3, 1),
    )
    h["rejected"] = major("重复登记的隐患")
    services.reject(h["rejected"], actor=world.yingji, reason="不构成重大事故隐患")
    h["other"] = services.register_hazard(
        actor=world.zhujian,
        enterprise=world.enterprises["qiye3"],
        level=Level.MAJOR,
        clause=clause,
        title="深基坑未按专项方案支护",
        discovered_on=dt.date(2025, 2, 20),
        source=Source.INSPECTION,
    )
    services.confirm(h["other"], actor=world.zhujian)
    for hazard in h.values():
        hazard.refresh_from_db()
    return h


LISTED = ("reported", "confirmed", "rectifying", "accepted", "closed", "stock", "other")


def listed_codes(register: dict[str, Hazard], names: tuple[str, ...] = LISTED) -> list[str]:
    return sorted(register[n].code for n in names)


def sheet(rows: list[dict[str, Any]]) -> bytes:
    """A workbook as a clerk fills it: Chinese headers, only the columns the rows use."""
    headers = list(dict.fromkeys(k for row in rows for k in row))
    wb = Workbook()
    ws = wb.active
    ws.append(headers)
    for row in rows:
        ws.append([row.get(h) for h in headers])
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()


def row_of(h: Hazard, **changes: Any) -> dict[str, Any]:
    """The required columns of an existing hazard as the sheet shows them, with some cells changed."""
    row = {
        "隐患编号": h.code,
        "统一社会信用代码": h.enterprise.uscc,
        "行政区划代码": h.region.code,
        "行业代码": h.industry.code,
        "隐患等级": h.get_level_display(),
        "隐患来源": h.get_source_display(),
        "隐患名称": h.title,
        "发现日期": h.discovered_on,
        "状态": h.get_status_display(),
        "判定标准代码": h.clause.version.standard.code if h.clause else None,
        "标准版本": h.clause.version.label if h.clause else None,
        "条款编号": h.clause.code if h.clause else None,
    }
    row.update(changes)
    return row


def bad_cells(result: Any) -> list[tuple[int, str]]:
    return sorted((e.row, e.column) for e in result.errors)


# ---------------------------------------------------------------------------------------------------------
# Round trips


def test_it_round_trips_an_excel_export_with_zero_changes(
    client: Any, world: Any, clause: Any, clock: Any, settings: Any, tmp_path: Any
) -> None:
    settings.MEDIA_ROOT = tmp_path
    register = build_register(world, clause)
    client.force_login(world.anweiban)

    response = client.get(reverse("hazards:exchange_export_xlsx"))

    assert response.status_code == 200 and response["Content-Type"] == XLSX_MIME
    wb = load_workbook(io.BytesIO(response.content))
    assert wb.sheetnames == ["重大事故隐患清单", "说明"]
    ws = wb["重大事故隐患清单"]
    assert [c.value for c in ws[1]] == [col.label_text for col, _doc in exchange.field_docs()]
    rows = list(ws.iter_rows(min_row=2, values_only=True))
    assert [r[0] for r in rows] == listed_codes(register)  # 重大 only; not the rejected report
    labels = [c.value for c in ws[1]]
    phones = {r[labels.index("主要负责人电话")] for r in rows} | {
        r[labels.index("实际控制人电话")] for r in rows
    }
    assert phones == {"138****0001", "139****0002"}  # R16: masked, never in clear
    notes = "\n".join(str(c) for row in wb["说明"].iter_rows(values_only=True) for c in row if c)
    assert all(col.key in notes and col.label_text in notes for col, _doc in exchange.field_docs())
    export_audit = AuditEntry.objects.filter(event=core_events.EXPORT_DOWNLOADED).get()
    assert export_audit.data["rows"] == len(LISTED) and export_audit.data["format"] == "xlsx"

    before, before_versions = snapshot(), versions()
    transitions, audits = HazardTransition.objects.count(), _last_audit_seq()
    upload = SimpleUploadedFile("重大事故隐患清单.xlsx", response.content)
    page = client.post(
        reverse("hazards:exchange_import"), {"file": upload, "mode": ImportMode.ALL_OR_NOTHING}
    )

    assert page.status_code == 200
    result = page.context["result"]
    assert result.counts() == {"total": 7, "created": 0, "updated": 0, "unchanged": 7, "failed": 0}
    assert snapshot() == before and versions() == before_versions  # nothing was written at all
    assert HazardTransition.objects.count() == transitions
    new_audit = list(AuditEntry.objects.filter(seq__gt=audits).values_list("event", flat=True))
    assert new_audit == [core_events.IMPORT_COMPLETED]  # only the engine's summary row
    assert tally.diff() == {}


def test_it_round_trips_a_json_export_with_zero_changes(
    client: Any, world: Any, clause: Any, clock: Any, settings: Any, tmp_path: Any
) -> None:
    settings.MEDIA_ROOT = tmp_path
    register = build_register(world, clause)
    client.force_login(world.yingji)

    response = client.get(reverse("hazards:exchange_export_json"))

    assert response.status_code == 200 and response["Content-Type"].startswith("application/json")
    document = json.loads(response.content)
    assert (document["format"], document["version"]) == ("zhiben-major-hazards", 1)
    assert dt.datetime.fromisoformat(document["exported_at"]).tzinfo is not None
    assert [h["code"] for h in document["hazards"]] == listed_codes(register, LISTED[:-1])  # not 住建's
    rectifying = next(h for h in document["hazards"] if h["code"] == register["rectifying"].code)
    assert list(rectifying) == [col.key for col, _doc in exchange.field_docs()]
    assert rectifying["description"] == MULTILINE and rectifying["plan_funds"] == "12.50"
    assert (rectifying["level"], rectifying["status"], rectifying["stop_production"]) == (
        "major",
        "rectifying",
        True,
    )
    assert rectifying["principal_phone"] == "138****0001"

    before, before_versions = snapshot(), versions()
    upload = SimpleUploadedFile("清单.json", response.content, content_type="application/json")
    page = client.post(
        reverse("hazards:exchange_import_json"), {"json-file": upload, "json-mode": ImportMode.ALL_OR_NOTHING}
    )

    assert page.status_code == 200
    assert page.context["result"].counts() == {
        "total": 6,
        "created": 0,
        "updated": 0,
        "unchanged": 6,
        "failed": 0,
    }
    assert snapshot() == before and versions() == before_versions
    assert not AuditEntry.objects.filter(event=events.HAZARDS_IMPORTED).exists()


def _wipe_register() -> None:
    """A register that has never seen these hazards (a second installation): no rows, no tally, no sequence."""
    Hazard.objects.unrestricted("test: the whole register").delete()
    HazardTally.objects.all().delete()
    Sequence.objects.filter(key__startswith="hazard/").delete()


@pytest.mark.parametrize("file_format", ["xlsx", "json"])
def test_it_recreates_an_empty_register_from_the_list(
    client: Any, world: Any, clause: Any, clock: Any, settings: Any, tmp_path: Any, file_format: str
) -> None:
    settings.MEDIA_ROOT = tmp_path
    register = build_register(world, clause)
    codes = listed_codes(register)
    client.force_login(world.anweiban)
    exported = client.get(reverse(f"hazards:exchange_export_{file_format}")).content
    expected = snapshot(codes)
    _wipe_register()

    if file_format == "xlsx":
        upload = SimpleUploadedFile("清单.xlsx", exported)
        page = client.post(
            reverse("hazards:exchange_import"), {"file": upload, "mode": ImportMode.ALL_OR_NOTHING}
        )
    else:
        upload = SimpleUploadedFile("清单.json", exported)
        page = client.post(
            reverse("hazards:exchange_import_json"),
            {"json-file": upload, "json-mode": ImportMode.ALL_OR_NOTHING},
        )

    assert page.context["result"].counts() == {
        "total": 7,
        "created": 7,
        "updated": 0,
        "unchanged": 0,
        "failed": 0,
    }
    # The import engine folds line breaks and runs of spaces in text cells (documented): the one known change.
    rectifying = register["rectifying"].code
    expected[rectifying]["description"] = " ".join(MULTILINE.split())
    assert snapshot() == expected
    assert tally.diff() == {}  # the statistics were maintained row by row, and equal a recount
    for hazard in Hazard.objects.unrestricted("test: the whole register"):
        assert list(hazard.transitions.values_list("action", "from_status", "to_status")) == [
            ("import", "", hazard.status)
        ]
        assert hazard.reported_by_id is None and hazard.closed_by_id is None
    imported = AuditEntry.objects.filter(event=events.HAZARDS_IMPORTED)
    assert sorted(imported.values_list("data__code", flat=True)) == codes
    assert set(imported.values_list("data__outcome", flat=True)) == {"created"}

    # Our own numbering moved past the imported codes: the next registration draws a fresh one.
    fresh = services.register_hazard(
        actor=world.qiye1,
        enterprise=world.enterprises["qiye1"],
        level=Level.MAJOR,
        clause=clause,
        title="新登记的隐患",
        discovered_on=dt.date(2025, 3, 3),
    )
    assert fresh.code not in codes and fresh.code > max(c for c in codes if c.startswith("YH4306712025"))

    # The same file again: nothing to do.
    again = run_import(
        exchange.hazard_exchange_spec(),
        exported if file_format == "xlsx" else _sheet_of(exported),
        actor=world.anweiban,
        mode=ImportMode.ALL_OR_NOTHING,
    )
    assert (again.unchanged, again.written, again.failed) == (7, 0, 0)


def _sheet_of(document: bytes) -> bytes:
    return exchange.json_to_sheet(exchange.read_json_document(document))


# ---------------------------------------------------------------------------------------------------------
# Bad rows


def bad_sheet(world: Any, register: dict[str, Hazard]) -> bytes:
    """Rows 2 and 9 are good (a new hazard, a changed location); rows 3-8 each break one rule."""
    qiye1 = world.enterprises["qiye1"]
    new = {
        "隐患编号": "QY-2025-0001",
        "统一社会信用代码": qiye1.uscc,
        "单位名称": qiye1.name,
        "行政区划代码": qiye1.region.code,
        "行业代码": "INDTRADE-MACHINE",
        "隐患等级": "重大",
        "隐患来源": "监管检查",
        "判定标准代码": register["closed"].clause.version.standard.code,
        "标准版本": register["closed"].clause.version.label,
        "条款编号": register["closed"].clause.code,
        "隐患名称": "配电室未设置挡鼠板",
        "发现日期": "2025年3月2日",
        "状态": "待判定",
    }
    return sheet(
        [
            new,
            {
                **new,
                "隐患编号": "QY-2025-0002",
                "统一社会信用代码": make_uscc("9", "1", "430671", "MA4L0999"),
            },
            {**new, "隐患编号": "QY-2025-0003", "统一社会信用代码": world.enterprises["qiye3"].uscc},
            {**new, "隐患编号": "QY-2025-0004", "判定标准代码": None, "标准版本": None, "条款编号": None},
            {**new, "隐患编号": "QY-2025-0005", "发现日期": "2025-02-30"},
            {**new, "隐患编号": "QY-2025-0006", "状态": "已完成"},
            row_of(register["closed"], 状态="待判定"),
            row_of(register["rectifying"], 隐患部位="喷漆房东侧配电室"),
        ]
    )


BAD_CELLS = [
    (3, "统一社会信用代码"),  # not registered on the platform
    (4, "统一社会信用代码"),  # 住建's unit: outside 应急管理局's scope
    (5, "条款编号"),  # a 重大 hazard without a clause
    (6, "发现日期"),  # 2 月 30 日
    (7, "状态"),  # no such status
    (8, "状态"),  # 已销号 → 待判定 is not a step of the loop
]


def test_it_names_every_bad_row_and_imports_nothing_all_or_nothing(
    world: Any, clause: Any, clock: Any
) -> None:
    register = build_register(world, clause)
    before, count = snapshot(), Hazard.objects.count()
    audits = _last_audit_seq()

    result = run_import(
        exchange.hazard_exchange_spec(),
        bad_sheet(world, register),
        actor=world.yingji,
        mode=ImportMode.ALL_OR_NOTHING,
    )

    assert result.rolled_back and bad_cells(result) == BAD_CELLS
    messages = {e.row: e.message for e in result.errors}
    assert "未在本平台登记" in messages[3] and "管辖范围" in messages[4]
    assert "判定标准条款" in messages[5] and "日期不存在" in messages[6]
    assert "不能变更为" in messages[8]
    assert snapshot() == before and Hazard.objects.count() == count
    new_audit = AuditEntry.objects.filter(seq__gt=audits).get()
    assert (new_audit.event, new_audit.outcome, new_audit.data["failed"]) == (
        core_events.IMPORT_COMPLETED,
        "failure",
        6,
    )
    assert tally.diff() == {}


def test_it_imports_the_good_rows_only_and_reports_the_rest(
    client: Any, world: Any, clause: Any, clock: Any, settings: Any, tmp_path: Any
) -> None:
    settings.MEDIA_ROOT = tmp_path
    register = build_register(world, clause)
    rectifying = register["rectifying"]
    client.force_login(world.yingji)

    upload = SimpleUploadedFile("清单.xlsx", bad_sheet(world, register))
    page = client.post(reverse("hazards:exchange_import"), {"file": upload, "mode": ImportMode.VALID_ONLY})

    result = page.context["result"]
    assert (result.created, result.updated, result.unchanged, result.failed) == (1, 1, 0, 6)
    assert bad_cells(result) == BAD_CELLS
    created = Hazard.objects.get(code="QY-2025-0001")
    assert (created.status, created.level, created.clause_id, created.department.code) == (
        Status.REPORTED,
        Level.MAJOR,
        register["closed"].clause_id,
        "emergency",  # 三管三必须: left blank, so the industry's lead department
    )
    rectifying_after = Hazard.objects.get(pk=rectifying.pk)
    assert (
        rectifying_after.location == "喷漆房东侧配电室" and rectifying_after.version == rectifying.version + 1
    )
    assert rectifying_after.description == MULTILINE  # a column the sheet leaves out is not touched
    last = rectifying_after.transitions.last()
    assert (last.action, last.from_status, last.to_status, last.actor) == (
        "import",
        Status.RECTIFYING,
        Status.RECTIFYING,
        world.yingji,
    )
    imported = AuditEntry.objects.filter(event=events.HAZARDS_IMPORTED)
    assert sorted(imported.values_list("data__code", "data__outcome")) == [
        ("QY-2025-0001", "created"),
        (rectifying.code, "updated"),
    ]
    assert imported.get(data__outcome="updated").data["fields"] == ["location"]
    assert not Hazard.objects.filter(code__in=["QY-2025-0002", "QY-2025-0003", "QY-2025-0004"]).exists()
    assert tally.diff() == {}

    body = page.content.decode()
    assert "错误明细" in body and "条款编号" in body
    report = client.get(reverse("hazards:exchange_import_errors", args=[page.context["token"]]))
    assert report.status_code == 200
    report_rows = list(
        load_workbook(io.BytesIO(b"".join(report.streaming_content))).active.iter_rows(values_only=True)
    )
    assert [r[0] for r in report_rows[1:]] == [3, 4, 5, 6, 7, 8]
    client.force_login(world.zhujian)  # may import too, but the report is 应急管理局's
    assert (
        client.get(reverse("hazards:exchange_import_errors", args=[page.context["token"]])).status_code == 404
    )


def test_it_reports_a_duplicate_code_inside_one_file(world: Any, clause: Any, clock: Any) -> None:
    register = build_register(world, clause)
    row = row_of(register["confirmed"])
    result = run_import(
        exchange.hazard_exchange_spec(), sheet([row, row]), actor=world.yingji, mode=ImportMode.VALID_ONLY
    )
    assert bad_cells(result) == [(3, "隐患编号")] and result.unchanged == 1


# ---------------------------------------------------------------------------------------------------------
# Changes through the lifecycle


def test_it_takes_one_step_of_the_loop_and_refuses_a_jump(world: Any, clause: Any, clock: Any) -> None:
    register = build_register(world, clause)
    accepted, rectifying = register["accepted"], register["rectifying"]
    spec = exchange.hazard_exchange_spec
    today = dt.date(2025, 3, 3)

    # 待销号 → 已销号: the national database closed it; the on-time flag follows from the dates.
    closing = row_of(accepted, 状态="已销号", 销号日期=today)
    result = run_import(spec(), sheet([closing]), actor=world.yingji, mode=ImportMode.ALL_OR_NOTHING)
    assert (result.updated, result.failed) == (1, 0)
    accepted.refresh_from_db()
    assert (accepted.status, accepted.closed_on, accepted.closed_on_time, accepted.closed_by_id) == (
        Status.CLOSED,
        today,
        True,
        None,
    )
    step = accepted.transitions.last()
    assert (step.action, step.from_status, step.to_status) == ("import", Status.SELF_ACCEPTED, Status.CLOSED)
    assert tally.diff() == {}
    again = run_import(spec(), sheet([closing]), actor=world.yingji, mode=ImportMode.ALL_OR_NOTHING)
    assert again.unchanged == 1  # idempotent

    # 已销号 → 整改中 is a step too (重新打开), and clears the closure as services.reopen() does.
    reopening = row_of(accepted, 状态="整改中", 销号日期=None, 按期整改=None)
    result = run_import(spec(), sheet([reopening]), actor=world.yingji, mode=ImportMode.ALL_OR_NOTHING)
    accepted.refresh_from_db()
    assert result.updated == 1 and (accepted.status, accepted.closed_on, accepted.reopen_count) == (
        Status.RECTIFYING,
        None,
        1,
    )

    # 整改中 → 已销号 skips acceptance: refused, and a closed row must carry its closing date.
    jump = row_of(rectifying, 状态="已销号", 销号日期=today)
    undated = row_of(rectifying, 状态="待企业验收", 销号日期=today)
    for row, cell in ((jump, "状态"), (undated, "销号日期")):
        result = run_import(spec(), sheet([row]), actor=world.yingji, mode=ImportMode.VALID_ONLY)
        assert bad_cells(result) == [(2, cell)]
    assert Hazard.objects.get(pk=rectifying.pk).status == Status.RECTIFYING
    assert tally.diff() == {}


def test_it_records_a_change_of_department_as_a_transfer(world: Any, clause: Any, clock: Any) -> None:
    register = build_register(world, clause)
    confirmed = register["confirmed"]
    row = row_of(confirmed, 监管部门代码="industry_it", 督办级别="市级")

    result = run_import(
        exchange.hazard_exchange_spec(), sheet([row]), actor=world.anweiban, mode=ImportMode.ALL_OR_NOTHING
    )

    assert result.updated == 1
    confirmed.refresh_from_db()
    assert (confirmed.department.code, confirmed.supervision_level) == ("industry_it", "city")
    transfer = HazardTransfer.objects.get(hazard=confirmed)
    assert (transfer.from_department.code, transfer.to_department.code, transfer.actor) == (
        "emergency",
        "industry_it",
        world.anweiban,
    )
    assert AuditEntry.objects.get(event=events.HAZARDS_IMPORTED).data["fields"] == [
        "department",
        "supervision_level",
    ]
    assert tally.diff() == {}


def test_it_keeps_a_major_row_citing_a_clause_and_stock_consistent(
    world: Any, clause: Any, clock: Any
) -> None:
    register = build_register(world, clause)
    stock = register["stock"]
    rows = [
        row_of(stock, 判定标准代码="", 标准版本="", 条款编号=""),  # dropping the citation of a 重大 hazard
        row_of(register["confirmed"], 标准版本="2099版"),  # a version the standard never had
        row_of(register["reported"], 存量隐患="是"),  # found in 2025: not stock
        # The same citation typed differently (case, half-width brackets) names the same clause.
        row_of(
            register["accepted"],
            判定标准代码=clause.version.standard.code.upper(),
            条款编号=clause.code.replace("（", "(").replace("）", ")"),
        ),
    ]
    result = run_import(
        exchange.hazard_exchange_spec(), sheet(rows), actor=world.yingji, mode=ImportMode.VALID_ONLY
    )
    assert bad_cells(result) == [(2, "条款编号"), (3, "标准版本"), (4, "存量隐患")]
    assert result.unchanged == 1
    assert Hazard.objects.get(pk=stock.pk).clause_id == clause.pk


# ---------------------------------------------------------------------------------------------------------
# Who may exchange what


def test_it_refuses_the_unit_and_the_township_the_import(
    client: Any, world: Any, clause: Any, clock: Any, settings: Any, tmp_path: Any
) -> None:
    settings.MEDIA_ROOT = tmp_path
    register = build_register(world, clause)
    url = reverse("hazards:exchange_import")
    assert client.get(url).status_code == 302  # anonymous → login
    document = json.dumps(
        {"format": "zhiben-major-hazards", "version": 1, "hazards": [{"code": register["reported"].code}]}
    ).encode()
    before = snapshot()
    for persona in ("qiye1", "yingtian"):
        client.force_login(world.users[persona])
        assert client.get(url).status_code == 403
        assert client.get(reverse("hazards:exchange_import_template")).status_code == 403
        upload = SimpleUploadedFile("清单.xlsx", sheet([row_of(register["reported"], 隐患名称="改名")]))
        assert client.post(url, {"file": upload, "mode": ImportMode.VALID_ONLY}).status_code == 403
        upload = SimpleUploadedFile("清单.json", document)
        response = client.post(
            reverse("hazards:exchange_import_json"), {"json-file": upload, "json-mode": ImportMode.VALID_ONLY}
        )
        assert response.status_code == 403
    assert snapshot() == before

    client.force_login(world.yingji)
    page = client.get(url)
    assert page.status_code == 200
    body = page.content.decode()
    for name in (
        "exchange_import_template",
        "exchange_export_xlsx",
        "exchange_export_json",
        "exchange_import_json",
    ):
        assert reverse(f"hazards:{name}") in body
    template = client.get(reverse("hazards:exchange_import_template"))
    assert template.status_code == 200
    assert load_workbook(io.BytesIO(template.content)).sheetnames[:2] == ["重大事故隐患清单", "填写说明"]


def test_each_exports_only_its_own_scope(client: Any, world: Any, clause: Any, clock: Any) -> None:
    register = build_register(world, clause)

    def exported(persona: str) -> list[str]:
        client.force_login(world.users[persona])
        response = client.get(reverse("hazards:exchange_export_json"))
        assert response.status_code == 200, persona
        return [h["code"] for h in json.loads(response.content)["hazards"]]

    assert exported("zhujian") == [register["other"].code]  # 住建局: its construction site only
    assert exported("yingji") == listed_codes(register, LISTED[:-1])
    assert exported("qiye1") == listed_codes(register, LISTED[:-1])  # the unit exports its own list
    assert exported("qiye3") == [register["other"].code]
    assert exported("anweiban") == listed_codes(register)
    client.force_login(world.users["qiye2"])
    assert json.loads(client.get(reverse("hazards:exchange_export_json")).content)["hazards"] == []


# ---------------------------------------------------------------------------------------------------------
# JSON uploads


def test_it_answers_a_bad_json_upload_with_a_clear_error(
    client: Any, world: Any, clause: Any, clock: Any, settings: Any, tmp_path: Any
) -> None:
    settings.MEDIA_ROOT = tmp_path
    build_register(world, clause)
    client.force_login(world.yingji)
    url = reverse("hazards:exchange_import_json")
    cases = [
        (b'{"format": "zhiben-major-hazards", ', "不是有效的 JSON"),
        (b'{"format": "other", "version": 1, "hazards": []}', "不是重大事故隐患清单交换文件"),
        (b'{"format": "zhiben-major-hazards", "version": 2, "hazards": []}', "不支持的格式版本"),
        (
            b'{"format": "zhiben-major-hazards", "version": 1, "hazards": [{"code": "X", "colour": 1}]}',
            "colour",
        ),
        (b'{"format": "zhiben-major-hazards", "version": 1, "hazards": [{"code": ["X"]}]}', "应为单个值"),
        ("\ufeff".encode() + b"\xff\xfe", "UTF-8"),
    ]
    for data, message in cases:
        upload = SimpleUploadedFile("清单.json", data)
        response = client.post(url, {"json-file": upload, "json-mode": ImportMode.VALID_ONLY})
        assert response.status_code == 400, data
        assert message in " ".join(response.context["json_form"].errors["file"]), data


def test_it_numbers_json_errors_by_their_place_in_the_list(
    client: Any, world: Any, clause: Any, clock: Any, settings: Any, tmp_path: Any
) -> None:
    settings.MEDIA_ROOT = tmp_path
    register = build_register(world, clause)
    client.force_login(world.yingji)
    document = json.loads(client.get(reverse("hazards:exchange_export_json")).content)
    document["hazards"] = document["hazards"][:2]
    document["hazards"][1]["discovered_on"] = "2025-02-30"
    upload = SimpleUploadedFile("清单.json", json.dumps(document, ensure_ascii=False).encode())

    page = client.post(
        reverse("hazards:exchange_import_json"), {"json-file": upload, "json-mode": ImportMode.VALID_ONLY}
    )

    result = page.context["result"]
    assert (result.unchanged, result.failed) == (1, 1)
    assert [(e.row, e.column) for e in result.errors] == [(3, "发现日期")]  # the row of an equivalent sheet
    body = page.content.decode()
    assert "第几条" in body and "<td>2</td><td>发现日期</td>" in body  # shown as the 2nd hazard
    kept = Hazard.objects.get(code=document["hazards"][1]["code"])
    assert kept.discovered_on == next(h for h in register.values() if h.code == kept.code).discovered_on


def test_it_runs_a_large_json_list_in_the_worker(
    client: Any,
    world: Any,
    clause: Any,
    clock: Any,
    settings: Any,
    tmp_path: Any,
    monkeypatch: Any,
    django_capture_on_commit_callbacks: Any,
) -> None:
    from zhiben.core.excel import web

    settings.MEDIA_ROOT = tmp_path
    monkeypatch.setattr(web, "SYNC_ROWS", 2)
    build_register(world, clause)
    client.force_login(world.anweiban)
    exported = client.get(reverse("hazards:exchange_export_json")).content
    upload = SimpleUploadedFile("清单.json", exported)

    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            reverse("hazards:exchange_import_json"),
            {"json-file": upload, "json-mode": ImportMode.ALL_OR_NOTHING},
        )

    assert response.status_code == 302
    page = client.get(response.url)
    run = page.context["run"]
    assert run["state"] == "done" and run["result"]["unchanged"] == 7 and run["result"]["failed"] == 0
    assert "全部 7 条正确" in page.content.decode()


def test_a_sparse_sheet_or_an_oversized_json_list_is_refused_before_any_work(client: Any, world: Any) -> None:
    client.force_login(world.anweiban)
    wb = Workbook()
    wb.active.append([col.label_text for col in exchange.hazard_exchange_spec().columns][:4])
    wb.active.cell(2000, 1000, "x")  # a few KB; the old reader built a 2-million-cell grid for it
    buf = io.BytesIO()
    wb.save(buf)
    page = client.post(
        reverse("hazards:exchange_import"),
        {"file": SimpleUploadedFile("清单.xlsx", buf.getvalue()), "mode": ImportMode.ALL_OR_NOTHING},
    )
    assert (
        page.status_code == 400
        and "表格范围过大" in page.content.decode()
        and "ALL2000" in page.content.decode()
    )

    document = {"format": exchange.FORMAT, "version": exchange.FORMAT_VERSION, "hazards": [{}] * 5001}
    upload = SimpleUploadedFile("清单.json", json.dumps(document).encode(), content_type="application/json")
    page = client.post(
        reverse("hazards:exchange_import_json"), {"json-file": upload, "json-mode": ImportMode.ALL_OR_NOTHING}
    )
    assert page.status_code == 400 and "单次最多导入 5000 条隐患" in page.content.decode()


# ---------------------------------------------------------------------------------------------------------
# The documentation


def test_the_documentation_names_every_field() -> None:
    text = DOC.read_text(encoding="utf-8")
    for col, _doc in exchange.field_docs():
        assert f"`{col.key}`" in text, col.key
        assert col.label_text in text, col.label_text
    assert exchange.FORMAT in text


def _last_audit_seq() -> int:
    """The newest audit row's `seq` (not the row count: on PostgreSQL the sequence has gaps)."""
    return AuditEntry.objects.order_by("-seq").values_list("seq", flat=True).first() or 0
