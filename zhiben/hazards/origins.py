"""来源记录: the record a hazard came from, shown on the hazard page (a monitoring alarm, …). Apps above
hazards register a provider from their `ready()`; hazards never imports them.

A provider is `(hazard, user) -> list[Origin]`, reading through the user's scope (a record the reader may not
see is left out)."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any


@dataclass(frozen=True)
class Origin:
    kind: str  # what the record is (监测报警)
    text: str  # how it reads (its number and what it was)
    url: str


_PROVIDERS: list[Callable[[Any, Any], list[Origin]]] = []


def register_origin(provider: Callable[[Any, Any], list[Origin]]) -> Callable[[Any, Any], list[Origin]]:
    if provider not in _PROVIDERS:
        _PROVIDERS.append(provider)
    return provider


def origins_of(hazard: Any, user: Any) -> list[Origin]:
    out: list[Origin] = []
    for provider in _PROVIDERS:
        out.extend(provider(hazard, user))
    return out
