"""National database exchange (全国重大事故隐患数据库交换): the major-hazard list (重大事故隐患清单) as Excel and JSON.

No official exchange format is public (research/domain.md §9), so this module defines ours; docs/hazard-exchange.md
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
"""

from __future__ import annotations

import datetime as dt
import io
import json
import re
from collections.abc import Hashable, Iterable, Iterator, Mapping
from dataclasses import dataclass
from decimal import Decimal
from functools import cached_property, partial
from typing import Any
from urllib.parse import quote

from django.core.exceptions import ValidationError
from django.db.models import CharField, Max, QuerySet, TextField
from django.http import HttpResponse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from openpyxl import Workbook
from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE
from openpyxl.styles import Alignment, Font

from zhiben.core.codes import validate_uscc
from zhiben.core.excel import (
    KEEP,
    MAX_UPLOAD_BYTES,
    CellInvalid,
    ImportColumn,
    ImportFileError,
    ImportSpec,
    Kind,
    Outcome,
    build_spec_workbook,
    build_workbook,
    fold,
    parse_cell,
    safe_cell,
    workbook_response,
)
from zhiben.core.excel.export import HEADER_FILL
from zhiben.registry.excel import region_path
from zhiben.registry.models import Department, Enterprise, Industry, Region
from zhiben.standards.models import Clause, Standard

from . import services, steps
from .choices import OPEN_STATUSES, EscalationKind, Level, Source, Status, SupervisionLevel
from .models import Hazard
from .services import STOCK_DAY, TRANSITIONS, HazardError, supervising_department

FORMAT = "zhiben-major-hazards"
FORMAT_VERSION = 1
TITLE = gettext_lazy("重大事故隐患清单")
FIELD_SHEET = "说明"
IMPORT_ACTION = steps.IMPORT.name  # the history action of an imported row

# Statuses that are not hazards (不予认定, 已合并): left out of the list, never created by an import.
NOT_HAZARDS = (Status.REJECTED, Status.MERGED)
# Statuses after the plan (治理方案) was submitted: the 五落实 must be on record.
PLANNED_STATUSES = frozenset(
    {Status.RECTIFYING, Status.ACCEPTANCE_REQUESTED, Status.SELF_ACCEPTED, Status.CLOSED}
)
ACCEPTED_STATUSES = frozenset({Status.SELF_ACCEPTED, Status.CLOSED})

# Every Hazard field the exchange carries: an import compares exactly these, an export writes exactly these.
MAPPED_FIELDS = (
    "code",
    "enterprise",
    "region",
    "industry",
    "department",
    "level",
    "source",
    "clause",
    "title",
    "description",
    "location",
    "discovered_on",
    "finder",
    "is_stock",
    "status",
    "deadline",
    "plan_responsible",
    "plan_measures",
    "plan_funds",
    "plan_deadline",
    "plan_contingency",
    "plan_goal",
    "interim_measures",
    "stop_production",
    "supervision_level",
    "escalation",
    "reported_to_workers_on",
    "accepted_on",
    "acceptor",
    "closed_on",
    "closed_on_time",
)
# Columns named like the model field they set.
_DIRECT = tuple(
    f
    for f in MAPPED_FIELDS
    if f not in ("code", "enterprise", "region", "industry", "department", "clause", "is_stock")
)


# Free text: a blank cell is "", and a stored value compares as it reads back from a sheet.
def _is_free_text(name: str) -> bool:
    field = Hazard._meta.get_field(name)
    return isinstance(field, CharField | TextField) and not field.choices


_TEXT = frozenset(f for f in _DIRECT if _is_free_text(f))
_BLANK_CHOICES = frozenset({"supervision_level", "escalation"})
_RELATED = {"region_code": "region", "industry_code": "industry", "department_code": "department"}
_CLAUSE_KEYS = ("standard_code", "standard_version", "clause_code")
_FOREIGN_KEYS = frozenset({"region", "industry", "department", "clause"})
# What an import compares on a known code (the code itself matched; the unit may not change).
_COMPARED = tuple(f for f in MAPPED_FIELDS if f not in ("code", "enterprise"))
_CODE = re.compile(r"^[A-Za-z0-9_-]{1,40}$")


@dataclass(frozen=True)
class FieldDoc:
    """How a column travels: its JSON type and the Hazard field it maps to (docs, the 说明 sheet)."""

    json_type: str
    maps_to: str
    imported: bool = True


def _ignored(value: Any) -> Any:
    """A column for reading only (names, masked phones): the register it comes from stays authoritative."""
    return KEEP


def parse_code(value: Any) -> str:
    text = fold(str(value))
    if not _CODE.match(text):
        raise ValidationError(
            _("隐患编号只能由字母、数字、“-”和“_”组成，最多 40 位：“%(v)s”。") % {"v": str(value)[:40]}
        )
    return text


class _Lookups:
    """Reference rows read once per import: a sheet of thousands of rows must not query per cell."""

    @cached_property
    def regions_by_code(self) -> dict[str, Region]:
        regions = list(Region.objects.all())
        by_code = {r.legal_code: r for r in regions if r.legal_code}
        by_code.update({r.code: r for r in regions})
        return by_code

    @cached_property
    def industries_by_code(self) -> dict[str, Industry]:
        return {fold(i.code).lower(): i for i in Industry.objects.all()}

    @cached_property
    def departments_by_code(self) -> dict[str, Department]:
        return {fold(d.code).lower(): d for d in Department.objects.all()}

    @cached_property
    def _clauses(self) -> dict[tuple[str, str], dict[str, Clause]]:
        out: dict[tuple[str, str], dict[str, Clause]] = {}
        for c in Clause.objects.select_related("version__standard"):
            key = (fold(c.version.standard.code).lower(), fold(c.version.label))
            out.setdefault(key, {})[fold(c.code)] = c
        return out

    @cached_property
    def _standards(self) -> set[str]:
        return {fold(code).lower() for code in Standard.objects.values_list("code", flat=True)}

    def region(self, value: Any) -> Region:
        text = fold(str(value))
        region = self.regions_by_code.get(text)
        if region is None:
            raise ValidationError(_("行政区划代码“%(c)s”不存在。") % {"c": text[:20]})
        return region

    def industry(self, value: Any) -> Industry:
        industry = self.industries_by_code.get(fold(str(value)).lower())
        if industry is None:
            raise ValidationError(_("行业代码“%(c)s”不存在。") % {"c": str(value)[:20]})
        return industry

    def department(self, value: Any) -> Department:
        department = self.departments_by_code.get(fold(str(value)).lower())
        if department is None:
            raise ValidationError(_("监管部门代码“%(c)s”不存在。") % {"c": str(value)[:20]})
        return department

    def clause(self, standard: str, version: str, code: str) -> Clause:
        """The clause a citation names, or a DomainError on the first part that names nothing."""
        std = fold(standard).lower()
        if std not in self._standards:
            raise HazardError(_("判定标准代码“%(s)s”不存在。") % {"s": standard[:40]}, field="standard_code")
        clauses = self._clauses.get((std, fold(version)))
        if clauses is None:
            raise HazardError(
                _("判定标准“%(s)s”没有“%(v)s”这一版本。") % {"s": standard[:40], "v": version[:40]},
                field="standard_version",
            )
        clause = clauses.get(fold(code))
        if clause is None:
            raise HazardError(
                _("“%(s)s %(v)s”中没有条款“%(c)s”。")
                % {"s": standard[:40], "v": version[:40], "c": code[:40]},
                field="clause_code",
            )
        return clause


# ---------------------------------------------------------------------------------------------------------
# The layout: one column per field, in the order of the sheet and of the JSON objects


def _col(
    key: str, label: Any, kind: str = Kind.TEXT, json_type: str = "string", maps_to: str = "", **options: Any
) -> tuple[ImportColumn, FieldDoc]:
    return ImportColumn(key, label, kind, **options), FieldDoc(json_type, maps_to or f"Hazard.{key}")


def _info(
    key: str, label: Any, maps_to: str, json_type: str = "string", **options: Any
) -> tuple[ImportColumn, FieldDoc]:
    """A column for reading only (names, masked phones): the register it comes from stays authoritative."""
    column = ImportColumn(key, label, Kind.CUSTOM, parse=_ignored, **options)
    return column, FieldDoc(json_type, f"{maps_to}（只读）", imported=False)


def _columns(lookups: _Lookups) -> tuple[tuple[ImportColumn, FieldDoc], ...]:
    L, C, D, B = gettext_lazy, Kind.CUSTOM, Kind.DATE, Kind.BOOL
    read_only = L("仅供阅读，导入时不使用。")
    return (
        _col(
            "code",
            L("隐患编号"),
            C,
            required=True,
            parse=parse_code,
            help_text=L("全局唯一，交换的幂等键：已有的编号更新该隐患，没有的新建。"),
            example="YH4306712025000001",
            width=22,
        ),
        _col(
            "enterprise_uscc",
            L("统一社会信用代码"),
            C,
            maps_to="Hazard.enterprise（按 Enterprise.uscc 查找）",
            required=True,
            aliases=("社会信用代码", "单位统一社会信用代码"),
            parse=validate_uscc,
            help_text=L("隐患所属生产经营单位；须已在本平台登记并在导入人的管辖范围内。"),
            example="91430671MA4L00019X",
            width=22,
        ),
        _info("enterprise_name", L("单位名称"), "Enterprise.name", help_text=read_only, width=28),
        _col(
            "region_code",
            L("行政区划代码"),
            C,
            maps_to="Hazard.region（按 Region.code 或 legal_code 查找）",
            required=True,
            parse=lookups.region,
            help_text=L("隐患所在区划的统计用区划代码（或法定区划代码）。"),
            example="430671100",
            width=16,
        ),
        _info("region_name", L("所在区划"), "Region.name", help_text=read_only),
        _col(
            "industry_code",
            L("行业代码"),
            C,
            maps_to="Hazard.industry（按 Industry.code 查找）",
            required=True,
            parse=lookups.industry,
            help_text=L("行业领域代码，见“说明”工作表所列代码。"),
            example="INDTRADE-MACHINE",
            width=18,
        ),
        _info("industry_name", L("行业领域"), "Industry.name", help_text=read_only),
        _col(
            "department_code",
            L("监管部门代码"),
            C,
            maps_to="Hazard.department（按 Department.code 查找）",
            parse=lookups.department,
            help_text=L("新建时留空则按“三管三必须”由行业确定；更新时留空表示不修改。"),
            example="emergency",
            width=14,
        ),
        _info("department_name", L("监管部门"), "Department.name", help_text=read_only),
        _col(
            "level",
            L("隐患等级"),
            Kind.CHOICE,
            "string：general | major",
            required=True,
            choices=Level.choices,
        ),
        _col(
            "source",
            L("隐患来源"),
            Kind.CHOICE,
            "string：" + " | ".join(Source.values),
            required=True,
            choices=Source.choices,
        ),
        _col(
            "standard_code",
            L("判定标准代码"),
            maps_to="Hazard.clause → Standard.code",
            fold_width=True,
            max_length=40,
            help_text=L("重大事故隐患必填，与“标准版本”“条款编号”一起确定所引用的条款。"),
            example="indtrade",
        ),
        _col(
            "standard_version",
            L("标准版本"),
            maps_to="Hazard.clause → StandardVersion.label",
            max_length=40,
            help_text=L("判定所依据的标准版本，如“2023版”；隐患保留其判定时的版本。"),
            example="2023版",
        ),
        _col(
            "clause_code",
            L("条款编号"),
            maps_to="Hazard.clause → Clause.code",
            max_length=40,
            help_text=L("该版本内的条款编号，如“第七条（五）”。"),
            example="第七条（五）",
            width=16,
        ),
        _info(
            "citation", L("判定依据"), "Clause.citation", help_text=L("条款的完整引用，仅供阅读。"), width=40
        ),
        _col("title", L("隐患名称"), required=True, max_length=200, width=30),
        _col("description", L("隐患描述"), width=40),
        _col("location", L("隐患部位"), max_length=200),
        _col("discovered_on", L("发现日期"), D, "date（YYYY-MM-DD）", required=True, example="2025-03-01"),
        _col("finder", L("发现人"), max_length=100),
        _col(
            "is_stock",
            L("存量隐患"),
            B,
            "boolean",
            "Hazard.is_stock（由发现日期推出）",
            help_text=L("2023年12月31日及以前发现的为存量隐患；由发现日期决定，填写时须与之一致。"),
        ),
        _col(
            "status",
            L("状态"),
            Kind.CHOICE,
            "string：" + " | ".join(Status.values),
            required=True,
            choices=Status.choices,
            help_text=L("更新已有隐患时只能保持原状态或按流程前进一步（见“说明”）。"),
        ),
        _col("deadline", L("整改期限"), D, "date"),
        _col(
            "plan_responsible",
            L("整改责任人"),
            maps_to="Hazard.plan_responsible（五落实：责任）",
            max_length=50,
        ),
        _col("plan_measures", L("整改措施"), maps_to="Hazard.plan_measures（五落实：措施）", width=40),
        _col(
            "plan_funds",
            L("整改资金（万元）"),
            Kind.DECIMAL,
            "string（十进制数，两位小数）",
            "Hazard.plan_funds（五落实：资金）",
            decimal_places=2,
            min_value=0,
        ),
        _col("plan_deadline", L("方案整改时限"), D, "date", "Hazard.plan_deadline（五落实：时限）"),
        _col("plan_contingency", L("应急预案"), maps_to="Hazard.plan_contingency（五落实：预案）", width=30),
        _col("plan_goal", L("治理目标和任务"), width=30),
        _col("interim_measures", L("整改期间安全防范措施"), width=30),
        _col("stop_production", L("停产停业整改"), B, "boolean"),
        _col(
            "supervision_level",
            L("督办级别"),
            Kind.CHOICE,
            'string："" | ' + " | ".join(v for v in SupervisionLevel.values if v),
            choices=SupervisionLevel.choices,
        ),
        _col(
            "escalation",
            L("当前督办措施"),
            Kind.CHOICE,
            'string："" | ' + " | ".join(EscalationKind.values),
            choices=EscalationKind.choices,
            help_text=L("逾期督办阶梯的当前一级，无则留空；已销号的隐患应为空。"),
        ),
        _col(
            "reported_to_workers_on",
            L("向职工（代表）大会报告日期"),
            D,
            "date",
            aliases=("向职工大会报告日期",),
            help_text=L("安全生产法第四十一条。"),
        ),
        _col("accepted_on", L("企业验收日期"), D, "date"),
        _col("acceptor", L("企业验收人"), max_length=50),
        _col("closed_on", L("销号日期"), D, "date"),
        _col(
            "closed_on_time",
            L("按期整改"),
            B,
            "boolean | null",
            "Hazard.closed_on_time（由销号日期与整改期限推出）",
            help_text=L("销号日期不晚于整改期限为“是”；由两者决定，留空时自动推出。"),
        ),
        _info("principal_name", L("主要负责人"), "Enterprise.principal_name"),
        _info("principal_phone", L("主要负责人电话"), "Enterprise.principal_phone，脱敏", "string（脱敏）"),
        _info("controller_name", L("实际控制人"), "Enterprise.controller_name"),
        _info("controller_phone", L("实际控制人电话"), "Enterprise.controller_phone，脱敏", "string（脱敏）"),
        _info(
            "updated_at",
            L("最后更新时间"),
            "Hazard.updated_at 与最后一条流转记录时间中较晚者",
            "string（ISO 8601 日期时间，含时区）",
            help_text=L("本平台最后一次变更该隐患的时间，仅供阅读。"),
            width=20,
        ),
    )


def field_docs() -> list[tuple[ImportColumn, FieldDoc]]:
    """Every column of the layout with its documentation (the 说明 sheet, docs/hazard-exchange.md)."""
    return list(_columns(_Lookups()))


def hazard_exchange_spec() -> ImportSpec:
    """The 重大事故隐患清单 exchange sheet: the import engine's spec (module level: background imports load it)."""
    lookups = _Lookups()
    columns = tuple(col for col, _doc in _columns(lookups))
    return ImportSpec(
        title=TITLE,
        columns=columns,
        handle_row=partial(import_hazard_row, lookups=lookups, columns={c.key: c for c in columns}),
        natural_key=natural_key,
        object_type="hazards.hazard",
        instructions=(
            gettext_lazy("按隐患编号识别：已有编号的隐患逐项比对，只写入有变化的项；没有的编号新建隐患。"),
            gettext_lazy("空白单元格表示该项为空；整列不出现表示不修改该项。"),
            gettext_lazy("重大事故隐患必须填写判定标准代码、标准版本和条款编号。"),
            gettext_lazy("状态只能保持不变或按流程前进一步；导入不发送通知。"),
            gettext_lazy("只能导入本单位职责范围内的隐患。"),
        ),
    )


def natural_key(values: Mapping[str, Any]) -> tuple[str, Hashable] | None:
    return ("code", values["code"]) if values.get("code") else None


# ---------------------------------------------------------------------------------------------------------
# Import: one row → one hazard created, updated or left alone


def _default(field: str) -> Any:
    if field in _TEXT or field in _BLANK_CHOICES:
        return ""
    if field == "stop_production":
        return False
    return None


def _given(field: str, value: Any) -> Any:
    """A parsed cell as the model stores it: a blank text or choice is "", a blank flag is False."""
    return _default(field) if value is None else value


def _wanted(values: Mapping[str, Any], existing: Hazard | None, lookups: _Lookups) -> dict[str, Any]:
    """The hazard as the row describes it; a column absent from the file keeps the stored value."""
    out: dict[str, Any] = {}
    for field in _DIRECT:
        if field in values:
            out[field] = _given(field, values[field])
        else:
            out[field] = getattr(existing, field) if existing is not None else _default(field)
    for key, field in _RELATED.items():
        if values.get(key) is not None:
            out[field] = values[key]
        elif existing is not None:
            out[field] = getattr(existing, field)
        elif field == "department":
            try:
                out[field] = supervising_department(out["industry"])  # 三管三必须, as registration does
            except HazardError as exc:
                raise HazardError(exc.message, field="department_code") from None
    if any(k in values for k in _CLAUSE_KEYS):
        parts = [values.get(k) or "" for k in _CLAUSE_KEYS]
        if not any(parts):
            out["clause"] = None
        elif not all(parts):
            missing = next(k for k, p in zip(_CLAUSE_KEYS, parts, strict=True) if not p)
            raise HazardError(_("引用条款须同时填写判定标准代码、标准版本和条款编号。"), field=missing)
        else:
            out["clause"] = lookups.clause(*parts)
    else:
        out["clause"] = existing.clause if existing is not None else None
    out["is_stock"] = out["discovered_on"] <= STOCK_DAY
    if out["status"] == Status.CLOSED and out["closed_on"] is not None and out["closed_on_time"] is None:
        out["closed_on_time"] = _on_time(out)
    return out


def _on_time(record: Mapping[str, Any]) -> bool:
    # As services.close(): on time when closed on or before the deadline.
    return record["deadline"] is not None and record["closed_on"] <= record["deadline"]


def _may_step(current: str, target: str) -> bool:
    """One edge of the lifecycle table; never into 已合并 (that needs the hazard it duplicates)."""
    return target != Status.MERGED and target in TRANSITIONS.get(current, ())


def _check_row(record: Mapping[str, Any], values: Mapping[str, Any]) -> None:
    """What a row must say of itself, written or not: a stock flag that agrees with the discovery date."""
    if values.get("is_stock") is not None and values["is_stock"] != record["is_stock"]:
        raise ValidationError({"is_stock": _("与发现日期不一致：2023年12月31日及以前发现的才是存量隐患。")})


def _check(record: Mapping[str, Any], existing: Hazard | None) -> None:
    """The rules a hazard in this state obeys everywhere else in the loop; errors keyed by column.

    A refused status is reported alone: the rules of a state the hazard may not enter say nothing useful."""
    today = timezone.localdate()
    status, level = record["status"], record["level"]
    label = str(Status(status).label)
    if existing is None and status in NOT_HAZARDS:
        raise ValidationError({"status": _("“%(s)s”的记录不是隐患，不能通过交换导入新建。") % {"s": label}})
    if existing is not None and status != existing.status and not _may_step(existing.status, status):
        raise ValidationError(
            {
                "status": _(
                    "当前状态“%(cur)s”不能变更为“%(to)s”：导入只能保持原状态或按流程前进一步，其余请在系统中办理。"
                )
                % {"cur": Status(existing.status).label, "to": label}
            }
        )
    errors: dict[str, str] = {}
    if level == Level.MAJOR and record["clause"] is None:
        errors["clause_code"] = _(
            "重大事故隐患必须引用判定标准条款（填写判定标准代码、标准版本和条款编号）。"
        )
    if status in OPEN_STATUSES | {Status.CLOSED} and record["deadline"] is None:
        errors["deadline"] = _("“%(s)s”的隐患须有整改期限。") % {"s": label}
    if status in PLANNED_STATUSES:
        needed = ["plan_responsible", "plan_measures", "plan_deadline"]
        if level == Level.MAJOR:
            # 五落实 of a 重大 hazard, as services.submit_plan requires them.
            needed += ["plan_funds", "plan_contingency", "interim_measures"]
        for field in needed:
            if record[field] in (None, ""):
                errors.setdefault(field, _("“%(s)s”的隐患须落实此项（治理方案）。") % {"s": label})
    if status in ACCEPTED_STATUSES:
        for field in ("accepted_on", "acceptor"):
            if record[field] in (None, ""):
                errors.setdefault(field, _("“%(s)s”的隐患须有企业验收记录。") % {"s": label})
    if status == Status.CLOSED:
        if record["closed_on"] is None:
            errors.setdefault("closed_on", _("已销号的隐患须有销号日期。"))
        elif record["closed_on_time"] != _on_time(record):
            errors.setdefault("closed_on_time", _("与销号日期和整改期限不一致。"))
        if record["escalation"]:
            errors.setdefault("escalation", _("已销号的隐患不再有督办措施。"))
    else:
        if record["closed_on"] is not None:
            errors.setdefault("closed_on", _("未销号的隐患不能有销号日期。"))
        if record["closed_on_time"] is not None:
            errors.setdefault("closed_on_time", _("未销号的隐患不能填写是否按期整改。"))
    found = record["discovered_on"]
    if found > today:
        errors.setdefault("discovered_on", _("发现日期不能晚于今天。"))
    for field in ("deadline", "plan_deadline"):
        if record[field] is not None and record[field] < found:
            errors.setdefault(field, _("不能早于发现日期 %(d)s。") % {"d": found})
    for field in ("reported_to_workers_on", "accepted_on", "closed_on"):
        day = record[field]
        if day is not None and not found <= day <= today:
            errors.setdefault(field, _("应在发现日期 %(d)s 与今天之间。") % {"d": found})
    if record["closed_on"] and record["accepted_on"] and record["closed_on"] < record["accepted_on"]:
        errors.setdefault("closed_on", _("销号日期不能早于企业验收日期。"))
    if errors:
        raise ValidationError(errors)


def _canonical(field: str, stored: Any, spec_column: ImportColumn | None) -> Any:
    """A stored text as it reads back after an export (spaces folded, formula guard undone)."""
    if field not in _TEXT or spec_column is None:
        return stored
    try:
        return _given(field, parse_cell(spec_column, safe_cell(_sheet_text(stored))))
    except CellInvalid:
        return stored


def _differs(field: str, existing: Hazard, wanted: Any, columns: Mapping[str, ImportColumn]) -> bool:
    if field in _FOREIGN_KEYS:
        return getattr(existing, f"{field}_id") != getattr(wanted, "pk", None)
    column = columns.get(field)
    # Both sides as they read back from a sheet: a value the file left alone compares equal to itself.
    return _canonical(field, getattr(existing, field), column) != _canonical(field, wanted, column)


def _enterprise(uscc: str, actor: Any, existing: Hazard | None) -> Enterprise:
    # Unscoped on purpose: a unit registered outside the importer's scope is reported, not taken for unknown.
    enterprise = (
        Enterprise.objects.unrestricted("import: a unit outside scope is reported").filter(uscc=uscc).first()
    )
    if enterprise is None:
        raise HazardError(
            _("统一社会信用代码“%(u)s”的单位未在本平台登记，请先登记该单位。") % {"u": uscc},
            field="enterprise_uscc",
        )
    if existing is not None and existing.enterprise_id != enterprise.pk:
        raise HazardError(_("该隐患编号属于另一单位，不能改为本单位。"), field="enterprise_uscc")
    if existing is None and not Enterprise.objects.restrict(actor, "view").filter(pk=enterprise.pk).exists():
        raise HazardError(_("该单位不在您的管辖范围内，不能导入其隐患。"), field="enterprise_uscc")
    return enterprise


def _in_scope(hazard: Hazard, actor: Any) -> bool:
    return Hazard.objects.restrict(actor, "import").filter(pk=hazard.pk).exists()


def import_hazard_row(
    values: dict[str, Any], actor: Any, *, lookups: _Lookups, columns: Mapping[str, ImportColumn]
) -> str:
    """Create, update or leave one hazard from an exchange row (the row's own savepoint undoes a refusal)."""
    code = values["code"]
    # Unscoped on purpose: a code held outside the importer's scope must be refused, not created twice.
    existing = (
        Hazard.objects.unrestricted("import: a code outside scope is refused")
        .select_related("department")
        .filter(code=code)
        .first()
    )
    if existing is not None and not _in_scope(existing, actor):
        raise HazardError(_("该隐患编号已登记在您的职责范围以外，不能修改。"), field="code")
    enterprise = _enterprise(values["enterprise_uscc"], actor, existing)
    record = _wanted(values, existing, lookups)
    _check_row(record, values)
    if existing is None:
        _check(record, None)
        hazard = services.import_hazard(actor=actor, code=code, enterprise=enterprise, record=record)
        if not _in_scope(hazard, actor):
            raise HazardError(
                _("行业“%(i)s”、监管部门“%(d)s”的隐患不在您的职责范围内，不能导入。")
                % {"i": hazard.industry.name, "d": hazard.department.name},
                field="industry_code",
            )
        return Outcome.CREATED
    changes = {f: record[f] for f in _COMPARED if _differs(f, existing, record[f], columns)}
    if not changes:
        return Outcome.UNCHANGED  # the round trip: nothing differs, nothing is written
    _check(record, existing)
    services.apply_import(existing, actor=actor, changes=changes)
    if not _in_scope(existing, actor):
        raise HazardError(_("修改后的隐患不在您的职责范围内，不能导入。"), field="industry_code")
    return Outcome.UPDATED


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


def _sheet_text(value: Any) -> Any:
    # Control characters cannot be stored in a sheet at all (openpyxl refuses them).
    return ILLEGAL_CHARACTERS_RE.sub("", value) if isinstance(value, str) else value


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
