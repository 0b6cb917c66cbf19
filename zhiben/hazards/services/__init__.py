"""The hazard loop's services: every change to a hazard goes through here, one module per aggregate
(hazards: the hazard's own steps; transfers: 移送 and 延期; attachments; exchange: 导入; common: what they share),
re-exported here so `services.register_hazard(...)` reads as before.

Each transition is one transaction: permission check, compare-and-swap on the hazard's version (a lost race
is a 409), a `HazardTransition` row, exactly one audit row, outbox messages, and the statistics tally.

The steps, their permissions and their object rules are declared once in steps.py; each service calls
`steps.FLOW.require` (permission, scope, object rule) and `steps.FLOW.advance` (compare-and-swap, history row,
audit row, tally). Who may do what (roles.py grants the actions):
  add      register a hazard for a unit in the actor's scope
  review   判定, 不予认定, 合并, 销号, 退回, 重新打开, 移送, 审批延期 — the supervising department
  rectify  方案, 进展, 申请验收, 企业验收, 申请延期, 报告职工大会 — the unit (and departments on its behalf)
  supervise 督办级别 — the committee office
A 重大 hazard is closed only by a `review` holder, never by the unit, and never by the person who registered
it or took part in its rectification.
"""

from ..models import Hazard
from .attachments import add_attachment
from .common import (
    ATTACHMENT_TYPES,
    STOCK_DAY,
    TRANSITIONS,
    HazardError,
    default_deadline,
    supervising_department,
    today,
)
from .exchange import apply_import, import_hazard
from .hazards import (
    close,
    confirm,
    merge,
    record_progress,
    record_workers_report,
    register_hazard,
    reject,
    reopen,
    request_acceptance,
    return_for_rectification,
    self_accept,
    set_supervision,
    submit_plan,
)
from .interviews import schedule_interview
from .transfers import decide_extension, request_extension, transfer

__all__ = [
    "ATTACHMENT_TYPES",
    "STOCK_DAY",
    "TRANSITIONS",
    "Hazard",
    "HazardError",
    "add_attachment",
    "apply_import",
    "close",
    "confirm",
    "decide_extension",
    "default_deadline",
    "import_hazard",
    "merge",
    "record_progress",
    "record_workers_report",
    "register_hazard",
    "reject",
    "reopen",
    "request_acceptance",
    "request_extension",
    "return_for_rectification",
    "schedule_interview",
    "self_accept",
    "set_supervision",
    "submit_plan",
    "supervising_department",
    "today",
    "transfer",
]
