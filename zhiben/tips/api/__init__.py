"""API of the whistleblower channel: the anonymous public intake and status (public.py), the handlers' scoped
tips (tips.py), rewards and the calculator (rewards.py), internal reports (internal.py)."""

from __future__ import annotations

from typing import Any

from . import public, rewards, tips

# Explicit paths (not on the router): the anonymous public intake and status, the reward calculator.
urlpatterns: list[Any] = [*public.urlpatterns, *rewards.urlpatterns]


def register(router: Any) -> None:
    """Add the channel's viewsets to the API router (each area module adds its own below)."""
    tips.register(router)
    rewards.register(router)
    from .internal import register as register_internal  # 内部举报 (/api/v1/internal-reports/)

    register_internal(router)
