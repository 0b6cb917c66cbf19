"""培训演练 (seed 三（七）17 – 三（八）20, 三（二）11): training sessions by the year's theme with attendance signed in
by QR and exam results; the training duties as data and the 应训未训 they leave; certificates (持证上岗) with
their expiry alerts; drills (演练) with the duty as data and the 应练未练 they leave; emergency plans (应急预案);
rescue teams, their members and the emergency supplies; 宣传 activities with their reach.

Scope: every record follows its unit (region through the unit's place, industry through the unit's industries,
the unit itself for its own users); a session organised by a department or a township is also that
organiser's; an inspector's attendance is also its department's. Reference rows (themes, duty rules,
certificate types, drill rules) are read in full by every role that may read the module.
"""

from __future__ import annotations

from .certificates import Certificate, CertificateAlert, CertificateQuerySet, CertificateType
from .common import EXPIRING_DAYS, USER, Reference, TrainingRule, TrainingTheme
from .drills import Drill, DrillPhoto, DrillRule, DrillTransition, EmergencyPlan
from .resources import DutyReminder, EmergencySupply, PublicityActivity, RescueTeam, TeamMember
from .sessions import Attendance, SessionQuerySet, SessionTransition, TrainingSession
from .workers import Worker, WorkerTraining

__all__ = [
    "EXPIRING_DAYS",
    "USER",
    "Attendance",
    "Certificate",
    "CertificateAlert",
    "CertificateQuerySet",
    "CertificateType",
    "Drill",
    "DrillPhoto",
    "DrillRule",
    "DrillTransition",
    "DutyReminder",
    "EmergencyPlan",
    "EmergencySupply",
    "PublicityActivity",
    "Reference",
    "RescueTeam",
    "SessionQuerySet",
    "SessionTransition",
    "TeamMember",
    "TrainingRule",
    "TrainingSession",
    "TrainingTheme",
    "Worker",
    "WorkerTraining",
]
