"""Indicator sources: each module declares one area's indicators by reading that app's models (the apps
themselves never import `indicators`). Imported once by `IndicatorsConfig.ready()`, in page order."""

from . import campaign, enforcement, hazards, inspections, tips  # noqa: F401
