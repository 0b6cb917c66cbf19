"""Excel import/export engine (openpyxl): declarative import specs, tolerant parsing, row-level error reports.

An app describes a sheet once as an `ImportSpec` (spec.py): columns (header label, aliases, parser kind),
a natural key and a row handler that calls the app's services. From it the engine makes the template
(dropdowns, an instructions sheet with an example row), reads real-world sheets (reader.py: title rows
above the header, merged cells, full-width characters, stray spaces, dates as serials or Chinese text),
runs the import all-or-nothing or valid-rows-only with one savepoint per row (importer.py; never half a
row, DESIGN §4.8), writes one IMPORT_COMPLETED audit row and builds the error report; `web.py` holds the
pages an app subclasses (import it as `zhiben.core.excel.web`: it is the page layer, above `core.views`, and
the engine stays importable from `core.views` without it). Exports (export.py) neutralise formula injection;
`TablesWorkbook` (tables.py) writes a page's tables one sheet each, under a title and a caption.
"""

from .export import XLSX_MIME, build_workbook, export_response, safe_cell, workbook_response
from .importer import (
    ERROR_COLUMN,
    ROW_NUMBER_COLUMN,
    ImportResult,
    build_spec_workbook,
    error_report_workbook,
    export_spec_response,
    make_template,
    run_import,
)
from .reader import (
    INSTRUCTIONS_SHEET,
    MAX_UPLOAD_BYTES,
    OPTIONS_SHEET,
    ImportFileError,
    ParsedSheet,
    RowError,
    SheetRow,
    parse_workbook,
)
from .spec import KEEP, CellInvalid, ImportColumn, ImportMode, ImportSpec, Kind, Outcome, fold, parse_cell
from .tables import TablesWorkbook

__all__ = [
    "ERROR_COLUMN",
    "INSTRUCTIONS_SHEET",
    "KEEP",
    "MAX_UPLOAD_BYTES",
    "OPTIONS_SHEET",
    "ROW_NUMBER_COLUMN",
    "XLSX_MIME",
    "CellInvalid",
    "ImportColumn",
    "ImportFileError",
    "ImportMode",
    "ImportResult",
    "ImportSpec",
    "Kind",
    "Outcome",
    "ParsedSheet",
    "RowError",
    "SheetRow",
    "TablesWorkbook",
    "build_spec_workbook",
    "build_workbook",
    "error_report_workbook",
    "export_response",
    "export_spec_response",
    "fold",
    "make_template",
    "parse_cell",
    "parse_workbook",
    "run_import",
    "safe_cell",
    "workbook_response",
]
