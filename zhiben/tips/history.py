"""Audit events of the handling loop that are not steps, and how a tip's history card reads its rows."""

from __future__ import annotations

from typing import Any

from django.utils.translation import gettext_lazy as _

from zhiben.core.events import describes, register
from zhiben.registry.models import Department, Region

TIP_ORIGINAL_VIEWED = register("TIP_ORIGINAL_VIEWED", _("查看举报原件"))
TIP_ATTACHMENT_VIEWED = register("TIP_ATTACHMENT_VIEWED", _("查看举报附件工作件"))

_KIND = {"overdue_notice": "逾期提醒", "overdue_letter": "函告"}


@describes("TIP_ESCALATED")
def _escalated(rows: list[dict[str, Any]]) -> list[str]:
    return [f"{_KIND.get(str(r.get('kind', '')), '')}（逾期 {r.get('overdue_days', '')} 日）" for r in rows]


@describes("TIP_DEADLINE_REMINDED")
def _reminded(rows: list[dict[str, Any]]) -> list[str]:
    return [f"{r.get('stage_label', '')}期限 {r.get('deadline', '')}" for r in rows]


@describes("TIP_TRANSFERRED")
def _transferred(rows: list[dict[str, Any]]) -> list[str]:
    """转办：区住房和城乡建设局、营田镇 (the names, looked up once for the rows)."""
    deps = dict(
        Department.objects.filter(pk__in=[r.get("department") for r in rows]).values_list("pk", "name")
    )
    towns = dict(Region.objects.filter(pk__in=[r.get("township") for r in rows]).values_list("pk", "name"))
    out = []
    for r in rows:
        names = [n for n in (deps.get(r.get("department")), towns.get(r.get("township"))) if n]
        out.append("转" + "、".join(names) if names else "")
    return out
