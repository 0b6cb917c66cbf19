"""动工卡 退回 and 作废: the confirmer returns an application with a reason, the applicant edits and resubmits it;
the applicant (or the unit's safety manager) cancels one not yet confirmed; a 作废 permit cannot be confirmed
(409 with a clear reason); the page's buttons and history follow."""

from __future__ import annotations

from typing import Any

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from zhiben.accounts.roles import Role
from zhiben.accounts.services import assign_role, create_user
from zhiben.core import workbench as wb
from zhiben.core.errors import NotPermitted
from zhiben.core.models import AuditEntry
from zhiben.core.testing import login
from zhiben.core.workflow import TransitionNotAllowed
from zhiben.risk import services
from zhiben.risk.choices import PermitStatus
from zhiben.risk.models import WorkPermit


def _worker(world: Any) -> Any:
    """A second account of 岳阳河市化工 (a team leader who applies); `world.qiye2` is its safety manager."""
    user = create_user(
        actor=None, username="hs-banzu", password="Banzu#2026-hs", display_name="王班长", validate=False
    )
    assign_role(user, actor=None, role=Role.ENTERPRISE, enterprise=world.enterprises["qiye2"])
    return user


def _apply(world: Any, actor: Any, **kw: Any) -> WorkPermit:
    data = {
        "kind": "hot",
        "location": "合成车间二楼管廊",
        "description": "更换蒸汽管道法兰，电焊作业",
        "work_on": timezone.localdate(),
    }
    return services.apply_permit(actor=actor, enterprise=world.enterprises["qiye2"], **{**data, **kw})


def _step(permit: WorkPermit, name: str) -> str:
    return reverse("risk:permit_step", args=[permit.pk, name])


def test_return_resubmit_cancel_and_a_cancelled_permit_cannot_be_confirmed(world: Any) -> None:
    worker = _worker(world)
    permit = _apply(world, worker)
    manager = login(Client(), world.qiye2)
    applicant = login(Client(), worker)
    page = manager.get(permit.get_absolute_url()).content.decode()
    assert 'data-testid="step-return"' in page and 'data-testid="step-confirm"' in page
    # the applicant may not return (nor confirm) their own application
    assert 'data-testid="step-return"' not in applicant.get(permit.get_absolute_url()).content.decode()
    with pytest.raises(NotPermitted):
        services.return_permit(permit, actor=worker, reason="自己退回")
    # 退回 needs a reason
    empty = manager.post(_step(permit, "return"), {"reason": " ", "version": permit.version})
    assert empty.status_code == 400
    permit.refresh_from_db()
    assert permit.status == PermitStatus.APPLIED
    done = manager.post(
        _step(permit, "return"), {"reason": "未写明动火点周边可燃物清理情况", "version": permit.version}
    )
    assert done.status_code == 302
    permit.refresh_from_db()
    assert (permit.status, permit.reason) == (PermitStatus.RETURNED, "未写明动火点周边可燃物清理情况")
    # a returned permit is not confirmed until resubmitted
    api = manager.post(
        f"/api/v1/work-permits/{permit.pk}/confirm/",
        {"version": permit.version},
        content_type="application/json",
    )
    assert api.status_code == 409 and "重新提交后方可确认" in api.content.decode(), api.content.decode()
    # the applicant's 待办 names it, and its link lists exactly that permit
    card = next(c for c in wb.collect(worker) if c.key == "risk")
    item = next(i for i in card.items if i.key == "returned")
    assert item.count == 1
    listed = applicant.get(item.url).content.decode()
    assert permit.number in listed
    assert not [
        c for c in wb.collect(world.qiye2) if c.key == "risk" and any(i.key == "returned" for i in c.items)
    ]
    # the applicant sees the reason and edits; the manager may not resubmit for them
    page = applicant.get(permit.get_absolute_url()).content.decode()
    assert "未写明动火点周边可燃物清理情况" in page and 'data-testid="step-resubmit"' in page
    assert manager.get(_step(permit, "resubmit")).status_code == 200  # the form opens (permission held) …
    refused = manager.post(
        _step(permit, "resubmit"),
        {
            "kind": "hot",
            "location": "x",
            "description": "y",
            "work_on": timezone.localdate(),
            "version": permit.version,
        },
    )
    assert refused.status_code == 403  # … but only the applicant resubmits
    form = applicant.get(_step(permit, "resubmit")).content.decode()
    assert "合成车间二楼管廊" in form  # the form starts from the permit as returned
    again = applicant.post(
        _step(permit, "resubmit"),
        {
            "kind": "hot",
            "location": "合成车间二楼管廊（已清理可燃物）",
            "description": "更换蒸汽管道法兰，电焊作业；动火点5米内可燃物已清理",
            "work_on": timezone.localdate().isoformat(),
            "version": permit.version,
        },
    )
    assert again.status_code == 302
    permit.refresh_from_db()
    assert permit.status == PermitStatus.APPLIED and permit.reason == ""
    assert permit.location == "合成车间二楼管廊（已清理可燃物）"
    assert permit.measures and not any(m["ok"] for m in permit.measures)
    # 作废 by the applicant, with a reason, through the API
    no_reason = applicant.post(
        f"/api/v1/work-permits/{permit.pk}/cancel/",
        {"reason": "", "version": permit.version},
        content_type="application/json",
    )
    assert no_reason.status_code == 400
    cancelled = applicant.post(
        f"/api/v1/work-permits/{permit.pk}/cancel/",
        {"reason": "检修计划推迟，本次不动火", "version": permit.version},
        content_type="application/json",
    )
    assert cancelled.status_code == 200, cancelled.content
    permit.refresh_from_db()
    assert permit.status == PermitStatus.CANCELLED
    # a 作废 permit cannot be confirmed: 409 with the reason, by page and by API; no button is offered
    page = manager.get(permit.get_absolute_url()).content.decode()
    assert "检修计划推迟" in page and 'data-testid="step-confirm"' not in page
    assert 'data-testid="step-cancel"' not in page
    by_page = manager.post(
        _step(permit, "confirm"), {"confirmed": ["0", "1", "2", "3"], "version": permit.version}
    )
    assert by_page.status_code == 409 and "已作废" in by_page.content.decode()
    by_api = manager.post(
        f"/api/v1/work-permits/{permit.pk}/confirm/",
        {"version": permit.version},
        content_type="application/json",
    )
    assert by_api.status_code == 409 and "已作废" in by_api.content.decode()
    permit.refresh_from_db()
    assert permit.status == PermitStatus.CANCELLED and permit.confirmed_by is None
    # history and audit
    history = list(permit.history.order_by("at", "pk").values_list("action", "note"))
    assert history == [
        ("apply", ""),
        ("return", "未写明动火点周边可燃物清理情况"),
        ("resubmit", ""),
        ("cancel", "检修计划推迟，本次不动火"),
    ]
    events = set(
        AuditEntry.objects.filter(object_id=str(permit.pk), event__startswith="RISK_PERMIT_").values_list(
            "event", flat=True
        )
    )
    assert {"RISK_PERMIT_RETURNED", "RISK_PERMIT_RESUBMITTED", "RISK_PERMIT_CANCELLED"} <= events
    assert "检修计划推迟" in applicant.get(permit.get_absolute_url()).content.decode()


def test_the_safety_manager_cancels_others_but_not_a_confirmed_permit(world: Any) -> None:
    worker = _worker(world)
    permit = _apply(world, worker)
    # a department reads the permit but may not cancel it
    with pytest.raises(NotPermitted):
        services.cancel_permit(permit, actor=world.yingji, reason="x")
    services.cancel_permit(permit, actor=world.qiye2, reason="作业取消", version=permit.version)
    permit.refresh_from_db()
    assert permit.status == PermitStatus.CANCELLED
    live = _apply(world, worker, kind="height", location="罐区顶部")
    services.confirm_permit(live, actor=world.qiye2, confirmed=[str(i) for i in range(len(live.measures))])
    live.refresh_from_db()
    with pytest.raises(TransitionNotAllowed):
        services.cancel_permit(live, actor=worker, reason="晚了")
    live.refresh_from_db()
    assert live.status == PermitStatus.CONFIRMED
