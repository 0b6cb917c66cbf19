"""Documents of 考核督办: the printable list of one owner and year (职责清单和年度任务清单, Word and PDF), laid out
by the core document writers (`core.documents.layout_of`, `build_docx`, `build_pdf`) as a 执法文书-style page
headed by the office — not numbered, not filed: it is printed from the current list. And who may read an issued
通报 (`register_document_access`): every government role once it is issued."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from typing import Any

from django.utils import timezone
from django.utils.translation import gettext as _

from zhiben.core.document_word import build_docx
from zhiben.core.documents import build_pdf, chinese_date, layout_of, register_document_access
from zhiben.core.models import DocumentKind, DocumentTemplate, OfficialDocument
from zhiben.core.scoping import can

from .choices import BulletinStatus, ItemKind
from .models import Bulletin, DutyItem

ISSUER = "屈原管理区安全生产委员会办公室"


def list_body(unit: str, year: int, items: Iterable[DutyItem], campaign_tasks: Iterable[Any] = ()) -> str:
    """The list as the documents' light markup: 一、职责清单 (by post), 二、年度任务清单, 三、牵头的治本攻坚任务."""
    items = list(items)
    lines = [_("%(u)s%(y)s年度安全生产职责清单和年度任务清单如下：") % {"u": unit, "y": year}]
    for heading, kind in (
        (_("# 一、职责清单"), ItemKind.DUTY),
        (_("# 二、%(y)s年度任务清单") % {"y": year}, ItemKind.TASK),
    ):
        lines.append(heading)
        chosen = [i for i in items if i.kind == kind]
        post = None
        for n, item in enumerate(chosen, start=1):
            if item.post != post and not item.department_id:
                post = item.post
                lines.append(f"## {post}")
            due = _("，完成时限：%(d)s") % {"d": chinese_date(item.due_on)} if item.due_on else ""
            mark = "" if item.verified else _("（待核实）")
            lines.append(
                f"{n}．{item.text}{mark}（佐证材料：{item.evidence_required or '—'}{due}；"
                f"状态：{item.get_status_display()}）"
            )
        if not chosen:
            lines.append(_("无。"))
    tasks = list(campaign_tasks)
    if tasks:
        lines.append(_("# 三、牵头的治本攻坚任务"))
        for n, t in enumerate(tasks, start=1):
            lines.append(
                f"{n}．{t.title}（措施{t.measure.number}，完成时限：{chinese_date(t.due_on)}；"
                f"状态：{t.get_status_display()}）"
            )
    return "\n".join(lines)


def list_files(unit: str, year: int, body: str, *, today: dt.date | None = None) -> tuple[bytes, bytes]:
    """(Word, PDF) of a list: the core layout of an unnumbered page headed by the office."""
    today = today or timezone.localdate()
    template = DocumentTemplate(
        code="oversight_list",
        name=_("职责清单和年度任务清单"),
        issuer=ISSUER,
        number_prefix="",
        kind=DocumentKind.ENFORCEMENT,
        title="",
        body="",
    )
    document = OfficialDocument(
        template=template,
        number="",
        year=year,
        seq=0,
        title=_("%(u)s%(y)s年度安全生产职责清单和年度任务清单") % {"u": unit, "y": year},
        body=body,
        context={"issuer": ISSUER, "_date": today.isoformat()},
        issued_at=timezone.now(),
    )
    layout = layout_of(document)
    return build_docx(layout), build_pdf(layout)


def _can_view_bulletin(user: Any, object_id: str) -> bool:
    if not object_id.isdigit():
        return False
    if can(user, "view", Bulletin):
        return True
    # An issued 通报 is addressed to every township and member unit: their officials read it.
    return bool(
        getattr(user, "is_authenticated", False)
        and can(user, "view", DutyItem)
        and Bulletin.objects.unrestricted("an issued district document")
        .filter(pk=int(object_id), status=BulletinStatus.ISSUED)
        .exists()
    )


register_document_access("oversight.bulletin", _can_view_bulletin)
