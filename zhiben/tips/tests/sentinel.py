"""The sentinel (issue 12, "Bad input and security"; R13, R22): a planted identity, an original text with a
sentinel phrase and an attachment whose original name is a sentinel must appear nowhere but the custodian's
vault view.

`plant` takes one tip as far through the loop as exists: transferred, closed as 属实 with a fined case, a reward
proposed, approved and notified, one identity request refused and one approved then expired. The crawl
(core/tests/test_crawl.py) plants it, reads every GET route and every list's Excel export as every persona and
checks each answer with `found_in`; then `leaks_at_rest` reads the outbox, the audit log, the captured logs,
every text column of every table (raw SQL) and the stored files. One crawl serves both checks: each took minutes.
test_sentinel.py checks that the custodian's vault view does show the sentinels, so the checks can fail.
"""

from __future__ import annotations

import datetime as dt
import io
import json
import zipfile
from collections.abc import Iterator
from decimal import Decimal
from typing import Any

from django.core.files.base import ContentFile
from django.db import connection
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from zhiben.core.models.audit import AuditEntry
from zhiben.core.models.outbox import OutboxMessage
from zhiben.core.testing import login
from zhiben.core.views import ObjectListView
from zhiben.enforcement.models import Case
from zhiben.enforcement.tests.case_helpers import penalise
from zhiben.registry.models import Department
from zhiben.tips.choices import Category, Outcome, TipStatus
from zhiben.tips.models import TipAttachment
from zhiben.tips.services import rewards, vault
from zhiben.tips.testing import SENTINEL_ID, SENTINEL_NAME, SENTINEL_PHONE, make_tip

SENTINEL_PHRASE = "哨兵短语丁戊己庚"
SENTINEL_FILE = "哨兵原件名辛壬癸.jpg"
SENTINELS = (SENTINEL_NAME, SENTINEL_PHONE, SENTINEL_ID, SENTINEL_PHRASE, SENTINEL_FILE)
# The ID number masked (430***********1234) is allowed; its middle digits must never show.
SENTINEL_ID_MIDDLE = SENTINEL_ID[3:-4]


def found_in(text: str) -> list[str]:
    hits = [s for s in SENTINELS if s in text]
    if SENTINEL_ID_MIDDLE in text:
        hits.append("身份证号码中段")
    return hits


def plant(world: Any) -> Any:
    """The tip with its sentinels, taken through what exists of the loop."""
    case = penalise(world, timezone.localdate() - dt.timedelta(days=30), slot="qiye2", amount="200000")
    Case.objects.filter(pk=case.pk).update(closed_on=timezone.localdate() - dt.timedelta(days=3))
    tip = make_tip(
        identity=True,
        category=Category.MAJOR_HAZARD,
        original_text=f"我是{SENTINEL_NAME}，电话{SENTINEL_PHONE}。{SENTINEL_PHRASE}：仓库堆放液化气瓶。",
        working_text="某化工企业仓库内堆放大量液化气瓶，消防通道堵塞。",
        department=Department.objects.get(code="emergency"),
        township=world.regions["河市镇"],
        enterprise=world.enterprises["qiye2"],
        status=TipStatus.VERIFYING,
    )
    raw = b"\xff\xd8\xff\xe0" + SENTINEL_NAME.encode() + b" EXIF GPS"
    att = TipAttachment(tip=tip, name="附件1.jpg", content_type="image/jpeg", size=len(raw), sha256="0" * 64)
    att.original_name = SENTINEL_FILE
    att.original_file.save("original.bin", ContentFile(vault.seal_original(raw)), save=False)
    att.working_file.save("working.jpg", ContentFile(b"\xff\xd8\xff\xe0 working copy"), save=False)
    att.save()
    # Identity requests: one refused, one approved and then expired (no live grant during the crawl).
    refused = vault.request_identity(tip, actor=world.yingji, reason="需当面核实现场情况")
    vault.deny_request(refused, actor=world.jubao, note="可通过保密员转达")
    granted = vault.request_identity(tip, actor=world.heshi, reason="需当面核实现场情况")
    vault.approve_request(granted, actor=world.jubao, hours=4)
    login(Client(), world.heshi).get(
        reverse("tips:vault_tip", args=[tip.pk])
    )  # an audited view by a requester
    vault.expire_requests(timezone.now() + dt.timedelta(hours=5))
    # Closed as founded, with the case's fine: the reward is proposed, approved by another, notified.
    type(tip).objects.filter(pk=tip.pk).update(
        status=TipStatus.CLOSED,
        outcome=Outcome.FOUNDED,
        concluded_on=timezone.localdate() - dt.timedelta(days=2),
    )
    tip.refresh_from_db()
    tip.cases.add(case)
    reward = rewards.propose_reward(tip, actor=world.anweiban, basis="fine")
    assert reward.amount == Decimal("30000.00")
    rewards.approve_reward(reward, actor=world.jubao)
    rewards.notify_reward(reward, actor=world.jubao)
    return tip


def xlsx_text(content: bytes) -> str:
    with zipfile.ZipFile(io.BytesIO(content)) as book:
        return "".join(book.read(n).decode("utf-8", "replace") for n in book.namelist())


def body_text(response: Any) -> str:
    content = b"".join(response.streaming_content) if response.streaming else response.content
    if content[:2] == b"PK":
        try:
            return xlsx_text(content)
        except zipfile.BadZipFile:
            pass
    head = "".join(f"{k}: {v}\n" for k, v in response.items())
    return head + content.decode("utf-8", "replace")


# The OpenAPI document and its viewer describe routes, never data (and take a second each to build).
NO_DATA = {"api-schema", "api-docs"}


def exports(target: Any) -> Iterator[tuple[str, str]]:
    """A list page's Excel exports (the rows on screen, and the whole table where it has one)."""
    view = getattr(target.route.callback, "view_class", None)
    if target.route.name in NO_DATA or view is None or not issubclass(view, ObjectListView):
        return
    yield target.path + "?export=xlsx", f"{target.route.name} (Excel)"
    if view.exporter is not None:
        yield target.path + "?export=sheet", f"{target.route.name} (Excel 全表)"


def database_text() -> Iterator[tuple[str, str]]:
    """Every value of every table, read with raw SQL (what a dump would hold)."""
    with connection.cursor() as cursor:
        for table in connection.introspection.table_names():
            cursor.execute(f"SELECT * FROM {connection.ops.quote_name(table)}")  # noqa: S608 (table names from the schema)
            for row in cursor.fetchall():
                for value in row:
                    if isinstance(value, bytes | memoryview):
                        yield table, bytes(value).decode("utf-8", "replace")
                    elif isinstance(value, str):
                        yield table, value


def leaks_at_rest(records: list[Any]) -> list[str]:
    """Where the sentinels show outside pages: messages, the audit log, log records, any table, stored files."""
    problems: list[str] = []
    for msg in OutboxMessage.objects.all():
        hits = found_in(
            " ".join([msg.subject, msg.body, msg.address, msg.url, getattr(msg, "digest", "") or ""])
        )
        if hits:
            problems.append(f"站内信/短信 {msg.pk}: {hits}")
    for entry in AuditEntry.objects.all():
        hits = found_in(json.dumps(entry.data, ensure_ascii=False) + entry.object_repr)
        if hits:
            problems.append(f"审计日志 {entry.seq} {entry.event}: {hits}")
    for record in records:
        hits = found_in(record.getMessage())
        if hits:
            problems.append(f"日志 {record.name}: {hits}")
    for table, text in database_text():
        hits = found_in(text)
        if hits:
            problems.append(f"数据库表 {table}: {hits}")
    for att in TipAttachment.objects.unrestricted("sentinel test"):
        for f in (att.original_file, att.working_file):
            with f.open("rb") as handle:
                hits = found_in(handle.read().decode("utf-8", "replace"))
            if hits:
                problems.append(f"文件 {f.name}: {hits}")

    return problems
