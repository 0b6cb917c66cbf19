"""The loop kit: a record that moves through declared steps, checked by scope, audited, announced.

Every domain module (hazards, cases, inspections, plans, tips, supervision items …) declares its steps once:

    FLOW = Flow(model=Hazard, history=HazardTransition, steps=(Step(...), ...), hooks=(tally_hook,))

and from that one declaration come
* the guard its services call: `FLOW.require(actor, step, obj)` (permission, scope, the step's object rule);
* the write: `FLOW.advance(obj, step, actor=...)` = compare-and-swap + history row + audit row + hooks, in the
  caller's transaction (`records.py`);
* the button (`FLOW.available(user, obj)`), the step page (`web.StepView`) and the API action with its
  OpenAPI entry (`api.install_steps`);
* one name: the step's label is its button, its page title, its history entry and its audit event's label.

See docs/architecture.md, "How to add a module".
"""

from .records import pin, snapshot
from .steps import Flow, Step

__all__ = ["Flow", "Step", "pin", "snapshot"]
