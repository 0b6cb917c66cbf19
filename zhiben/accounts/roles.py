"""Roles (角色) and what each may do. Scope limits come from the role assignment (see registry.scoping).

Permissions map a model label, "app.*" or "*" to actions (core.scoping.ACTIONS). The three admin roles
(三员: 系统/安全/审计管理员) are separated duties (R11): mutually exclusive and with no business data.
"""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _

ALL = frozenset({"view", "add", "change", "delete", "export", "import"})
READ = frozenset({"view", "export"})
VIEW = frozenset({"view"})


class Role(models.TextChoices):
    DISTRICT_OFFICE = "district_office", _("区安委办")
    DEPARTMENT = "department", _("监管部门")
    TOWNSHIP = "township", _("乡镇（街道）")
    ENTERPRISE = "enterprise", _("生产经营单位")
    EXPERT = "expert", _("专家/技术检查员")
    LEADER = "leader", _("领导")
    TIP_CUSTODIAN = "tip_custodian", _("举报受理保密员")
    SYSTEM_ADMIN = "system_admin", _("系统管理员")
    SECURITY_ADMIN = "security_admin", _("安全管理员")
    AUDIT_ADMIN = "audit_admin", _("审计管理员")


ADMIN_ROLES = frozenset({Role.SYSTEM_ADMIN, Role.SECURITY_ADMIN, Role.AUDIT_ADMIN})
GOVERNMENT_ROLES = frozenset(
    {Role.DISTRICT_OFFICE, Role.DEPARTMENT, Role.TOWNSHIP, Role.LEADER, Role.TIP_CUSTODIAN}
)
# Roles whose work another system may carry out with an API token (系统对接: a department's or township's own
# system, a unit's monitoring devices, the office's exchange with a higher platform). Leaders read the pages,
# experts fill what they are assigned on the pages, and the 三员 keep their duties separate: none hold tokens.
API_TOKEN_ROLES = frozenset({Role.DISTRICT_OFFICE, Role.DEPARTMENT, Role.TOWNSHIP, Role.ENTERPRISE})

_REFERENCE_READ = {
    "registry.region": VIEW | {"export"},
    "registry.industry": VIEW | {"export"},
    "registry.department": VIEW | {"export"},
    "registry.responsibility": VIEW | {"export"},
    "standards.*": VIEW | {"export"},
    "hazards.deadlinepolicy": VIEW,
    "hazards.escalationrule": VIEW,
}

# Hazard actions beyond the generic ones:
#   review    判定/不予认定/合并/销号/退回/重新打开/移送/审批延期 — the supervising department's acts
#   supervise 设定督办级别、签发督办文书 — the committee office
#   rectify   整改方案/进展/申请验收/企业验收/申请延期/报告职工大会 — the unit's own duties
_HAZARD_CHILDREN = {
    "hazards.hazardtransition": READ,
    "hazards.hazardprogress": READ,
    "hazards.hazardattachment": READ,
    "hazards.deadlineextension": READ,
    "hazards.hazardtransfer": READ,
    "hazards.hazardnotice": READ,
    "hazards.escalation": READ,
}

# Inspections (监督检查) and enforcement (执法):
#   approve  审批年度计划、超频次检查 — the committee office
#   draw     双随机: 冻结名录、公布承诺、抽取、公开、重新抽取 — a department's own draws
_INSPECTION_CHILDREN = {
    "inspections.inspectiondepartment": READ,
    "inspections.inspectionofficer": READ,
    "inspections.inspectionanswer": READ,
    "inspections.finding": READ,
    "inspections.inspectionphoto": READ,
}

# 举报 (tips): the reporter's identity (tips.tipidentity) is the custodian's alone; nobody else holds any
# permission on it, and a handler reads it only through an approved, time-limited request (tips.identityrequest).
#   intake    受理/不予受理/另行编辑/转办/合并/答复举报人 — the intake custodian (区安委办 举报受理保密员)
#   verify    核查/办结/申请延期 — the department and the township a tip is transferred to
#   approve   批准延期; 审批奖励 (never the person who proposed it) — the office; the custodian decides identity requests
#   pay       告知、登记申领与发放 — the custodian (the reporter's identity is needed to pay)
_TIP_HANDLER = {
    "tips.tip": READ | {"verify"},
    "tips.tiptransition": READ,
    "tips.tipattachment": READ,
    "tips.tipextension": READ | {"add"},
    "tips.identityrequest": READ | {"add"},
    "tips.tipdeadlinerule": VIEW,
    "tips.rewardrule": VIEW,
    "tips.internalreport": READ,
}

# 治本攻坚 (campaign): the plan (goals, measures) is read by every government role; tasks by their lead and
# co-operating units (scope).
#   report   报告进展/报告完成 — the task's lead department, or the township of a township's task
#   approve  通过/退回 a task's report — the committee office (its 工作专班 sits in 区应急管理局)
_CAMPAIGN_READ = {
    "campaign.goal": READ,
    "campaign.measure": READ,
    "campaign.task": READ,
    "campaign.tasktransition": READ,
    "campaign.taskreport": READ,
    "campaign.taskattachment": READ,
    "campaign.subplan": READ,
    "campaign.taskrule": VIEW,
    "campaign.taskescalation": READ,
    "campaign.registerentry": READ,
}
_CAMPAIGN_UNIT = {
    **_CAMPAIGN_READ,
    "campaign.task": READ | {"report"},
    "campaign.registerentry": READ | {"add"},
}

PERMISSIONS: dict[str, dict[str, frozenset[str]]] = {
    Role.DISTRICT_OFFICE: {
        "registry.*": ALL,
        "core.workdayoverride": VIEW,
        "core.calendaryear": VIEW,
        "standards.*": ALL - {"delete"},
        "hazards.hazard": READ | {"supervise", "import"},
        "hazards.deadlinepolicy": frozenset({"view", "change"}),
        "hazards.escalationrule": frozenset({"view", "change"}),
        "core.documenttemplate": frozenset({"view", "change"}),
        "core.officialdocument": VIEW,
        "hazards.hazardtally": READ,  # the statistics (统计分析)
        **_HAZARD_CHILDREN,
        "inspections.*": READ,
        "inspections.dutyrule": frozenset({"view", "change"}),
        "inspections.inspectioncap": frozenset({"view", "add", "change", "delete"}),
        "inspections.capexception": READ | {"approve"},
        "inspections.inspectionplan": READ | {"approve"},
        "enforcement.*": READ,
        "enforcement.discretionrule": ALL - {"delete"},
        "enforcement.closureproposal": READ | {"decide"},  # 提请关闭 or 不予提请 (安全生产法 Art 113)
        "tips.tip": READ | {"supervise"},
        "tips.tiptransition": READ,
        "tips.tipattachment": READ,
        "tips.tipextension": READ | {"approve"},
        "tips.identityrequest": READ | {"add"},
        "tips.tipdeadlinerule": frozenset({"view", "change"}),
        "tips.rewardrule": ALL - {"delete", "import"},
        "tips.reward": READ | {"add", "approve"},
        "tips.rewardtransition": READ,
        "tips.internalreport": READ,
        **_CAMPAIGN_READ,
        "campaign.task": READ | {"approve"},
        "campaign.subplan": READ | {"add"},
        "campaign.taskrule": frozenset({"view", "change"}),
        "campaign.registerentry": READ | {"add", "change"},
    },
    Role.DEPARTMENT: {
        **_REFERENCE_READ,
        "registry.enterprise": frozenset({"view", "change", "export"}),
        "registry.person": READ,
        "hazards.hazard": READ | {"add", "review", "rectify", "import"},
        "hazards.hazardtally": READ,
        **_HAZARD_CHILDREN,
        "hazards.hazardattachment": READ | {"add"},
        "standards.checklist": READ | {"add", "change"},
        "standards.checklistitem": READ | {"add", "change", "delete"},
        "inspections.inspector": READ | {"add", "change"},
        "inspections.inspectorconflict": READ | {"add", "change"},
        "inspections.inspection": READ | {"add", "change"},
        **_INSPECTION_CHILDREN,
        "inspections.inspectionphoto": READ | {"add"},
        "inspections.finding": READ | {"add"},
        "inspections.inspectionplan": READ | {"add", "change"},
        "inspections.planunit": READ | {"add", "change", "delete"},
        "inspections.draw": READ | {"add", "change", "draw"},
        "inspections.drawassignment": READ,
        "inspections.capexception": READ | {"add"},
        "inspections.inspectioncap": VIEW,
        "inspections.dutyrule": VIEW,
        "inspections.dutyoccurrence": READ,
        "inspections.selfcheck": READ,
        "inspections.selfcheckanswer": READ,
        "enforcement.*": READ,  # the discretion benchmark is the office's to edit
        "enforcement.case": READ | {"add", "change"},
        "enforcement.illegaloperation": READ | {"add", "change"},
        "enforcement.illegaloperationevidence": READ | {"add"},
        **_TIP_HANDLER,
        **_CAMPAIGN_UNIT,
        "campaign.subplan": READ | {"add"},
    },
    Role.TOWNSHIP: {
        **_REFERENCE_READ,
        "registry.enterprise": ALL - {"delete"},
        "registry.person": READ | {"add", "change"},
        "hazards.hazard": READ | {"add"},
        "hazards.hazardtally": READ,
        **_HAZARD_CHILDREN,
        "hazards.hazardattachment": READ | {"add"},
        # 乡镇巡查 of the units of its territory (inspections.steps.patrols: only patrols, never 执法检查).
        "inspections.inspection": READ | {"add", "change"},
        **_INSPECTION_CHILDREN,
        "inspections.finding": READ | {"add"},
        "inspections.inspectionphoto": READ | {"add"},
        "inspections.dutyrule": VIEW,
        "inspections.dutyoccurrence": READ,
        "inspections.selfcheck": READ,
        "inspections.selfcheckanswer": READ,
        "enforcement.illegaloperation": READ | {"add", "change"},
        "enforcement.illegaloperationevidence": READ | {"add"},
        "enforcement.case": READ,
        **_TIP_HANDLER,
        "tips.tipextension": READ,  # the department that leads the check asks for more time
        **_CAMPAIGN_UNIT,
    },
    Role.ENTERPRISE: {
        "registry.enterprise": frozenset({"view", "change"}),
        "registry.person": ALL - {"import"},
        "standards.*": VIEW,
        "hazards.deadlinepolicy": VIEW,
        "hazards.hazard": frozenset({"view", "add", "rectify", "export"}),
        **_HAZARD_CHILDREN,
        "hazards.hazardattachment": READ | {"add"},
        "standards.checklist": READ | {"add", "change"},
        "standards.checklistitem": READ | {"add", "change", "delete"},
        "inspections.inspection": VIEW,
        **_INSPECTION_CHILDREN,
        "inspections.dutyrule": VIEW,
        "inspections.dutyoccurrence": READ,
        "inspections.selfcheck": READ | {"add"},
        "inspections.selfcheckanswer": READ | {"add"},
        "inspections.inspectionphoto": READ | {"add"},
        "enforcement.case": VIEW,
        # its own workers' reports to it (内部举报); never a tip about it
        "tips.internalreport": READ | {"add", "change"},
    },
    Role.EXPERT: {
        "registry.region": VIEW,
        "registry.industry": VIEW,
        "standards.*": VIEW,
        # Only the inspections whose team the expert is on (the assignee scope); they fill the checklist as
        # members of the team (inspections.steps.works_on), and record no finding: officers do.
        "inspections.inspection": VIEW,
        **_INSPECTION_CHILDREN,
    },
    Role.LEADER: {
        "registry.*": READ,
        "standards.*": READ,
        "hazards.*": READ,
        "inspections.*": READ,
        "enforcement.*": READ,
        "core.officialdocument": VIEW,
        "tips.tip": READ,
        "tips.tiptransition": READ,
        "tips.reward": READ,
        "tips.rewardrule": VIEW,
        "tips.internalreport": READ,
        "campaign.*": READ,
    },
    Role.TIP_CUSTODIAN: {
        **_REFERENCE_READ,
        "registry.enterprise": READ,
        "registry.person": VIEW,
        "tips.tip": READ | {"add", "change", "intake"},
        "tips.tipidentity": VIEW,
        "tips.tiptransition": READ,
        "tips.tipattachment": READ | {"original"},  # the encrypted originals (evidence)
        "tips.tipextension": READ,
        "tips.identityrequest": READ | {"decide"},
        "tips.tipdeadlinerule": VIEW,
        "tips.rewardrule": VIEW,
        "tips.reward": READ | {"approve", "pay"},
        "tips.rewardtransition": READ,
    },
    Role.SYSTEM_ADMIN: {
        "accounts.user": frozenset({"view", "add", "change", "export"}),
        "accounts.roleassignment": frozenset({"view", "add", "change", "delete"}),
        "core.workdayoverride": ALL - {"import"},
        "core.calendaryear": frozenset({"view", "add"}),
    },
    Role.SECURITY_ADMIN: {
        # unlock: lift a login lockout (R03); end_sessions: force a user offline (R05); reset_2fa: clear a
        # user's two-factor enrolment after checking who they are (R04).
        "accounts.user": frozenset({"view", "unlock", "end_sessions", "reset_2fa"}),
        "accounts.loginfailure": VIEW,
        "accounts.roleassignment": VIEW,
    },
    Role.AUDIT_ADMIN: {
        "core.auditentry": READ,
    },
}

# 生产安全事故 (accidents): one block, added to each role's permissions.
#   report      续报 — whoever may register one (the unit, its department, its township, the office)
#   supervise   认定瞒报/谎报/迟报 — the committee office
#   investigate 组织调查 … 批复结案 — the office, for the district government
#   follow      整改跟踪 — the office and the supervising department
_ACCIDENT_READ = {
    "accidents.accident": READ,
    "accidents.accidenttransition": READ,
    "accidents.accidentupdate": READ,
    "accidents.responsibilityfinding": READ,
    "accidents.rectification": READ,
}
for _role, _extra in {
    Role.DISTRICT_OFFICE: {
        "accidents.accident": READ | {"add", "report", "supervise", "investigate", "follow"}
    },
    Role.DEPARTMENT: {"accidents.accident": READ | {"add", "report", "follow"}},
    Role.TOWNSHIP: {"accidents.accident": READ | {"add", "report"}},
    Role.LEADER: {},
}.items():
    PERMISSIONS[_role].update({**_ACCIDENT_READ, **_extra})
# The unit reports its own accident and reads it with its 续报, not the investigation's working rows.
PERMISSIONS[Role.ENTERPRISE].update(
    {"accidents.accident": frozenset({"view", "add", "report"}), "accidents.accidentupdate": VIEW}
)
# 督办交办 and 暗访 (supervision): the office issues items, reviews the units' results and records 暗访; a leader
# (otherwise read-only: no add/change anywhere, core.api) may issue and review 督办 items only; a department or township handles its own rows
# (签收, 办理, 反馈: `handle`, scoped to its own assignee row). Enterprises see nothing.
_SUPERVISION_UNIT = {
    "supervision.supervisionitem": READ,
    "supervision.assignee": READ | {"handle"},
    "supervision.assigneenote": READ,
    "supervision.noteattachment": READ,
    "supervision.assigneeescalation": READ,
    "supervision.supervisionrule": VIEW,
}
_SUPERVISION_ISSUER = {
    "supervision.supervisionitem": READ | {"issue"},
    "supervision.assignee": READ | {"review"},
    "supervision.assigneenote": READ,
    "supervision.noteattachment": READ,
    "supervision.assigneeescalation": READ,
    "supervision.supervisionrule": VIEW,
}
for _role, _extra in (
    (
        Role.DISTRICT_OFFICE,
        {
            **_SUPERVISION_ISSUER,
            "supervision.supervisionrule": frozenset({"view", "change"}),
            "supervision.undercovervisit": READ | {"add", "change"},
            "supervision.visitfinding": READ | {"add"},
            "supervision.findingphoto": READ,
        },
    ),
    (
        Role.LEADER,
        {
            **_SUPERVISION_ISSUER,
            "supervision.undercovervisit": READ,
            "supervision.visitfinding": READ,
            "supervision.findingphoto": READ,
        },
    ),
    (Role.DEPARTMENT, _SUPERVISION_UNIT),
    (Role.TOWNSHIP, _SUPERVISION_UNIT),
):
    PERMISSIONS[_role].update(_extra)
# 考核督办 (oversight): the duty and task lists (职责清单、年度任务清单) and the 通报 and reports.
#   report   报告进展/报告完成 of a list item — its owner (department, township; the office for the district posts)
#   approve  确认完成/退回 an item — the committee office; issue 签发 a 通报 or report — the committee office
for _role, _perms in {
    Role.DISTRICT_OFFICE: {
        "oversight.dutyitem": READ | {"change", "report", "approve"},
        "oversight.dutyitemtransition": READ,
        "oversight.bulletin": READ | {"add", "change", "issue"},
        "oversight.bulletintransition": READ,
    },
    Role.DEPARTMENT: {"oversight.dutyitem": READ | {"report"}, "oversight.dutyitemtransition": READ},
    Role.TOWNSHIP: {"oversight.dutyitem": READ | {"report"}, "oversight.dutyitemtransition": READ},
    Role.LEADER: {"oversight.*": READ},
}.items():
    PERMISSIONS[_role].update(_perms)
# 季度考核 (assessment): schemes, assessments and 约谈 rules are read whole by every government role; a unit's
# results, 申诉 and 约谈 by that unit (scope). add/publish 计算/发布 an assessment, decide 采纳/不予采纳 a 申诉,
# change 约谈 steps — the office; a township or department submits (add) 申诉 about its own result.
_ASSESSMENT_READ = {
    "assessment.scheme": VIEW,
    "assessment.assessment": READ,
    "assessment.assessmenttransition": READ,
    "assessment.result": READ,
    "assessment.rulepoint": READ,
    "assessment.appeal": READ,
    "assessment.appealtransition": READ,
    "assessment.interviewrule": VIEW,
    "assessment.interview": READ,
    "assessment.interviewtransition": READ,
    "assessment.commitment": READ,
}
for _role, _extra in {
    Role.DISTRICT_OFFICE: {
        **_ASSESSMENT_READ,
        "assessment.scheme": frozenset({"view", "change"}),
        "assessment.assessment": READ | {"add", "publish"},
        "assessment.appeal": READ | {"decide"},
        "assessment.interview": READ | {"add", "change"},
    },
    Role.LEADER: _ASSESSMENT_READ,
    Role.DEPARTMENT: {**_ASSESSMENT_READ, "assessment.appeal": READ | {"add"}},
    Role.TOWNSHIP: {**_ASSESSMENT_READ, "assessment.appeal": READ | {"add"}},
}.items():
    PERMISSIONS[_role].update(_extra)

# 监测预警 (monitoring): devices, readings, alarms and on-site check tasks follow their enterprise (scope).
#   handle  确认/处置/确认险情/消警 an alarm — the enterprise (on duty), its supervising department, the office
#   change  核查 an on-site check task — the township (属地) and the department; the office
_MONITORING_READ = {
    "monitoring.sensortype": VIEW,
    "monitoring.device": READ,
    "monitoring.rejection": READ,
    "monitoring.alarm": READ,
    "monitoring.alarmtransition": READ,
    "monitoring.checktask": READ,
    "monitoring.checktasktransition": READ,
}
for _role, _extra in {
    Role.DISTRICT_OFFICE: {
        **_MONITORING_READ,
        "monitoring.device": READ | {"add", "change"},
        "monitoring.alarm": READ | {"handle"},
        "monitoring.checktask": READ | {"change"},
    },
    Role.DEPARTMENT: {
        **_MONITORING_READ,
        "monitoring.device": READ | {"add", "change"},
        "monitoring.alarm": READ | {"handle"},
        "monitoring.checktask": READ | {"change"},
    },
    Role.TOWNSHIP: {**_MONITORING_READ, "monitoring.checktask": READ | {"change"}},
    Role.LEADER: _MONITORING_READ,
    Role.ENTERPRISE: {
        **_MONITORING_READ,
        "monitoring.device": READ | {"add", "change"},
        "monitoring.alarm": READ | {"handle"},
    },
}.items():
    PERMISSIONS[_role].update(_extra)

# 源头管控 (sourcecontrol): 安全生产标准化 certificates, 安全费用 accounts and construction projects, 建设项目 with
# 安全审查/三同时/安全设计诊断 (`review`: the department's steps; `change`: the unit's 安全预评价 and 试运行), 淘汰.
_SOURCECONTROL_READ = {
    "sourcecontrol.standardisationcertificate": READ,
    "sourcecontrol.feeaccount": READ,
    "sourcecontrol.feespending": READ,
    "sourcecontrol.constructionproject": READ,
    "sourcecontrol.sourceproject": READ,
    "sourcecontrol.phaseoutitem": READ,
}
for _role, _extra in {
    Role.DISTRICT_OFFICE: {
        "sourcecontrol.standardisationcertificate": READ | {"add"},
        "sourcecontrol.feeaccount": READ,
        "sourcecontrol.feespending": READ,
        "sourcecontrol.constructionproject": READ,
        "sourcecontrol.sourceproject": READ | {"review"},
        "sourcecontrol.phaseoutitem": READ,
    },
    Role.LEADER: _SOURCECONTROL_READ,
    Role.DEPARTMENT: {
        "sourcecontrol.standardisationcertificate": READ | {"add"},
        "sourcecontrol.feeaccount": READ | {"add"},
        "sourcecontrol.feespending": READ,
        "sourcecontrol.constructionproject": READ | {"add", "change"},
        "sourcecontrol.sourceproject": READ | {"add", "review"},
        "sourcecontrol.phaseoutitem": READ | {"add", "change"},
    },
    Role.TOWNSHIP: {**_SOURCECONTROL_READ, "sourcecontrol.phaseoutitem": READ | {"add", "change"}},
    Role.ENTERPRISE: {
        "sourcecontrol.standardisationcertificate": VIEW,
        "sourcecontrol.feeaccount": READ | {"add"},
        "sourcecontrol.feespending": READ | {"add"},
        "sourcecontrol.constructionproject": READ | {"add", "change"},
        "sourcecontrol.sourceproject": READ | {"add", "change"},
        "sourcecontrol.phaseoutitem": READ | {"change"},
    },
}.items():
    PERMISSIONS[_role].update(_extra)

# 双重预防 (risk): risk points, assessments, 四色图, patrols and 一会三卡 belong to their unit (scope). The unit keeps
# them: assess 风险评估, patrol 巡查 (a 不符合 registers a hazard, so it also needs hazards add), confirm 确认动工卡.
# Government roles read them in their scope; the township and the department may also patrol a point on a visit.
# The office keeps the band tables (风险分级表: add a version, adopt it for a region).
_RISK_READ = {"risk.*": READ, "risk.risktable": VIEW, "risk.tableadoption": VIEW}
for _role, _extra in {
    Role.DISTRICT_OFFICE: {
        **_RISK_READ,
        "risk.risktable": frozenset({"view", "add"}),
        "risk.tableadoption": frozenset({"view", "add"}),
    },
    Role.LEADER: _RISK_READ,
    Role.DEPARTMENT: {**_RISK_READ, "risk.riskpoint": READ | {"patrol"}},
    Role.TOWNSHIP: {**_RISK_READ, "risk.riskpoint": READ | {"patrol"}},
    Role.ENTERPRISE: {
        "risk.riskpoint": READ | {"add", "change", "assess", "patrol"},
        "risk.riskpointtransition": READ,
        "risk.assessment": READ,
        "risk.patrol": READ | {"add"},
        "risk.siteplan": READ | {"add"},
        "risk.post": READ | {"add", "change"},
        "risk.postcard": READ,
        "risk.shiftmeeting": READ | {"add"},
        "risk.preshiftcheck": READ | {"add"},
        "risk.workpermit": READ | {"add", "change", "confirm"},
        "risk.workpermittransition": READ,
        "risk.risktable": VIEW,
        "risk.tableadoption": VIEW,
    },
}.items():
    PERMISSIONS[_role].update(_extra)

# 培训演练 (training): the rules as data are read by every role of the module; sessions are organised (add/change)
# by the office, departments, townships and units within their scope; certificates, drills and emergency plans
# are the unit's own records (its township and departments may add them too); rescue teams, supplies and 宣传 by
# government units; leaders read. Experts see nothing.
_TRAINING_REF = {
    "training.trainingtheme": VIEW,
    "training.trainingrule": VIEW,
    "training.certificatetype": VIEW,
    "training.drillrule": VIEW,
}
_TRAINING_WORK = {
    **_TRAINING_REF,
    "training.trainingsession": READ | {"add", "change"},
    "training.sessiontransition": READ,
    "training.attendance": READ,
    "training.certificate": READ | {"add", "change"},
    "training.drill": READ | {"add", "change"},
    "training.drilltransition": READ,
    "training.drillphoto": READ,
    "training.emergencyplan": READ | {"add", "change"},
    "training.rescueteam": READ | {"add", "change"},
    "training.teammember": READ,
    "training.emergencysupply": READ | {"add", "change"},
    "training.publicityactivity": READ | {"add", "change"},
}
for _role, _perms in {
    Role.DISTRICT_OFFICE: _TRAINING_WORK,
    Role.DEPARTMENT: _TRAINING_WORK,
    Role.TOWNSHIP: _TRAINING_WORK,
    Role.ENTERPRISE: {**_TRAINING_WORK, "training.emergencysupply": READ},
    Role.LEADER: {**_TRAINING_REF, **{k: READ for k in _TRAINING_WORK if k not in _TRAINING_REF}},
}.items():
    PERMISSIONS[_role].update(_perms)
# 从业人员名册: a unit keeps its own roster (and imports it); government roles read.
for _role in (Role.DISTRICT_OFFICE, Role.DEPARTMENT, Role.TOWNSHIP, Role.LEADER):
    PERMISSIONS[_role].update({"training.worker": READ, "training.workertraining": READ})
PERMISSIONS[Role.ENTERPRISE].update(
    {"training.worker": READ | {"add", "change", "import"}, "training.workertraining": READ | {"add"}}
)

# Roles whose scope is the whole district (no region prefix on the assignment needed).
DISTRICT_WIDE = frozenset({Role.DISTRICT_OFFICE, Role.LEADER, Role.TIP_CUSTODIAN, *ADMIN_ROLES})
