"""R06: accounts unused for 90 days are disabled by `disable_stale_accounts`, each one audited."""

from __future__ import annotations

import datetime as dt

import pytest
import time_machine
from django.core.management import call_command
from django.utils import timezone

from zhiben.accounts import events
from zhiben.accounts.models import ApiToken, User
from zhiben.accounts.services import create_token

from .conftest import audit_rows

pytestmark = pytest.mark.django_db


def test_it_disables_accounts_unused_for_90_days_but_not_recent_or_api_users(world, capsys):
    now = timezone.now()
    User.objects.update(last_login=now - dt.timedelta(days=10))
    User.objects.filter(username="qiye3").update(last_login=now - dt.timedelta(days=91))
    User.objects.filter(username="lingdao").update(last_login=None, date_joined=now - dt.timedelta(days=120))
    # heshi never logs in on the web but calls the API every day: still in use.
    User.objects.filter(username="heshi").update(last_login=now - dt.timedelta(days=200))
    token, _ = create_token(world.heshi, actor=world.heshi)
    ApiToken.objects.filter(pk=token.pk).update(last_used_at=now - dt.timedelta(days=1))

    call_command("disable_stale_accounts")

    assert set(User.objects.filter(is_active=False).values_list("username", flat=True)) == {
        "qiye3",
        "lingdao",
    }
    rows = audit_rows(events.USER_DISABLED)
    assert {r.object_repr for r in rows} == {str(world.qiye3), str(world.lingdao)}
    assert all(r.data["reason"] == "stale" and r.actor_name == "system" for r in rows)
    assert "共停用 2 个长期未使用的账号。" in capsys.readouterr().out


def test_it_keeps_the_last_system_admin(world, capsys):
    with time_machine.travel(timezone.now() + dt.timedelta(days=100), tick=False):
        call_command("disable_stale_accounts")
    assert User.objects.get(username="xitong").is_active
    assert not User.objects.get(username="anquan").is_active
    assert "保留：xitong" in capsys.readouterr().out


def test_it_changes_nothing_on_a_dry_run(world, capsys):
    User.objects.filter(username="qiye2").update(last_login=timezone.now() - dt.timedelta(days=95))
    call_command("disable_stale_accounts", "--dry-run")
    assert User.objects.get(username="qiye2").is_active
    assert "将停用：qiye2" in capsys.readouterr().out
    assert not audit_rows(events.USER_DISABLED)
