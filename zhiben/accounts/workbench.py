"""The accounts card on the 待办 workbench (core/workbench.py): the security administrator's accounts locked
right now (R03), each to be checked and unlocked on 账号锁定. The other 三员 find their duties in the navigation."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.urls import reverse
from django.utils.translation import gettext as _

from zhiben.core import workbench as wb
from zhiben.core.scoping import can

from . import services
from .models import LoginFailure, User


def cards(user: Any, today: dt.date) -> list[wb.Card]:
    if not (can(user, "unlock", User) and can(user, "view", LoginFailure)):
        return []
    locked = len(services.current_lockouts())
    url = reverse("accounts:lockout_list")
    return [
        wb.Card(
            key="accounts",
            label=_("账号安全"),
            icon="shield-lock",
            items=[wb.Item(_("当前锁定的账号"), locked, url, wb.SOON, key="locked")],
            due=locked,
            more_url=url,
            more_label=_("账号锁定"),
        )
    ]


def register() -> None:
    wb.register("accounts", cards, order=60)
