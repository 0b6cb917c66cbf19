"""Audit event types of the whistleblower channel that are not steps (each step declares its own event in
steps.py and is labelled with the step's name)."""

# Enterprise internal reporting (内部举报): its steps declare their own events (steps_internal.py).
from zhiben.core import events as _internal_events

INTERNAL_REPORT_CHANGED = _internal_events.register("INTERNAL_REPORT_CHANGED", "修改内部举报")
