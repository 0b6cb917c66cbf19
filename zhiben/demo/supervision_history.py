"""Demo 督办交办 and 暗访 over 2026 (filled below)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any


def seed_supervision_history(
    *, seed: int, actor: Any = None, progress: Callable[[str], None] | None = None
) -> Any:
    return None
