"""Running an import (all-or-nothing or valid rows only, a savepoint per row), templates and error reports."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Hashable, Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.http import HttpResponse
from django.utils import timezone
from django.utils.translation import gettext as _
from openpyxl import Workbook
from openpyxl.comments import Comment
from openpyxl.styles import Font, PatternFill
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.datavalidation import DataValidation

from .. import audit, events
from ..errors import DomainError
from .export import HEADER_FILL, append_row, build_workbook, safe_cell, sheet_title, workbook_response
from .reader import INSTRUCTIONS_SHEET, OPTIONS_SHEET, RowError, SheetRow, parse_workbook
from .spec import ImportColumn, ImportMode, ImportSpec, Kind, Outcome

ERROR_FILL = PatternFill("solid", fgColor="F8D7DA")
ERROR_COLUMN = "错误说明"
ROW_NUMBER_COLUMN = "原行号"


# ---------------------------------------------------------------------------------------------------------
# Running an import


@dataclass
class ImportResult:
    """The outcome of one import (导入结果): counts, and the failed rows with their reasons."""

    title: str
    mode: str
    filename: str
    columns: list[ImportColumn]
    total: int = 0
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    failed_rows: list[SheetRow] = field(default_factory=list)
    rolled_back: bool = False

    @property
    def failed(self) -> int:
        return len(self.failed_rows)

    @property
    def errors(self) -> list[RowError]:
        return [e for row in self.failed_rows for e in row.errors]

    @property
    def written(self) -> int:
        return self.created + self.updated

    def counts(self) -> dict[str, int]:
        return {
            "total": self.total,
            "created": self.created,
            "updated": self.updated,
            "unchanged": self.unchanged,
            "failed": self.failed,
        }


class _RollBack(Exception):
    pass


# How often a long import reports its progress (rows).
PROGRESS_EVERY = 25


def run_import(
    spec: ImportSpec,
    file: Any,
    *,
    actor: Any,
    mode: str,
    filename: str = "",
    progress: Callable[[int, int], None] | None = None,
) -> ImportResult:
    """Import a sheet through the spec's row handler: all-or-nothing or valid rows only, one savepoint per row.

    `progress(done, total)` is called every PROGRESS_EVERY rows and at the end (background imports)."""
    if mode not in ImportMode.values:
        raise ValueError(f"unknown import mode {mode!r}")
    sheet = parse_workbook(file, spec)
    result = ImportResult(spec.title_text, mode, filename or getattr(file, "name", ""), sheet.columns)
    result.total = len(sheet.rows)
    _mark_duplicates(spec, sheet.rows)
    counts = dict.fromkeys(Outcome.ALL, 0)
    try:
        with transaction.atomic():
            for done, row in enumerate(sheet.rows, start=1):
                if not row.errors:
                    _run_row(spec, row, actor, counts)
                if progress is not None and (done % PROGRESS_EVERY == 0 or done == result.total):
                    progress(done, result.total)
            result.failed_rows = [row for row in sheet.rows if row.errors]
            if result.failed_rows and mode == ImportMode.ALL_OR_NOTHING:
                raise _RollBack
            result.created, result.updated, result.unchanged = (counts[o] for o in Outcome.ALL)
            _audit(spec, result, actor)
    except _RollBack:
        result.rolled_back = True
        _audit(spec, result, actor)  # nothing was written; the attempt is still on the record
    return result


def _mark_duplicates(spec: ImportSpec, rows: list[SheetRow]) -> None:
    seen: dict[Hashable, int] = {}
    for row in rows:
        if row.errors:
            continue
        key = spec.natural_key(row.values)
        if key is None:
            continue
        column, value = key
        if value in seen:
            row.errors.append(
                RowError(row.number, spec.label_of(column), _("与第 %(n)d 行重复。") % {"n": seen[value]})
            )
        else:
            seen[value] = row.number


def _run_row(spec: ImportSpec, row: SheetRow, actor: Any, counts: dict[str, int]) -> None:
    try:
        # A savepoint per row: a service refusing row N undoes row N only, never half of it.
        with transaction.atomic():
            outcome = spec.handle_row(dict(row.values), actor)
    except ValidationError as exc:
        row.errors.extend(_validation_errors(spec, row.number, exc))
    except DomainError as exc:
        row.errors.append(RowError(row.number, spec.label_of(exc.field), exc.message))
    except IntegrityError:
        row.errors.append(RowError(row.number, "", _("与已有数据冲突（唯一性约束），未导入。")))
    else:
        if outcome not in Outcome.ALL:
            raise ValueError(f"row handler returned {outcome!r}, expected one of {Outcome.ALL}")
        counts[outcome] += 1


def _validation_errors(spec: ImportSpec, number: int, exc: ValidationError) -> list[RowError]:
    if hasattr(exc, "error_dict"):
        return [
            RowError(number, spec.label_of(key if key != "__all__" else None), message)
            for key, errors in exc.error_dict.items()
            for message in ValidationError(errors).messages
        ]
    return [RowError(number, "", message) for message in exc.messages]


def _audit(spec: ImportSpec, result: ImportResult, actor: Any) -> None:
    audit.record(
        None,
        events.IMPORT_COMPLETED,
        actor=actor,
        object_type=spec.object_type,
        object_repr=spec.title_text,
        outcome="failure" if result.rolled_back else "success",
        data={
            "title": spec.title_text,
            "file": result.filename[:200],
            "mode": result.mode,
            "rolled_back": result.rolled_back,
            **result.counts(),
        },
    )


# ---------------------------------------------------------------------------------------------------------
# Templates and error reports


def build_spec_workbook(spec: ImportSpec, rows: Iterable[Sequence[Any]] = ()) -> Workbook:
    """A sheet in the spec's layout (styled header, dropdowns, text/date formats) holding `rows`."""
    wb = Workbook()
    ws = wb.active
    ws.title = sheet_title(spec.title_text)
    ws.append([col.label_text for col in spec.columns])
    for i, col in enumerate(spec.columns, start=1):
        cell = ws.cell(1, i)
        cell.font = Font(bold=True, color="C00000" if col.required else None)
        cell.fill = HEADER_FILL
        note = (_("必填。") if col.required else "") + str(col.help_text or "")
        if note:
            cell.comment = Comment(note, "治本")
        letter = get_column_letter(i)
        ws.column_dimensions[letter].width = col.width or max(10, min(40, len(col.label_text) * 2 + 4))
        if col.kind in (Kind.TEXT, Kind.CUSTOM):
            # Text cells keep phone numbers and codes from turning into 1.38E+10 in Excel.
            ws.column_dimensions[letter].number_format = "@"
    count = 0
    for row in rows:
        append_row(ws, row)
        count += 1
        for i, value in enumerate(row, start=1):
            if isinstance(value, dt.date):
                ws.cell(count + 1, i).number_format = "yyyy-mm-dd"
    _add_dropdowns(wb, ws, spec, last_row=count + spec.template_rows)
    ws.freeze_panes = "A2"
    return wb


def _add_dropdowns(wb: Workbook, ws: Any, spec: ImportSpec, *, last_row: int) -> None:
    options = None
    for i, col in enumerate(spec.columns, start=1):
        values = col.dropdown_values()
        if not values:
            continue
        inline = ",".join(values)
        formula = None
        if len(inline) <= 200 and not any("," in v or '"' in v for v in values):
            formula = f'"{inline}"'
        else:
            # Excel caps an inline list at 255 characters: long lists live on a hidden sheet.
            if options is None:
                options = wb.create_sheet(OPTIONS_SHEET)
                options.sheet_state = "hidden"
            for r, v in enumerate(values, start=1):
                options.cell(r, i, v)
            letter = get_column_letter(i)
            formula = f"'{OPTIONS_SHEET}'!${letter}$1:${letter}${len(values)}"
        strict = col.kind in (Kind.CHOICE, Kind.BOOL)
        dv = DataValidation(type="list", formula1=formula, allow_blank=True, showErrorMessage=strict)
        dv.errorTitle = _("输入有误")
        dv.error = _("请从下拉列表中选择。")
        dv.promptTitle = col.label_text
        dv.prompt = _("请从下拉列表中选择。") if strict else _("可从下拉列表中选择，也可填写代码。")
        dv.showInputMessage = True
        ws.add_data_validation(dv)
        letter = get_column_letter(i)
        dv.add(f"{letter}2:{letter}{max(last_row, 2)}")


def _format_hint(col: ImportColumn) -> str:
    if col.kind == Kind.DATE:
        return _("日期，如 2024-03-12、2024年3月12日、2024.3.12、20240312")
    if col.kind == Kind.BOOL:
        return _("是 / 否")
    if col.kind == Kind.INT:
        return _("整数")
    if col.kind == Kind.DECIMAL:
        return _("数字")
    if col.kind == Kind.CHOICE:
        return _("从下拉列表选择：") + "、".join(col.dropdown_values())
    if col.max_length:
        return _("文本，最多 %(n)d 字") % {"n": col.max_length}
    return _("文本")


def make_template(spec: ImportSpec) -> Workbook:
    """The import template (导入模板): the data sheet with dropdowns, plus instructions and an example row."""
    wb = build_spec_workbook(spec)
    info = wb.create_sheet(INSTRUCTIONS_SHEET, 1)
    info.column_dimensions["A"].width = 22
    info.column_dimensions["B"].width = 8
    info.column_dimensions["C"].width = 60
    info.column_dimensions["D"].width = 40
    info.append([_("《%(t)s》导入说明") % {"t": spec.title_text}])
    info["A1"].font = Font(bold=True, size=14)
    general = [
        _("在第一个工作表“%(s)s”中填写，每行一条；表头可以不在第一行，空行会被忽略。")
        % {"s": sheet_title(spec.title_text)},
        _("红色列名为必填项；有下拉列表的列请从列表中选择。"),
        _("日期可填 2024-03-12、2024年3月12日、2024.3.12、2024/3/12 或 20240312。"),
        _("导入时可选择“全部正确才导入”或“只导入正确的行”；出错的行会列入可下载的错误报告。"),
        _("重复导入同一文件不会产生重复数据：已存在的记录按唯一标识更新。"),
        _("单次最多 %(n)d 行。") % {"n": spec.max_rows},
        *[str(line) for line in spec.instructions],
    ]
    for n, line in enumerate(general, start=1):
        info.append([f"{n}. {line}"])
    info.append([])
    info.append([_("列名"), _("必填"), _("格式与可选值"), _("说明")])
    for cell in info[info.max_row]:
        cell.font = Font(bold=True)
        cell.fill = HEADER_FILL
    for col in spec.columns:
        info.append(
            [
                col.label_text,
                _("是") if col.required else "",
                _format_hint(col)[:500],
                str(col.help_text or ""),
            ]
        )
    info.append([])
    info.append([_("填写示例")])
    info[info.max_row][0].font = Font(bold=True)
    info.append([col.label_text for col in spec.columns])
    for cell in info[info.max_row]:
        cell.font = Font(bold=True)
        cell.fill = HEADER_FILL
    info.append([safe_cell(col.example) if col.example is not None else "" for col in spec.columns])
    return wb


def error_report_workbook(result: ImportResult) -> Workbook:
    """The error report (错误报告): each failed row with its original values and a 错误说明 column.

    Its header is the import layout, so the user can fix the rows in place and import this file again.
    """
    headers = [ROW_NUMBER_COLUMN, *(col.label_text for col in result.columns), ERROR_COLUMN]
    rows = [
        [row.number, *(row.raw.get(col.key) for col in result.columns), "；".join(e.text for e in row.errors)]
        for row in result.failed_rows
    ]
    wb = build_workbook(_("错误报告"), headers, rows)
    ws = wb.active
    position = {col.label_text: i for i, col in enumerate(result.columns, start=2)}
    for r, row in enumerate(result.failed_rows, start=2):
        for error in row.errors:
            if error.column in position:
                ws.cell(r, position[error.column]).fill = ERROR_FILL
        ws.cell(r, len(headers)).font = Font(color="C00000")
        for c, value in enumerate(ws[r], start=1):
            if isinstance(value.value, dt.datetime | dt.date):
                ws.cell(r, c).number_format = "yyyy-mm-dd"
    ws.column_dimensions[get_column_letter(len(headers))].width = 60
    return wb


def export_spec_response(spec: ImportSpec, rows: Iterable[Sequence[Any]]) -> HttpResponse:
    """An export in the import layout (导出即模板): exported sheets import back unchanged."""
    wb = build_spec_workbook(spec, rows)
    return workbook_response(wb, f"{spec.title_text}-{timezone.localdate():%Y%m%d}.xlsx")
