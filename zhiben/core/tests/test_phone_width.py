"""Every page on a 390 px phone in Debian's Chromium: nothing may widen the page past the screen, and no text
is squeezed into a column a character or two wide.

The pages are the crawl's (every named route, its arguments filled from the crawl world). Each page is opened
once, by the first persona who may see it (the test client finds who), so the run stays short. Wide tables
scroll inside their own box (`.table-responsive`); the page itself never scrolls sideways.
"""

from __future__ import annotations

from typing import Any

import pytest
from django.conf import settings
from django.test import Client

from zhiben.core.testing import is_api, login
from zhiben.core.tests.test_crawl import POST_ONLY, build_all, crawl_world  # noqa: F401 - the crawl fixture
from zhiben.registry.tests.test_browser import CHROMIUM, browser_page  # noqa: F401 - the Chromium fixture

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True),
    pytest.mark.skipif(not CHROMIUM.exists(), reason="Debian Chromium (/usr/bin/chromium) is not installed"),
]

PHONE = {"width": 390, "height": 844}

# The widest elements that are not inside a box of their own that scrolls or clips: what to fix.
WIDEST = """() => {
  const clipped = (el) => {
    for (let a = el.parentElement; a; a = a.parentElement) {
      if (getComputedStyle(a).overflowX !== "visible") return true;
    }
    return false;
  };
  const out = [];
  for (const el of document.querySelectorAll("body *")) {
    const r = el.getBoundingClientRect();
    if (r.width > 0 && r.right > window.innerWidth + 1 && !clipped(el)) {
      out.push(`${el.tagName.toLowerCase()}.${String(el.className).trim().split(/\\s+/).join(".")}`);
    }
  }
  return out.slice(0, 3);
}"""


# Text squeezed into a column so narrow that it breaks after every character or two (a KPI card's label
# in a third of a phone's width): a leaf of at least four characters, less than three characters wide.
SQUEEZED = """() => {
  const out = [];
  for (const el of document.querySelectorAll("body *")) {
    if (el.children.length || !el.offsetParent) continue;
    const text = el.textContent.trim();
    if (text.length < 4) continue;
    const size = parseFloat(getComputedStyle(el).fontSize);
    const r = el.getBoundingClientRect();
    if (r.width > 0 && r.width < 3 * size && r.height > 3 * size) out.push(text.slice(0, 12));
  }
  return out.slice(0, 3);
}"""


def pages_by_persona(world: Any) -> dict[str, list[str]]:
    """Each HTML page of the crawl, under the first persona for whom it answers 200."""
    targets, _failures = build_all(world)
    paths = sorted(
        {t.path for t in targets if not is_api(t.path) and t.route.name not in POST_ONLY},
    )
    client = Client(raise_request_exception=False)
    by_persona: dict[str, list[str]] = {}
    for persona, user in world.users.items():
        login(client, user)
        for path in list(paths):
            response = client.get(path)
            if response.status_code == 200 and response.get("Content-Type", "").startswith("text/html"):
                by_persona.setdefault(persona, []).append(path)
                paths.remove(path)
    return by_persona


def too_wide(page: Any, url: str, path: str) -> str | None:
    page.goto(f"{url}{path}")
    if "/accounts/login/" in page.url and not path.startswith("/accounts/login/"):
        return f"{path}: not signed in"
    squeezed = page.evaluate(SQUEEZED)
    if squeezed:
        return f"{path}: text squeezed to a character a line — {'、'.join(squeezed)}"
    if page.evaluate("document.documentElement.scrollWidth <= window.innerWidth"):
        return None
    width = page.evaluate("document.documentElement.scrollWidth")
    return f"{path}: {width} px — {', '.join(page.evaluate(WIDEST))}"


def test_no_page_is_wider_than_a_phone(
    live_server: Any,
    crawl_world: Any,  # noqa: F811 - the crawl's fixture, imported above
    browser_page: Any,  # noqa: F811 - the Chromium fixture, imported above
) -> None:
    page = browser_page
    page.set_viewport_size(PHONE)
    by_persona = pages_by_persona(crawl_world)
    assert sum(len(p) for p in by_persona.values()) >= 60, "the crawl found too few pages"
    problems = []
    client = Client()
    name = settings.SESSION_COOKIE_NAME
    for persona, paths in by_persona.items():
        login(client, crawl_world.users[persona])
        page.context.clear_cookies()
        page.context.add_cookies(
            [{"name": name, "value": client.cookies[name].value, "url": live_server.url}]
        )
        problems += [f"{persona} {p}" for path in paths if (p := too_wide(page, live_server.url, path))]
    assert problems == [], "\n".join(problems)
