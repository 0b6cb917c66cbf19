"""Pages of 双重预防 (风险分级) and 一会三卡, by topic: risk points and patrols (`points`), the 四色图 (`maps`),
statistics and the 重大风险清单 (`stats`), band tables (`tables`), 一会三卡 (`cards`) and 动工卡 (`permits`)."""

from .cards import (
    CardIndexView,
    CardUnitView,
    CheckCreateView,
    EmergencyCardView,
    MeetingCreateView,
    PostDetailView,
)
from .maps import MapView, PlanImageView, ZoneView
from .permits import PermitCreateView, PermitDetailView, PermitListView, PermitStepView
from .points import (
    PatrolView,
    PointCardView,
    PointCreateView,
    PointDetailView,
    PointEditView,
    PointListView,
    PointQrView,
    PointStepView,
)
from .stats import MajorListView, StatsView
from .tables import AdoptView, TableCreateView, TableListView

__all__ = [
    "AdoptView",
    "CardIndexView",
    "CardUnitView",
    "CheckCreateView",
    "EmergencyCardView",
    "MajorListView",
    "MapView",
    "MeetingCreateView",
    "PatrolView",
    "PermitCreateView",
    "PermitDetailView",
    "PermitListView",
    "PermitStepView",
    "PlanImageView",
    "PointCardView",
    "PointCreateView",
    "PointDetailView",
    "PointEditView",
    "PointListView",
    "PointQrView",
    "PointStepView",
    "PostDetailView",
    "StatsView",
    "TableCreateView",
    "TableListView",
    "ZoneView",
]
