"""Indicator sources: each module declares one area's indicators by reading that app's models (the apps below
the registry never import `indicators`; the campaign and the dashboard sit above it and read from it).
Imported once by `IndicatorsConfig.ready()`, in page order."""

from . import campaign, enforcement, hazards, inspections, tips  # noqa: F401
