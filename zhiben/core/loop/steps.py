"""Steps and flows: a record's workflow declared once, enforced by its services, offered by its pages and API.

A `Step` is what a person can do to a record: its name (URL and API path), its one label, the permission it
needs, the statuses it applies to and the status it leads to, the audit event it writes, the form that
validates its input, its object rule, and the service that carries it out (bound with `@STEP.implements`
on the service function, so the service module imports its steps and not the reverse).

A `Flow` is the set of steps of one model with its history table and hooks. It derives the transition table
from its steps, guards (`require`), writes (`advance`) and answers what a user may do (`available`).
"""

from __future__ import annotations

import inspect
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

from django import forms
from django.db import models, transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from zhiben.core import audit
from zhiben.core import events as core_events
from zhiben.core.errors import Conflict, DomainError, NotPermitted
from zhiben.core.scoping import can, rows_of, scope_admits
from zhiben.core.workflow import check_transition, compare_and_swap

from .records import snapshot

# A hook is called before a step writes and returns what to call after (e.g. a statistics tally that moves a
# record from its old key to its new one).
Hook = Callable[[Any], Callable[[], None]]


@dataclass(frozen=True, eq=False)
class Step:
    """One step of a record's workflow. `form=None` marks an internal step (registration, import, an outcome
    such as 验收不合格): it has a name, a label, a history entry and an event, but no button, page or API."""

    name: str
    label: Any
    # The permission on the flow's model the step needs; None: the object rule alone decides who may take it
    # (e.g. the members of a record's team, whatever their roles), and no scope check applies.
    permission: str | None = "change"
    statuses: frozenset[str] = frozenset()
    # The status the step leads to: one value, a mapping {from status: to status}, or None (status kept).
    target: str | Mapping[str, str] | None = None
    event: str | None = None
    form: type[forms.Form] | None = None
    # The permission this actor needs on this record, when it is not always `permission`.
    permission_rule: Callable[[Any, Any], str] | None = None
    # The object rule: raises a DomainError (with its reason) when this actor may not take the step here.
    rule: Callable[[Any, Any], None] | None = None
    # A further permission the user must hold, beyond the flow's model (纳入监管 also registers a unit): a
    # callable(user) -> bool, checked before the form like the step's own permission (403).
    gate: Callable[[Any], bool] | None = None
    gate_denied: Any = ""
    # Offered only when (e.g. an extension request is pending).
    when: Callable[[Any], bool] | None = None
    # Maps the validated input to the service call: (obj, data, actor) -> (first argument, keyword arguments).
    adapt: Callable[[Any, dict[str, Any], Any], tuple[Any, dict[str, Any]]] | None = None
    # The form's initial values on the step page.
    initial: Callable[[Any], dict[str, Any]] | None = None
    versioned: bool = True
    style: str = "outline-primary"
    icon: str = "arrow-right-circle"
    help: Any = ""
    multipart: bool = False
    service: Callable[..., Any] | None = field(default=None, repr=False)

    def __str__(self) -> str:
        return str(self.label)

    def implements(self, func: Callable[..., Any]) -> Callable[..., Any]:
        """Decorator: `func` (a service) carries out this step. Returns `func` unchanged."""
        object.__setattr__(self, "service", func)
        return func

    def target_from(self, status: str) -> str | None:
        if isinstance(self.target, Mapping):
            return self.target.get(status)
        return self.target

    def permission_for(self, actor: Any, obj: Any) -> str | None:
        if self.permission_rule is not None and obj is not None:
            return self.permission_rule(actor, obj)
        return self.permission

    def run(self, obj: Any, data: dict[str, Any], actor: Any) -> Any:
        """Call the service with the validated input of the step's form or serializer."""
        if self.service is None:
            raise LookupError(f"step {self.name!r} has no service (decorate it with @STEP.implements)")
        if self.adapt is not None:
            first, kwargs = self.adapt(obj, data, actor)
        else:
            first, kwargs = obj, {k: v for k, v in data.items() if not k.startswith("_")}
            if not self.versioned:
                kwargs.pop("version", None)
        return self.service(first, actor=actor, **kwargs)


class Flow:
    """The steps of one model, its history table and hooks; registers each step's audit event by its label."""

    def __init__(
        self,
        *,
        model: type[models.Model],
        history: type[models.Model] | None,
        steps: Iterable[Step],
        history_fk: str | None = None,
        hooks: Iterable[Hook] = (),
        denied: Any = None,
        out_of_scope: Any = None,
        stale: Any = None,
    ) -> None:
        self.model = model
        self.history = history
        self.history_fk = history_fk or str(model._meta.model_name)
        self.steps: tuple[Step, ...] = tuple(steps)
        self.hooks = tuple(hooks)
        self.denied = denied or _("您无权执行此操作。")
        self.out_of_scope = out_of_scope or _("该记录不在您的职责范围内。")
        self.stale = stale
        self.by_name: dict[str, Step] = {}
        for step in self.steps:
            if step.name in self.by_name:
                raise ValueError(f"{model.__name__}: step {step.name!r} declared twice")
            self.by_name[step.name] = step
            if step.event:
                core_events.register(step.event, step.label)
        self.transitions: dict[str, set[str]] = {}
        for step in self.steps:
            for source in step.statuses:
                target = step.target_from(source)
                if target is not None and target != source:
                    self.transitions.setdefault(source, set()).add(target)
        _FLOWS[model._meta.label_lower] = self
        if history is not None:
            _FLOWS[history._meta.label_lower] = self

    # --- reading ----------------------------------------------------------------------------------------------

    def __getitem__(self, name: str) -> Step:
        return self.by_name[name]

    @property
    def actions(self) -> tuple[Step, ...]:
        """The steps a person takes through a form (buttons, pages, API actions)."""
        return tuple(s for s in self.steps if s.form is not None)

    def label(self, name: str) -> str:
        """What a history row's `action` reads as."""
        step = self.by_name.get(name)
        return str(step.label) if step is not None else name

    # --- guarding ---------------------------------------------------------------------------------------------

    def require(self, actor: Any, step: Step | str, obj: Any = None) -> None:
        """The actor may take `step` (or hold the permission named by a string) on `obj`: else 403 with the
        flow's message, or the step's object rule's own reason. System jobs (actor None) pass."""
        if actor is None:
            return
        permission = step.permission_for(actor, obj) if isinstance(step, Step) else step
        if not self._holds(actor, permission):
            raise NotPermitted(str(self.denied))
        if obj is not None and not self._in_scope(actor, permission, obj):
            raise NotPermitted(str(self.out_of_scope))
        if isinstance(step, Step) and step.rule is not None and obj is not None:
            step.rule(actor, obj)

    def _holds(self, actor: Any, permission: str | None) -> bool:
        return permission is None or can(actor, permission, self.model)

    def _in_scope(self, actor: Any, permission: str | None, obj: Any) -> bool:
        if permission is None:  # the object rule decides
            return True
        if _field(self.model, "version") is not None:
            # Decided from the loaded row where its values are at hand: the compare-and-swap on `version` then
            # writes only that very row (a transfer that moved it bumps the version: 409).
            verdict = scope_admits(actor, permission, obj)
            if verdict is not None:
                return verdict
        manager: Any = self.model._default_manager
        return bool(manager.restrict(actor, permission).filter(pk=obj.pk).exists())

    def may_attempt(self, user: Any, step: Step, obj: Any = None) -> bool:
        """The user's roles hold the step's permission at all (else 403); status, scope and the object rule
        are for the service to refuse with its precise message."""
        return self._holds(user, step.permission_for(user, obj)) and (step.gate is None or step.gate(user))

    def refusal(self, user: Any, step: Step, obj: Any = None) -> str | None:
        """Why the user may not attempt `step` at all (the page and the API answer 403 with it), or None."""
        if not self._holds(user, step.permission_for(user, obj)):
            return str(_("您无权执行此操作。"))
        if step.gate is not None and not step.gate(user):
            return str(step.gate_denied or _("您无权执行此操作。"))
        return None

    def permitted(self, user: Any, step: Step, obj: Any) -> bool:
        """Whether the page offers `step` on `obj`: status, condition, permission, scope and object rule."""
        if step.form is None or getattr(obj, "status", None) not in step.statuses:
            return False
        if step.when is not None and not step.when(obj):
            return False
        if not self.may_attempt(user, step, obj):
            return False
        if not self._in_scope(user, step.permission_for(user, obj), obj):
            return False
        if step.rule is not None:
            try:
                step.rule(user, obj)
            except DomainError:
                return False
        return True

    def available(self, user: Any, obj: Any) -> list[Step]:
        return [s for s in self.actions if self.permitted(user, s, obj)]

    # --- writing ----------------------------------------------------------------------------------------------

    def check(self, obj: Any, step: Step | str) -> None:
        """Refuse (TransitionNotAllowed) a step the record's status does not allow, before the service does its
        own work (freezing, documents …); `advance` checks again when it writes."""
        step = step if isinstance(step, Step) else self.by_name[step]
        target = step.target_from(obj.status)
        if target is not None:
            check_transition(obj.status, target, self.transitions, dict(self._status_choices()))

    def advance(
        self,
        obj: Any,
        step: Step | str,
        *,
        actor: Any,
        note: str = "",
        changes: Mapping[str, Any] | None = None,
        data: Mapping[str, Any] | None = None,
        event: str | None = None,
        history_values: Mapping[str, Any] | None = None,
        audit_data: Mapping[str, Any] | None = None,
        audited: bool = True,
        to: str | None = None,
    ) -> Any:
        """Take `step` on `obj` in the caller's transaction: compare-and-swap on status and version (409 when
        someone acted first), one history row, one audit row, then the hooks. A step without a target keeps
        the status (progress, transfer …). Returns the history row (None for a flow without history).

        The audit row's data is the move, the note, the changes and `data`; `audit_data` gives it whole
        instead (a record whose audit rows keep their own shape, or whose changes hold a secret), and
        `audited=False` writes none (a step that moves two records, audited once on the other). A model
        without a version is swapped on its status alone (409 with the flow's `stale` message).

        `to` names the status for a system step whose target comes from outside (导入 copies a status decided
        in another system): checked against the flow's transitions like a declared target; the current status
        (or None) keeps it. `event` stands in for the step's own audit event."""
        step = step if isinstance(step, Step) else self.by_name[step]
        event = event or step.event
        if event is None and audited:
            raise LookupError(f"step {step.name!r} declares no audit event")
        source = obj.status
        target = step.target_from(source) if to is None else (to if to != source else None)
        if target is not None:
            check_transition(source, target, self.transitions, dict(self._status_choices()))
        with transaction.atomic(savepoint=False):
            finish = [hook(obj) for hook in self.hooks]
            moved = dict(changes or {})
            if target is not None:
                moved["status"] = target
            if _field(self.model, "version") is None:
                self._swap_on_status(obj, source, moved)
            else:
                compare_and_swap(obj, expected={"status": source}, changes=moved)
            row = self._history(obj, step, source, target or source, actor, note, history_values)
            if audited:
                body: dict[str, Any] = {"from": source, "to": target} if target is not None else {}
                audit.record(
                    obj,
                    event,  # type: ignore[arg-type]
                    actor=actor,
                    data=dict(audit_data)
                    if audit_data is not None
                    else {**body, "note": note, **snapshot(changes or {}), **(data or {})},
                )
            for done in finish:
                done()
        return row

    def _swap_on_status(self, obj: Any, source: str, changes: dict[str, Any]) -> None:
        if _field(self.model, "updated_at") is not None and "updated_at" not in changes:
            changes["updated_at"] = timezone.now()  # .update() skips auto_now
        updated = rows_of(self.model, "compare-and-swap of a row read").filter(pk=obj.pk, status=source)
        if updated.update(**changes) != 1:
            raise Conflict(str(self.stale) if self.stale else None)
        for name, value in changes.items():
            setattr(obj, name, value)

    def record_created(
        self,
        obj: Any,
        step: Step | str,
        *,
        actor: Any,
        data: Mapping[str, Any] | None = None,
        note: str = "",
        event: str | None = None,
    ) -> Any:
        """A record just created by `step` (登记, 立案, 导入): its first history row and its audit row. Hooks
        do not run (they compare a before and an after): the service adds the new record to its read models.
        `event` stands in for the step's own audit event."""
        step = step if isinstance(step, Step) else self.by_name[step]
        event = event or step.event
        if event is None:
            raise LookupError(f"step {step.name!r} declares no audit event")
        row = self._history(obj, step, "", obj.status, actor, note, None)
        audit.record(obj, event, actor=actor, data=dict(data or {}))
        return row

    def _history(
        self,
        obj: Any,
        step: Step,
        source: str,
        target: str,
        actor: Any,
        note: str,
        extra: Mapping[str, Any] | None,
    ) -> Any:
        if self.history is None:
            return None
        values: dict[str, Any] = {
            self.history_fk: obj,
            "action": step.name,
            "from_status": source,
            "to_status": target,
            "actor": actor,
            "note": note,
            **(extra or {}),
        }
        at = _field(self.history, "at")
        if at is not None and not getattr(at, "auto_now_add", False) and "at" not in values:
            values["at"] = timezone.now()
        return self.history._default_manager.create(**values)

    def _status_choices(self) -> Any:
        return getattr(self.model._meta.get_field("status"), "choices", None) or ()


def _field(model: type[models.Model], name: str) -> Any:
    try:
        return model._meta.get_field(name)
    except Exception:
        return None


_FLOWS: dict[str, Flow] = {}


def flow_of(model: type[models.Model] | models.Model) -> Flow | None:
    """The flow a model (or its history table) belongs to."""
    return _FLOWS.get(model._meta.label_lower)


def action_label(row: models.Model) -> str:
    """What a history row's `action` reads as: its step's label (one name per step)."""
    flow = flow_of(row)
    action = str(getattr(row, "action", ""))
    return flow.label(action) if flow is not None else action


def form_takes_target(step: Step) -> bool:
    """Whether the step's form is built for one record (its choices or required marks depend on it)."""
    return step.form is not None and "target" in inspect.signature(step.form.__init__).parameters


def make_form(step: Step, obj: Any, *args: Any, **kwargs: Any) -> forms.Form:
    """The step's form; a form whose constructor takes `target` gets the record (its choices or required
    marks may depend on it). The page (web.StepView) and the API (api.step_action) both build it here."""
    assert step.form is not None
    if form_takes_target(step):
        kwargs["target"] = obj
    return step.form(*args, **kwargs)
