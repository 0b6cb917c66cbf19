"""Framework jobs: outbox delivery."""

from __future__ import annotations

from .jobs import crontab, job, periodic_job
from .outbox import deliver_pending


@job
def deliver_outbox() -> dict[str, int]:
    """Deliver queued notifications now (enqueued after each commit that queued one)."""
    return deliver_pending()


@periodic_job(crontab(minute="*"))
def deliver_outbox_periodically() -> dict[str, int]:
    """Safety net: retries and anything whose after-commit enqueue was lost."""
    return deliver_pending()
