"""The exchange layout: one column per field, in the order of the sheet and of the JSON objects, with its
documentation (the 说明 sheet, docs/hazard-exchange.md), and the reference rows an import reads once."""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import cached_property
from typing import Any

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE

from zhiben.core.codes import validate_uscc
from zhiben.core.excel import (
    KEEP,
    ImportColumn,
    Kind,
    fold,
)
from zhiben.registry.models import Department, Industry, Region
from zhiben.standards.models import Clause, Standard

from .. import steps
from ..choices import EscalationKind, Level, Source, Status, SupervisionLevel
from ..services import HazardError

FORMAT = "zhiben-major-hazards"
FORMAT_VERSION = 1
TITLE = gettext_lazy("重大事故隐患清单")
FIELD_SHEET = "说明"
IMPORT_ACTION = steps.IMPORT.name  # the history action of an imported row

# Statuses that are not hazards (不予认定, 已合并): left out of the list, never created by an import.
NOT_HAZARDS = (Status.REJECTED, Status.MERGED)
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


def _sheet_text(value: Any) -> Any:
    # Control characters cannot be stored in a sheet at all (openpyxl refuses them).
    return ILLEGAL_CHARACTERS_RE.sub("", value) if isinstance(value, str) else value
