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

from ..errors import DomainError
from .spec import KEEP, CellInvalid, ImportColumn, ImportSpec, header_key, is_blank, parse_cell

INSTRUCTIONS_SHEET = "填写说明"
OPTIONS_SHEET = "选项"
MAX_UPLOAD_BYTES = 10 * 1024 * 1024
MAX_EXPANDED_BYTES = 200 * 1024 * 1024
HEADER_SEARCH_ROWS = 30


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
        return load_workbook(io.BytesIO(data), data_only=True)
    except Exception:
        # Untrusted upload: openpyxl raises anything from BadZipFile to KeyError on a damaged file.
        raise ImportFileError(_("文件已损坏或不是有效的 Excel（.xlsx）文件。"), field="file") from None


def _grid(ws: Any) -> list[list[Any]]:
    """Cell values with every merged range filled from its top-left cell (merged headers and data)."""
    rows = [list(r) for r in ws.iter_rows(values_only=True)]
    for rng in ws.merged_cells.ranges:
        if rng.min_row > len(rows):
            continue
        top = rows[rng.min_row - 1][rng.min_col - 1]
        for r in range(rng.min_row, min(rng.max_row, len(rows)) + 1):
            for c in range(rng.min_col, rng.max_col + 1):
                if c - 1 < len(rows[r - 1]):
                    rows[r - 1][c - 1] = top
    return rows


def _match_header(
    grid: list[list[Any]], index: int, lookup: dict[str, ImportColumn]
) -> dict[int, ImportColumn]:
    """Columns of row `index` that name a spec column; a two-tier header (主要负责人 / 电话) reads as one."""
    matched: dict[int, ImportColumn] = {}
    taken: set[str] = set()
    above = grid[index - 1] if index > 0 else []
    for c, cell in enumerate(grid[index]):
        if is_blank(cell):
            continue
        col = lookup.get(header_key(cell))
        if col is None and c < len(above) and not is_blank(above[c]) and above[c] != cell:
            col = lookup.get(header_key(above[c]) + header_key(cell))
        if col is not None and col.key not in taken:
            matched[c] = col
            taken.add(col.key)
    return matched


def _find_header(grid: list[list[Any]], spec: ImportSpec) -> tuple[int, dict[int, ImportColumn]]:
    lookup = {k: col for col in spec.columns for k in col.header_keys()}
    best: tuple[int, dict[int, ImportColumn]] = (-1, {})
    for index in range(min(HEADER_SEARCH_ROWS, len(grid))):
        matched = _match_header(grid, index, lookup)
        if len(matched) > len(best[1]):
            best = (index, matched)
    return best


def parse_workbook(file: Any, spec: ImportSpec) -> ParsedSheet:
    """Read the data sheet of an upload into rows of parsed values, or raise ImportFileError."""
    wb = _load(file)
    found: tuple[Any, int, dict[int, ImportColumn], list[list[Any]]] | None = None
    for ws in wb.worksheets:
        # The template's own instructions and option lists are not data.
        if ws.sheet_state != "visible" or ws.title in (INSTRUCTIONS_SHEET, OPTIONS_SHEET):
            continue
        grid = _grid(ws)
        index, matched = _find_header(grid, spec)
        if found is None or len(matched) > len(found[2]):
            found = (ws, index, matched, grid)
    if found is None or not found[2]:
        raise ImportFileError(
            _("没有找到表头：前 %(n)d 行中没有与模板一致的列名（如“%(label)s”）。请使用导入模板填写。")
            % {"n": HEADER_SEARCH_ROWS, "label": spec.columns[0].label_text},
            field="file",
        )
    ws, index, matched, grid = found
    present = {col.key for col in matched.values()}
    missing = [col.label_text for col in spec.columns if col.required and col.key not in present]
    if missing:
        raise ImportFileError(
            _("缺少必填列：%(cols)s。") % {"cols": "、".join(f"「{m}」" for m in missing)}, field="file"
        )
    header_cells = {c: header_key(grid[index][c]) for c in matched}
    rows: list[SheetRow] = []
    for r in range(index + 1, len(grid)):
        cells = grid[r]
        raw = {col.key: (cells[c] if c < len(cells) else None) for c, col in matched.items()}
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
        rows.append(_parse_row(r + 1, raw, matched.values()))
    if not rows:
        raise ImportFileError(_("表格中没有数据行。"), field="file")
    return ParsedSheet(ws.title, index + 1, list(matched.values()), rows)


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
