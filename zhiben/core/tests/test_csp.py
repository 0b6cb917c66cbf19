"""Content-Security-Policy (issue 11, item 8): every response carries it, and pages break none of it in Chromium."""

from __future__ import annotations

from typing import Any

import pytest
from django.conf import settings
from django.test import Client
from django.urls import reverse

from zhiben.core.middleware import CONTENT_SECURITY_POLICY
from zhiben.core.testing import login
from zhiben.registry.tests.test_browser import CHROMIUM, browser_page  # noqa: F401 - the Chromium fixture

# A sample: the dashboard, lists, the charts pages (ECharts, htmx), a form, the API docs and the login page.
SAMPLE = (
    "dashboard:home",
    "registry:enterprise_list",
    "registry:enterprise_create",
    "hazards:hazard_list",
    "hazards:hazard_stats",
    "enforcement:stats",
    "api-docs",
)

# Records every violation the page reports, from before its first script runs.
RECORD_VIOLATIONS = """
window.__csp = [];
document.addEventListener("securitypolicyviolation", (e) => {
  window.__csp.push(`${e.violatedDirective} ${e.blockedURI}`);
});
"""


def test_every_response_carries_the_policy(client: Any, world: Any) -> None:
    anonymous = client.get(reverse("accounts:login"))
    assert anonymous["Content-Security-Policy"] == CONTENT_SECURITY_POLICY
    assert "script-src 'self';" in CONTENT_SECURITY_POLICY and "unsafe-eval" not in CONTENT_SECURITY_POLICY
    client.force_login(world.anweiban)
    for name in SAMPLE:
        assert client.get(reverse(name))["Content-Security-Policy"] == CONTENT_SECURITY_POLICY, name
    assert client.get("/api/v1/hazards/")["Content-Security-Policy"] == CONTENT_SECURITY_POLICY


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
@pytest.mark.skipif(not CHROMIUM.exists(), reason="Debian Chromium (/usr/bin/chromium) is not installed")
def test_no_page_breaks_the_policy_in_the_browser(
    live_server: Any,
    world: Any,
    browser_page: Any,  # noqa: F811 - the Chromium fixture, imported above
) -> None:
    page = browser_page
    messages: list[str] = []
    page.on("console", lambda m: messages.append(m.text) if "Content Security Policy" in m.text else None)
    page.add_init_script(RECORD_VIOLATIONS)
    problems = []
    page.goto(f"{live_server.url}{reverse('accounts:login')}")
    problems += [f"login: {v}" for v in page.evaluate("window.__csp")]
    client = login(Client(), world.anweiban)
    name = settings.SESSION_COOKIE_NAME
    page.context.add_cookies([{"name": name, "value": client.cookies[name].value, "url": live_server.url}])
    for route in SAMPLE:
        page.goto(f"{live_server.url}{reverse(route)}")
        page.wait_for_load_state("networkidle")
        assert "/accounts/login/" not in page.url, route
        problems += [f"{route}: {v}" for v in page.evaluate("window.__csp")]
    assert page.locator(".swagger-ui").count() == 1, "the API docs render under the policy"
    assert problems == [] and messages == [], "\n".join(problems + messages)
