"""API of inspections: each area registers its viewsets."""

from typing import Any

from . import api_duties, api_plans, api_records


def register(router: Any) -> None:
    api_records.register(router)
    api_duties.register(router)
    api_plans.register(router)
