"""Workflow helper: a transition table, a guard, a compare-and-swap update and a history row.

    TRANSITIONS = {Status.REPORTED: {Status.CONFIRMED, Status.REJECTED}, ...}
    transition(hazard, Status.CONFIRMED, table=TRANSITIONS, actor=user, history=HazardTransition)

The update is `UPDATE ... WHERE pk=? AND status=? AND version=?`; zero rows means someone else moved the
record first, which raises Conflict (HTTP 409). Callers are services, which add the audit row and outbox
message in the same transaction.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from django.db import connections, models, router, transaction
from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext as _

from .errors import Conflict, DomainError
from .scoping import rows_of


class TransitionNotAllowed(DomainError):
    """The status table has no such step from the current status."""


def compare_and_swap(obj: models.Model, *, expected: Mapping[str, Any], changes: Mapping[str, Any]) -> None:
    """Apply `changes` only if the row still has `expected` values and `version`; bump version; or Conflict."""
    model = type(obj)
    filters = {"pk": obj.pk, "version": obj.version, **expected}  # type: ignore[attr-defined]
    changes = dict(changes)
    if any(f.name == "updated_at" for f in model._meta.concrete_fields) and "updated_at" not in changes:
        changes["updated_at"] = timezone.now()  # .update() skips auto_now
    using = router.db_for_write(model, instance=obj)
    statement = _swap_statement(model, using, filters, changes)
    if statement is None:
        updated = (
            rows_of(model, "compare-and-swap of a row read")
            .filter(**filters)
            .update(version=F("version") + 1, **changes)
        )
    else:
        with transaction.mark_for_rollback_on_error(using), connections[using].cursor() as cursor:
            cursor.execute(*statement)
            updated = cursor.rowcount
    if updated != 1:
        raise Conflict()
    for field, value in changes.items():
        setattr(obj, field, value)
    obj.version += 1  # type: ignore[attr-defined]


def _swap_statement(
    model: type[models.Model], using: str, filters: Mapping[str, Any], changes: Mapping[str, Any]
) -> tuple[str, list[Any]] | None:
    """The compare-and-swap as one UPDATE, its values prepared by each field as the ORM's UPDATE prepares them
    (compiling it through the ORM cost about a millisecond of every transition); None when something needs the
    ORM (an expression, a NULL or a related object to compare, a field of a parent table)."""
    meta = model._meta
    connection = connections[using]
    quote = connection.ops.quote_name
    version: Any = meta.get_field("version")
    if version.model is not meta.concrete_model:
        return None  # the version lives in a parent table: the ORM's UPDATE writes both tables
    sets, params = [f"{quote(version.column)} = {quote(version.column)} + 1"], []
    for name, value in changes.items():
        field: Any = meta.get_field(name)
        if not field.concrete or field.many_to_many or field.model is not meta.concrete_model:
            return None
        if hasattr(value, "resolve_expression") or hasattr(field, "get_placeholder"):
            return None
        if hasattr(value, "prepare_database_save"):
            if not field.remote_field:
                return None
            value = value.prepare_database_save(field)
        else:
            value = field.get_db_prep_save(value, connection=connection)
        sets.append(f"{quote(field.column)} = %s")
        params.append(value)
    where = []
    for name, value in filters.items():
        field = meta.pk if name == "pk" else meta.get_field(name)
        if value is None or hasattr(value, "_meta") or hasattr(value, "resolve_expression"):
            return None
        if not field.concrete or field.is_relation or field.model is not meta.concrete_model:
            return None
        where.append(f"{quote(field.column)} = %s")
        params.append(field.get_db_prep_value(field.get_prep_value(value), connection, prepared=True))
    table = quote(meta.db_table)
    # Names from the model's own metadata; every value is a parameter.
    return f"UPDATE {table} SET {', '.join(sets)} WHERE {' AND '.join(where)}", params  # noqa: S608


def check_transition(
    current: Any, target: Any, table: Mapping[Any, Any], labels: Mapping[Any, Any] | None = None
) -> None:
    if target not in table.get(current, ()):
        raise TransitionNotAllowed(
            _("当前状态“%(cur)s”不能变更为“%(to)s”。")
            % {"cur": _label(current, labels), "to": _label(target, labels)}
        )


def _label(value: Any, labels: Mapping[Any, Any] | None = None) -> str:
    if labels and value in labels:
        return str(labels[value])
    return str(getattr(value, "label", value))


def transition(
    obj: models.Model,
    target: Any,
    *,
    table: Mapping[Any, Any],
    actor: Any,
    field: str = "status",
    history: type[models.Model] | None = None,
    history_fk: str | None = None,
    note: str = "",
    changes: Mapping[str, Any] | None = None,
    history_values: Mapping[str, Any] | None = None,
) -> models.Model | None:
    """Move `obj` from its current status to `target`; returns the history row if a history model is given.

    The step is checked before any write, so a refused step leaves the caller's transaction usable; the
    writes join the caller's transaction (no savepoint of their own: a failure there fails the action)."""
    check_transition(
        getattr(obj, field), target, table, dict(getattr(obj._meta.get_field(field), "choices", None) or ())
    )
    with transaction.atomic(savepoint=False):
        return _transition(
            obj, target, table, actor, field, history, history_fk, note, changes, history_values
        )


def _transition(
    obj: models.Model,
    target: Any,
    table: Mapping[Any, Any],
    actor: Any,
    field: str,
    history: type[models.Model] | None,
    history_fk: str | None,
    note: str,
    changes: Mapping[str, Any] | None,
    history_values: Mapping[str, Any] | None,
) -> models.Model | None:
    current = getattr(obj, field)
    choices = getattr(obj._meta.get_field(field), "choices", None) or ()
    check_transition(current, target, table, dict(choices))
    compare_and_swap(obj, expected={field: current}, changes={field: target, **(changes or {})})
    if history is None:
        return None
    fk = history_fk or str(obj._meta.model_name)
    values: dict[str, Any] = {
        fk: obj,
        "from_status": current,
        "to_status": target,
        "actor": actor,
        "note": note,
        **(history_values or {}),
    }
    return history._default_manager.create(**values)
