"""The alarm a hazard came from, on the hazard page (hazards.origins: 来源记录)."""

from __future__ import annotations

from typing import Any

from zhiben.core.scoping import can
from zhiben.hazards.origins import Origin, register_origin

from .models import Alarm


def alarm_of(hazard: Any, user: Any) -> list[Origin]:
    if not can(user, "view", Alarm):
        return []
    alarm = Alarm.objects.restrict(user, "view").filter(hazard_id=hazard.pk).select_related("device").first()
    if alarm is None:
        return []
    return [
        Origin(
            kind="监测报警",
            text=f"{alarm.number} {alarm.get_level_display()}{alarm.get_kind_display()}（{alarm.device}）",
            url=alarm.get_absolute_url(),
        )
    ]


def register() -> None:
    register_origin(alarm_of)
