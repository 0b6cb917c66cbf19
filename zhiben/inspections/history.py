"""What each inspection audit row did, in words, for the history card of an inspection (events.describes).

Rows name their checklist item, department and finding by id; these look the names up once per history.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from django.utils.translation import gettext as _

from zhiben.core.events import describes
from zhiben.hazards.choices import Level
from zhiben.registry.models import Department
from zhiben.standards.models import ChecklistItem

from . import events
from .choices import Answer, FindingHandling

_ITEM_CHARS = 60


def _ids(rows: Sequence[Mapping[str, Any]], key: str) -> set[int]:
    return {v for r in rows if isinstance(v := r.get(key), int)}


def _item_title(text: str) -> str:
    first = text.strip().splitlines()[0] if text.strip() else ""
    return first if len(first) <= _ITEM_CHARS else first[: _ITEM_CHARS - 1] + "…"


def _answer_label(value: Any) -> str:
    return str(dict(Answer.choices).get(value, value or ""))


@describes(events.INSPECTION_ANSWERED)
def describe_answers(rows: Sequence[Mapping[str, Any]]) -> list[str]:
    """填写检查项：<item> — 不符合 (and what it was before, when the answer was changed)."""
    items = {i.pk: i.text for i in ChecklistItem.objects.filter(pk__in=_ids(rows, "item"))}
    out = []
    for r in rows:
        item = _item_title(items.get(r.get("item"), "")) or _("（检查项已删除）")
        text = _("填写检查项：%(i)s — %(r)s") % {"i": item, "r": _answer_label(r.get("result"))}
        if r.get("from"):
            text += _("（原为%(f)s）") % {"f": _answer_label(r["from"])}
        out.append(text)
    return out


@describes(events.INSPECTION_FINDING_RECORDED)
def describe_findings(rows: Sequence[Mapping[str, Any]]) -> list[str]:
    """记录问题：<department> · 重大/一般 · 登记隐患."""
    depts = dict(Department.objects.filter(pk__in=_ids(rows, "department")).values_list("pk", "name"))
    handling = dict(FindingHandling.choices)
    levels = {v: _("%(l)s隐患") % {"l": label} for v, label in Level.choices}
    out = []
    for r in rows:
        parts = [
            depts.get(r.get("department"), ""),
            str(levels.get(str(r.get("level", "")), "")),
            str(handling.get(str(r.get("handling", "")), "")),
        ]
        out.append(_("记录问题：%(p)s") % {"p": " · ".join(p for p in parts if p)})
    return out


@describes(events.INSPECTION_CANCELLED)
def describe_cancellations(rows: Sequence[Mapping[str, Any]]) -> list[str]:
    return [_("原因：%(r)s") % {"r": r["reason"]} if r.get("reason") else "" for r in rows]


@describes(events.INSPECTION_COMPLETED)
def describe_completions(rows: Sequence[Mapping[str, Any]]) -> list[str]:
    return [
        _("现场检查笔录 %(n)s，发现问题 %(c)s 项") % {"n": r.get("record", ""), "c": r.get("findings", 0)}
        for r in rows
    ]
