"""Rescue teams with their members, emergency supplies, and 宣传 activities: plain records, each edit audited."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from zhiben.core import audit
from zhiben.registry.models import Department, Enterprise, Region

from .. import events
from ..choices import TeamLevel
from ..models import EmergencySupply, PublicityActivity, RescueTeam, TeamMember
from .common import require, save_record, township_of


@transaction.atomic
def save_team(
    obj: RescueTeam | None,
    *,
    actor: Any,
    name: str,
    level: str,
    speciality: str,
    leader: str,
    enterprise: Enterprise | None = None,
    township: Region | None = None,
    department: Department | None = None,
    phone: str = "",
    equipment: str = "",
    version: int | str | None = None,
) -> RescueTeam:
    """登记 or 修改 a rescue team: a unit's names its unit (its township follows), a township's its township,
    the district's professional team its department."""
    errors: dict[str, str] = {}
    if level == TeamLevel.ENTERPRISE and enterprise is None:
        errors["enterprise"] = _("企业救援队须选择所属单位。")
    if level == TeamLevel.TOWNSHIP and township is None:
        errors["township"] = _("乡镇（街道）救援队须选择所在乡镇（街道）。")
    if level == TeamLevel.DISTRICT and department is None:
        errors["department"] = _("区级专业救援队须选择主管部门。")
    if errors:
        raise ValidationError(errors)
    if enterprise is not None:
        township = township_of(enterprise.region)
    values: dict[str, Any] = {
        "name": name.strip(),
        "level": level,
        "enterprise": enterprise if level == TeamLevel.ENTERPRISE else None,
        "township": township,
        "department": department,
        "speciality": speciality.strip(),
        "leader": leader.strip(),
        "equipment": (equipment or "").strip(),
    }
    if phone.strip() or obj is None:
        values["phone"] = phone.strip()
    saved, changed = save_record(RescueTeam, obj, values, actor=actor, version=version)
    if changed is not None:
        audit.record(saved, events.TEAM_SAVED, actor=actor, data=changed)
    return saved  # type: ignore[no-any-return]


@transaction.atomic
def add_member(
    team: RescueTeam,
    *,
    actor: Any,
    name: str,
    duty: str = "",
    certificate: str = "",
    certificate_valid_to: dt.date | None = None,
) -> TeamMember:
    require(actor, "change", RescueTeam, team)
    if not name.strip():
        raise ValidationError({"name": _("请填写姓名。")})
    member = TeamMember.objects.create(
        team=team,
        name=name.strip(),
        duty=(duty or "").strip(),
        certificate=(certificate or "").strip(),
        certificate_valid_to=certificate_valid_to,
    )
    audit.record(team, events.MEMBER_ADDED, actor=actor, data={"member": member.pk, "name": member.name})
    return member


@transaction.atomic
def save_supply(
    obj: EmergencySupply | None,
    *,
    actor: Any,
    name: str,
    category: str,
    quantity: int,
    unit: str,
    township: Region,
    location: str,
    keeper: str = "",
    team: RescueTeam | None = None,
    version: int | str | None = None,
) -> EmergencySupply:
    values = {
        "name": name.strip(),
        "category": category,
        "quantity": quantity,
        "unit": unit.strip(),
        "township": township,
        "location": location.strip(),
        "keeper": (keeper or "").strip(),
        "team": team,
    }
    saved, changed = save_record(EmergencySupply, obj, values, actor=actor, version=version)
    if changed is not None:
        audit.record(saved, events.SUPPLY_SAVED, actor=actor, data=changed)
    return saved  # type: ignore[no-any-return]


@transaction.atomic
def save_publicity(
    obj: PublicityActivity | None,
    *,
    actor: Any,
    kind: str,
    title: str,
    held_on: dt.date,
    reach: int,
    township: Region | None = None,
    department: Department | None = None,
    enterprise: Enterprise | None = None,
    description: str = "",
    version: int | str | None = None,
) -> PublicityActivity:
    """登记 or 修改 a 宣传 activity with its reach (人次)."""
    if township is None and department is None and enterprise is None:
        raise ValidationError({"township": _("请选择组织的乡镇（街道）、部门或单位。")})
    if enterprise is not None and township is None:
        township = township_of(enterprise.region)
    values = {
        "kind": kind,
        "title": title.strip(),
        "held_on": held_on,
        "reach": reach,
        "township": township,
        "department": department,
        "enterprise": enterprise,
        "description": (description or "").strip(),
    }
    saved, changed = save_record(PublicityActivity, obj, values, actor=actor, version=version)
    if changed is not None:
        audit.record(saved, events.PUBLICITY_SAVED, actor=actor, data=changed)
    return saved  # type: ignore[no-any-return]
