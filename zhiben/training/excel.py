"""从业人员名册导入 (the worker roster's Excel import through the core engine): a unit imports its own roster. A row
is matched by 身份证号 within the unit: a new number adds a worker, a known one (same name) updates it. A bad ID
number, an unknown post or an ID number twice in the sheet fails that row only (with 只导入正确的行)."""

from __future__ import annotations

from collections.abc import Hashable
from typing import Any

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from zhiben.core.crypto import blind_index
from zhiben.core.excel import ImportColumn, ImportSpec, Kind, Outcome
from zhiben.core.scoping import grants_for
from zhiben.registry.models import Enterprise

from .choices import Employment, WorkerStatus
from .models import Worker
from .reference import data
from .services.workers import FIELDS, id_number_error, normalise_id_number, save_worker


def _id_number(value: Any) -> str:
    text = normalise_id_number(str(value))
    problem = id_number_error(text)
    if problem:
        raise ValidationError(problem)
    return text


def actor_unit(actor: Any) -> Enterprise:
    """The one unit whose roster the importer keeps (a unit's account)."""
    ids = {i for g in grants_for(actor) if g.enterprise_ids for i in g.enterprise_ids}
    if len(ids) != 1:
        raise ValidationError({"name": _("只有生产经营单位账号可以导入本单位从业人员名册。")})
    return Enterprise.objects.unrestricted("import: the importer's own unit").get(pk=next(iter(ids)))


def import_worker_row(values: dict[str, Any], actor: Any) -> str:
    unit = actor_unit(actor)
    row = {k: values.get(k) for k in FIELDS if k != "enterprise"}
    row["employer"] = row.get("employer") or ""
    existing = (
        Worker.objects.unrestricted("import: match the unit's roster by ID number")
        .filter(enterprise=unit, id_key=blind_index(values["id_number"]))
        .first()
    )
    if existing is None:
        if values.get("status") == WorkerStatus.LEFT:
            raise ValidationError({"status": _("新登记的从业人员不能为离岗；离岗请在名册中办理。")})
        save_worker(None, actor=actor, enterprise=unit, **row)
        return Outcome.CREATED
    if existing.name != row["name"]:
        raise ValidationError(
            {
                "id_number": _("该身份证号已在本单位名册中登记为“%(n)s”，与本行姓名不一致。")
                % {"n": existing.name}
            }
        )
    if all(getattr(existing, k) == row[k] for k in row):
        return Outcome.UNCHANGED
    save_worker(existing, actor=actor, enterprise=unit, **row)
    return Outcome.UPDATED


def natural_key(values: dict[str, Any]) -> tuple[str, Hashable] | None:
    return ("id_number", values["id_number"]) if values.get("id_number") else None


def worker_import_spec() -> ImportSpec:
    return ImportSpec(
        title=gettext_lazy("从业人员名册"),
        columns=(
            ImportColumn("name", gettext_lazy("姓名"), required=True, max_length=50, example="李小军"),
            ImportColumn(
                "id_number",
                gettext_lazy("身份证号"),
                Kind.CUSTOM,
                required=True,
                aliases=("身份证号码", "公民身份号码"),
                parse=_id_number,
                help_text=gettext_lazy("18位居民身份证号码，最后一位可为X。"),
                example="430681199003150018",
                width=22,
            ),
            ImportColumn(
                "post",
                gettext_lazy("岗位"),
                required=True,
                aliases=("工种", "岗位名称"),
                max_length=100,
                dropdown=lambda: data().get("worker_posts", []),
                help_text=gettext_lazy("从下拉列表选择，或填写本单位一会三卡中登记的岗位。"),
                example="操作工",
            ),
            ImportColumn(
                "hired_on",
                gettext_lazy("入职（进场）日期"),
                Kind.DATE,
                required=True,
                aliases=("入职日期", "进场日期", "上岗日期"),
                example="2026-03-02",
            ),
            ImportColumn(
                "employment",
                gettext_lazy("用工形式"),
                Kind.CHOICE,
                required=True,
                choices=Employment.choices,
                example=str(Employment.REGULAR.label),
            ),
            ImportColumn(
                "employer",
                gettext_lazy("派遣（用人）单位"),
                aliases=("派遣单位", "用人单位", "劳务公司"),
                max_length=100,
                help_text=gettext_lazy("劳务派遣、承包商人员必填。"),
                example="",
            ),
            ImportColumn(
                "status",
                gettext_lazy("状态"),
                Kind.CHOICE,
                choices=WorkerStatus.choices,
                example=str(WorkerStatus.ON.label),
            ),
        ),
        handle_row=import_worker_row,
        natural_key=natural_key,
        object_type="training.worker",
        instructions=(
            gettext_lazy("导入到本单位的从业人员名册；按身份证号匹配，已在名册中的人员更新，其余新登记。"),
            gettext_lazy(
                "接受本单位作业指令的劳务派遣、灵活用工人员列入本单位名册，并填写其派遣（用人）单位。"
            ),
            gettext_lazy("身份证号有误、岗位不在清单中、同一身份证号重复的行不导入，列入错误报告。"),
        ),
    )
