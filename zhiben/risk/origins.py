"""The risk point whose patrol found a hazard, on the hazard page (hazards.origins: 来源记录)."""

from __future__ import annotations

from typing import Any

from zhiben.core.formats import local_time
from zhiben.core.scoping import can
from zhiben.hazards.origins import Origin, register_origin

from .models import Patrol


def patrol_of(hazard: Any, user: Any) -> list[Origin]:
    if not can(user, "view", Patrol):
        return []
    patrol = Patrol.objects.restrict(user, "view").filter(hazard_id=hazard.pk).select_related("point").first()
    if patrol is None:
        return []
    return [
        Origin(
            kind="风险点巡查",
            text=f"{patrol.point.name}（{local_time(patrol.checked_at)} 巡查不符合）",
            url=patrol.get_absolute_url(),
        )
    ]


def register() -> None:
    register_origin(patrol_of)
