"""Models of inspections: inspectors and records, self-inspection duties, plans, caps and draws."""

from .duties import DutyOccurrence, DutyRule, SelfCheck, SelfCheckAnswer
from .plans import CapException, Draw, DrawAssignment, InspectionCap, InspectionPlan, PlanUnit
from .records import (
    Finding,
    Inspection,
    InspectionAnswer,
    InspectionDepartment,
    InspectionOfficer,
    InspectionPhoto,
    Inspector,
    InspectorConflict,
)

__all__ = [
    "CapException",
    "Draw",
    "DrawAssignment",
    "DutyOccurrence",
    "DutyRule",
    "Finding",
    "Inspection",
    "InspectionAnswer",
    "InspectionCap",
    "InspectionDepartment",
    "InspectionOfficer",
    "InspectionPhoto",
    "InspectionPlan",
    "Inspector",
    "InspectorConflict",
    "PlanUnit",
    "SelfCheck",
    "SelfCheckAnswer",
]
