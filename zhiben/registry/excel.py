"""Enterprise import and export (生产经营单位导入导出): one layout for both, so an export imports back unchanged.

Rows are matched by 统一社会信用代码, or by 名称 + 所在区划 when a row has none; every write goes through
create_enterprise / update_enterprise. A row may only create or move an enterprise inside the importer's
`restrict(user, "import")` scope and only update one inside `restrict(user, "change")`.
"""

from __future__ import annotations

import re
from collections.abc import Hashable
from functools import cached_property
from typing import Any

from django.core.exceptions import ValidationError
from django.db.models import QuerySet
from django.http import HttpResponse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from zhiben.core.codes import validate_uscc
from zhiben.core.excel import KEEP, ImportColumn, ImportSpec, Kind, Outcome, export_spec_response, fold

from .choices import EnterpriseKind, EnterpriseStatus, RegionLevel, StandardisationGrade
from .models import Enterprise, Industry, Region
from .services import ENTERPRISE_FIELDS, RegistryError, create_enterprise, update_enterprise

# Scalar fields a row may set; `industries` (其他行业) is handled apart because it is a relation.
ROW_FIELDS = ENTERPRISE_FIELDS
_PATH_SEPARATORS = re.compile(r"[/／\\>＞|｜·]+")
_LIST_SEPARATORS = re.compile(r"[,，;；\n]+")
_PHONE = re.compile(r"^(\+?86-?)?1\d{10}$|^0\d{2,3}-?\d{7,8}(-\d{1,6})?$|^\d{7,8}$")


def region_path(region: Region) -> str:
    """A region as the sheet shows it: 营田镇, or 营田镇/湘滨村 for a village (village names repeat)."""
    if region.level == RegionLevel.VILLAGE and region.parent is not None:
        return f"{region.parent.name}/{region.name}"
    return region.name


class _Lookups:
    """Regions and industries, read once per import: a sheet of thousands of rows must not query per cell."""

    @cached_property
    def regions(self) -> list[Region]:
        return list(Region.objects.select_related("parent").order_by("code"))

    @cached_property
    def regions_by_code(self) -> dict[str, Region]:
        by_code = {r.legal_code: r for r in self.regions if r.legal_code}
        by_code.update({r.code: r for r in self.regions})
        return by_code

    @cached_property
    def regions_by_name(self) -> dict[str, list[Region]]:
        out: dict[str, list[Region]] = {}
        for r in self.regions:
            out.setdefault(fold(r.name), []).append(r)
        return out

    @cached_property
    def industries(self) -> list[Industry]:
        return list(Industry.objects.order_by("sort_order", "code"))

    @cached_property
    def industries_by_word(self) -> dict[str, Industry]:
        out = {fold(i.name).lower(): i for i in self.industries}
        out.update({fold(i.code).lower(): i for i in self.industries})
        return out

    def region(self, value: Any) -> Region:
        text = fold(str(value))
        if text.isdigit():
            region = self.regions_by_code.get(text)
            if region is None:
                raise ValidationError(_("行政区划代码“%(c)s”不存在。") % {"c": text})
            return region
        parts = [p for p in _PATH_SEPARATORS.split(text) if p]
        if not parts:
            raise ValidationError(_("所在区划不能为空。"))
        candidates = self.regions_by_name.get(parts[-1], [])
        if len(parts) > 1:
            candidates = [r for r in candidates if r.parent and fold(r.parent.name) == parts[-2]]
        elif not candidates:
            candidates = self._township_village(text)
        if len(candidates) > 1:
            raise ValidationError(
                _("区划名称“%(v)s”有重名，请写成“乡镇/村（社区）”或填写区划代码。") % {"v": text}
            )
        if not candidates:
            raise ValidationError(
                _("找不到区划“%(v)s”，请从下拉列表中选择或填写区划代码。") % {"v": str(value)[:40]}
            )
        return candidates[0]

    def _township_village(self, text: str) -> list[Region]:
        """营田镇湘滨村 written without a separator."""
        out = []
        for r in self.regions:
            if r.level == RegionLevel.VILLAGE and r.parent and text == fold(r.parent.name) + fold(r.name):
                out.append(r)
        return out

    def industry(self, value: Any) -> Industry:
        industry = self.industries_by_word.get(fold(str(value)).lower())
        if industry is None:
            raise ValidationError(
                _("找不到行业领域“%(v)s”，请从下拉列表中选择或填写行业代码。") % {"v": str(value)[:40]}
            )
        return industry

    def industry_list(self, value: Any) -> list[Industry]:
        """其他行业 separated by 、 , ; — names that contain 、 themselves (九小场所、沿街门店…) are kept whole."""
        found: list[Industry] = []
        for chunk in _LIST_SEPARATORS.split(str(value)):
            tokens = [t for t in (fold(t) for t in chunk.split("、")) if t]
            i = 0
            while i < len(tokens):
                # Longest run of tokens that names an industry wins.
                for j in range(len(tokens), i, -1):
                    match = self.industries_by_word.get("、".join(tokens[i:j]).lower())
                    if match is not None:
                        break
                else:
                    raise ValidationError(
                        _("找不到行业领域“%(v)s”，多个行业请用“、”分隔。") % {"v": tokens[i][:40]}
                    )
                if match not in found:
                    found.append(match)
                i = j
        return found

    def region_dropdown(self) -> list[str]:
        return [region_path(r) for r in self.regions if r.level >= RegionLevel.TOWNSHIP]

    def industry_dropdown(self) -> list[str]:
        return [i.name for i in self.industries]


def parse_phone(value: Any) -> Any:
    """A phone as typed; a masked one from an export (138****5678) means "leave it as it is" (R16)."""
    text = fold(str(value))
    if "*" in text:
        return KEEP
    if not _PHONE.match(text):
        raise ValidationError(
            _("电话号码格式不正确：“%(v)s”（应为11位手机号或带区号的固定电话）。") % {"v": str(value)[:30]}
        )
    return text


def enterprise_import_spec() -> ImportSpec:
    """The 生产经营单位 import/export sheet."""
    lookups = _Lookups()
    columns = (
        ImportColumn(
            "uscc",
            gettext_lazy("统一社会信用代码"),
            Kind.CUSTOM,
            aliases=("社会信用代码", "信用代码", "统一代码", "USCC"),
            parse=validate_uscc,
            help_text=gettext_lazy("18位；个体工商户等无代码时可不填，按名称＋所在区划识别。"),
            example="91430671MA4L00019X",
            width=24,
        ),
        ImportColumn(
            "name",
            gettext_lazy("名称"),
            required=True,
            aliases=("单位名称", "企业名称", "生产经营单位名称", "单位全称"),
            max_length=100,
            example="屈原营田机械制造有限公司",
            width=30,
        ),
        ImportColumn(
            "kind",
            gettext_lazy("类型"),
            Kind.CHOICE,
            aliases=("单位类型", "企业类型"),
            choices=EnterpriseKind.choices,
            example=str(EnterpriseKind.COMPANY.label),
        ),
        ImportColumn(
            "region",
            gettext_lazy("所在区划"),
            Kind.CUSTOM,
            required=True,
            aliases=("行政区划", "所属区划", "所在乡镇", "所属乡镇", "乡镇（街道）", "区划代码"),
            parse=lookups.region,
            dropdown=lookups.region_dropdown,
            help_text=gettext_lazy("乡镇（街道）或“乡镇/村（社区）”，也可填区划代码。"),
            example="营田镇",
            width=22,
        ),
        ImportColumn(
            "primary_industry",
            gettext_lazy("主行业"),
            Kind.CUSTOM,
            required=True,
            aliases=("行业领域", "主要行业", "所属行业", "行业"),
            parse=lookups.industry,
            dropdown=lookups.industry_dropdown,
            help_text=gettext_lazy("从下拉列表选择行业名称，也可填行业代码。"),
            example="机械",
            width=24,
        ),
        ImportColumn(
            "industries",
            gettext_lazy("其他行业"),
            Kind.CUSTOM,
            aliases=("涉及行业", "其他行业领域"),
            parse=lookups.industry_list,
            help_text=gettext_lazy("多个行业用“、”或“，”分隔。"),
            example="涉爆粉尘、有限空间作业",
            width=24,
        ),
        ImportColumn(
            "address",
            gettext_lazy("地址"),
            aliases=("详细地址", "单位地址", "经营地址"),
            max_length=200,
            example="营田镇湘滨村工业园1号",
            width=30,
        ),
        ImportColumn(
            "longitude",
            gettext_lazy("经度"),
            Kind.DECIMAL,
            decimal_places=6,
            min_value=73,
            max_value=136,
            example="112.963120",
        ),
        ImportColumn(
            "latitude",
            gettext_lazy("纬度"),
            Kind.DECIMAL,
            decimal_places=6,
            min_value=3,
            max_value=54,
            example="28.851230",
        ),
        ImportColumn(
            "is_above_scale", gettext_lazy("规上企业"), Kind.BOOL, aliases=("是否规上企业",), example="否"
        ),
        ImportColumn(
            "is_high_risk", gettext_lazy("高危企业"), Kind.BOOL, aliases=("是否高危企业",), example="否"
        ),
        ImportColumn(
            "has_major_hazard_source",
            gettext_lazy("重大危险源"),
            Kind.BOOL,
            aliases=("是否有重大危险源", "有无重大危险源", "是否重大危险源"),
            example="否",
        ),
        ImportColumn(
            "standardisation_grade",
            gettext_lazy("标准化等级"),
            Kind.CHOICE,
            aliases=("安全生产标准化等级", "标准化达标等级"),
            choices=StandardisationGrade.choices,
            example=str(StandardisationGrade.GRADE_3.label),
        ),
        ImportColumn(
            "employees",
            gettext_lazy("从业人数"),
            Kind.INT,
            aliases=("职工人数", "员工人数", "从业人员数"),
            min_value=0,
            example=56,
        ),
        ImportColumn(
            "principal_name",
            gettext_lazy("主要负责人"),
            aliases=("主要负责人姓名", "负责人"),
            max_length=50,
            example="张三",
        ),
        ImportColumn(
            "principal_phone",
            gettext_lazy("主要负责人电话"),
            Kind.CUSTOM,
            aliases=("主要负责人联系电话", "主要负责人手机", "负责人电话", "联系电话"),
            parse=parse_phone,
            help_text=gettext_lazy("导出的电话已脱敏（如 138****5678），原样导入表示不修改。"),
            example="13800000001",
            width=16,
        ),
        ImportColumn(
            "controller_name",
            gettext_lazy("实际控制人"),
            aliases=("实际控制人姓名",),
            max_length=50,
            example="李四",
        ),
        ImportColumn(
            "controller_phone",
            gettext_lazy("实际控制人电话"),
            Kind.CUSTOM,
            aliases=("实际控制人联系电话", "实际控制人手机"),
            parse=parse_phone,
            example="13900000002",
            width=16,
        ),
        ImportColumn(
            "status",
            gettext_lazy("状态"),
            Kind.CHOICE,
            aliases=("经营状态", "单位状态"),
            choices=EnterpriseStatus.choices,
            example=str(EnterpriseStatus.OPERATING.label),
        ),
    )
    return ImportSpec(
        title=gettext_lazy("生产经营单位"),
        columns=columns,
        handle_row=import_enterprise_row,
        natural_key=natural_key,
        object_type="registry.enterprise",
        instructions=(
            gettext_lazy("已登记的单位按统一社会信用代码（无代码时按名称＋所在区划）更新，其余新建。"),
            gettext_lazy("更新已有单位时，空白单元格表示不修改该项。"),
            gettext_lazy("只能导入本单位管辖范围内的生产经营单位。"),
        ),
    )


def natural_key(values: dict[str, Any]) -> tuple[str, Hashable] | None:
    """统一社会信用代码, or 名称 + 所在区划 for a unit that has none."""
    if values.get("uscc"):
        return "uscc", ("uscc", values["uscc"])
    if values.get("name") and values.get("region"):
        return "name", ("name", fold(values["name"]), values["region"].pk)
    return None


def _find_existing(uscc: str | None, name: str, region: Region) -> Enterprise | None:
    # Unscoped on purpose: a unit registered outside the importer's scope must be reported, not duplicated.
    if uscc:
        match = (
            Enterprise.objects.unrestricted("import: a unit outside scope is reported")
            .select_related("region")
            .filter(uscc=uscc)
            .first()
        )
        if match is not None:
            return match
    same_name = (
        Enterprise.objects.unrestricted("import: a unit outside scope is reported")
        .select_related("region")
        .filter(name=name, region=region)
    )
    if uscc:
        same_name = same_name.filter(uscc__isnull=True)  # a unit registered before its code was known
    matches = list(same_name.order_by("pk")[:2])
    if len(matches) > 1:
        raise RegistryError(
            _("“%(r)s”有多个名为“%(n)s”的单位，请填写统一社会信用代码以区分。")
            % {"r": region_path(region), "n": name},
            field="name",
        )
    return matches[0] if matches else None


def _check_in_scope(enterprise: Enterprise, actor: Any) -> None:
    """The written row must lie inside the importer's import scope (region and, for departments, industry)."""
    if not Enterprise.objects.restrict(actor, "import").filter(pk=enterprise.pk).exists():
        raise RegistryError(
            _("所在区划“%(r)s”不在您的管辖范围内，不能导入该单位。") % {"r": region_path(enterprise.region)},
            field="region",
        )


def import_enterprise_row(values: dict[str, Any], actor: Any) -> str:
    """Create or update one 生产经营单位 from a sheet row; blank cells leave stored values as they are."""
    data = {k: values[k] for k in ROW_FIELDS if values.get(k) is not None}
    others: list[Industry] | None = values.get("industries")
    existing = _find_existing(data.get("uscc"), data["name"], data["region"])
    if existing is None:
        enterprise = create_enterprise(
            actor=actor, industries=[data["primary_industry"], *(others or [])], **data
        )
        # Checked after the write, inside the row's savepoint, so the rule is exactly restrict()'s.
        _check_in_scope(enterprise, actor)
        return Outcome.CREATED
    if not Enterprise.objects.restrict(actor, "change").filter(pk=existing.pk).exists():
        # The stored name is not echoed back: the importer may not see this unit.
        raise RegistryError(
            _("该单位已登记在您的管辖范围以外，不能修改；如需迁入请联系区安委办。"),
            field="uscc" if data.get("uscc") else "name",
        )
    changes = {k: v for k, v in data.items() if getattr(existing, k) != v}
    wanted = None
    if others is not None or "primary_industry" in changes:
        current = set(existing.industries.all())
        base = set(others) if others is not None else current - {existing.primary_industry}
        wanted = base | {data.get("primary_industry", existing.primary_industry)}
        if wanted == current:
            wanted = None
    if not changes and wanted is None:
        return Outcome.UNCHANGED
    update_enterprise(existing, actor=actor, industries=wanted, **changes)
    _check_in_scope(existing, actor)
    return Outcome.UPDATED


def _export_row(e: Enterprise) -> list[Any]:
    others = sorted((i for i in e.industries.all() if i.pk != e.primary_industry_id), key=lambda i: i.code)
    return [
        e.uscc or "",
        e.name,
        e.get_kind_display(),
        region_path(e.region),
        e.primary_industry.name,
        "、".join(i.name for i in others),
        e.address,
        e.longitude,
        e.latitude,
        e.is_above_scale,
        e.is_high_risk,
        e.has_major_hazard_source,
        e.get_standardisation_grade_display(),
        e.employees,
        e.principal_name,
        e.masked_principal_phone,
        e.controller_name,
        e.masked_controller_phone,
        e.get_status_display(),
    ]


def export_enterprises(queryset: QuerySet[Enterprise], user: Any) -> HttpResponse:
    """Exactly the given (filtered, scoped) units, in the import layout, with phones masked (R16)."""
    rows = queryset.select_related("region__parent", "primary_industry").prefetch_related("industries")
    return export_spec_response(
        enterprise_import_spec(), (_export_row(e) for e in rows.iterator(chunk_size=500))
    )
