"""API of enforcement."""

from typing import Any


def register(router: Any) -> None:
    """Register the enforcement viewsets on the /api/v1/ router."""
