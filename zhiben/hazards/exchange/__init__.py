"""National database exchange (全国重大事故隐患数据库交换): the major-hazard list (重大事故隐患清单) as Excel and JSON.

No official exchange format is public (research/domain.md §9), so this package defines ours; docs/hazard-exchange.md
documents it field by field. One layout serves both directions and both file types:

* Export: the 重大 hazards the user may export (`restrict(user, "export")`), rejected and merged reports left
  out (they are not hazards). Excel: the data sheet in the import layout plus a "说明" sheet describing every
  field; JSON: `{"format": "zhiben-major-hazards", "version": 1, "exported_at", "hazards": [...]}`. Phones of
  the unit's 主要负责人 and 实际控制人 are masked (R16).
* Import: Excel through the core import engine (row-level errors, all-or-nothing or valid rows only, a
  savepoint per row, one IMPORT_COMPLETED summary row); JSON is turned into the same sheet and runs through
  the same engine and row handler. Rows are matched by 隐患编号: a new code creates the hazard, a known code
  is compared field by field and only a real difference is written, by `services.import_hazard` /
  `services.apply_import` through the loop's 导入 step (compare-and-swap, a HazardTransition row with action
  "import", one HAZARDS_IMPORTED audit row, the statistics tally). A status may only stay or take
  one step of `services.TRANSITIONS`. Importing sends no notifications: it copies decisions already made in
  another system.

The package holds the layout (layout.py: the columns, their documentation, the reference lookups), the import
of one row (importing.py), the export (export.py) and the JSON document (document.py); the names callers use
are re-exported here.
"""

from .document import json_to_sheet, read_json_document
from .export import (
    export_document,
    export_json_response,
    export_workbook,
    export_xlsx_response,
    json_record,
    major_hazards,
    sheet_rows,
)
from .importing import (
    ACCEPTED_STATUSES,
    PLANNED_STATUSES,
    hazard_exchange_spec,
    import_hazard_row,
    natural_key,
)
from .layout import (
    FIELD_SHEET,
    FORMAT,
    FORMAT_VERSION,
    IMPORT_ACTION,
    MAPPED_FIELDS,
    NOT_HAZARDS,
    TITLE,
    FieldDoc,
    field_docs,
    parse_code,
)

__all__ = [
    "ACCEPTED_STATUSES",
    "FIELD_SHEET",
    "FORMAT",
    "FORMAT_VERSION",
    "IMPORT_ACTION",
    "MAPPED_FIELDS",
    "NOT_HAZARDS",
    "PLANNED_STATUSES",
    "TITLE",
    "FieldDoc",
    "export_document",
    "export_json_response",
    "export_workbook",
    "export_xlsx_response",
    "field_docs",
    "hazard_exchange_spec",
    "import_hazard_row",
    "json_record",
    "json_to_sheet",
    "major_hazards",
    "natural_key",
    "parse_code",
    "read_json_document",
    "sheet_rows",
]
