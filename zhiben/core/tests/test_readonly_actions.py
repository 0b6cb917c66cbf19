"""A read-only persona is refused before its input is read (issue 11 §10): every API POST answers the 分管区领导
and the 审计管理员 with 403 (or 404 outside scope, 401 without a token), never a 400 about the body."""

from __future__ import annotations

from typing import Any

from django.test import Client

from zhiben.core.testing import is_api, login

from .test_crawl import build_all, crawl_world  # noqa: F401 — the crawl's world and its paths

READ_ONLY = ("lingdao", "shenji")
PUBLIC_POSTS = {
    "api-token",  # exchanges a password; anyone may try (it has its own limits)
    "public-tip-submit",  # 举报: anyone, logged in or not, may report (rate-limited)
    "public-tip-status",  # the receipt lookup by POST (the code stays out of URLs)
    "tip-reward-calculate",  # computes an amount from the rules and writes nothing
    "safety-fee-calculate",  # computes a safety-fee provision from the rate table and writes nothing
    "risk-assess",  # computes an LEC/LS grade from the band table and writes nothing
}


def _reviews(persona: str, route: str) -> bool:
    """The 分管区领导 is read-only except that it issues and reviews 督办 items (issue 14): its 办结/退回 on an
    assignee row reach the service, which answers for the row's status."""
    return persona == "lingdao" and route.startswith("supervision-assignee-")


def test_read_only_personas_get_403_before_400_on_every_api_post(crawl_world: Any) -> None:  # noqa: F811
    targets, _ = build_all(crawl_world)
    posts = [t for t in targets if is_api(t.path) and t.route.name not in PUBLIC_POSTS]
    assert len(posts) > 50  # the API's routes, with their detail actions
    wrong = []
    for persona in READ_ONLY:
        client = login(Client(), getattr(crawl_world, persona))
        for target in posts:
            status = client.post(target.path, {}, content_type="application/json").status_code
            if status not in (403, 404, 405) and not _reviews(persona, target.route.name):
                wrong.append(f"POST {target.path} ({target.route.name}) as {persona}: {status}")
    assert wrong == [], "\n".join(wrong)
