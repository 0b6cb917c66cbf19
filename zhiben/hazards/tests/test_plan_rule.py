"""What a 治理方案 needs is declared once (plan_rule): the page's required marks, the API's required fields, the
OpenAPI description and the service's check all follow it, so a unit sees 资金 and 预案 before it submits."""

from __future__ import annotations

import datetime as dt
import re
from typing import Any

import pytest
from django.test import Client
from django.urls import reverse

from zhiben.core.testing import login, obtain_token, token_header
from zhiben.hazards import services
from zhiben.hazards.choices import Level, Status
from zhiben.hazards.models import Hazard

from .test_lifecycle import register_major

pytestmark = pytest.mark.django_db


def confirmed_major(world: Any, clause: Any) -> Hazard:
    h = register_major(world, clause)
    services.confirm(h, actor=world.yingji)
    return h


def confirmed_general(world: Any) -> Hazard:
    h = services.register_hazard(
        actor=world.qiye1,
        enterprise=world.enterprises["qiye1"],
        level=Level.GENERAL,
        title="配电箱门未关闭",
        discovered_on=dt.date(2025, 3, 1),
    )
    assert h.status == Status.CONFIRMED  # a unit's own 一般 hazard is confirmed at once
    return h


def required_inputs(html: str) -> set[str]:
    """The names of the plan form's inputs carrying the `required` attribute."""
    names = set()
    for tag in re.findall(r"<(?:input|textarea|select)\b[^>]*>", html):
        name = re.search(r'name="([^"]+)"', tag)
        if name and re.search(r"\srequired(?:[\s>=/])", tag):
            names.add(name.group(1))
    return names


def test_the_plan_page_marks_what_the_level_needs(world: Any, clause: Any, clock: Any) -> None:
    c = login(Client(), world.qiye1)
    major = c.get(reverse("hazards:hazard_step", args=[confirmed_major(world, clause).pk, "plan"]))
    assert major.status_code == 200
    assert {"measures", "responsible", "plan_deadline", "funds", "contingency", "interim_measures"} <= (
        required_inputs(major.content.decode())
    )
    general = c.get(reverse("hazards:hazard_step", args=[confirmed_general(world).pk, "plan"]))
    marked = required_inputs(general.content.decode())
    assert {"measures", "responsible", "plan_deadline"} <= marked
    assert not marked & {"funds", "contingency", "interim_measures"}


def test_a_major_plan_without_funds_and_contingency_gets_every_error_at_once(
    world: Any, clause: Any, clock: Any
) -> None:
    h = confirmed_major(world, clause)
    c = login(Client(), world.qiye1)
    r = c.post(
        reverse("hazards:hazard_step", args=[h.pk, "plan"]),
        {"responsible": "王", "plan_deadline": h.deadline.isoformat(), "version": h.version},
    )
    html = r.content.decode()
    assert r.status_code == 400
    for message in ("请填写整改措施", "重大事故隐患须落实整改资金", "重大事故隐患须落实应急预案"):
        assert message in html, message
    general = confirmed_general(world)
    r = c.post(
        reverse("hazards:hazard_step", args=[general.pk, "plan"]),
        {"measures": "关闭", "responsible": "王", "plan_deadline": general.deadline.isoformat()},
    )
    assert r.status_code == 302, r.content.decode()[:2000]  # a 一般 plan needs no 资金 or 预案


def test_the_api_requires_the_same_fields_and_says_so_in_its_schema(
    world: Any, clause: Any, clock: Any
) -> None:
    h = confirmed_major(world, clause)
    c = Client()
    headers = token_header(obtain_token(c, "qiye1"))
    r = c.post(
        f"/api/v1/hazards/{h.pk}/plan/",
        {"responsible": "王", "plan_deadline": h.deadline.isoformat(), "version": h.version},
        content_type="application/json",
        headers=headers,
    )
    assert r.status_code == 400
    assert {"measures", "funds", "contingency", "interim_measures"} <= set(r.json())
    schema = c.get("/api/schema/", headers=headers).content.decode()
    assert "重大事故隐患须落实“五落实”，另须填写整改资金、应急预案、整改期间安全防范措施" in schema
