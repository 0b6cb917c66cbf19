"""Pages of 培训演练, by topic (the URL names are those of `training/urls.py`): sessions and sign-in, the duties'
gaps and rules, certificates, drills and plans, rescue resources and 宣传, the worker roster."""

from __future__ import annotations

from .certificates import (  # noqa: F401 - the pages, named as before the split
    CertificateDetailView,
    CertificateEditView,
    CertificateListView,
    VerifyView,
)
from .drills import (  # noqa: F401 - the pages, named as before the split
    DrillDetailView,
    DrillEditView,
    DrillHeldView,
    DrillListView,
    DrillPhotoUploadView,
    DrillPhotoView,
    DrillStepView,
    PlanDetailView,
    PlanEditView,
    PlanListView,
)
from .gaps import (  # noqa: F401 - the pages, named as before the split
    DrillsDueView,
    GapsView,
    RulesView,
)
from .resources import (  # noqa: F401 - the pages, named as before the split
    MemberAddView,
    PublicityDetailView,
    PublicityEditView,
    PublicityListView,
    ResourcesView,
    SupplyDetailView,
    SupplyEditView,
    SupplyListView,
    TeamDetailView,
    TeamEditView,
    TeamListView,
)
from .sessions import (  # noqa: F401 - the pages, named as before the split
    ExamView,
    ManualSignInView,
    SessionDetailView,
    SessionEditView,
    SessionListView,
    SessionStepView,
    SignInView,
)
from .workers import (  # noqa: F401 - the pages, named as before the split
    WorkerDetailView,
    WorkerEditView,
    WorkerGapsView,
    WorkerImportErrorsView,
    WorkerImportStatusView,
    WorkerImportTemplateView,
    WorkerImportView,
    WorkerLeaveView,
    WorkerListView,
    WorkerTrainingAddView,
)
