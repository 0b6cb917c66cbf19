"""Who holds a role: the active users of a role, of a department (监管部门) or of a unit (生产经营单位).

The one place that turns role assignments into recipients; notifications of every app ask here.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from typing import Any

from .models import RoleAssignment
from .roles import Role


def users_with_role(role: str, **scope: Any) -> list[Any]:
    """Active users holding `role`, optionally on one scope of the assignment (`department_id=…`, …)."""
    assignments = RoleAssignment.objects.filter(role=role, user__is_active=True, **scope).select_related(
        "user"
    )
    return [a.user for a in assignments]


def users_of_department(department_id: int) -> list[Any]:
    """The department's own staff (监管部门 role on that department)."""
    return users_with_role(Role.DEPARTMENT, department_id=department_id)


def users_of_enterprise(enterprise_id: int) -> list[Any]:
    """The unit's own accounts (生产经营单位 role on that unit)."""
    return users_with_role(Role.ENTERPRISE, enterprise_id=enterprise_id)


def users_of_office() -> list[Any]:
    """The committee office (区安委办)."""
    return users_with_role(Role.DISTRICT_OFFICE)


def users_of_enterprises(enterprise_ids: Iterable[int]) -> dict[int, list[Any]]:
    """The accounts of many units at once, by unit id (one query for a batch of reminders)."""
    users: dict[int, list[Any]] = defaultdict(list)
    for assignment in RoleAssignment.objects.filter(
        role=Role.ENTERPRISE, enterprise_id__in=enterprise_ids, user__is_active=True
    ).select_related("user"):
        users[assignment.enterprise_id].append(assignment.user)  # type: ignore[index]
    return users
