"""SM3/SM4 known answers (GB/T 32905, GB/T 32907) and the encrypted field's behaviour."""

from __future__ import annotations

import pytest
from cryptography.hazmat.primitives.ciphers import Cipher, algorithms, modes
from django.db import connection
from django.test import override_settings
from hypothesis import given, settings
from hypothesis import strategies as st

from zhiben.core import crypto


def test_it_computes_sm3_known_answers():
    # GB/T 32905-2016 Appendix A examples.
    assert crypto.sm3_hex("abc") == "66c7f0f462eeedd9d1f2d46bdc10e4e24167c4875cf2f7a2297da02b8f4ba8e0"
    assert crypto.sm3_hex("abcd" * 16) == "debe9ff92275b8a138604889c18e5a4d6fdb70e5387e5765293dcba39c0c5732"


def test_it_encrypts_the_sm4_standard_block():
    # GB/T 32907-2016 Appendix A example 1.
    key = bytes.fromhex("0123456789abcdeffedcba9876543210")
    encryptor = Cipher(algorithms.SM4(key), modes.ECB()).encryptor()  # noqa: S305 (a single known-answer block)
    assert (encryptor.update(key) + encryptor.finalize()).hex() == "681edf34d206965e86b3e94f536e4246"


def test_it_computes_hmac_sm3_deterministically_and_key_dependent():
    a = crypto.hmac_sm3(b"k1", b"message")
    assert a == crypto.hmac_sm3(b"k1", b"message")
    assert a != crypto.hmac_sm3(b"k2", b"message")
    assert len(a) == 32


@settings(max_examples=50, deadline=None)
@given(st.text(max_size=200))
def test_it_round_trips_any_text(value):
    assert crypto.decrypt_text(crypto.encrypt_text(value)) == value


def test_it_uses_a_fresh_nonce_per_value():
    assert crypto.encrypt_text("13800000000") != crypto.encrypt_text("13800000000")


def test_it_rejects_a_flipped_ciphertext_byte():
    token = crypto.encrypt_text("13800000000")
    prefix, version, b64 = token.split(":", 2)
    import base64

    blob = bytearray(base64.b64decode(b64))
    blob[14] ^= 0x01
    with pytest.raises(crypto.DecryptionError):
        crypto.decrypt_text(f"{prefix}:{version}:{base64.b64encode(bytes(blob)).decode()}")


def test_it_still_decrypts_old_values_after_key_rotation():
    crypto._parse_keys.cache_clear()
    old = crypto.encrypt_text("旧密钥加密的值")
    with override_settings(
        FIELD_ENCRYPTION_KEYS="1:00112233445566778899aabbccddeeff,2:ffeeddccbbaa99887766554433221100"
    ):
        new = crypto.encrypt_text("新值")
        assert new.startswith("sm4gcm:v2:")
        assert crypto.decrypt_text(old) == "旧密钥加密的值"
        assert crypto.decrypt_text(new) == "新值"


def test_it_masks_phones():
    assert crypto.mask_phone("13812345678") == "138****5678"
    assert crypto.mask_phone("") == ""


@pytest.mark.django_db
def test_it_stores_no_plaintext_in_the_database(world):
    enterprise = world.enterprises["qiye1"]
    with connection.cursor() as cur:
        cur.execute("SELECT principal_phone FROM registry_enterprise WHERE id = %s", [enterprise.pk])
        raw = cur.fetchone()[0]
    assert raw.startswith("sm4gcm:v1:")
    assert "13800000001" not in raw
    enterprise.refresh_from_db()
    assert enterprise.principal_phone == "13800000001"
