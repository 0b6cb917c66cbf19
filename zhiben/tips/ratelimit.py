"""Rate limits of the public intake (R14, R15): submissions, receipt lookups and unit searches per client.

Counters live in Django's cache (Redis in production, shared by the workers; local memory in development and
tests), in fixed windows. The client's address is used only transiently and never as such: the key is an
HMAC of the address under a salt drawn at random for each day and kept only in the cache, so a counter cannot
be tied back to an address once the day's salt has expired, and nothing about the address is ever written
to the database or a log line.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
from dataclasses import dataclass

from django.core.cache import cache
from django.http import HttpRequest
from django.utils import timezone

from zhiben.core.middleware import client_ip


@dataclass(frozen=True)
class Limit:
    name: str
    count: int
    seconds: int
    message: str


SUBMIT = Limit("submit", 5, 600, "提交过于频繁：同一网络10分钟内最多提交5次举报，请稍后再试或拨打12350热线。")
LOOKUP = Limit("lookup", 20, 600, "查询过于频繁：10分钟内最多查询20次，请稍后再试。")
UNITS = Limit("units", 120, 600, "查询过于频繁，请稍后再试。")

RETRY_AFTER = "Retry-After"


def _salt() -> str:
    day = timezone.localdate().isoformat()
    key = f"tips:rl:salt:{day}"
    cache.add(key, secrets.token_hex(16), timeout=2 * 86400)
    salt = cache.get(key)
    return str(salt or day)


def client_key(request: HttpRequest) -> str:
    """A daily pseudonym of the client's address (never stored beyond the counters' windows)."""
    address = client_ip(request) or "unknown"
    return hmac.new(_salt().encode(), address.encode(), hashlib.sha256).hexdigest()[:32]


def hit(request: HttpRequest, limit: Limit) -> bool:
    """Count one attempt; True while the client is within `limit`, False once it is exceeded."""
    window = int(timezone.now().timestamp()) // limit.seconds
    key = f"tips:rl:{limit.name}:{client_key(request)}:{window}"
    cache.add(key, 0, timeout=limit.seconds + 5)
    try:
        count = cache.incr(key)
    except ValueError:  # expired between add and incr
        cache.add(key, 1, timeout=limit.seconds + 5)
        count = 1
    return count <= limit.count
