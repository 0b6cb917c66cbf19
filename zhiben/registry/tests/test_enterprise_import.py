"""营田镇's official imports enterprises from Excel: bad rows are reported, scope is kept, exports round-trip."""

from __future__ import annotations

import io
from decimal import Decimal
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from openpyxl import Workbook, load_workbook

from zhiben.core import events as core_events
from zhiben.core.codes import make_uscc
from zhiben.core.excel import ERROR_COLUMN, ImportMode, parse_workbook, run_import
from zhiben.core.models.audit import AuditEntry
from zhiben.registry import events
from zhiben.registry.excel import enterprise_import_spec, export_enterprises
from zhiben.registry.models import Enterprise

pytestmark = pytest.mark.django_db

NEW_COMPANY = make_uscc("9", "1", "430671", "MA4L0101")
OUT_OF_SCOPE = make_uscc("9", "1", "430671", "MA4L0102")
BAD_USCC = NEW_COMPANY[:-1] + ("0" if NEW_COMPANY[-1] != "0" else "1")

HEADER = [
    "统一社会信用代码",
    "名称",
    "类型",
    "所在区划",
    "主行业",
    "其他行业",
    "地址",
    "经度",
    "纬度",
    "规上企业",
    "高危企业",
    "重大危险源",
    "标准化等级",
    "从业人数",
    "主要负责人",
    "主要负责人电话",
    "实际控制人",
    "实际控制人电话",
    "状态",
]


def _row(**cells: Any) -> list[Any]:
    return [cells.get(h) for h in HEADER]


def _xlsx(rows: list[list[Any]], *, title: str | None = "营田镇生产经营单位台账（2024年3月）") -> bytes:
    wb = Workbook()
    ws = wb.active
    if title:
        ws.append([title])
        ws.merge_cells(start_row=1, start_column=1, end_row=1, end_column=len(HEADER))
    ws.append([f" {h} " if i % 3 == 0 else h for i, h in enumerate(HEADER)])  # stray spaces, as typed
    for row in rows:
        ws.append(row)
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()


def yingtian_sheet(world: Any) -> bytes:
    """Rows 3-5 are good; 6 has a broken USCC, 7 lies in 河市镇, 8 has a headcount that is not a number,
    9 tries to change 河市镇's chemical plant."""
    shop = world.enterprises["yt_shop"]
    return _xlsx(
        [
            _row(
                统一社会信用代码=NEW_COMPANY,
                名称="屈原营田新材料有限公司",
                类型="企业",
                所在区划="营田镇",
                主行业="机械",
                其他行业="涉爆粉尘、有限空间作业",
                地址="营田镇湘滨村工业园 8 号",
                经度="112.9631",
                纬度=28.85,
                规上企业="是",
                高危企业="Ｎ",
                重大危险源="×",
                标准化等级="三级",
                从业人数="１，２００",
                主要负责人="王五",
                主要负责人电话="138 0000 1234",
                状态="在营",
            ),
            _row(
                名称="营田湘滨小吃店",
                类型="个体工商户",
                所在区划="营田镇/湘滨村",
                主行业="FIRE-SMALL",
                其他行业="电动自行车",
                从业人数=3,
            ),
            _row(
                统一社会信用代码=shop.uscc,
                名称=shop.name,
                所在区划="营田镇",
                主行业="FIRE-SMALL",
                从业人数=12,
            ),
            _row(统一社会信用代码=BAD_USCC, 名称="营田坏代码厂", 所在区划="营田镇", 主行业="机械"),
            _row(统一社会信用代码=OUT_OF_SCOPE, 名称="河市越界运输队", 所在区划="河市镇", 主行业="ROAD"),
            _row(名称="营田人数不明厂", 所在区划="湘滨村", 主行业="机械", 从业人数="很多"),
            _row(
                统一社会信用代码=world.enterprises["qiye2"].uscc,
                名称="岳阳河市化工有限公司",
                所在区划="营田镇",
                主行业="HAZCHEM-PROD",
            ),
        ]
    )


def _errors(result: Any) -> dict[int, list[tuple[str, str]]]:
    out: dict[int, list[tuple[str, str]]] = {}
    for e in result.errors:
        out.setdefault(e.row, []).append((e.column, e.message))
    return out


def test_it_imports_nothing_all_or_nothing_and_names_each_bad_column(world: Any) -> None:
    before = Enterprise.objects.count()
    shop = world.enterprises["yt_shop"]
    result = run_import(
        enterprise_import_spec(), yingtian_sheet(world), actor=world.yingtian, mode=ImportMode.ALL_OR_NOTHING
    )
    assert result.rolled_back and result.failed == 4 and result.total == 7
    assert Enterprise.objects.count() == before
    shop.refresh_from_db()
    assert shop.employees is None
    errors = _errors(result)
    assert set(errors) == {6, 7, 8, 9}
    assert errors[6][0][0] == "统一社会信用代码" and "校验位错误" in errors[6][0][1]
    assert errors[7] == [("所在区划", "所在区划“河市镇”不在您的管辖范围内，不能导入该单位。")]
    assert errors[8] == [("从业人数", "应为整数，当前为“很多”。")]
    assert errors[9] == [
        ("统一社会信用代码", "该单位已登记在您的管辖范围以外，不能修改；如需迁入请联系区安委办。")
    ]
    assert not Enterprise.objects.filter(uscc=OUT_OF_SCOPE).exists()
    entry = AuditEntry.objects.filter(event=core_events.IMPORT_COMPLETED).latest("seq")
    assert entry.outcome == "failure" and entry.actor == world.yingtian
    assert entry.object_type == "registry.enterprise" and entry.data["failed"] == 4


def test_it_imports_the_good_rows_and_a_second_run_changes_nothing(world: Any) -> None:
    spec = enterprise_import_spec()
    result = run_import(spec, yingtian_sheet(world), actor=world.yingtian, mode=ImportMode.VALID_ONLY)
    assert (result.created, result.updated, result.unchanged, result.failed) == (2, 1, 0, 4)

    company = Enterprise.objects.get(uscc=NEW_COMPANY)
    assert company.name == "屈原营田新材料有限公司" and company.region.name == "营田镇"
    assert company.primary_industry.code == "INDTRADE-MACHINE"
    assert set(company.industries.values_list("code", flat=True)) == {
        "INDTRADE-MACHINE",
        "INDTRADE-DUST",
        "INDTRADE-CONFINED",
    }
    assert (company.is_above_scale, company.is_high_risk, company.has_major_hazard_source) == (
        True,
        False,
        False,
    )
    assert company.standardisation_grade == "3" and company.employees == 1200
    assert company.longitude == Decimal("112.963100") and company.latitude == Decimal("28.850000")
    assert company.principal_phone == "13800001234" and company.address == "营田镇湘滨村工业园 8 号"
    snack = Enterprise.objects.get(name="营田湘滨小吃店")
    assert snack.uscc is None and snack.kind == "sole_trader" and snack.region.name == "湘滨村"
    assert set(snack.industries.values_list("code", flat=True)) == {"FIRE-SMALL", "EBIKE"}
    shop = world.enterprises["yt_shop"]
    shop.refresh_from_db()
    assert shop.employees == 12 and shop.version == 2
    assert AuditEntry.objects.filter(event=events.ENTERPRISE_CREATED, object_id=str(company.pk)).exists()
    assert AuditEntry.objects.filter(event=events.ENTERPRISE_UPDATED, object_id=str(shop.pk)).count() == 1
    entry = AuditEntry.objects.filter(event=core_events.IMPORT_COMPLETED).latest("seq")
    assert (entry.outcome, entry.data["created"], entry.data["updated"]) == ("success", 2, 1)

    count = Enterprise.objects.count()
    again = run_import(spec, yingtian_sheet(world), actor=world.yingtian, mode=ImportMode.VALID_ONLY)
    assert (again.created, again.updated, again.unchanged, again.failed) == (0, 0, 3, 4)
    assert Enterprise.objects.count() == count
    assert AuditEntry.objects.filter(event=events.ENTERPRISE_UPDATED, object_id=str(shop.pk)).count() == 1


def test_it_reports_duplicates_inside_one_file(world: Any) -> None:
    rows = [
        _row(统一社会信用代码=NEW_COMPANY, 名称="甲", 所在区划="营田镇", 主行业="机械"),
        _row(统一社会信用代码=NEW_COMPANY.lower(), 名称="甲二", 所在区划="营田镇", 主行业="机械"),
        _row(名称="无代码店", 所在区划="新洲村", 主行业="GAS"),
        _row(名称=" 无代码店", 所在区划="营田镇/新洲村", 主行业="GAS"),
    ]
    result = run_import(
        enterprise_import_spec(), _xlsx(rows), actor=world.yingtian, mode=ImportMode.VALID_ONLY
    )
    assert _errors(result) == {4: [("统一社会信用代码", "与第 3 行重复。")], 6: [("名称", "与第 5 行重复。")]}
    assert result.created == 2


def test_it_round_trips_an_export_as_all_unchanged(world: Any) -> None:
    qiye1 = world.enterprises["qiye1"]
    spec = enterprise_import_spec()
    for persona in ("anweiban", "yingtian"):
        user = world.users[persona]
        scoped = Enterprise.objects.restrict(user, "export").order_by("name")
        response = export_enterprises(scoped, user)
        sheet = load_workbook(io.BytesIO(response.content)).worksheets[0]
        assert [c.value for c in sheet[1]] == [c.label_text for c in spec.columns]
        assert sheet.max_row - 1 == scoped.count()
        result = run_import(spec, response.content, actor=user, mode=ImportMode.ALL_OR_NOTHING)
        assert (result.created, result.updated, result.failed) == (0, 0, 0), result.errors
        assert result.unchanged == scoped.count()
    exported = parse_workbook(export_enterprises(Enterprise.objects.filter(pk=qiye1.pk), None).content, spec)
    raw = exported.rows[0].raw
    assert raw["principal_phone"] == "138****0001" and raw["controller_phone"] == "139****0002"  # R16
    qiye1.refresh_from_db()
    assert qiye1.principal_phone == "13800000001" and qiye1.version == 1


def test_it_exports_exactly_the_filtered_list(client: Any, world: Any) -> None:
    client.force_login(world.yingtian)
    # export=sheet: the full register in the import layout, for editing and importing back.
    response = client.get(reverse("registry:enterprise_list"), {"export": "sheet", "q": "燃气"})
    assert response.status_code == 200
    ws = load_workbook(io.BytesIO(response.content)).worksheets[0]
    names = [r[1] for r in ws.iter_rows(min_row=2, values_only=True)]
    assert names == ["营田燃气经营部"]
    response = client.get(reverse("registry:enterprise_list"), {"export": "sheet"})
    ws = load_workbook(io.BytesIO(response.content)).worksheets[0]
    names = sorted(r[1] for r in ws.iter_rows(min_row=2, values_only=True))
    assert names == sorted(e.name for e in Enterprise.objects.filter(region__code__startswith="430671100"))


def test_it_serves_the_import_pages_to_those_who_may_import(
    client: Any, world: Any, settings: Any, tmp_path: Any
) -> None:
    settings.MEDIA_ROOT = tmp_path
    url = reverse("registry:enterprise_import")
    assert client.get(url).status_code == 302  # anonymous → login
    for persona in ("qiye1", "zhuanjia", "zhujian"):
        client.force_login(world.users[persona])
        assert client.get(url).status_code == 403
        assert client.get(reverse("registry:enterprise_import_template")).status_code == 403

    client.force_login(world.yingtian)
    page = client.get(url)
    assert page.status_code == 200
    assert (
        "导入方式" in page.content.decode()
        and reverse("registry:enterprise_import_template") in page.content.decode()
    )
    template = client.get(reverse("registry:enterprise_import_template"))
    assert template.status_code == 200 and template["Content-Type"].startswith("application/vnd.openxml")
    wb = load_workbook(io.BytesIO(template.content))
    assert [c.value for c in wb.worksheets[0][1]] == HEADER
    assert "填写说明" in wb.sheetnames
    validations = {
        str(dv.sqref).split(":")[0]: dv.formula1 for dv in wb.worksheets[0].data_validations.dataValidation
    }
    assert validations["C2"].startswith('"企业,个体工商户')  # 类型
    assert validations["D2"] == "'选项'!$D$1:$D$33"  # 所在区划: the 4 townships and 29 villages
    options = wb["选项"]
    assert "营田镇/湘滨村" in [options.cell(r, 4).value for r in range(1, 34)]
    assert options.cell(1, 5).value == "危险化学品"  # 主行业


def test_it_shows_the_result_and_lets_only_the_importer_download_the_error_report(
    client: Any, world: Any, settings: Any, tmp_path: Any
) -> None:
    settings.MEDIA_ROOT = tmp_path
    client.force_login(world.yingtian)
    upload = SimpleUploadedFile("台账.xlsx", yingtian_sheet(world))
    response = client.post(reverse("registry:enterprise_import"), {"file": upload, "mode": "valid_only"})
    assert response.status_code == 200
    body = response.content.decode()
    assert "错误明细" in body and "校验位错误" in body and "不在您的管辖范围内" in body
    result, token = response.context["result"], response.context["token"]
    assert (result.created, result.updated, result.failed) == (2, 1, 4)
    assert (tmp_path / "imports" / f"{token}.xlsx").exists()
    link = reverse("registry:enterprise_import_errors", args=[token])
    assert link in body

    download = client.get(link)
    assert download.status_code == 200
    report = load_workbook(io.BytesIO(b"".join(download.streaming_content))).active
    assert report.cell(1, report.max_column).value == ERROR_COLUMN
    assert [r[0] for r in report.iter_rows(min_row=2, values_only=True)] == [6, 7, 8, 9]

    client.force_login(world.heshi)  # may import too, but this report is 营田镇's
    assert client.get(link).status_code == 404
    client.force_login(world.qiye1)
    assert client.get(link).status_code == 403


def test_it_answers_a_bad_upload_with_a_clear_error(
    client: Any, world: Any, settings: Any, tmp_path: Any
) -> None:
    settings.MEDIA_ROOT = tmp_path
    client.force_login(world.yingtian)
    url = reverse("registry:enterprise_import")
    count = Enterprise.objects.count()
    response = client.post(
        url, {"file": SimpleUploadedFile("台账.csv", "名称\n甲\n".encode()), "mode": "valid_only"}
    )
    assert response.status_code == 400
    assert "文件不是有效的 Excel（.xlsx）文件。" in response.content.decode()
    response = client.post(url, {"mode": "all_or_nothing"})
    assert response.status_code == 400
    assert response.context["form"].errors["file"]
    response = client.post(
        url, {"file": SimpleUploadedFile("a.xlsx", _xlsx([_row(名称="甲")])), "mode": "bogus"}
    )
    assert response.status_code == 400 and response.context["form"].errors["mode"]
    assert Enterprise.objects.count() == count


def test_it_runs_a_large_sheet_in_the_worker_and_shows_its_progress_then_the_result(
    client: Any,
    world: Any,
    settings: Any,
    tmp_path: Any,
    monkeypatch: Any,
    django_capture_on_commit_callbacks: Any,
) -> None:
    from zhiben.core.excel import web
    from zhiben.core.excel.web import run_stored_import

    settings.MEDIA_ROOT = tmp_path
    monkeypatch.setattr(web, "SYNC_ROWS", 3)  # the 7-row sheet counts as large
    client.force_login(world.yingtian)
    upload = SimpleUploadedFile("台账.xlsx", yingtian_sheet(world))
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        response = client.post(reverse("registry:enterprise_import"), {"file": upload, "mode": "valid_only"})
    assert response.status_code == 302
    assert len(callbacks) == 1  # the job was queued after commit (and ran: jobs are immediate in tests)
    status_url = response.url
    token = status_url.rstrip("/").rsplit("/", 1)[1]

    page = client.get(status_url)
    assert page.status_code == 200
    run = page.context["run"]
    assert (run["state"], run["done"], run["total"]) == ("done", 7, 7)
    assert (run["result"]["created"], run["result"]["updated"], run["result"]["failed"]) == (2, 1, 4)
    body = page.content.decode()
    assert "错误明细" in body and "校验位错误" in body
    assert reverse("registry:enterprise_import_errors", args=[run["report"]]) in body
    assert not (tmp_path / "imports" / f"run-{token}.upload.xlsx").exists()  # the upload is not kept
    assert Enterprise.objects.filter(name="屈原营田新材料有限公司").exists()

    # A duplicated or retried job must not import the sheet a second time.
    before = AuditEntry.objects.count()
    assert run_stored_import(token) == {"state": "done"}
    assert AuditEntry.objects.count() == before

    fragment = client.get(status_url, HTTP_HX_REQUEST="true").content.decode()
    assert 'data-state="done"' in fragment and "hx-trigger" not in fragment  # polling stops when done
    client.force_login(world.heshi)
    assert client.get(status_url).status_code == 404


def test_it_shows_a_running_import_with_a_polling_progress_bar(
    client: Any, world: Any, settings: Any, tmp_path: Any, monkeypatch: Any
) -> None:
    from zhiben.core.excel import web

    settings.MEDIA_ROOT = tmp_path
    monkeypatch.setattr(web, "SYNC_ROWS", 3)
    client.force_login(world.yingtian)
    upload = SimpleUploadedFile("台账.xlsx", yingtian_sheet(world))
    response = client.post(reverse("registry:enterprise_import"), {"file": upload, "mode": "valid_only"})
    token = response.url.rstrip("/").rsplit("/", 1)[1]  # no commit in this test: the job has not started
    meta = web.read_run(token, world.yingtian)
    web._write_run(token, {**meta, "state": "running", "done": 2})
    fragment = client.get(response.url, HTTP_HX_REQUEST="true").content.decode()
    assert 'hx-trigger="every 1s"' in fragment
    assert "已处理 2 / 7 行" in fragment and 'aria-valuenow="28"' in fragment


def test_a_tiny_sheet_reaching_xfd1048576_is_refused_at_once_with_a_field_error(
    client: Any, world: Any
) -> None:
    import time

    wb = Workbook()
    ws = wb.active
    ws.append(HEADER)
    ws.append(_row(名称="营田湘滨小吃店", 所在区划="营田镇", 主行业="FIRE-SMALL"))
    ws.cell(1048576, 16384, "x")  # one stray cell; the file stays a few KB
    buf = io.BytesIO()
    wb.save(buf)
    assert len(buf.getvalue()) < 12 * 1024
    client.force_login(world.yingtian)
    assert client.get(reverse("registry:enterprise_import")).status_code == 200  # templates compiled
    started = time.perf_counter()
    response = client.post(
        reverse("registry:enterprise_import"),
        {"file": SimpleUploadedFile("台账.xlsx", buf.getvalue()), "mode": "valid_only"},
    )
    assert time.perf_counter() - started < 1.0
    assert response.status_code == 400
    assert "表格范围过大" in response.content.decode() and "XFD1048576" in response.content.decode()
    assert not Enterprise.objects.filter(name="营田湘滨小吃店").exists()


def test_a_big_upload_is_read_in_the_worker_not_in_the_request(
    client: Any, world: Any, settings: Any, tmp_path: Any, monkeypatch: Any
) -> None:
    from zhiben.core.excel import web

    settings.MEDIA_ROOT = tmp_path
    monkeypatch.setattr(web, "SYNC_BYTES", 1024)  # the sheet is a few KB: big here

    def no_parsing_in_the_request(*args: Any, **kwargs: Any) -> Any:
        raise AssertionError("the request read the sheet")

    monkeypatch.setattr(web, "parse_workbook", no_parsing_in_the_request)
    client.force_login(world.yingtian)
    upload = SimpleUploadedFile("台账.xlsx", yingtian_sheet(world))
    response = client.post(reverse("registry:enterprise_import"), {"file": upload, "mode": "valid_only"})
    assert response.status_code == 302  # queued (the job starts at commit, which this test does not reach)
    token = response.url.rstrip("/").rsplit("/", 1)[1]
    assert web.read_run(token, world.yingtian)["state"] == "queued"
    page = client.get(response.url).content.decode()
    assert "等待后台任务开始" in page


def test_an_import_whose_worker_was_killed_fails_clearly_offers_a_rerun_and_leaves_nothing_on_disk(
    client: Any, world: Any, settings: Any, tmp_path: Any, monkeypatch: Any
) -> None:
    import subprocess
    import sys

    from zhiben.core.excel import web
    from zhiben.core.jobs import worker_id
    from zhiben.core.models import JobRun

    settings.MEDIA_ROOT = tmp_path
    monkeypatch.setattr(web, "SYNC_ROWS", 3)
    client.force_login(world.yingtian)
    upload = SimpleUploadedFile("台账.xlsx", yingtian_sheet(world))
    response = client.post(reverse("registry:enterprise_import"), {"file": upload, "mode": "valid_only"})
    token = response.url.rstrip("/").rsplit("/", 1)[1]
    # What kill -9 of the worker mid-import leaves: the run 运行中 by a process that is gone, its upload kept.
    proc = subprocess.Popen([sys.executable, "-c", ""])
    proc.wait()
    dead = f"{worker_id().rpartition(':')[0]}:{proc.pid}"
    meta = web.read_run(token, world.yingtian)
    web._write_run(token, {**meta, "state": "running", "done": 2, "worker": dead})
    run = JobRun.objects.create(
        name="zhiben.core.excel.web.run_import_job", args={"args": [token]}, worker=dead
    )
    assert (tmp_path / "imports" / f"run-{token}.upload.xlsx").exists()

    page = client.get(response.url)
    body = page.content.decode()
    assert page.context["run"]["state"] == "failed" and 'data-state="failed"' in body
    assert "导入中断" in body and "没有导入任何数据" in body
    assert reverse("registry:enterprise_import") in body and "重新上传" in body  # offers the rerun
    assert "hx-trigger" not in body  # no more polling
    assert sorted(p.name for p in (tmp_path / "imports").iterdir()) == [f"run-{token}.json"]
    run.refresh_from_db()
    assert run.status == "failed" and "不会自动重跑" in run.error  # an import is not resumed behind the user
    assert not Enterprise.objects.filter(name="屈原营田新材料有限公司").exists()
