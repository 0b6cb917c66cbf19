"""The steps of a 建设项目 (core.loop) and of a 淘汰 item.

    新建/改建/扩建: 待安全审查 ──审查通过──► 待安全预评价 ──安全预评价──► 待安全设施设计审查 ──设计审查──►
                    待试运行 ──试运行──► 待竣工验收 ──竣工验收──► 三同时完成
                    待安全审查 ──不予通过──► 审查不予通过
    老旧项目:      待安全设计诊断 ──安全设计诊断──► 诊断完成

The unit (建设单位) records its 安全预评价 and 试运行 (`change`); the supervising department takes the review
steps (`review`: 审查, 设计审查, 竣工验收, 诊断). 审查通过 is refused for a project in a prohibited entry of the
catalogue, and for a restricted one unless the reviewer confirms its conditions; the refusal names the entry.
Each stage step takes the documents themselves (multipart `files`, `services.add_stage_document`); 竣工验收 is
refused without at least one.

淘汰: 已登记 ──淘汰完成──► 淘汰完成 (the township or the department that registered it, or the unit)."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _

from zhiben.core.loop import Flow, Step

from .choices import PhaseOutStatus as PS
from .choices import ProjectStatus as S
from .forms import ApproveForm, RefuseForm, RetireForm, StageForm
from .models import PhaseOutItem, PhaseOutTransition, SourceProject, SourceProjectTransition

REGISTER = Step("register", _("登记建设项目"), "add", frozenset(), None, "SC_PROJECT_REGISTERED")
APPROVE = Step(
    "approve",
    _("审查通过"),
    "review",
    frozenset({S.REGISTERED}),
    S.PRE_ASSESSMENT,
    "SC_PROJECT_APPROVED",
    ApproveForm,
    style="primary",
    icon="check2-circle",
    help=_("对照禁止和限制类产业目录审查项目；禁止类不得通过，限制类须核实准入条件。"),
)
REFUSE = Step(
    "refuse",
    _("不予通过"),
    "review",
    frozenset({S.REGISTERED}),
    S.REFUSED,
    "SC_PROJECT_REFUSED",
    RefuseForm,
    style="outline-danger",
    icon="x-circle",
    help=_("说明不予通过的理由；项目属于禁止类目录条目时自动写明条目。"),
)
PRE_ASSESS = Step(
    "pre_assess",
    _("安全预评价"),
    "change",
    frozenset({S.PRE_ASSESSMENT}),
    S.DESIGN_REVIEW,
    "SC_PROJECT_PRE_ASSESSED",
    StageForm,
    multipart=True,
    icon="clipboard-check",
    help=_("登记安全预评价报告（评价机构、完成日期、结论）。"),
)
DESIGN_REVIEW = Step(
    "design_review",
    _("安全设施设计审查"),
    "review",
    frozenset({S.DESIGN_REVIEW}),
    S.TRIAL_RUN,
    "SC_PROJECT_DESIGN_REVIEWED",
    StageForm,
    multipart=True,
    icon="rulers",
    help=_("登记安全设施设计审查意见书（文号、日期、结论）。"),
)
TRIAL_RUN = Step(
    "trial_run",
    _("试运行"),
    "change",
    frozenset({S.TRIAL_RUN}),
    S.ACCEPTANCE,
    "SC_PROJECT_TRIAL_RUN",
    StageForm,
    multipart=True,
    icon="play-circle",
    help=_("登记试运行方案和试运行情况。"),
)
ACCEPT = Step(
    "accept",
    _("竣工验收"),
    "review",
    frozenset({S.ACCEPTANCE}),
    S.DONE,
    "SC_PROJECT_ACCEPTED",
    StageForm,
    multipart=True,
    style="primary",
    icon="patch-check",
    help=_("登记安全设施竣工验收结论并上传验收文件（至少一份），三同时完成。"),
)
DIAGNOSE = Step(
    "diagnose",
    _("安全设计诊断"),
    "review",
    frozenset({S.DIAGNOSIS}),
    S.DIAGNOSED,
    "SC_PROJECT_DIAGNOSED",
    StageForm,
    multipart=True,
    style="primary",
    icon="search",
    help=_("登记老旧项目安全设计诊断报告和整改结论。"),
)

PROJECT_FLOW = Flow(
    model=SourceProject,
    history=SourceProjectTransition,
    history_fk="project",
    steps=(REGISTER, APPROVE, REFUSE, PRE_ASSESS, DESIGN_REVIEW, TRIAL_RUN, ACCEPT, DIAGNOSE),
    denied=_("您没有办理该建设项目的权限。"),
    out_of_scope=_("该建设项目不在您的职责范围内。"),
    stale=_("该建设项目已被他人处理，请刷新后重试。"),
)

# Which stage row each step writes.
STAGE_OF_STEP = {
    "approve": "review",
    "refuse": "review",
    "pre_assess": "pre",
    "design_review": "design",
    "trial_run": "trial",
    "accept": "acceptance",
    "diagnose": "diagnosis",
}

REGISTER_ITEM = Step("register", _("登记淘汰对象"), "add", frozenset(), None, "SC_PHASEOUT_REGISTERED")
RETIRE = Step(
    "retire",
    _("淘汰完成"),
    "change",
    frozenset({PS.REGISTERED}),
    PS.DONE,
    "SC_PHASEOUT_DONE",
    RetireForm,
    style="primary",
    icon="trash",
    help=_("登记淘汰完成的日期和方式（报废拆解、注销登记等）。"),
)
PHASEOUT_FLOW = Flow(
    model=PhaseOutItem,
    history=PhaseOutTransition,
    history_fk="item",
    steps=(REGISTER_ITEM, RETIRE),
    denied=_("您没有办理该淘汰对象的权限。"),
    out_of_scope=_("该淘汰对象不在您的职责范围内。"),
    stale=_("该淘汰对象已被他人处理，请刷新后重试。"),
)
