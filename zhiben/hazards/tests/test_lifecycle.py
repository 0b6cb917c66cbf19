"""The closed loop as qiye1 and 应急管理局 live it: register → 判定 → 方案 → 台账 → 验收 → 销号."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile

from zhiben.core.documents import load_document_templates
from zhiben.core.errors import Conflict, NotPermitted
from zhiben.core.models import AuditEntry, OfficialDocument, OutboxMessage
from zhiben.core.workflow import TransitionNotAllowed
from zhiben.hazards import services, steps, tally
from zhiben.hazards.choices import Level, NoticeRecipient, Status
from zhiben.hazards.models import Hazard, HazardNotice

pytestmark = pytest.mark.django_db

PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 64


def register_major(world: Any, clause: Any) -> Hazard:
    return services.register_hazard(
        actor=world.qiye1,
        enterprise=world.enterprises["qiye1"],
        level=Level.MAJOR,
        clause=clause,
        title="喷漆房未设置可燃气体报警装置",
        discovered_on=dt.date(2025, 3, 1),
    )


def plan(h: Hazard, actor: Any) -> None:
    services.submit_plan(
        h,
        actor=actor,
        measures="安装固定式可燃气体报警仪并与通风联锁",
        responsible="王厂长",
        plan_deadline=h.deadline,
        funds=Decimal("12.5"),
        contingency="喷漆房火灾爆炸专项应急预案",
        interim_measures="停用喷漆房，设置警戒",
        stop_production=True,
    )


def test_one_sms_when_the_principal_and_the_controller_share_a_number(
    world: Any, clause: Any, clock: Any
) -> None:
    """Issue 11 #2: the same person as 主要负责人 and 实际控制人 got the same SMS twice; now once, and the notice
    record still names both roles (pointing at the one message)."""
    ent = world.enterprises["qiye1"]
    ent.principal_phone, ent.controller_phone = "13807301234", "138-0730-1234"
    ent.save(update_fields=["principal_phone", "controller_phone"])
    h = register_major(world, clause)
    services.confirm(h, actor=world.yingji)
    sms = OutboxMessage.objects.filter(object_id=str(h.pk), channel="sms", topic="major_hazard")
    assert sms.count() == 1
    notices = HazardNotice.objects.filter(
        hazard=h, recipient_kind__in=[NoticeRecipient.PRINCIPAL, NoticeRecipient.CONTROLLER]
    )
    assert sorted(n.recipient_kind for n in notices) == sorted(
        [NoticeRecipient.PRINCIPAL, NoticeRecipient.CONTROLLER]
    )
    assert {n.message_id for n in notices} == {sms.get().id}


def test_major_hazard_full_loop(world: Any, clause: Any, clock: Any) -> None:
    h = register_major(world, clause)
    assert h.status == Status.REPORTED and h.department.code == "emergency"
    assert h.code.startswith("YH4306712025")
    with pytest.raises(NotPermitted):
        services.confirm(h, actor=world.qiye1)
    services.confirm(h, actor=world.yingji)
    assert h.status == Status.CONFIRMED and h.deadline is not None
    kinds = set(HazardNotice.objects.filter(hazard=h).values_list("recipient_kind", flat=True))
    assert {NoticeRecipient.PRINCIPAL, NoticeRecipient.CONTROLLER} <= kinds
    sms = OutboxMessage.objects.filter(object_id=str(h.pk), channel="sms", topic="major_hazard")
    assert sms.count() == 2
    plan(h, world.qiye1)
    services.record_progress(
        h,
        actor=world.qiye1,
        content="报警仪已采购",
        percent=50,
        files=[SimpleUploadedFile("a.png", PNG, content_type="image/png")],
    )
    services.request_acceptance(h, actor=world.qiye1)
    services.self_accept(h, actor=world.qiye1, acceptor="王厂长")
    assert h.status == Status.SELF_ACCEPTED
    with pytest.raises(NotPermitted):
        services.close(h, actor=world.qiye1)
    services.close(h, actor=world.yingji)
    h.refresh_from_db()
    assert h.status == Status.CLOSED and h.closed_on_time is True
    actions = list(h.transitions.values_list("action", flat=True))
    assert actions == [
        "register",
        "confirm",
        "plan",
        "progress",
        "request_acceptance",
        "self_accept",
        "close",
    ]
    audit = AuditEntry.objects.filter(object_type="hazards.hazard", object_id=str(h.pk))
    assert audit.count() == len(actions)
    assert audit.filter(event=steps.CLOSE.event).count() == 1
    assert h.attachments.count() == 1
    assert tally.diff() == {}


def test_closer_cannot_be_a_rectifier(world: Any, clause: Any, clock: Any) -> None:
    h = register_major(world, clause)
    services.confirm(h, actor=world.yingji)
    plan(h, world.yingji)  # the department entered the plan on the unit's behalf
    services.request_acceptance(h, actor=world.qiye1)
    services.self_accept(h, actor=world.qiye1, acceptor="王厂长")
    with pytest.raises(NotPermitted):
        services.close(h, actor=world.yingji)


def test_stale_version_is_a_conflict(world: Any, clause: Any, clock: Any) -> None:
    h = register_major(world, clause)
    stale = h.version
    services.confirm(h, actor=world.yingji)
    other = Hazard.objects.get(pk=h.pk)
    with pytest.raises(Conflict):
        services.reject(other, actor=world.yingji, reason="重复", version=stale)
    with pytest.raises(TransitionNotAllowed):
        services.reject(other, actor=world.yingji, reason="重复")


def test_major_needs_a_clause_and_five_guarantees(world: Any, clause: Any, clock: Any) -> None:
    with pytest.raises(ValidationError) as exc:
        services.register_hazard(
            actor=world.qiye1,
            enterprise=world.enterprises["qiye1"],
            level=Level.MAJOR,
            title="x",
            discovered_on=dt.date(2025, 3, 1),
        )
    assert "clause" in exc.value.message_dict
    h = register_major(world, clause)
    services.confirm(h, actor=world.yingji)
    with pytest.raises(ValidationError) as exc:
        services.submit_plan(h, actor=world.qiye1, measures="m", responsible="r", plan_deadline=h.deadline)
    assert {"funds", "contingency", "interim_measures"} <= set(exc.value.message_dict)


def test_general_hazard_is_the_units_own(world: Any, clock: Any) -> None:
    h = services.register_hazard(
        actor=world.qiye1,
        enterprise=world.enterprises["qiye1"],
        level=Level.GENERAL,
        title="灭火器压力不足",
        discovered_on=dt.date(2025, 3, 3),
    )
    assert h.status == Status.CONFIRMED and h.deadline is not None
    services.submit_plan(
        h, actor=world.qiye1, measures="更换灭火器", responsible="李", plan_deadline=h.deadline
    )
    services.request_acceptance(h, actor=world.qiye1)
    services.self_accept(h, actor=world.qiye1, acceptor="李")
    services.close(h, actor=world.qiye1)
    assert h.status == Status.CLOSED


def test_extension_transfer_reopen(world: Any, clause: Any, clock: Any) -> None:
    h = register_major(world, clause)
    services.confirm(h, actor=world.yingji)
    old = h.deadline
    ext = services.request_extension(
        h, actor=world.qiye1, requested_deadline=old + dt.timedelta(days=30), reason="设备到货延迟"
    )
    services.decide_extension(ext, actor=world.yingji, approve=True, note="同意")
    h.refresh_from_db()
    assert h.deadline == old + dt.timedelta(days=30)
    services.transfer(h, actor=world.yingji, to_department=world.departments["fire"], reason="属消防监管")
    h.refresh_from_db()
    assert h.department.code == "fire"
    assert Hazard.objects.restrict(world.xiaofang).filter(pk=h.pk).exists()
    assert tally.diff() == {}


def test_attachment_type_checked_by_content(world: Any, clause: Any, clock: Any) -> None:
    h = register_major(world, clause)
    fake = SimpleUploadedFile("evil.png", b"<script>alert(1)</script>", content_type="image/png")
    with pytest.raises(ValidationError):
        services.add_attachment(h, actor=world.qiye1, upload=fake)
    att = services.add_attachment(h, actor=world.qiye1, upload=SimpleUploadedFile("ok.png", PNG))
    assert att.content_type == "image/png"
    assert "media" not in att.file.url or att.file.path.startswith(str(att.file.storage.location))


def test_a_title_closed_by_its_checklist_item_is_not_closed_twice_in_the_assignment(
    world: Any, clause: Any, clock: Any
) -> None:
    load_document_templates()
    h = services.register_hazard(
        actor=world.yingji,
        enterprise=world.enterprises["qiye1"],
        level=Level.MAJOR,
        clause=clause,
        title="特种作业人员未持证上岗。",  # a checklist item's text, as an inspection finding takes it
        location="焊接车间。",
        discovered_on=dt.date(2025, 3, 1),
    )
    services.confirm(h, actor=world.yingji)
    body = OfficialDocument.objects.get(object_id=str(h.pk), template__code="hazard_assignment").body
    assert "隐患名称：特种作业人员未持证上岗。" in body and "隐患部位：焊接车间。" in body
    assert "。。" not in body
