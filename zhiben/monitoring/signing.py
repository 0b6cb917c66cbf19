"""How a device signs a reading (no Django: the simulator's and the bench's publishers import it alone).

`mac` = HMAC-SM3(secret, canonical) where canonical is `{"device","seq","ts","values"}` as JSON with sorted
keys, no spaces, UTF-8."""

from __future__ import annotations

import json
from typing import Any

from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives import hmac as crypto_hmac


def hmac_sm3(key: bytes, data: bytes) -> bytes:
    mac = crypto_hmac.HMAC(key, hashes.SM3())
    mac.update(data)
    return mac.finalize()


_ENCODER = json.JSONEncoder(sort_keys=True, separators=(",", ":"), ensure_ascii=False)  # built once: hot path


def canonical(code: str, ts: Any, seq: Any, values: Any) -> bytes:
    return _ENCODER.encode({"device": code, "seq": seq, "ts": ts, "values": values}).encode()


def sign(secret: str, code: str, ts: Any, seq: Any, values: Any) -> str:
    return hmac_sm3(secret.encode(), canonical(code, ts, seq, values)).hex()


def message(secret: str, code: str, ts: float, seq: int, values: dict[str, float]) -> bytes:
    """A signed payload as a device sends it (the simulator, tests, the bench)."""
    return json.dumps(
        {"ts": ts, "seq": seq, "values": values, "mac": sign(secret, code, ts, seq, values)}
    ).encode()


def topic_of(uscc: str, code: str) -> str:
    return f"zhiben/{uscc}/{code}/readings"
