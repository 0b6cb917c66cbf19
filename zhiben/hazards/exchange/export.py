"""Export: the 重大 hazards the user may export, as the data sheet in the import layout plus the 说明 sheet,
or as the JSON exchange document."""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Iterable, Iterator
from decimal import Decimal
from typing import Any
from urllib.parse import quote

from django.db.models import Max, QuerySet
from django.http import HttpResponse
from django.utils import timezone
from django.utils.translation import gettext as _
from openpyxl import Workbook
from openpyxl.styles import Alignment, Font

from zhiben.core.excel import (
    build_spec_workbook,
    workbook_response,
)
from zhiben.core.excel.export import HEADER_FILL
from zhiben.registry.excel import region_path
from zhiben.registry.models import Department, Industry

from ..choices import Level
from ..models import Hazard
from .importing import hazard_exchange_spec
from .layout import (
    FIELD_SHEET,
    FORMAT,
    FORMAT_VERSION,
    NOT_HAZARDS,
    TITLE,
    _sheet_text,
    field_docs,
)

# ---------------------------------------------------------------------------------------------------------
# Export


def major_hazards(user: Any, queryset: QuerySet[Hazard] | None = None) -> QuerySet[Hazard]:
    """The 重大 hazards of `queryset` (default: all) the user may export; rejected and merged reports left out."""
    qs = queryset if queryset is not None else Hazard.objects.all()
    return (
        qs.restrict(user, "export")  # type: ignore[union-attr]
        .filter(level=Level.MAJOR)
        .exclude(status__in=NOT_HAZARDS)
        .select_related("enterprise", "region__parent", "industry", "department", "clause__version__standard")
        .annotate(last_transition_at=Max("transitions__at"))
        .order_by("code")
    )


def _last_updated(h: Hazard) -> dt.datetime:
    at = getattr(h, "last_transition_at", None)
    return max(h.updated_at, at) if at is not None else h.updated_at


def _values(h: Hazard, *, labels: bool) -> dict[str, Any]:
    """One hazard in the exchange layout: choice labels for the sheet (`labels`), codes for JSON."""

    def choice(field: str) -> str:
        value = getattr(h, field)
        if labels and (value or field == "supervision_level"):
            return str(getattr(h, f"get_{field}_display")())
        return value

    clause = h.clause
    version = clause.version if clause is not None else None
    e = h.enterprise
    return {
        "code": h.code,
        "enterprise_uscc": e.uscc or "",
        "enterprise_name": e.name,
        "region_code": h.region.code,
        "region_name": region_path(h.region),
        "industry_code": h.industry.code,
        "industry_name": h.industry.name,
        "department_code": h.department.code,
        "department_name": h.department.name,
        "level": choice("level"),
        "source": choice("source"),
        "standard_code": version.standard.code if version else "",
        "standard_version": version.label if version else "",
        "clause_code": clause.code if clause else "",
        "citation": clause.citation if clause else "",
        "title": h.title,
        "description": h.description,
        "location": h.location,
        "discovered_on": h.discovered_on,
        "finder": h.finder,
        "is_stock": h.is_stock,
        "status": choice("status"),
        "deadline": h.deadline,
        "plan_responsible": h.plan_responsible,
        "plan_measures": h.plan_measures,
        "plan_funds": h.plan_funds,
        "plan_deadline": h.plan_deadline,
        "plan_contingency": h.plan_contingency,
        "plan_goal": h.plan_goal,
        "interim_measures": h.interim_measures,
        "stop_production": h.stop_production,
        "supervision_level": choice("supervision_level"),
        "escalation": choice("escalation"),
        "reported_to_workers_on": h.reported_to_workers_on,
        "accepted_on": h.accepted_on,
        "acceptor": h.acceptor,
        "closed_on": h.closed_on,
        "closed_on_time": h.closed_on_time,
        "principal_name": e.principal_name,
        "principal_phone": e.masked_principal_phone,  # R16: never in clear
        "controller_name": e.controller_name,
        "controller_phone": e.masked_controller_phone,
        "updated_at": _last_updated(h),
    }


def sheet_rows(hazards: Iterable[Hazard]) -> Iterator[list[Any]]:
    keys = [col.key for col, _doc in field_docs()]
    for h in hazards:
        values = _values(h, labels=True)
        values["updated_at"] = timezone.localtime(values["updated_at"]).strftime("%Y-%m-%d %H:%M:%S")
        yield [_sheet_text(values[k]) for k in keys]


def json_record(h: Hazard) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for key, value in _values(h, labels=False).items():
        if isinstance(value, dt.datetime):
            value = timezone.localtime(value).isoformat()
        elif isinstance(value, dt.date):
            value = value.isoformat()
        elif isinstance(value, Decimal):
            value = f"{value:.2f}"
        out[key] = value
    return out


def export_workbook(hazards: QuerySet[Hazard]) -> Workbook:
    """The list as .xlsx: the data sheet in the import layout, then the 说明 sheet."""
    spec = hazard_exchange_spec()
    wb = build_spec_workbook(spec, sheet_rows(hazards.iterator(chunk_size=500)))
    _add_field_sheet(wb)
    return wb


def export_document(hazards: QuerySet[Hazard]) -> dict[str, Any]:
    """The list as the JSON exchange document."""
    return {
        "format": FORMAT,
        "version": FORMAT_VERSION,
        "exported_at": timezone.localtime().isoformat(),
        "hazards": [json_record(h) for h in hazards.iterator(chunk_size=500)],
    }


def _filename(ext: str) -> str:
    return f"{TITLE}-{timezone.localdate():%Y%m%d}.{ext}"


def export_xlsx_response(hazards: QuerySet[Hazard]) -> HttpResponse:
    return workbook_response(export_workbook(hazards), _filename("xlsx"))


def export_json_response(hazards: QuerySet[Hazard]) -> HttpResponse:
    body = json.dumps(export_document(hazards), ensure_ascii=False, indent=1)
    response = HttpResponse(body.encode("utf-8"), content_type="application/json; charset=utf-8")
    response["Content-Disposition"] = f"attachment; filename*=UTF-8''{quote(_filename('json'))}"
    return response


def _add_field_sheet(wb: Workbook) -> None:
    """说明: what each column means, its JSON key and type, and how it maps to the register."""
    ws = wb.create_sheet(FIELD_SHEET)
    ws.append([_("《%(t)s》交换格式说明") % {"t": TITLE}])
    ws["A1"].font = Font(bold=True, size=14)
    notes = [
        _("格式：%(f)s，版本 %(v)d；JSON 文件与本表字段一一对应（JSON 键见下表）。")
        % {"f": FORMAT, "v": FORMAT_VERSION},
        _("隐患编号是幂等键：重复导入同一文件不产生任何变化。"),
        _("“只读”列仅供阅读，导入时不使用；电话已脱敏。"),
        _("空白单元格表示该项为空；整列不出现表示不修改该项。"),
        _(
            "状态只能保持不变或按流程前进一步（待判定→待制定方案/不予认定，待制定方案→整改中，整改中→待企业验收，"
            "待企业验收→待销号/整改中，待销号→已销号/整改中，已销号→整改中，不予认定→待判定）。"
        ),
    ]
    for n, line in enumerate(notes, start=1):
        ws.append([f"{n}. {line}"])
    ws.append([])
    header = [_("列名"), _("JSON 键"), _("类型"), _("必填"), _("导入"), _("含义"), _("对应字段")]
    ws.append(header)
    for cell in ws[ws.max_row]:
        cell.font = Font(bold=True)
        cell.fill = HEADER_FILL
    for col, doc in field_docs():
        ws.append(
            [
                col.label_text,
                col.key,
                doc.json_type,
                _("是") if col.required else "",
                _("是") if doc.imported else _("只读"),
                str(col.help_text or ""),
                doc.maps_to,
            ]
        )
    for title, rows in (
        (_("行业代码"), Industry.objects.order_by("sort_order", "code").values_list("code", "name")),
        (_("监管部门代码"), Department.objects.order_by("sort_order", "code").values_list("code", "name")),
    ):
        ws.append([])
        ws.append([title])
        ws[ws.max_row][0].font = Font(bold=True)
        for code, name in rows:
            ws.append([code, name])
    for letter, width in zip("ABCDEFG", (24, 22, 24, 6, 6, 50, 40), strict=True):
        ws.column_dimensions[letter].width = width
    for row in ws.iter_rows(min_row=2):
        for cell in row:
            cell.alignment = Alignment(wrap_text=True, vertical="top")
