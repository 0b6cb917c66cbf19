"""The module map of the seed (屈安发〔2024〕1号): what the navigation shows, built or not yet."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from django.core.signals import setting_changed
from django.urls import get_script_prefix, get_urlconf, reverse
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

# reverse() of the fixed URLs every page draws (the navigation's ~100 links, the password policy's exemptions),
# kept per URL name, arguments, script prefix and URLconf: reversing them anew took ~2 ms of every page.
_URLS: dict[tuple[Any, ...], str] = {}


def fixed_url(name: str, *args: Any) -> str:
    """reverse(name, args) for a URL that depends on nothing but the URLconf (memoised)."""
    key = (name, args, get_script_prefix(), get_urlconf())
    found = _URLS.get(key)
    if found is None:
        found = _URLS[key] = reverse(name, args=args)
    return found


def _forget_urls(*, setting: str, **kwargs: Any) -> None:
    if setting == "ROOT_URLCONF":
        _URLS.clear()


setting_changed.connect(_forget_urls, dispatch_uid="core.navigation.fixed_url")


@dataclass(frozen=True)
class NavItem:
    label: str | Promise
    url_name: str | None = None  # None: the module is not built yet and says so plainly
    model: str | None = None  # "app.model": shown only to users who may view it


@dataclass(frozen=True)
class Module:
    key: str
    label: str | Promise
    icon: str
    seed_ref: str
    items: tuple[NavItem, ...] = field(default_factory=tuple)
    summary: str | Promise = ""

    @property
    def built(self) -> bool:
        return any(i.url_name for i in self.items)


MODULES: tuple[Module, ...] = (
    Module(
        "campaign",
        _("治本攻坚"),
        "bullseye",
        "一–三",
        (
            NavItem(_("三年行动"), "campaign:plan", "campaign.task"),
            NavItem(_("攻坚登记"), "campaign:register_list", "campaign.registerentry"),
            NavItem(_("指挥大屏"), "campaign:screen", "campaign.task"),
        ),
        _("三年行动的目标、22项措施分解的任务、牵头与配合单位、进展报告与逾期督办。"),
    ),
    Module(
        "hazards",
        _("重大隐患"),
        "exclamation-triangle",
        "三(三)5–6",
        (
            NavItem(_("重大事故隐患清单"), "hazards:major_list", "hazards.hazard"),
            NavItem(_("隐患台账"), "hazards:hazard_list", "hazards.hazard"),
            NavItem(_("销号记录"), "hazards:closure_list", "hazards.hazard"),
            NavItem(_("逾期督办"), "hazards:escalation_list", "hazards.escalation"),
            NavItem(_("统计分析"), "hazards:hazard_stats", "hazards.hazardtally"),
            NavItem(_("通报"), "hazards:bulletin_list", "hazards.hazardtally"),
            NavItem(_("判定标准"), "standards:standard_list", "standards.standard"),
            NavItem(_("条款检索"), "standards:clause_list", "standards.clause"),
            NavItem(_("规则设置"), "hazards:rules", "hazards.escalationrule"),
            NavItem(_("公文模板"), "core:document_template_list", "core.documenttemplate"),
        ),
        _("重大事故隐患动态清零：一单四制、五落实、销号与督办升级。"),
    ),
    Module(
        "inspections",
        _("监督检查"),
        "clipboard-check",
        "三(三)5、三(四)8",
        (
            NavItem(_("我的检查"), "inspections:my_inspections", "inspections.inspection"),
            NavItem(_("检查任务"), "inspections:inspection_list", "inspections.inspection"),
            NavItem(_("我的自查任务"), "inspections:duty_mine", "inspections.selfcheck"),
            NavItem(_("企业自查记录"), "inspections:selfcheck_list", "inspections.selfcheck"),
            NavItem(_("应查未查"), "inspections:duty_missed", "inspections.dutyoccurrence"),
            NavItem(_("年度检查计划"), "inspections:plan_list", "inspections.inspectionplan"),
            NavItem(_("双随机抽查"), "inspections:draw_list", "inspections.draw"),
            NavItem(_("执法检查人员"), "inspections:inspector_list", "inspections.inspector"),
            NavItem(_("检查表"), "standards:checklist_list", "standards.checklist"),
            NavItem(_("超频次检查审批"), "inspections:cap_exception_list", "inspections.capexception"),
            NavItem(_("检查频次上限"), "inspections:cap_list", "inspections.inspectioncap"),
            NavItem(_("自查规则"), "inspections:duty_rules", "inspections.dutyrule"),
        ),
        _("企业负责人自查、年度检查计划、双随机一公开、四不两直、联合与异地交叉检查。"),
    ),
    Module(
        "enforcement",
        _("执法打非"),
        "shield-exclamation",
        "三(四)7–8",
        (
            NavItem(_("执法案件"), "enforcement:case_list", "enforcement.case"),
            NavItem(_("打非治违"), "enforcement:operation_list", "enforcement.illegaloperation"),
            NavItem(_("提请关闭"), "enforcement:proposal_list", "enforcement.closureproposal"),
            NavItem(_("执法统计"), "enforcement:stats", "enforcement.illegaloperation"),
            NavItem(_("行政裁量基准"), "enforcement:discretion_list", "enforcement.discretionrule"),
        ),
        _("严格执法：立案查处、停产整顿、关闭取缔、联合惩戒、行刑衔接；打击非法违法生产经营建设行为。"),
    ),
    Module(
        "tips",
        _("举报奖励"),
        "megaphone",
        "三(四)9",
        (
            NavItem(_("举报办理"), "tips:manage", "tips.tip"),
            NavItem(_("举报奖励"), "tips:reward_list", "tips.reward"),
            NavItem(_("身份保密库"), "tips:vault", "tips.identityrequest"),
            NavItem(_("奖励标准"), "tips:reward_rules", "tips.rewardrule"),
            NavItem(_("内部举报"), "tips:internal_list", "tips.internalreport"),
        ),
        _("安全生产有奖举报：保密受理、核查、奖励发放。"),
    ),
    Module(
        "oversight",
        _("考核督办"),
        "award",
        "三(一)1–2",
        (
            NavItem(_("职责清单"), "oversight:lists", "oversight.dutyitem"),
            NavItem(_("督办交办"), "supervision:item_list", "supervision.supervisionitem"),
            NavItem(_("暗访"), "supervision:visit_list", "supervision.undercovervisit"),
            NavItem(_("季度考核排名"), "assessment:ranking", "assessment.assessment"),
            NavItem(_("约谈通报"), "assessment:interview_list", "assessment.interview"),
            NavItem(_("通报报告"), "oversight:bulletin_list", "oversight.bulletin"),
            NavItem(_("事故登记"), "accidents:accident_list", "accidents.accident"),
            NavItem(_("事故统计"), "accidents:accident_stats", "accidents.accident"),
            NavItem(_("指标库"), "indicators:index", "hazards.hazardtally"),
            NavItem(_("指标对比"), "indicators:compare", "hazards.hazardtally"),
        ),
        _("一季度一考核、一季度一排名、一季度一约谈；督办交办与通报。"),
    ),
    Module(
        "prevention",
        _("双重预防"),
        "diagram-3",
        "三(五)",
        (
            NavItem(_("风险分级"), "risk:point_list", "risk.riskpoint"),
            NavItem(_("重大风险清单"), "risk:major_list", "risk.riskpoint"),
            NavItem(_("风险统计"), "risk:stats", "risk.riskpoint"),
            NavItem(_("一会三卡"), "risk:card_index", "risk.post"),
            NavItem(_("动工卡"), "risk:permit_list", "risk.workpermit"),
            NavItem(
                _("安全生产标准化"),
                "sourcecontrol:certificate_list",
                "sourcecontrol.standardisationcertificate",
            ),
            NavItem(_("安全费用"), "sourcecontrol:fees", "sourcecontrol.feeaccount"),
            NavItem(_("建设项目三同时"), "sourcecontrol:project_list", "sourcecontrol.sourceproject"),
            NavItem(_("限制淘汰目录"), "sourcecontrol:catalogue", "sourcecontrol.sourceproject"),
            NavItem(_("落后设备淘汰"), "sourcecontrol:phaseout_list", "sourcecontrol.phaseoutitem"),
        ),
        _("安全风险分级管控和隐患排查治理双重预防机制、标准化建设。"),
    ),
    Module(
        "training",
        _("培训演练"),
        "mortarboard",
        "三(七)–(九)",
        (
            NavItem(_("培训考核"), "training:session_list", "training.trainingsession"),
            NavItem(_("应训未训"), "training:gaps", "training.trainingsession"),
            NavItem(_("持证上岗"), "training:certificate_list", "training.certificate"),
            NavItem(_("应急演练"), "training:drill_list", "training.drill"),
            NavItem(_("应练未练"), "training:drills_due", "training.drill"),
            NavItem(_("应急预案"), "training:plan_list", "training.emergencyplan"),
            NavItem(_("救援力量"), "training:resources", "training.rescueteam"),
            NavItem(_("宣传活动"), "training:publicity_list", "training.publicityactivity"),
        ),
        _("年度主题培训与应训未训、持证上岗、疏散逃生演练与应练未练、应急预案、救援力量、宣传。"),
    ),
    Module(
        "monitoring",
        _("监测预警"),
        "broadcast",
        "三(六)",
        (
            NavItem(_("监测总览"), "monitoring:home", "monitoring.device"),
            NavItem(_("监测设备"), "monitoring:device_list", "monitoring.device"),
            NavItem(_("报警处置"), "monitoring:alarm_list", "monitoring.alarm"),
            NavItem(_("现场核查"), "monitoring:task_list", "monitoring.checktask"),
        ),
        _("重点行业领域企业安全风险监测预警、智慧监管。"),
    ),
    Module(
        "registry",
        _("基础数据"),
        "database",
        "二",
        (
            NavItem(_("生产经营单位"), "registry:enterprise_list", "registry.enterprise"),
            NavItem(_("行政区划"), "registry:region_list", "registry.region"),
            NavItem(_("行业领域"), "registry:industry_list", "registry.industry"),
            NavItem(_("监管部门"), "registry:department_list", "registry.department"),
            NavItem(_("三管三必须"), "registry:responsibility_list", "registry.responsibility"),
        ),
        _("行政区划、行业领域、安委会成员单位、三管三必须职责与生产经营单位台账。"),
    ),
    Module(
        "system",
        _("系统管理"),
        "gear",
        "—",
        (
            NavItem(_("用户与角色"), "accounts:user_list", "accounts.user"),
            NavItem(_("账号锁定"), "accounts:lockout_list", "accounts.loginfailure"),
            NavItem(_("审计日志"), "accounts:audit_list", "core.auditentry"),
            NavItem(_("工作日历"), "accounts:calendar", "core.workdayoverride"),
        ),
        _("三员分立：系统管理员、安全管理员、审计管理员。"),
    ),
)


def module(key: str) -> Module:
    for m in MODULES:
        if m.key == key:
            return m
    raise KeyError(key)
