"""The write path of 考核督办: the steps of a list item, the office's edit of an item, and the 通报 (draft, edit,
签发). Each function is one transaction: permission and scope (403 / the step's object rule), the version pin
(409), the rows, one history and audit row through the flow, and the notices (outbox, after commit)."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from zhiben.accounts.lookups import users_of_department, users_of_office, users_of_township
from zhiben.core import audit
from zhiben.core.documents import issue_document
from zhiben.core.errors import NotPermitted
from zhiben.core.loop import pin
from zhiben.core.models import OfficialDocument
from zhiben.core.outbox import notify_users
from zhiben.core.scoping import can
from zhiben.core.workflow import compare_and_swap

from . import events, figures, steps
from .choices import TEMPLATE_OF, BulletinKind, BulletinStatus
from .models import Bulletin, DutyItem


def _pin(item: DutyItem, version: int | str | None) -> None:
    pin(item, version, _("该事项已被他人处理（当前版本 %(v)s），请刷新后重试。"))


def owner_users(item: DutyItem) -> list[Any]:
    if item.department_id:
        return users_of_department(item.department_id)
    if item.township_id:
        return users_of_township(item.township.code)  # type: ignore[union-attr]
    return users_of_office()


def _evidence(text: str) -> str:
    text = (text or "").strip()
    if not text:
        raise ValidationError({"evidence": _("请填写完成情况及佐证。")})
    return text


# --- the item steps ----------------------------------------------------------------------------------------------


@steps.PROGRESS.implements
@transaction.atomic
def report_progress(
    item: DutyItem, *, actor: Any, evidence: str, version: int | str | None = None
) -> DutyItem:
    """报告进展: the owner records what it has done; the item is 推进中."""
    steps.FLOW.require(actor, steps.PROGRESS, item)
    _pin(item, version)
    text = _evidence(evidence)
    steps.FLOW.advance(item, steps.PROGRESS, actor=actor, note=text[:200], changes={"evidence": text})
    return item


@steps.COMPLETE.implements
@transaction.atomic
def report_completion(
    item: DutyItem,
    *,
    actor: Any,
    evidence: str,
    completed_on: dt.date,
    version: int | str | None = None,
) -> DutyItem:
    """报告完成: the owner reports the item done with its evidence; the office confirms or returns it."""
    steps.FLOW.require(actor, steps.COMPLETE, item)
    _pin(item, version)
    steps.FLOW.check(item, steps.COMPLETE)
    text = _evidence(evidence)
    if completed_on > timezone.localdate():
        raise ValidationError({"completed_on": _("完成日期不能晚于今天。")})
    if item.year and completed_on.year < item.year:
        raise ValidationError({"completed_on": _("完成日期早于事项所属年度。")})
    steps.FLOW.advance(
        item,
        steps.COMPLETE,
        actor=actor,
        note=text[:200],
        changes={"evidence": text, "completed_on": completed_on},
    )
    notify_users(
        users_of_office(),
        subject=_("清单事项待确认：%(t)s") % {"t": item.text[:40]},
        body=_("%(o)s报告事项“%(t)s”已完成，请核对佐证后确认。") % {"o": item.owner_name, "t": item.text},
        url=item.get_absolute_url(),
        topic="oversight_item",
        obj=item,
    )
    return item


@steps.CONFIRM.implements
@transaction.atomic
def confirm_item(item: DutyItem, *, actor: Any, note: str = "", version: int | str | None = None) -> DutyItem:
    """确认完成: the office accepts the completion; the item is 已完成 as of its reported completion date."""
    steps.FLOW.require(actor, steps.CONFIRM, item)
    _pin(item, version)
    steps.FLOW.advance(item, steps.CONFIRM, actor=actor, note=(note or "").strip())
    notify_users(
        owner_users(item),
        subject=_("清单事项已确认完成：%(t)s") % {"t": item.text[:40]},
        url=item.get_absolute_url(),
        topic="oversight_item",
        obj=item,
    )
    return item


@steps.RETURN.implements
@transaction.atomic
def return_item(item: DutyItem, *, actor: Any, reason: str, version: int | str | None = None) -> DutyItem:
    """退回: the completion goes back to the owner with the reason; the item is 推进中 again."""
    steps.FLOW.require(actor, steps.RETURN, item)
    _pin(item, version)
    steps.FLOW.check(item, steps.RETURN)
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError({"reason": _("请填写退回理由。")})
    steps.FLOW.advance(item, steps.RETURN, actor=actor, note=reason, changes={"completed_on": None})
    notify_users(
        owner_users(item),
        subject=_("清单事项被退回：%(t)s") % {"t": item.text[:40]},
        body=_("退回理由：%(r)s。请补充后重新报告。") % {"r": reason},
        url=item.get_absolute_url(),
        topic="oversight_item",
        obj=item,
    )
    return item


@transaction.atomic
def update_item(
    item: DutyItem,
    *,
    actor: Any,
    text: str,
    source: str,
    evidence_required: str = "",
    due_on: dt.date | None = None,
    verified: bool = False,
    version: int | str | None = None,
) -> DutyItem:
    """The office edits an item of a list (its words, evidence required, deadline, source)."""
    if actor is not None and not can(actor, "change", DutyItem):
        raise NotPermitted(_("只有区安委办可以修改清单事项。"))
    _pin(item, version)
    errors: dict[str, str] = {}
    if not (text or "").strip():
        errors["text"] = _("请填写内容。")
    if not (source or "").strip():
        errors["source"] = _("请填写来源。")
    if due_on is not None and item.year and due_on.year != item.year:
        errors["due_on"] = _("完成时限应在事项所属年度内。")
    if errors:
        raise ValidationError(errors)
    values = {
        "text": text.strip(),
        "source": source.strip(),
        "evidence_required": (evidence_required or "").strip(),
        "due_on": due_on,
        "verified": bool(verified),
    }
    changed = {k: v for k, v in values.items() if getattr(item, k) != v}
    if changed:
        compare_and_swap(item, expected={"version": item.version}, changes=changed)
        audit.record(item, events.ITEM_UPDATED, actor=actor, data={k: str(v) for k, v in changed.items()})
    return item


# --- 通报 and reports ---------------------------------------------------------------------------------------------


def _office_only(actor: Any, action: str) -> None:
    if actor is not None and not can(actor, action, Bulletin):
        raise NotPermitted(_("只有区安委办可以起草、签发通报和报告。"))


@transaction.atomic
def draft_bulletin(
    *,
    actor: Any,
    kind: str,
    year: int,
    period: str = "",
    title: str = "",
    narrative: str = "",
    cases: str = "",
    praised: str = "",
    today: dt.date | None = None,
) -> Bulletin:
    """起草: the figures are read now (from the quarters' snapshots, the chosen cases, the praised units) and kept
    with the draft, so preview and 签发 say the same; the office edits the title and its text."""
    _office_only(actor, "add")
    if kind not in BulletinKind.values:
        raise ValidationError({"kind": _("请选择类别。")})
    data, period = figures.gather(kind, year, period, cases=cases, praised=praised, today=today)
    bulletin = Bulletin.objects.create(
        kind=kind,
        year=year,
        period=period,
        title=(title or "").strip() or figures.default_title(kind, year, period),
        narrative=(narrative or "").strip(),
        figures=data,
        drafted_by=actor if getattr(actor, "is_authenticated", False) else None,
    )
    steps.BULLETIN_FLOW.record_created(
        bulletin, steps.DRAFT, actor=actor, data={"kind": kind, "year": year, "period": period}
    )
    return bulletin


@transaction.atomic
def update_bulletin(
    bulletin: Bulletin, *, actor: Any, title: str, narrative: str = "", version: int | str | None = None
) -> Bulletin:
    """The office edits a draft's title and text; an issued 通报 is never changed."""
    _office_only(actor, "change")
    pin(bulletin, version, _("该通报已被他人修改（当前版本 %(v)s），请刷新后重试。"))
    if bulletin.status != BulletinStatus.DRAFT:
        raise ValidationError(_("已签发的通报不能修改。"))
    if not (title or "").strip():
        raise ValidationError({"title": _("请填写标题。")})

    compare_and_swap(
        bulletin,
        expected={"status": BulletinStatus.DRAFT},
        changes={"title": title.strip(), "narrative": (narrative or "").strip()},
    )
    audit.record(bulletin, events.BULLETIN_UPDATED, actor=actor, data={"title": bulletin.title})
    return bulletin


def document_context(bulletin: Bulletin) -> dict[str, Any]:
    """What the template reads: the kept figures, the office's paragraphs, the title and period."""
    return {
        **bulletin.figures,
        "title": bulletin.title,
        "year": bulletin.year,
        "paragraphs": [line.strip() for line in bulletin.narrative.splitlines() if line.strip()],
    }


@steps.ISSUE.implements
@transaction.atomic
def issue_bulletin(
    bulletin: Bulletin, *, actor: Any, note: str = "", version: int | str | None = None
) -> OfficialDocument:
    """签发: number, render and file the 公文 (屈安办通〔2026〕N号) from the draft's kept figures and text."""
    steps.BULLETIN_FLOW.require(actor, steps.ISSUE, bulletin)
    pin(bulletin, version, _("该通报已被他人处理（当前版本 %(v)s），请刷新后重试。"))
    steps.BULLETIN_FLOW.check(bulletin, steps.ISSUE)
    document = issue_document(
        TEMPLATE_OF[BulletinKind(bulletin.kind)],
        context=document_context(bulletin),
        actor=actor,
        obj=bulletin,
    )
    steps.BULLETIN_FLOW.advance(
        bulletin,
        steps.ISSUE,
        actor=actor,
        note=(note or "").strip() or document.number,
        changes={"document": document},
        data={"number": document.number},
    )
    return document
