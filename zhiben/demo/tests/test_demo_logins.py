"""demo_logins: the persona table printed at start-up, and where the password comes from."""

from __future__ import annotations

from io import StringIO

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.test import override_settings

from zhiben.demo.personas import PERSONAS


def _logins() -> str:
    out = StringIO()
    call_command("demo_logins", stdout=out)
    return out.getvalue()


@pytest.fixture
def seeded(world):
    """The personas as `seed_demo` makes them: the test world creates them with the same `ensure_personas`."""
    return world


def test_it_lists_every_persona_with_role_and_organisation(seeded, monkeypatch):
    monkeypatch.delenv("ZHIBEN_DEMO_PASSWORD", raising=False)
    output = _logins()
    lines = output.splitlines()
    for persona in PERSONAS:
        line = next(line for line in lines if line.strip().startswith(persona.username + " "))
        if persona.organisation:
            assert persona.organisation in line
    yingtian = next(line for line in lines if line.strip().startswith("yingtian "))
    assert "乡镇（街道）" in yingtian and "营田镇" in yingtian
    qiye1 = next(line for line in lines if line.strip().startswith("qiye1 "))
    assert "生产经营单位" in qiye1 and "有限" in qiye1  # the organisation is the enterprise's name
    assert "默认演示密码 Demo#2024-Safe" in output


def test_it_names_the_environment_variable_without_showing_its_value(seeded, monkeypatch):
    monkeypatch.setenv("ZHIBEN_DEMO_PASSWORD", "Another#2025-Pass")
    with override_settings(DEMO_PASSWORD="Another#2025-Pass"):
        output = _logins()
    assert "取自环境变量 ZHIBEN_DEMO_PASSWORD" in output
    assert "Another#2025-Pass" not in output


@pytest.mark.usefixtures("empty_db")
def test_it_asks_for_seed_demo_when_no_persona_exists():
    assert "尚未创建演示账号" in _logins()


@pytest.mark.django_db
def test_it_refuses_in_production():
    with override_settings(PRODUCTION=True), pytest.raises(CommandError, match="生产环境"):
        _logins()
