"""What the demo hazards say: titles, places, measures and reasons by kind of unit, and the judgement clauses
(判定标准) a 重大 hazard cites. Used by the hazard history (hazard_plan.py, hazard_history.py)."""

from __future__ import annotations

import datetime as dt
import random

from zhiben.registry.models import Industry
from zhiben.standards.models import Clause

# ---- text pools ----------------------------------------------------------------------------------------------

TITLES: dict[str, tuple[str, ...]] = {
    "fire": (
        "灭火器压力不足或超过维修期限",
        "疏散通道堆放杂物",
        "安全出口锁闭",
        "应急照明灯、疏散指示标志损坏",
        "电气线路私拉乱接",
        "电动自行车在室内停放充电",
        "室内消火栓被遮挡",
        "住宿与经营场所未采取有效防火分隔",
        "燃气软管老化未更换",
        "消防控制室值班人员未持证上岗",
        "防火门闭门器损坏",
        "彩钢板搭建的库房未做防火处理",
    ),
    "industry": (
        "设备转动部位防护罩缺失",
        "作业场所安全警示标志缺失",
        "配电箱未上锁，未安装漏电保护装置",
        "有限空间未设置警示标识",
        "作业人员未佩戴劳动防护用品",
        "叉车未按期检验",
        "安全教育培训记录不全",
        "应急预案未按规定组织演练",
        "粉尘清扫制度未落实，积尘较多",
        "隐患排查治理台账不完整",
        "行车吊钩防脱装置失效",
    ),
    "chemical": (
        "储罐区防火堤破损",
        "可燃气体报警仪未按期检定",
        "静电接地线断开",
        "安全阀超期未校验",
        "动火作业票填写不规范",
        "防爆电气设备密封损坏",
        "危险化学品储存未分区分类",
    ),
    "construction": (
        "楼层临边防护栏杆缺失",
        "脚手架连墙件设置不足",
        "安全平网破损未更换",
        "施工临时用电未按三级配电两级保护设置",
        "塔式起重机力矩限制器失灵",
        "基坑边缘1米内堆放材料",
        "作业人员未正确佩戴安全帽",
        "卸料平台未设置限载标识",
    ),
    "gas": (
        "燃气管道走向标识不清",
        "调压箱锈蚀",
        "餐饮用户未安装可燃气体报警器",
        "液化石油气钢瓶超期未检",
        "入户安检记录不全",
    ),
    "transport": (
        "车辆动态监控不在线",
        "驾驶员连续驾驶超过4小时",
        "车载灭火器失效",
        "危险货物运输车辆标志不全",
        "车辆安全例检记录缺失",
    ),
    "equipment": (
        "电梯维护保养超期",
        "锅炉水位计损坏",
        "压力容器安全阀未校验",
        "起重机械限位器失效",
    ),
}
FAMILY_BY_INDUSTRY = {
    "INDTRADE": "industry",
    "WAREHOUSE": "industry",
    "POSTAL": "industry",
    "HAZCHEM": "chemical",
    "FIREWORKS": "chemical",
    "CONSTRUCTION": "construction",
    "GAS": "gas",
    "ROAD": "transport",
    "WATERWAY": "transport",
    "SPECIAL-EQUIP": "equipment",
}
# 工贸 judgement clauses are grouped by sub-sector: cite those of the unit's own sub-sector (or the general ones).
INDTRADE_ARTICLES = {
    "INDTRADE-METAL": "冶金",
    "INDTRADE-NONFERROUS": "有色",
    "INDTRADE-BUILDMAT": "建材",
    "INDTRADE-MACHINE": "机械",
    "INDTRADE-LIGHT": "轻工",
    "INDTRADE-TEXTILE": "纺织",
    "INDTRADE-DUST": "粉尘",
    "INDTRADE-CONFINED": "有限空间",
}
LOCATIONS = {
    "fire": ("营业大厅", "后厨", "仓库", "楼梯间", "二楼住宿区", "配电间"),
    "industry": ("一号生产车间", "二号生产车间", "原料仓库", "配电房", "成品库", "污水处理池"),
    "chemical": ("储罐区", "装卸区", "甲类仓库", "生产装置区", "控制室"),
    "construction": ("3号楼施工现场", "基坑东侧", "塔吊作业区", "钢筋加工场", "生活区"),
    "gas": ("门站", "调压站", "用户端", "钢瓶储存间"),
    "transport": ("停车场", "车辆维修间", "调度室", "营运车辆"),
    "equipment": ("锅炉房", "电梯机房", "空压机房"),
}
# 移送: a hazard found by one department that another supervises; (from, to, title, reason).
TRANSFERS = (
    (
        "fire",
        "market",
        "液化石油气钢瓶超期未检仍在使用",
        "气瓶属特种设备，由市场监管局依法监管，移送处理",
    ),
    (
        "emergency",
        "fire",
        "员工宿舍设置在生产车间内（“三合一”）",
        "属消防安全问题，移送消防救援大队依法处理",
    ),
    ("fire", "emergency", "车间内堆放油漆稀释剂超过一日用量", "涉及危险化学品储存，移送应急管理局处理"),
)
PLAN_MEASURES = (
    "立即停止相关作业，组织专人限期整改，整改后由单位负责人复查",
    "采购更换相关设备设施，完善管理制度并组织全员培训",
    "委托有资质的单位实施整改，整改期间设置警戒区域",
    "按规范重新设置，落实日常巡查责任人",
)
MAJOR_MEASURES = (
    "制定专项治理方案，停产停业整改，委托有资质单位设计施工，整改完成后组织专家验收",
    "对相关装置实施改造，整改期间停用相关设备，落实专人24小时值守",
    "拆除违规设施，重新设计布局，整改后报请监管部门复核",
)
PROGRESS_STEPS = (
    (30, "已制定整改方案并落实资金，相关材料设备已采购"),
    (60, "整改施工过半，已完成主要设施更换"),
    (90, "整改基本完成，正在组织自查"),
)
REJECT_REASONS = (
    "经现场核查，反映的问题不存在，不构成事故隐患",
    "经核查，相关设施符合标准要求，不予认定",
    "举报所涉场所已停业拆除，不构成事故隐患",
)
RETURN_REASONS = ("复核发现整改不彻底，相关设施仍未达到标准要求，退回继续整改",)
EXTENSION_REASONS = (
    "整改需更换关键设备，供货周期较长，申请延期",
    "整改涉及停产改造，需与生产计划衔接，申请延期",
)
STOCK_EXTENSION_REASON = "整改需整体搬迁改造，施工周期长，申请延期至搬迁完成"
LONG_WORKS_PROGRESS = "搬迁改造工程按计划推进，整改期间安全防范措施落实到位"


# ---- clauses ---------------------------------------------------------------------------------------------------


def clause_candidates() -> list[tuple[Clause, frozenset[int]]]:
    """Every clause with the industries its standard applies to, in a stable order."""
    clauses = (
        Clause.objects.select_related("version__standard")
        .prefetch_related("version__standard__industries")
        .order_by("version__standard__code", "version__label", "sort_order", "code")
    )
    return [(c, frozenset(i.pk for i in c.version.standard.industries.all())) for c in clauses]


def clauses_for(
    industry: Industry, industries: dict[int, Industry], candidates: list[tuple[Clause, frozenset[int]]]
) -> list[Clause]:
    """Clauses of the standards for the unit's industry (or a parent industry); 工贸 by sub-sector."""
    chain = []
    node: Industry | None = industry
    while node is not None:
        chain.append(node.pk)
        node = industries.get(node.parent_id) if node.parent_id else None
    matching = [c for c, ids in candidates if any(pk in ids for pk in chain)]
    keyword = INDTRADE_ARTICLES.get(industry.code)
    if keyword:
        # The 通则 item (monitoring and alarm devices must work) is a rule of reading, not a hazard to cite.
        own = [c for c in matching if keyword in c.article or "通用" in c.article]
        matching = own or matching
    return matching


def clause_on(clauses: list[Clause], day: dt.date, rng: random.Random) -> Clause:
    """A clause of a version in force on `day` if there is one, else of any version that has clauses."""

    def in_force(c: Clause) -> bool:
        v = c.version
        return (v.effective_from is None or v.effective_from <= day) and (
            v.effective_to is None or day < v.effective_to
        )

    return rng.choice([c for c in clauses if in_force(c)] or clauses)


def title_of(clause: Clause | None) -> str:
    """A hazard named after the clause it meets: its first phrase, without the legal ending."""
    if clause is None:
        return "重大事故隐患"
    text = clause.text.strip().rstrip("。").removesuffix("的")
    for stop in ("；", "。"):
        text = text.split(stop)[0]
    if len(text) > 120:
        cut = text.rfind("，", 0, 120)
        text = text[: cut if cut > 20 else 120]
    return text.removesuffix("的")
