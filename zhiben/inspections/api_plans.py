"""API viewsets of plans."""

from typing import Any


def register(router: Any) -> None:
    """Register this area's viewsets on the /api/v1/ router."""
