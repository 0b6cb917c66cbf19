"""The identity vault (R13, R16, R22): the custodian sees, a handler asks and sees only while approved, anyone
else gets 403 with an audited refusal; every view audited without the values; lists masked; originals
decrypted on the fly with nosniff and no-store."""

from __future__ import annotations

import datetime as dt
import json
from typing import Any

import pytest
import time_machine
from django.core.files.base import ContentFile
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from zhiben.core.errors import Conflict, NotPermitted
from zhiben.core.models.audit import AuditEntry
from zhiben.core.models.outbox import OutboxMessage
from zhiben.core.testing import login
from zhiben.registry.models import Department
from zhiben.tips.choices import IdentityRequestStatus, TipStatus
from zhiben.tips.models import TipAttachment
from zhiben.tips.services import vault
from zhiben.tips.testing import SENTINEL_ID, SENTINEL_NAME, SENTINEL_PHONE, make_tip

pytestmark = pytest.mark.django_db


def transferred_tip(world: Any) -> Any:
    """A real-name tip transferred to 应急管理局 and 河市镇 (so yingji and heshi see it)."""
    return make_tip(
        identity=True,
        status=TipStatus.VERIFYING,
        working_text="某化工企业仓库堆放液化气瓶。",
        department=Department.objects.get(code="emergency"),
        township=world.regions["河市镇"],
    )


def audit_rows(event: str) -> list[AuditEntry]:
    return list(AuditEntry.objects.filter(event=event).order_by("seq"))


def test_the_custodian_sees_and_each_view_is_audited(world: Any) -> None:
    tip = transferred_tip(world)
    client = login(Client(), world.jubao)
    r = client.get(reverse("tips:vault_tip", args=[tip.pk]))
    text = r.content.decode()
    assert r.status_code == 200 and SENTINEL_NAME in text and SENTINEL_PHONE in text and SENTINEL_ID in text
    assert tip.original_text in text
    assert r["Cache-Control"].startswith("no-store") and r["X-Content-Type-Options"] == "nosniff"
    viewed = audit_rows("IDENTITY_VIEWED")
    assert len(viewed) == 1 and viewed[0].actor == world.jubao and viewed[0].object_id == str(tip.pk)
    assert viewed[0].data["group"] == "身份信息"
    assert [e.data["group"] for e in audit_rows("TIP_ORIGINAL_VIEWED")] == ["举报原件"]
    for entry in AuditEntry.objects.all():
        blob = json.dumps(entry.data, ensure_ascii=False) + entry.object_repr
        assert SENTINEL_NAME not in blob and SENTINEL_PHONE not in blob and SENTINEL_ID not in blob


def test_the_desk_lists_identities_masked(world: Any) -> None:
    transferred_tip(world)
    text = login(Client(), world.jubao).get(reverse("tips:vault")).content.decode()
    assert "139****0000" in text and "430***********1234" in text and "哨****" in text
    assert SENTINEL_PHONE not in text and SENTINEL_ID not in text and SENTINEL_NAME not in text
    assert not audit_rows("IDENTITY_VIEWED")  # a masked list is not a view of the identity


def test_masks() -> None:
    assert vault.mask_id_number("430671199001011234") == "430***********1234"
    assert vault.mask_id_number("") == ""
    assert vault.mask_name("张三") == "张*"


def test_without_approval_403_and_an_audited_refusal(world: Any) -> None:
    tip = transferred_tip(world)
    for persona in ("yingji", "heshi", "anweiban"):
        r = login(Client(), world.users[persona]).get(reverse("tips:vault_tip", args=[tip.pk]))
        assert r.status_code == 403, persona
        assert SENTINEL_NAME not in r.content.decode()
    refused = audit_rows("IDENTITY_VIEW_REFUSED")
    assert [e.actor for e in refused] == [world.yingji, world.heshi, world.anweiban]
    assert all(e.outcome == "denied" for e in refused)
    # Out of scope (not transferred to 营田镇): 404; an enterprise: 403.
    assert login(Client(), world.yingtian).get(reverse("tips:vault_tip", args=[tip.pk])).status_code == 404
    assert login(Client(), world.qiye2).get(reverse("tips:vault_tip", args=[tip.pk])).status_code == 403


def test_request_approve_view_expire(world: Any) -> None:
    tip = transferred_tip(world)
    handler = login(Client(), world.yingji)
    r = handler.post(reverse("tips:vault_request_create", args=[tip.pk]), {"reason": "需当面核实现场情况"})
    assert r.status_code == 302
    req = tip.identity_requests.get()
    assert req.status == IdentityRequestStatus.REQUESTED and req.requested_by == world.yingji
    # The custodian is told, without identity values.
    told = OutboxMessage.objects.filter(recipient=world.jubao, object_id=str(req.pk))
    assert told.exists() and all(SENTINEL_NAME not in m.subject + m.body for m in told)
    # A second request while one is pending: 409.
    with pytest.raises(Conflict):
        vault.request_identity(tip, actor=world.yingji, reason="再次申请查看身份")
    # Still refused until approved.
    assert handler.get(reverse("tips:vault_tip", args=[tip.pk])).status_code == 403
    # Only the custodian decides.
    with pytest.raises(NotPermitted):
        vault.approve_request(req, actor=world.anweiban, hours=24)
    custodian = login(Client(), world.jubao)
    step = reverse("tips:vault_request_step", args=[req.pk, "approve"])
    assert custodian.post(step, {"hours": 24, "note": "同意", "version": req.version}).status_code == 302
    req.refresh_from_db()
    assert req.status == IdentityRequestStatus.APPROVED and req.decided_by == world.jubao
    assert OutboxMessage.objects.filter(recipient=world.yingji, object_id=str(req.pk)).exists()
    r = handler.get(reverse("tips:vault_tip", args=[tip.pk]))
    assert r.status_code == 200 and SENTINEL_NAME in r.content.decode()
    assert tip.original_text not in r.content.decode()  # the original stays the custodian's
    assert audit_rows("IDENTITY_VIEWED")[-1].data["via"] == f"查看申请 {req.pk}"
    # Another handler who sees the tip has no grant.
    assert login(Client(), world.heshi).get(reverse("tips:vault_tip", args=[tip.pk])).status_code == 403
    # After the validity: refused again; the job marks it expired (once).
    later = timezone.now() + dt.timedelta(hours=25)
    with time_machine.travel(later, tick=False):
        handler = login(Client(), world.yingji)  # the session of yesterday has ended
        assert handler.get(reverse("tips:vault_tip", args=[tip.pk])).status_code == 403
    assert vault.expire_requests(later) == 1 and vault.expire_requests(later) == 0
    req.refresh_from_db()
    assert req.status == IdentityRequestStatus.EXPIRED
    events = {e.event for e in AuditEntry.objects.filter(object_type="tips.identityrequest")}
    assert {"IDENTITY_REQUESTED", "IDENTITY_REQUEST_APPROVED", "IDENTITY_REQUEST_EXPIRED"} <= events


def test_deny_needs_a_reason(world: Any) -> None:
    tip = transferred_tip(world)
    req = vault.request_identity(tip, actor=world.yingji, reason="需当面核实现场情况")
    custodian = login(Client(), world.jubao)
    step = reverse("tips:vault_request_step", args=[req.pk, "deny"])
    assert custodian.post(step, {"note": "", "version": req.version}).status_code == 400
    assert custodian.post(step, {"note": "可通过保密员转达", "version": req.version}).status_code == 302
    req.refresh_from_db()
    assert req.status == IdentityRequestStatus.DENIED


def test_who_may_ask(world: Any) -> None:
    tip = transferred_tip(world)
    anonymous = make_tip(status=TipStatus.VERIFYING, department=Department.objects.get(code="emergency"))
    with pytest.raises(Exception, match="匿名"):
        vault.request_identity(anonymous, actor=world.yingji, reason="需当面核实现场情况")
    with pytest.raises(NotPermitted):
        vault.request_identity(
            tip, actor=world.yingtian, reason="需当面核实现场情况"
        )  # not transferred there
    assert (
        login(Client(), world.qiye2).get(reverse("tips:vault_request_create", args=[tip.pk])).status_code
        == 403
    )
    assert (
        login(Client(), world.jubao).get(reverse("tips:vault_request_create", args=[tip.pk])).status_code
        == 403
    )


def test_original_attachment_decrypted_for_the_custodian_only(world: Any) -> None:
    tip = transferred_tip(world)
    raw = b"\xff\xd8\xff\xe0 original with EXIF"
    att = TipAttachment(tip=tip, name="附件1.jpg", content_type="image/jpeg", size=len(raw), sha256="0" * 64)
    att.original_name = "哨兵原始文件.jpg"
    att.original_file.save("a.bin", ContentFile(vault.seal_original(raw)), save=False)
    att.working_file.save("w.jpg", ContentFile(b"working"), save=False)
    att.save()
    with att.original_file.open("rb") as f:
        assert raw not in f.read()  # stored sealed
    url = reverse("tips:vault_attachment_original", args=[att.pk])
    r = login(Client(), world.jubao).get(url)
    assert r.status_code == 200 and r.content == raw
    assert r["X-Content-Type-Options"] == "nosniff" and r["Cache-Control"].startswith("no-store")
    assert audit_rows("TIP_ORIGINAL_VIEWED")[-1].data["group"] == "附件原件"
    assert login(Client(), world.yingji).get(url).status_code == 403
