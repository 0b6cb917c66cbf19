"""The password hasher: Argon2id with parameters sized for a two-core server (R01: Argon2id only)."""

from __future__ import annotations

from django.contrib.auth.hashers import Argon2PasswordHasher


class Argon2idHasher(Argon2PasswordHasher):
    """Argon2id at OWASP's first recommended setting (46 MiB, one pass, one lane: about 40 ms on one core).

    Django's defaults (100 MiB, two passes, eight lanes) cost about 150 ms on an idle two-core server and over
    a second each when a morning's officials sign in at once, saturating both cores. The algorithm name stays
    `argon2`, so hashes made with the old parameters still verify and are rehashed with these at the next login
    (`must_update`)."""

    time_cost = 1
    memory_cost = 47104
    parallelism = 1
