"""The Excel engine reads a messy real-world sheet, imports all-or-nothing or valid rows only, and reports.

The spec under test imports working-day overrides (工作日调整) through `set_workday_override`, with a few
extra columns that only exercise the parsers; the handler refuses a row after writing it, so a test can
prove the row's savepoint undoes it.
"""

from __future__ import annotations

import datetime as dt
import io
from decimal import Decimal
from typing import Any

import pytest
from openpyxl import Workbook, load_workbook

from zhiben.core import events
from zhiben.core.calendar import set_workday_override
from zhiben.core.errors import DomainError
from zhiben.core.excel import (
    ERROR_COLUMN,
    INSTRUCTIONS_SHEET,
    OPTIONS_SHEET,
    ROW_NUMBER_COLUMN,
    ImportColumn,
    ImportFileError,
    ImportMode,
    ImportSpec,
    Kind,
    Outcome,
    build_workbook,
    error_report_workbook,
    export_response,
    make_template,
    parse_workbook,
    run_import,
    safe_cell,
)
from zhiben.core.models.audit import AuditEntry
from zhiben.core.models.calendar import WorkdayOverride

COLOURS = [("red", "红"), ("green", "绿"), ("blue", "蓝")]
TAGS = [f"标签{n:03d}" for n in range(60)]  # long enough to need the hidden options sheet


def _tag(value: Any) -> str:
    from django.core.exceptions import ValidationError

    if value not in TAGS:
        raise ValidationError(f"未知标签“{value}”。")
    return value


def handle_override(values: dict[str, Any], actor: Any) -> str:
    """Write the override through its service; refuse a head count over 2000 *after* writing."""
    day, is_workday, name = values["day"], values["is_workday"], values.get("name") or ""
    before = WorkdayOverride.objects.filter(date=day).first()
    if before is not None and (before.is_workday, before.name) == (is_workday, name):
        return Outcome.UNCHANGED
    set_workday_override(day, actor=actor, is_workday=is_workday, name=name)
    if (values.get("count") or 0) > 2000:
        raise DomainError("人数超过上限 2000。", field="count")
    return Outcome.UPDATED if before else Outcome.CREATED


SPEC = ImportSpec(
    title="工作日调整",
    columns=(
        ImportColumn("day", "日期", Kind.DATE, required=True, example="2024-03-12"),
        ImportColumn("is_workday", "是否工作日", Kind.BOOL, required=True, aliases=("上班",)),
        ImportColumn("name", "说明", max_length=50),
        ImportColumn("count", "人数", Kind.INT, min_value=0),
        ImportColumn("amount", "金额", Kind.DECIMAL, decimal_places=2),
        ImportColumn("colour", "颜色", Kind.CHOICE, choices=COLOURS),
        ImportColumn("code", "编码", fold_width=True),
        ImportColumn("contact", "联系人", aliases=("联系人姓名",)),
        ImportColumn("contact_phone", "联系人电话"),
        ImportColumn("tag", "标签", Kind.CUSTOM, parse=_tag, dropdown=lambda: TAGS),
    ),
    handle_row=handle_override,
    natural_key=lambda values: ("day", values["day"]) if values.get("day") else None,
    object_type="core.workdayoverride",
)

GOOD_DATES = [dt.date(2024, 3, d) for d in (12, 13, 14, 15, 16, 17, 18, 19)]


def messy_sheet() -> bytes:
    """A sheet as offices really send them: a title row, a two-tier merged header, full-width text,
    stray spaces, dates in every form, a blank row, merged data cells and some bad rows."""
    wb = Workbook()
    ws = wb.active
    ws.title = "汇总"
    ws.append(["2024年 工作日调整 汇总表"])
    ws.merge_cells("A1:J1")
    ws.append(["填报单位：区应急管理局", None, None, None, None, None, None, None, None, None])
    # Row 3 and 4: a two-tier header; single-tier columns are merged vertically.
    ws.append(
        [" 日　期 ", "是否工作日", "说明 ", "人数", "金额", "颜色（必填）", "编　码", "联系人", None, "标签"]
    )
    ws.append([None, None, None, None, None, None, None, "姓名", "电话", None])
    for col in "ABCDEFGJ":
        ws.merge_cells(f"{col}3:{col}4")
    ws.merge_cells("H3:I3")
    rows = [
        # 5: an Excel serial date, full-width digits with a thousands separator, full-width code
        [
            45363,
            "是",
            "\u3000春节调休\u3000",
            "１，２００",
            "1,234.5",
            " 红 ",
            "ＡＢ１２",
            "张三",
            13800000001,
            "标签001",
        ],
        [
            " 2024年3月13日 ",
            "Y",
            "合并说明",
            5,
            12.345,
            "green",
            "ab13",
            None,
            None,
            None,
        ],  # 6 (C6:C7 merged)
        ["2024.3.14", "√", None, "7", None, "蓝", None, None, None, None],  # 7
        ["2024/3/15", "×", "周五", None, None, None, None, None, None, None],  # 8
        ["2024-03-16", 0, "周六", None, None, None, None, None, None, None],  # 9
        ["20240317", "N", None, None, None, None, None, None, None, None],  # 10
        [dt.datetime(2024, 3, 18), "否", None, None, None, None, None, None, None, None],  # 11
        [None, None, "   ", None, None, None, None, None, None, None],  # 12: blank, skipped
        ["２０２４年３月１９日", "１", None, None, None, None, None, None, None, None],  # 13: full-width
        ["2024年13月5日", "是", None, None, None, None, None, None, None, None],  # 14: no such date
        ["明天", "是", None, None, None, None, None, None, None, None],  # 15: not a date
        ["2024-03-21", None, None, None, None, None, None, None, None, None],  # 16: required missing
        [45363, "否", "重复", None, None, None, None, None, None, None],  # 17: duplicates row 5
        ["2024-03-20", "是", "超员", 5000, None, None, None, None, None, None],  # 18: refused by the service
        ["2024-03-22", "是", None, None, None, "紫", None, None, None, None],  # 19: not a choice
        ["2024-03-23", "是", None, "十二", None, None, None, None, None, "标签999"],  # 20: bad int and tag
    ]
    for row in rows:
        ws.append(row)
    ws.merge_cells("C6:C7")
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()


BAD_ROWS = {14, 15, 16, 17, 18, 19, 20}


def _errors_by_row(result: Any) -> dict[int, list[tuple[str, str]]]:
    out: dict[int, list[tuple[str, str]]] = {}
    for e in result.errors:
        out.setdefault(e.row, []).append((e.column, e.message))
    return out


def test_it_reads_a_messy_sheet_into_clean_values() -> None:
    sheet = parse_workbook(messy_sheet(), SPEC)
    assert sheet.header_row == 4
    assert [c.key for c in sheet.columns] == [
        "day",
        "is_workday",
        "name",
        "count",
        "amount",
        "colour",
        "code",
        "contact",
        "contact_phone",
        "tag",
    ]
    by_number = {row.number: row for row in sheet.rows}
    assert 12 not in by_number  # the blank row
    assert [by_number[n].values["day"] for n in (5, 6, 7, 8, 9, 10, 11, 13)] == GOOD_DATES
    first = by_number[5].values
    assert first["is_workday"] is True
    assert first["name"] == "春节调休"
    assert first["count"] == 1200
    assert first["amount"] == Decimal("1234.50")
    assert first["colour"] == "red"
    assert first["code"] == "AB12"
    assert first["contact"] == "张三"
    assert first["contact_phone"] == "13800000001"
    assert by_number[6].values["name"] == by_number[7].values["name"] == "合并说明"
    assert by_number[6].values["amount"] == Decimal("12.35")
    assert [by_number[n].values["is_workday"] for n in (6, 7, 8, 9, 10, 11, 13)] == [
        True,
        True,
        False,
        False,
        False,
        False,
        True,
    ]
    assert by_number[7].values["count"] == 7


@pytest.mark.django_db
def test_it_imports_nothing_in_all_or_nothing_mode_when_any_row_is_bad(world: Any) -> None:
    before = AuditEntry.objects.filter(event=events.IMPORT_COMPLETED).count()
    result = run_import(
        SPEC, messy_sheet(), actor=world.anweiban, mode=ImportMode.ALL_OR_NOTHING, filename="调整.xlsx"
    )
    assert result.rolled_back is True
    assert (result.created, result.updated, result.unchanged) == (0, 0, 0)
    assert result.total == 15 and result.failed == len(BAD_ROWS)
    assert WorkdayOverride.objects.count() == 0
    errors = _errors_by_row(result)
    assert set(errors) == BAD_ROWS
    assert errors[14] == [("日期", "日期不存在：“2024年13月5日”。")]
    assert errors[15][0][0] == "日期" and "日期格式无法识别" in errors[15][0][1]
    assert errors[16] == [("是否工作日", "为必填项，不能为空。")]
    assert errors[17] == [("日期", "与第 5 行重复。")]
    assert errors[18] == [("人数", "人数超过上限 2000。")]
    assert (
        errors[19][0][0] == "颜色" and "不是有效选项" in errors[19][0][1] and "红、绿、蓝" in errors[19][0][1]
    )
    assert {c for c, _m in errors[20]} == {"人数", "标签"}
    assert str(result.errors[0]) == "第 14 行：「日期」日期不存在：“2024年13月5日”。"
    entry = AuditEntry.objects.filter(event=events.IMPORT_COMPLETED).latest("seq")
    assert AuditEntry.objects.filter(event=events.IMPORT_COMPLETED).count() == before + 1
    assert entry.outcome == "failure" and entry.actor == world.anweiban
    assert entry.data["rolled_back"] is True and entry.data["failed"] == len(BAD_ROWS)
    assert entry.data["file"] == "调整.xlsx" and entry.object_type == "core.workdayoverride"
    # The refused row's own service write and audit row were undone with everything else.
    assert not AuditEntry.objects.filter(event=events.WORKDAY_OVERRIDDEN).exists()


@pytest.mark.django_db
def test_it_imports_the_valid_rows_only_and_a_second_run_changes_nothing(world: Any) -> None:
    result = run_import(SPEC, messy_sheet(), actor=world.anweiban, mode=ImportMode.VALID_ONLY)
    assert result.rolled_back is False
    assert (result.created, result.updated, result.unchanged, result.failed) == (8, 0, 0, len(BAD_ROWS))
    stored = {o.date: o for o in WorkdayOverride.objects.all()}
    assert sorted(stored) == GOOD_DATES
    assert stored[dt.date(2024, 3, 12)].name == "春节调休" and stored[dt.date(2024, 3, 12)].is_workday
    assert stored[dt.date(2024, 3, 15)].is_workday is False
    # Row 18 was written by the service and then refused: its savepoint undid it.
    assert dt.date(2024, 3, 20) not in stored
    assert set(_errors_by_row(result)) == BAD_ROWS
    entry = AuditEntry.objects.filter(event=events.IMPORT_COMPLETED).latest("seq")
    assert entry.outcome == "success"
    assert (entry.data["created"], entry.data["failed"], entry.data["mode"]) == (8, 7, "valid_only")
    assert AuditEntry.objects.filter(event=events.WORKDAY_OVERRIDDEN).count() == 8

    again = run_import(SPEC, messy_sheet(), actor=world.anweiban, mode=ImportMode.VALID_ONLY)
    assert (again.created, again.updated, again.unchanged) == (0, 0, 8)
    assert WorkdayOverride.objects.count() == 8
    assert AuditEntry.objects.filter(event=events.WORKDAY_OVERRIDDEN).count() == 8


@pytest.mark.django_db
def test_it_reports_the_bad_rows_with_their_original_values(world: Any) -> None:
    result = run_import(SPEC, messy_sheet(), actor=world.anweiban, mode=ImportMode.VALID_ONLY)
    report = _bytes(error_report_workbook(result))
    ws = load_workbook(io.BytesIO(report)).active
    header = [c.value for c in ws[1]]
    assert header[0] == ROW_NUMBER_COLUMN and header[-1] == ERROR_COLUMN
    assert header[1:-1] == [c.label_text for c in result.columns]
    body = {r[0]: r for r in ws.iter_rows(min_row=2, values_only=True)}
    assert set(body) == BAD_ROWS
    assert body[14][1] == "2024年13月5日"
    assert body[17][-1] == "「日期」与第 5 行重复。"
    assert body[18][3:5] == ("超员", 5000)
    assert body[18][-1] == "「人数」人数超过上限 2000。"
    assert body[14][-1] == "「日期」日期不存在：“2024年13月5日”。"
    assert "「是否工作日」为必填项，不能为空。" in body[16][-1]
    assert "「人数」" in body[20][-1] and "「标签」" in body[20][-1]
    assert ws.cell(2, 2).fill.fgColor.rgb.endswith("F8D7DA")  # the bad cell is highlighted


def test_it_rejects_files_that_are_not_an_import_sheet(monkeypatch: Any) -> None:
    with pytest.raises(ImportFileError, match="空的"):
        parse_workbook(b"", SPEC)
    with pytest.raises(ImportFileError, match="不是有效的 Excel"):
        parse_workbook("名称,日期\n甲,2024-01-01\n".encode(), SPEC)
    with pytest.raises(ImportFileError, match=r"\.xls"):
        parse_workbook(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\0" * 100, SPEC)
    with pytest.raises(ImportFileError, match="已损坏"):
        parse_workbook(b"PK\x03\x04broken", SPEC)
    wb = Workbook()
    wb.active.append(["姓名", "年龄"])
    wb.active.append(["甲", 3])
    with pytest.raises(ImportFileError, match="没有找到表头"):
        parse_workbook(_bytes(wb), SPEC)
    wb = Workbook()
    wb.active.append(["说明", "人数"])
    wb.active.append(["甲", 3])
    with pytest.raises(ImportFileError, match="缺少必填列：「日期」、「是否工作日」"):
        parse_workbook(_bytes(wb), SPEC)
    monkeypatch.setattr("zhiben.core.excel.reader.MAX_EXPANDED_BYTES", 1000)
    with pytest.raises(ImportFileError, match="解压后过大"):
        parse_workbook(messy_sheet(), SPEC)


def test_it_makes_a_template_with_dropdowns_instructions_and_an_example() -> None:
    wb = load_workbook(io.BytesIO(_bytes(make_template(SPEC))))
    data = wb.worksheets[0]
    assert [c.value for c in data[1]] == [c.label for c in SPEC.columns]
    assert data["A1"].font.color.rgb.endswith("C00000")  # required columns in red
    validations = {str(dv.sqref).split(":")[0]: dv for dv in data.data_validations.dataValidation}
    assert validations["B2"].formula1 == '"是,否"'
    assert validations["F2"].formula1 == '"红,绿,蓝"' and validations["F2"].showErrorMessage
    assert validations["J2"].formula1 == f"'{OPTIONS_SHEET}'!$J$1:$J${len(TAGS)}"
    assert wb[OPTIONS_SHEET].sheet_state == "hidden"
    assert [wb[OPTIONS_SHEET].cell(r, 10).value for r in (1, 60)] == [TAGS[0], TAGS[-1]]
    info = wb[INSTRUCTIONS_SHEET]
    text = list(info.iter_rows(values_only=True))
    assert any(r[0] and "2024年3月12日" in str(r[0]) for r in text)
    example_header = next(i for i, r in enumerate(text) if r[0] == "填写示例")
    assert text[example_header + 2][0] == "2024-03-12"
    # The template itself is an empty import: the instructions are never read as data.
    with pytest.raises(ImportFileError, match="没有数据行"):
        parse_workbook(_bytes(make_template(SPEC)), SPEC)


def test_it_neutralises_formulas_on_export_and_reads_them_back_as_text() -> None:
    assert safe_cell('=HYPERLINK("http://x")') == '\'=HYPERLINK("http://x")'
    assert [safe_cell(v) for v in ("+1", "-2", "@SUM(A1)", "\tx", "正常")] == [
        "'+1",
        "'-2",
        "'@SUM(A1)",
        "'\tx",
        "正常",
    ]
    assert safe_cell(True) == "是" and safe_cell(-5) == -5
    response = export_response(
        "导出", ["说明", "日期", "是否工作日"], [["=cmd|'/c calc'!A1", "2024-03-12", False]]
    )
    ws = load_workbook(io.BytesIO(response.content)).active
    assert ws["A2"].value == "'=cmd|'/c calc'!A1" and ws["A2"].data_type == "s"
    assert ws["C2"].value == "否"
    assert "attachment" in response["Content-Disposition"]
    sheet = parse_workbook(response.content, SPEC)
    assert sheet.rows[0].values["name"] == "=cmd|'/c calc'!A1"


def test_it_builds_the_plain_export_layout() -> None:
    wb = build_workbook("列表", ["名称", "电话"], [["甲", "138****5678"]])
    ws = wb.active
    assert [c.value for c in ws[1]] == ["名称", "电话"] and ws["A1"].font.bold
    assert ws.freeze_panes == "A2"


def _bytes(wb: Workbook) -> bytes:
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()


def test_it_writes_a_time_as_beijing_time_with_a_date_time_format() -> None:
    # 06:56 UTC is 14:56 in Beijing; openpyxl refuses an aware datetime, so the cell holds local wall time.
    at = dt.datetime(2026, 12, 6, 6, 56, 17, 507473, tzinfo=dt.UTC)
    response = export_response("导出", ["时间", "日期"], [[at, dt.date(2026, 12, 6)]])
    ws = load_workbook(io.BytesIO(response.content)).active
    assert ws["A2"].value == dt.datetime(2026, 12, 6, 14, 56, 17, 507000) or ws["A2"].value.replace(
        microsecond=0
    ) == dt.datetime(2026, 12, 6, 14, 56, 17)
    assert ws["A2"].is_date and ws["A2"].number_format == "yyyy-mm-dd hh:mm"
    assert ws["B2"].value.date() == dt.date(2026, 12, 6)


def _patched(wb: Workbook, *edits: tuple[bytes, bytes]) -> bytes:
    """The workbook with its first sheet's XML edited, old by new (what openpyxl cannot write)."""
    import zipfile

    out = io.BytesIO()
    with (
        zipfile.ZipFile(io.BytesIO(_bytes(wb))) as src,
        zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as dst,
    ):
        for info in src.infolist():
            data = src.read(info.filename)
            if info.filename == "xl/worksheets/sheet1.xml":
                for old, new in edits:
                    assert old in data
                    data = data.replace(old, new)
            dst.writestr(info, data)
    return out.getvalue()


def _sparse(*far: tuple[int, int]) -> Workbook:
    wb = Workbook()
    ws = wb.active
    ws.append(["日期", "是否工作日", "说明"])
    ws.append([dt.date(2024, 3, 12), "是", "调休"])
    for row, column in far:
        ws.cell(row, column, "备注")  # openpyxl writes only the cells it holds: the file stays tiny
    return wb


def _timed_peak(fn: Any) -> tuple[Any, float, int]:
    import time
    import tracemalloc

    tracemalloc.start()
    started = time.perf_counter()
    try:
        result = fn()
    except ImportFileError as exc:
        result = exc
    finally:
        elapsed = time.perf_counter() - started
        peak = tracemalloc.get_traced_memory()[1]
        tracemalloc.stop()
    return result, elapsed, peak


@pytest.mark.parametrize(
    ("far", "cell"),
    [((2000, 1000), "ALL2000"), ((1048576, 16384), "XFD1048576")],
    ids=["ALL2000", "XFD1048576"],
)
def test_a_tiny_sheet_with_one_far_cell_is_refused_at_once_naming_the_cell(far: Any, cell: str) -> None:
    # Before: the reader built the grid up to the far cell (38 s and 566 MB for ALL2000; XFD1048576 never ended).
    data = _bytes(_sparse(far))
    assert len(data) < 12 * 1024
    error, elapsed, peak = _timed_peak(lambda: parse_workbook(data, SPEC))
    assert isinstance(error, ImportFileError), error
    assert "表格范围过大" in error.message and cell in error.message and error.field == "file"
    assert elapsed < 1.0 and peak < 20 * 1024 * 1024


def test_a_declared_dimension_and_a_merge_to_xfd1048576_cost_only_the_real_cells() -> None:
    wb = _sparse()
    wb.active["D1"] = "编码"
    wb.active["D2"] = "甲"
    data = _patched(
        wb,
        (b'<dimension ref="A1:D2"/>', b'<dimension ref="A1:XFD1048576"/>'),
        (b"</sheetData>", b'</sheetData><mergeCells count="1"><mergeCell ref="D2:XFD1048576"/></mergeCells>'),
    )
    sheet, elapsed, peak = _timed_peak(lambda: parse_workbook(data, SPEC))
    assert not isinstance(sheet, ImportFileError), sheet
    assert [(row.number, row.values["name"], row.values["code"]) for row in sheet.rows] == [(2, "调休", "甲")]
    assert elapsed < 1.0 and peak < 20 * 1024 * 1024


def test_it_caps_the_cells_one_upload_may_hold(monkeypatch: Any) -> None:
    wb = _sparse()
    for r in range(3, 40):
        wb.active.append([dt.date(2024, 3, 12) + dt.timedelta(days=r), "是", f"第{r}行"])
    monkeypatch.setattr("zhiben.core.excel.reader.MAX_CELLS", 100)
    with pytest.raises(ImportFileError, match="超过 100 个"):
        parse_workbook(_bytes(wb), SPEC)
