"""Import: one exchange row → one hazard created, updated or left alone. The row is checked here (its
scope, its unit, the rules of the state it describes, one step of the flow at most); the writes are the
services' (services.import_hazard / apply_import, the loop's 导入 step)."""

from __future__ import annotations

from collections.abc import Hashable, Mapping
from functools import partial
from typing import Any

from django.core.exceptions import ValidationError
from django.db.models import CharField, TextField
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from zhiben.core.excel import (
    CellInvalid,
    ImportColumn,
    ImportSpec,
    Outcome,
    parse_cell,
    safe_cell,
)
from zhiben.registry.models import Enterprise

from .. import services
from ..choices import OPEN_STATUSES, Level, Status
from ..models import Hazard
from ..services import STOCK_DAY, TRANSITIONS, HazardError, supervising_department
from .layout import (
    MAPPED_FIELDS,
    NOT_HAZARDS,
    TITLE,
    _columns,
    _Lookups,
    _sheet_text,
)

# Statuses after the plan (治理方案) was submitted: the 五落实 must be on record.
PLANNED_STATUSES = frozenset(
    {Status.RECTIFYING, Status.ACCEPTANCE_REQUESTED, Status.SELF_ACCEPTED, Status.CLOSED}
)
ACCEPTED_STATUSES = frozenset({Status.SELF_ACCEPTED, Status.CLOSED})

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
