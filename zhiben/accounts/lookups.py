"""Who holds a role: the active users of a role, of a department (监管部门), of a unit (生产经营单位) or of the
township (乡镇（街道）) whose territory holds a place (属地).

The one place that turns role assignments into recipients; notifications of every app ask here.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from typing import Any

from django.contrib.auth import get_user_model
from django.db import connections, router

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


def user_ids_of_enterprise_and_department(enterprise_id: int | None, department_id: int | None) -> list[int]:
    """The ids of the unit's active accounts, then of the department's active staff: one narrow statement (a
    transition's in-app notice needs only whom to address; built through the ORM it cost about a millisecond
    of every transition)."""
    wanted = [
        (Role.ENTERPRISE, "enterprise", enterprise_id),
        (Role.DEPARTMENT, "department", department_id),
    ]
    wanted = [w for w in wanted if w[2] is not None]
    if not wanted:
        return []
    meta: Any = RoleAssignment._meta
    user_meta: Any = get_user_model()._meta
    using = router.db_for_read(RoleAssignment)
    quote = connections[using].ops.quote_name

    def column(field: str) -> str:
        return f"a.{quote(meta.get_field(field).column)}"

    either = " OR ".join(f"({column('role')} = %s AND {column(scope)} = %s)" for _role, scope, _id in wanted)
    sql = (
        f"SELECT {column('role')}, a.{quote(meta.pk.column)}, {column('user')} "  # noqa: S608 - metadata names
        f"FROM {quote(meta.db_table)} a JOIN {quote(user_meta.db_table)} u "
        f"ON u.{quote(user_meta.pk.column)} = {column('user')} "
        f"WHERE u.{quote(user_meta.get_field('is_active').column)} AND ({either})"
    )
    with connections[using].cursor() as cursor:
        cursor.execute(sql, [v for role, _scope, pk in wanted for v in (str(role), pk)])
        rows = cursor.fetchall()
    return [user_id for _role, _pk, user_id in sorted(rows, key=lambda r: (r[0] != Role.ENTERPRISE, r[1]))]


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


def users_of_township(region_code: str) -> list[Any]:
    """The township officials (乡镇（街道）) whose territory holds `region_code` (属地): their assignment's
    region prefix starts the code, as their scope does (registry.scoping)."""
    return TownshipOfficials().of(region_code)


class TownshipOfficials:
    """The township officials by territory, read once; `of(code)` answers for many places (a job's run)."""

    def __init__(self) -> None:
        self._by_prefix: list[tuple[str, Any]] = [
            (a.region_code, a.user)
            for a in RoleAssignment.objects.filter(role=Role.TOWNSHIP, user__is_active=True)
            .exclude(region_code="")
            .select_related("user")
            .order_by("pk")
        ]

    def of(self, region_code: str) -> list[Any]:
        if not region_code:
            return []
        return [user for prefix, user in self._by_prefix if region_code.startswith(prefix)]
