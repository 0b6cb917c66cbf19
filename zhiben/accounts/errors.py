"""The accounts app's refusal, below services and two_factor so both raise it without importing each other."""

from __future__ import annotations

from zhiben.core.errors import DomainError


class AccountError(DomainError):
    """An account rule refused the action."""
