"""The sentinel test (issue 12, "Bad input and security"; R13, R22): the planted identity, sentinel phrase and
original file name appear nowhere but the custodian's vault view (tips/tests/sentinel.py says how it is planted).

Every page and every export as every persona is read once, by the crawl (core/tests/test_crawl.py), which checks
each answer for the sentinels and then everything at rest. Here: the custodian's vault view does show them, so
those checks can fail, and nothing at rest shows them straight after the tip went through its loop.
"""

from __future__ import annotations

import logging
from typing import Any

import pytest
from django.test import Client
from django.urls import reverse

from zhiben.core.testing import login
from zhiben.tips.testing import SENTINEL_ID, SENTINEL_NAME, SENTINEL_PHONE

from .sentinel import SENTINEL_PHRASE, found_in, leaks_at_rest, plant

pytestmark = pytest.mark.django_db


def test_the_custodian_sees_the_sentinel_in_the_vault_and_nothing_at_rest_shows_it(
    world: Any, caplog: Any
) -> None:
    caplog.set_level(logging.DEBUG)
    tip = plant(world)
    custodian = login(Client(), world.jubao)
    shown = custodian.get(reverse("tips:vault_tip", args=[tip.pk])).content.decode()
    assert {SENTINEL_NAME, SENTINEL_PHONE, SENTINEL_ID, SENTINEL_PHRASE} <= set(found_in(shown))
    original = custodian.get(reverse("tips:vault_attachment_original", args=[tip.attachments.get().pk]))
    assert SENTINEL_NAME.encode() in original.content and "%E5%93%A8" in original["Content-Disposition"]
    problems = leaks_at_rest(caplog.records)
    assert not problems, f"哨兵身份泄露 {len(problems)} 处：\n" + "\n".join(problems[:50])
