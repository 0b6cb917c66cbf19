"""API of inspections: each area registers its viewsets."""

from typing import Any

from . import duties, plans, records


def register(router: Any) -> None:
    records.register(router)
    duties.register(router)
    plans.register(router)
