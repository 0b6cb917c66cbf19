"""导入: the writes of the national database exchange (hazards/exchange checks each row and its scope, then
calls these), through the loop's 导入 step."""

from __future__ import annotations

from typing import Any

from django.db import transaction
from django.utils.translation import gettext as _

from zhiben.core.excel import Outcome
from zhiben.core.loop import snapshot
from zhiben.registry.models import Enterprise

from .. import events, steps, tally
from ..choices import Status
from ..models import Hazard, HazardTransfer
from .common import _reserve_code

# --- 导入: the national database exchange (exchange.py checks each row and its scope, then writes here) ------


@transaction.atomic(savepoint=False)  # inside the import engine's savepoint for the row
def import_hazard(*, actor: Any, code: str, enterprise: Enterprise, record: dict[str, Any]) -> Hazard:
    """A hazard registered in another system, created from its exchange row (`record`: field → value). No
    notice is sent: the row copies decisions already made elsewhere."""
    # reported_by stays empty: the hazard was registered in another system; the importer is on the history
    # row and must not count as its registrant (who may never close it).
    hazard = Hazard(code=code, enterprise=enterprise, reported_by=None, **record)
    hazard.save()
    steps.FLOW.record_created(
        hazard,
        steps.IMPORT,
        actor=actor,
        event=events.HAZARDS_IMPORTED,
        note=_("交换导入新建"),
        data={"code": code, "outcome": Outcome.CREATED, "enterprise": enterprise.pk, **snapshot(record)},
    )
    tally.apply(None, tally.key_of(hazard))
    _reserve_code(code)
    return hazard


@transaction.atomic(savepoint=False)  # inside the import engine's savepoint for the row
def apply_import(hazard: Hazard, *, actor: Any, changes: dict[str, Any]) -> None:
    """The fields of a known hazard that its exchange row changes; a new status is one step of the flow at
    most (the exchange checked it). A change of department keeps its 移送 record."""
    old_status, old_department = hazard.status, hazard.department
    new_status = changes.get("status", old_status)
    extra: dict[str, Any] = {}
    if old_status == Status.CLOSED and new_status != Status.CLOSED:
        extra = {"closed_by": None, "reopen_count": hazard.reopen_count + 1}  # as reopen()
    elif new_status == Status.CLOSED and old_status != Status.CLOSED:
        extra = {"closed_by": None}  # closed in the other system: its closer is not one of our users
    note = _("交换导入更新：%(f)s") % {
        "f": "、".join(str(getattr(Hazard._meta.get_field(f), "verbose_name", f)) for f in changes)
    }
    if "department" in changes:
        HazardTransfer.objects.create(
            hazard=hazard,
            from_department=old_department,
            to_department=changes["department"],
            reason=_("全国重大事故隐患数据库交换导入"),
            actor=actor,
        )
    steps.FLOW.advance(
        hazard,
        steps.IMPORT,
        actor=actor,
        note=note[:1000],
        to=new_status,
        changes={**changes, **extra},
        event=events.HAZARDS_IMPORTED,
        data={
            "code": hazard.code,
            "outcome": Outcome.UPDATED,
            "from": old_status,
            "to": new_status,
            "fields": sorted(changes),
            **snapshot(changes),
        },
    )
