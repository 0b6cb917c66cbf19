"""Reading an uploaded workbook: find the data sheet and its header, unmerge cells, parse every row."""

from __future__ import annotations

import io
import zipfile
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from django.utils.translation import gettext as _
from openpyxl import Workbook, load_workbook
from openpyxl.utils import get_column_letter, range_boundaries
from openpyxl.worksheet._reader import WorkSheetParser

from ..errors import DomainError
from .spec import KEEP, CellInvalid, ImportColumn, ImportSpec, header_key, is_blank, parse_cell

INSTRUCTIONS_SHEET = "填写说明"
OPTIONS_SHEET = "选项"
MAX_UPLOAD_BYTES = 10 * 1024 * 1024
MAX_EXPANDED_BYTES = 200 * 1024 * 1024
HEADER_SEARCH_ROWS = 30
# Bounds on what one upload may make the server hold: non-blank cells (with merged ranges filled) and the
# area from A1 to the farthest value (rows × columns). max_rows rows of a wide template stay far below both.
MAX_CELLS = 400_000
MAX_GRID_CELLS = 1_000_000


# ---------------------------------------------------------------------------------------------------------
# Reading a workbook


class ImportFileError(DomainError):
    """The uploaded file cannot be read as this import sheet at all (导入文件错误); nothing was imported."""


@dataclass(frozen=True)
class RowError:
    """One reason a row was not imported: the row number as Excel shows it, the column and the message."""

    row: int
    column: str
    message: str

    @property
    def text(self) -> str:
        return f"「{self.column}」{self.message}" if self.column else self.message

    def __str__(self) -> str:
        return _("第 %(row)d 行：%(text)s") % {"row": self.row, "text": self.text}


@dataclass
class SheetRow:
    """A data row of the sheet: original cell values and parsed values by column key, and its errors."""

    number: int
    raw: dict[str, Any]
    values: dict[str, Any]
    errors: list[RowError] = field(default_factory=list)


@dataclass
class ParsedSheet:
    sheet_name: str
    header_row: int
    columns: list[ImportColumn]  # the spec's columns found in the file, in file order
    rows: list[SheetRow]


def _read_bytes(file: Any) -> bytes:
    if isinstance(file, bytes | bytearray):
        return bytes(file)
    if isinstance(file, str | Path):
        return Path(file).read_bytes()
    if hasattr(file, "seek"):
        file.seek(0)
    return file.read(MAX_UPLOAD_BYTES + 1)


def _load(file: Any) -> Workbook:
    data = _read_bytes(file)
    if not data:
        raise ImportFileError(_("上传的文件是空的。"), field="file")
    if len(data) > MAX_UPLOAD_BYTES:
        raise ImportFileError(
            _("文件超过 %(n)d MB，请分批导入。") % {"n": MAX_UPLOAD_BYTES // 1024 // 1024}, field="file"
        )
    if data.startswith(b"\xd0\xcf\x11\xe0"):
        raise ImportFileError(
            _("这是旧版 Excel 97-2003（.xls）文件，请在 Excel 中另存为 .xlsx 后再导入。"), field="file"
        )
    if not data.startswith(b"PK"):
        raise ImportFileError(_("文件不是有效的 Excel（.xlsx）文件。"), field="file")
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            expanded = sum(info.file_size for info in archive.infolist())
    except zipfile.BadZipFile:
        raise ImportFileError(_("文件已损坏或不是有效的 Excel（.xlsx）文件。"), field="file") from None
    if expanded > MAX_EXPANDED_BYTES:
        # A few KB can unzip to gigabytes of XML (zip bomb); real sheets of max_rows rows stay far below.
        raise ImportFileError(_("文件解压后过大，请分批导入。"), field="file")
    try:
        # Read-only: cells are streamed from the XML (see _cells); the normal mode would also create a cell
        # object for every cell of every merged range, and a merge of A1:XFD1048576 never finishes.
        return load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    except Exception:
        # Untrusted upload: openpyxl raises anything from BadZipFile to KeyError on a damaged file.
        raise ImportFileError(_("文件已损坏或不是有效的 Excel（.xlsx）文件。"), field="file") from None


# A sheet as its non-blank cells: row number (as Excel shows it) -> 0-based column -> value. Only the cells
# the file really holds are read, so a stray value at XFD1048576 costs one cell, not the grid up to it.
Grid = dict[int, dict[int, Any]]


def _too_big() -> ImportFileError:
    return ImportFileError(
        _("表格中有内容的单元格超过 %(n)d 个，请分批导入。") % {"n": MAX_CELLS}, field="file"
    )


def _cells(ws: Any, budget: list[int]) -> Grid:
    """The non-blank cells of a read-only sheet, merged ranges filled from their top-left cell.

    `budget` is the number of cells all sheets of the file may still hold; past it ImportFileError."""
    grid: Grid = {}
    with ws._get_source() as src:
        parser = WorkSheetParser(
            src,
            ws._shared_strings,
            data_only=True,
            epoch=ws.parent.epoch,
            date_formats=ws.parent._date_formats,
            timedelta_formats=ws.parent._timedelta_formats,
        )
        for number, cells in parser.parse():
            values = {c["column"] - 1: c["value"] for c in cells if not is_blank(c["value"])}
            if not values:
                continue
            budget[0] -= len(values)
            if budget[0] < 0:
                raise _too_big()
            grid.setdefault(number, {}).update(values)
        merged = parser.merged_cells
    if not grid:
        return grid
    last_row = max(grid)
    last_col = max(c for cells in grid.values() for c in cells)
    if last_row * (last_col + 1) > MAX_GRID_CELLS:
        # The area from A1 to the farthest value is what a person sees and what rows × columns means; a sheet
        # of 5 000 rows and 40 columns is 200 000 cells. Name the farthest cell: it is usually a stray value.
        row, col = max(
            ((r, c) for r, cells in grid.items() for c in cells), key=lambda rc: rc[0] * (rc[1] + 1)
        )
        raise ImportFileError(
            _(
                "表格范围过大：内容延伸到第 %(row)d 行、第 %(col)d 列，约 %(n)d 万个单元格，超过 %(cap)d 万个的上限。"
                "请删除远处多余的内容（如 %(cell)s 单元格）后再导入。"
            )
            % {
                "row": last_row,
                "col": last_col + 1,
                "n": last_row * (last_col + 1) // 10000,
                "cap": MAX_GRID_CELLS // 10000,
                "cell": f"{get_column_letter(col + 1)}{row}",
            },
            field="file",
        )
    for merge in getattr(merged, "mergeCell", None) or ():
        _fill_merge(grid, str(merge.ref), last_row, last_col, budget)
    return grid


def _fill_merge(grid: Grid, ref: str, last_row: int, last_col: int, budget: list[int]) -> None:
    """Fill a merged range from its top-left cell, clipped to the rows that hold data and the data's width
    (a merged header, a 乡镇 merged over its enterprises); an empty top-left cell fills nothing."""
    try:
        min_col, min_row, max_col, max_row = range_boundaries(ref)
    except (TypeError, ValueError):
        return
    top = grid.get(min_row, {}).get(min_col - 1)
    if top is None:
        return
    columns = range(min_col - 1, min(max_col, last_col + 1))
    for number in [r for r in grid if min_row <= r <= min(max_row, last_row)]:
        budget[0] -= len(columns)
        if budget[0] < 0:
            raise _too_big()
        grid[number].update(dict.fromkeys(columns, top))


def _match_header(grid: Grid, number: int, lookup: dict[str, ImportColumn]) -> dict[int, ImportColumn]:
    """Columns of row `number` that name a spec column; a two-tier header (主要负责人 / 电话) reads as one."""
    matched: dict[int, ImportColumn] = {}
    taken: set[str] = set()
    above = grid.get(number - 1, {})
    for c, cell in sorted(grid[number].items()):
        col = lookup.get(header_key(cell))
        if col is None and not is_blank(above.get(c)) and above[c] != cell:
            col = lookup.get(header_key(above[c]) + header_key(cell))
        if col is not None and col.key not in taken:
            matched[c] = col
            taken.add(col.key)
    return matched


def _find_header(grid: Grid, spec: ImportSpec) -> tuple[int, dict[int, ImportColumn]]:
    lookup = {k: col for col in spec.columns for k in col.header_keys()}
    best: tuple[int, dict[int, ImportColumn]] = (0, {})
    for number in sorted(r for r in grid if r <= HEADER_SEARCH_ROWS):
        matched = _match_header(grid, number, lookup)
        if len(matched) > len(best[1]):
            best = (number, matched)
    return best


def parse_workbook(file: Any, spec: ImportSpec) -> ParsedSheet:
    """Read the data sheet of an upload into rows of parsed values, or raise ImportFileError."""
    wb = _load(file)
    found: tuple[str, int, dict[int, ImportColumn], Grid] | None = None
    budget = [MAX_CELLS]
    try:
        for ws in wb.worksheets:
            # The template's own instructions and option lists are not data.
            if ws.sheet_state != "visible" or ws.title in (INSTRUCTIONS_SHEET, OPTIONS_SHEET):
                continue
            try:
                grid = _cells(ws, budget)
            except ImportFileError:
                raise
            except Exception:
                raise ImportFileError(
                    _("文件已损坏或不是有效的 Excel（.xlsx）文件。"), field="file"
                ) from None
            number, matched = _find_header(grid, spec)
            if found is None or len(matched) > len(found[2]):
                found = (ws.title, number, matched, grid)
    finally:
        wb.close()
    if found is None or not found[2]:
        raise ImportFileError(
            _("没有找到表头：前 %(n)d 行中没有与模板一致的列名（如“%(label)s”）。请使用导入模板填写。")
            % {"n": HEADER_SEARCH_ROWS, "label": spec.columns[0].label_text},
            field="file",
        )
    title, header, matched, grid = found
    present = {col.key for col in matched.values()}
    missing = [col.label_text for col in spec.columns if col.required and col.key not in present]
    if missing:
        raise ImportFileError(
            _("缺少必填列：%(cols)s。") % {"cols": "、".join(f"「{m}」" for m in missing)}, field="file"
        )
    header_cells = {c: header_key(grid[header][c]) for c in matched}
    rows: list[SheetRow] = []
    for number in sorted(r for r in grid if r > header):
        cells = grid[number]
        raw = {col.key: cells.get(c) for c, col in matched.items()}
        if all(is_blank(v) for v in raw.values()):
            continue
        if all(
            is_blank(raw[col.key]) or header_key(raw[col.key]) == header_cells[c]
            for c, col in matched.items()
        ):
            continue  # the header repeated further down (printed sheets repeat it on every page)
        if len(rows) >= spec.max_rows:
            raise ImportFileError(
                _("单次最多导入 %(n)d 行数据，请分批导入。") % {"n": spec.max_rows}, field="file"
            )
        rows.append(_parse_row(number, raw, matched.values()))
    if not rows:
        raise ImportFileError(_("表格中没有数据行。"), field="file")
    return ParsedSheet(title, header, list(matched.values()), rows)


def _parse_row(number: int, raw: dict[str, Any], columns: Iterable[ImportColumn]) -> SheetRow:
    row = SheetRow(number, raw, {})
    for col in columns:
        try:
            value = parse_cell(col, raw[col.key])
        except CellInvalid as exc:
            row.errors.append(RowError(number, col.label_text, str(exc)))
            continue
        if value is not KEEP:
            row.values[col.key] = value
    return row
