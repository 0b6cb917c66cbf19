"""JSON import: the exchange document is checked for shape and becomes the sheet, and the engine imports it
like any other."""

from __future__ import annotations

import io
import json
from typing import Any

from django.utils.translation import gettext as _

from zhiben.core.excel import (
    MAX_UPLOAD_BYTES,
    ImportFileError,
    build_workbook,
)

from .layout import (
    FORMAT,
    FORMAT_VERSION,
    TITLE,
    _sheet_text,
    field_docs,
)

# ---------------------------------------------------------------------------------------------------------
# JSON import: the document becomes the sheet, and the engine imports it like any other


def read_json_document(data: bytes) -> list[dict[str, Any]]:
    """The `hazards` of an exchange document, checked for shape; ImportFileError (nothing imported) if not."""
    if len(data) > MAX_UPLOAD_BYTES:
        raise ImportFileError(
            _("文件超过 %(n)d MB，请分批导入。") % {"n": MAX_UPLOAD_BYTES // 1024 // 1024}, field="file"
        )
    try:
        document = json.loads(data.decode("utf-8-sig"))
    except UnicodeDecodeError:
        raise ImportFileError(_("文件不是 UTF-8 编码的 JSON 文件。"), field="file") from None
    except json.JSONDecodeError as exc:
        raise ImportFileError(
            _("不是有效的 JSON：第 %(l)d 行第 %(c)d 列附近有误（%(m)s）。")
            % {"l": exc.lineno, "c": exc.colno, "m": exc.msg},
            field="file",
        ) from None
    if not isinstance(document, dict) or document.get("format") != FORMAT:
        raise ImportFileError(
            _("不是重大事故隐患清单交换文件：应为对象且 format 为“%(f)s”。") % {"f": FORMAT}, field="file"
        )
    if document.get("version") != FORMAT_VERSION:
        raise ImportFileError(
            _("不支持的格式版本 %(v)s（本平台读取版本 %(n)d）。")
            % {"v": str(document.get("version"))[:10], "n": FORMAT_VERSION},
            field="file",
        )
    hazards = document.get("hazards")
    if not isinstance(hazards, list):
        raise ImportFileError(_("缺少 hazards 数组。"), field="file")
    if not hazards:
        raise ImportFileError(_("hazards 数组中没有隐患。"), field="file")
    known = {col.key for col, _doc in field_docs()}
    for n, item in enumerate(hazards, start=1):
        if not isinstance(item, dict):
            raise ImportFileError(_("第 %(n)d 条隐患不是对象。") % {"n": n}, field="file")
        unknown = sorted(set(item) - known)
        if unknown:
            raise ImportFileError(
                _("第 %(n)d 条隐患有未定义的键：%(k)s。") % {"n": n, "k": "、".join(unknown[:5])},
                field="file",
            )
        for key, value in item.items():
            if value is not None and not isinstance(value, str | int | float | bool):
                raise ImportFileError(
                    _("第 %(n)d 条隐患的“%(k)s”应为单个值（文本、数字、布尔或 null）。") % {"n": n, "k": key},
                    field="file",
                )
    return hazards


def json_to_sheet(hazards: list[dict[str, Any]]) -> bytes:
    """The hazards as an .xlsx in the exchange layout: hazards[i] is data row i + 2.

    The columns are the keys any hazard has, so a key no hazard has reads like a column the sheet leaves out
    (not changed), and a key one hazard lacks reads like a blank cell (empty)."""
    present = set().union(*(item.keys() for item in hazards))
    columns = [col for col, _doc in field_docs() if col.key in present]
    rows = ([_sheet_text(item.get(col.key)) for col in columns] for item in hazards)
    wb = build_workbook(str(TITLE), [col.label_text for col in columns], rows)
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()
