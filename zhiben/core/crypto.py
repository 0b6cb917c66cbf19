"""Chinese commercial cryptography (GB/T 32905 SM3, GB/T 32907 SM4) for audit chains and sensitive fields.

Field values are encrypted with SM4-GCM (authenticated; R26): a random 96-bit nonce per value and a header
naming the algorithm and key version, so keys can rotate while old values still decrypt.
"""

from __future__ import annotations

import base64
import hashlib
import hmac as _hmac
import os
from functools import lru_cache

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives import hmac as crypto_hmac
from cryptography.hazmat.primitives.ciphers import Cipher, algorithms, modes
from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.db import models

PREFIX = "sm4gcm"
NONCE_BYTES = 12
TAG_BYTES = 16


class DecryptionError(Exception):
    """The ciphertext was altered or the key is unknown."""


def sm3(data: bytes) -> bytes:
    """SM3 digest (32 bytes)."""
    digest = hashes.Hash(hashes.SM3())
    digest.update(data)
    return digest.finalize()


def sm3_hex(data: bytes | str) -> str:
    return sm3(data.encode() if isinstance(data, str) else data).hex()


def hmac_sm3(key: bytes, data: bytes) -> bytes:
    """HMAC with SM3 as the hash (GB/T 15852.2 construction)."""
    mac = crypto_hmac.HMAC(key, hashes.SM3())
    mac.update(data)
    return mac.finalize()


def constant_time_equal(a: bytes, b: bytes) -> bool:
    return _hmac.compare_digest(a, b)


@lru_cache(maxsize=8)
def _parse_keys(spec: str) -> dict[int, bytes]:
    keys: dict[int, bytes] = {}
    for part in filter(None, (p.strip() for p in spec.split(","))):
        version, _, hexkey = part.partition(":")
        key = bytes.fromhex(hexkey)
        if len(key) != 16:
            raise ImproperlyConfigured("ZHIBEN_FIELD_KEYS: each SM4 key must be 32 hex characters (128 bit)")
        keys[int(version)] = key
    if not keys:
        raise ImproperlyConfigured("ZHIBEN_FIELD_KEYS is empty")
    return keys


def field_keys() -> dict[int, bytes]:
    return _parse_keys(settings.FIELD_ENCRYPTION_KEYS)


def current_key_version() -> int:
    return max(field_keys())


def sm4_gcm_encrypt(plaintext: bytes, key: bytes, aad: bytes = b"") -> bytes:
    nonce = os.urandom(NONCE_BYTES)
    encryptor = Cipher(algorithms.SM4(key), modes.GCM(nonce)).encryptor()
    encryptor.authenticate_additional_data(aad)
    ct = encryptor.update(plaintext) + encryptor.finalize()
    return nonce + ct + encryptor.tag


def sm4_gcm_decrypt(blob: bytes, key: bytes, aad: bytes = b"") -> bytes:
    nonce, ct, tag = blob[:NONCE_BYTES], blob[NONCE_BYTES:-TAG_BYTES], blob[-TAG_BYTES:]
    decryptor = Cipher(algorithms.SM4(key), modes.GCM(nonce, tag)).decryptor()
    decryptor.authenticate_additional_data(aad)
    try:
        return decryptor.update(ct) + decryptor.finalize()
    except InvalidTag as exc:
        raise DecryptionError("ciphertext failed authentication") from exc


def encrypt_text(value: str, version: int | None = None) -> str:
    """'sm4gcm:v<version>:<base64>' for a text value."""
    version = version or current_key_version()
    key = field_keys()[version]
    blob = sm4_gcm_encrypt(value.encode(), key, aad=f"{PREFIX}:v{version}".encode())
    return f"{PREFIX}:v{version}:{base64.b64encode(blob).decode()}"


def decrypt_text(token: str) -> str:
    try:
        prefix, v, b64 = token.split(":", 2)
        version = int(v.removeprefix("v"))
    except ValueError as exc:
        raise DecryptionError("not an encrypted value") from exc
    if prefix != PREFIX:
        raise DecryptionError("unknown algorithm")
    key = field_keys().get(version)
    if key is None:
        raise DecryptionError(f"unknown key version {version}")
    return sm4_gcm_decrypt(base64.b64decode(b64), key, aad=f"{PREFIX}:v{version}".encode()).decode()


def blind_index(value: str) -> str:
    """HMAC-SM3 of a normalised value, for equality lookups on encrypted fields without decrypting."""
    key = hashlib.sha256(b"blind-index:" + field_keys()[min(field_keys())]).digest()
    return hmac_sm3(key, value.strip().encode()).hex()


class EncryptedTextField(models.TextField):
    """A text column stored SM4-GCM encrypted; reads decrypt transparently, empty stays empty."""

    def from_db_value(self, value, expression, connection):  # type: ignore[no-untyped-def]
        if value in (None, ""):
            return value
        return decrypt_text(value)

    def get_prep_value(self, value):  # type: ignore[no-untyped-def]
        value = super().get_prep_value(value)
        if value in (None, ""):
            return value
        if isinstance(value, str) and value.startswith(PREFIX + ":"):
            return value
        return encrypt_text(str(value))


def mask_phone(phone: str | None) -> str:
    """138****5678: phones are shown masked in lists and exports (R16)."""
    if not phone:
        return ""
    digits = phone.strip()
    if len(digits) < 7:
        return "*" * len(digits)
    return digits[:3] + "*" * (len(digits) - 7) + digits[-4:]
