"""Turns a user's role assignments into scoping grants (core.scoping.Grant).

A department's scope is the industries it leads or co-supervises (三管三必须), with their sub-industries,
inside the district; a township's is its region code prefix; an enterprise user's is its enterprise.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from django.db.models import Q

from zhiben.accounts.roles import PERMISSIONS, Role
from zhiben.core.scoping import Grant

from .models import Industry, Responsibility


def industry_ids_of_department(department_id: int) -> frozenset[int]:
    """Industries the department leads or co-supervises, with all their sub-industries (two queries)."""
    direct = set(
        Responsibility.objects.filter(Q(lead_id=department_id) | Q(co_departments=department_id)).values_list(
            "industry_id", flat=True
        )
    )
    return frozenset(with_descendants(direct))


def with_descendants(ids: set[int]) -> set[int]:
    """`ids` plus every industry below them; the whole tree is small, so it is read in one query."""
    children: dict[int | None, list[int]] = {}
    for pk, parent_id in Industry.objects.values_list("pk", "parent_id"):
        children.setdefault(parent_id, []).append(pk)
    result, frontier = set(ids), list(ids)
    while frontier:
        for child in children.get(frontier.pop(), []):
            if child not in result:
                result.add(child)
                frontier.append(child)
    return result


def grants_for_user(user: Any) -> Iterator[Grant]:
    for a in user.role_assignments.all():
        perms = PERMISSIONS.get(a.role, {})
        region = a.region_code or None
        if a.role == Role.DEPARTMENT:
            yield Grant(
                a.role,
                perms,
                label=a.get_role_display(),
                region_prefix=region,
                industry_ids=industry_ids_of_department(a.department_id) if a.department_id else frozenset(),
                department_ids=frozenset({a.department_id}) if a.department_id else None,
                extra={"department_id": a.department_id},
            )
        elif a.role == Role.TOWNSHIP:
            yield Grant(a.role, perms, label=a.get_role_display(), region_prefix=region or "__none__")
        elif a.role == Role.ENTERPRISE:
            yield Grant(
                a.role,
                perms,
                label=a.get_role_display(),
                enterprise_ids=frozenset({a.enterprise_id}) if a.enterprise_id else frozenset(),
                extra={"enterprise_id": a.enterprise_id},
            )
        elif a.role == Role.EXPERT:
            # Only what the expert is assigned to (an inspection whose team they are on).
            yield Grant(a.role, perms, label=a.get_role_display(), assignee_ids=frozenset({user.pk}))
        else:
            yield Grant(a.role, perms, label=a.get_role_display(), region_prefix=region)
