"""Issue 11 #5: ZHIBEN_ENV=production refuses development keys, DEBUG, demo mode and demo accounts."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest
from django.conf import settings
from django.core.management import call_command
from django.core.management.base import SystemCheckError
from django.test import override_settings

from zhiben.accounts.services import AccountError, login_user
from zhiben.core.checks import refuse_unsafe_start
from zhiben.core.production import DEV_FIELD_KEY, DEV_SECRET_KEY
from zhiben.demo.checks import check_no_demo_accounts_in_production

ROOT = Path(__file__).resolve().parents[3]
GOOD = {
    "ZHIBEN_ENV": "production",
    "DEBUG": "0",
    "ZHIBEN_DEMO": "0",
    "SECRET_KEY": "q8Vh2-Lr0pXz7Nn4Wt1sKc9Gm5Ba3YdEe6Jf0Ui2Oo8Pp4Aa7Ss1Dd5Ff9Gg3Hh",
    "ZHIBEN_AUDIT_KEY": "b1c2d3e4f5a6b7c8d9e0f1a2b3c4d5e6f7a8b9c0d1e2f3a4",
    "ZHIBEN_FIELD_KEYS": "1:9f8e7d6c5b4a39281706f5e4d3c2b1a0",
}


def _start(
    tmp_path: Path, code: str = "import zhiben.settings", **override: str
) -> subprocess.CompletedProcess:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("ZHIBEN_", "DJANGO_", "DEBUG", "SECRET"))}
    env.update(GOOD, ZHIBEN_VAR_DIR=str(tmp_path), **override)
    return subprocess.run(
        [sys.executable, "-c", code], cwd=ROOT, env=env, capture_output=True, text=True, timeout=60
    )


def test_production_starts_with_real_keys(tmp_path):
    assert _start(tmp_path).returncode == 0


@pytest.mark.parametrize(
    ("setting", "value"),
    [
        ("DEBUG", "1"),
        ("SECRET_KEY", DEV_SECRET_KEY),
        ("SECRET_KEY", "short-secret"),
        ("ZHIBEN_AUDIT_KEY", "x"),
        ("ZHIBEN_AUDIT_KEY", "dev-audit-key:" + DEV_SECRET_KEY),
        ("ZHIBEN_FIELD_KEYS", f"1:{DEV_FIELD_KEY}"),
        ("ZHIBEN_FIELD_KEYS", f"2:9f8e7d6c5b4a39281706f5e4d3c2b1a0,1:{DEV_FIELD_KEY}"),
        ("ZHIBEN_FIELD_KEYS", "1:nothex"),
        ("ZHIBEN_DEMO", "1"),
    ],
)
def test_production_refuses_each_development_setting_by_name(tmp_path, setting, value):
    result = _start(tmp_path, **{setting: value})
    assert result.returncode != 0
    assert "ImproperlyConfigured" in result.stderr and f"{setting}：" in result.stderr


def test_manage_py_refuses_too(tmp_path):
    code = "import sys; from django.core.management import execute_from_command_line; "
    code += "import os; os.environ['DJANGO_SETTINGS_MODULE'] = 'zhiben.settings'; "
    code += "execute_from_command_line(['manage.py', 'check'])"
    result = _start(tmp_path, code, DEBUG="1")
    assert result.returncode != 0 and "DEBUG：" in result.stderr


@pytest.mark.django_db
def test_production_refuses_to_serve_while_a_demo_account_can_log_in(world, capsys):
    with override_settings(PRODUCTION=True):
        errors = check_no_demo_accounts_in_production()
        assert [e.id for e in errors] == ["zhiben.E101"] and "anweiban" in errors[0].msg
        with pytest.raises(SystemCheckError, match="演示账号"):
            refuse_unsafe_start()  # what wsgi.py runs under gunicorn
        call_command("disable_demo_accounts")
        assert check_no_demo_accounts_in_production() == []
    assert check_no_demo_accounts_in_production() == []  # development: the demo is the point


@pytest.mark.django_db
def test_no_account_logs_in_with_the_demo_password_in_production(world):
    assert login_user(None, "qiye1", settings.DEMO_PASSWORD) == world.qiye1
    with override_settings(PRODUCTION=True), pytest.raises(AccountError, match="账号或密码错误"):
        login_user(None, "qiye1", settings.DEMO_PASSWORD)
