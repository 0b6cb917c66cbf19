"""The demo's tip texts (tips_history.py acts them out): what reporters say, the custodian's 另行编辑 copies, how
checks end, and what workers report to their own units."""

from __future__ import annotations

from dataclasses import dataclass

from zhiben.tips.choices import Category


@dataclass(frozen=True)
class Text:
    """One believable tip: the reporter's words (`original`, may say who they are), the custodian's 另行编辑 copy
    (`working`), the industries of the unit it is about, and how a check ends."""

    category: str
    industries: tuple[str, ...]  # industry code prefixes of the unit; () with `unit`: an unregistered one
    original: str
    working: str
    hazard: str = ""  # the hazard a founded check registers ("" for none)
    major: bool = False
    summary: str = ""  # the anonymised public summary of a founded one
    unit: str = ""  # an unregistered subject (非法违法)
    founded: float = 0.7  # the chance the check finds it founded


HAZARD, MAJOR, ILLEGAL, CONCEALED = (
    Category.HAZARD,
    Category.MAJOR_HAZARD,
    Category.ILLEGAL,
    Category.CONCEALED,
)

TEXTS: tuple[Text, ...] = (
    Text(
        HAZARD,
        ("FIRE-SMALL", "COMMERCE"),
        "我在{unit}隔壁开店，经常看到他们后厨的液化气钢瓶就放在灶台边上，连接的软管都老化开裂了，也没装燃气报警器，"
        "太吓人了，请你们管一管。",
        "反映{unit}后厨液化气钢瓶紧靠灶台存放，连接软管老化开裂，未安装可燃气体报警装置。",
        "后厨液化气钢瓶与灶具安全距离不足、软管老化",
        summary="某餐饮店后厨液化气钢瓶存放不规范、软管老化，已责令立即整改，现已更换软管并加装报警装置。",
    ),
    Text(
        HAZARD,
        ("COMMERCE", "FIRE-SMALL"),
        "{unit}二楼的安全出口被一堆货物堵死了，消防通道上停满了电动车，晚上关门后卷帘门直接上锁。我每天去买菜都看到。",
        "反映{unit}二楼安全出口被货物堵塞，消防通道被电动车占用，夜间卷帘门上锁。",
        "安全出口堵塞、消防通道被占用",
        summary="某市场安全出口堵塞、消防车通道被占用，已督促清理并建立每日巡查制度。",
    ),
    Text(
        HAZARD,
        ("CONSTRUCTION",),
        "我是{unit}工地上做钢筋的，四楼以上的临边没有防护栏杆，外架上干活的人安全带都不系，出了事谁负责？",
        "反映{unit}在建楼栋四层以上临边未设置防护栏杆，外脚手架作业人员未系挂安全带。",
        "楼层临边防护缺失、高处作业未系安全带",
        summary="某在建工地临边防护缺失、高处作业未系安全带，已责令限期整改，防护设施已补齐。",
    ),
    Text(
        HAZARD,
        ("INDTRADE",),
        "{unit}车间冲床的防护罩被拆了好久，新来的工人没培训就直接上机，我表弟手指就差点被压了。",
        "反映{unit}车间冲床安全防护装置被拆除，新员工未经安全培训即上岗操作。",
        "冲床安全防护装置缺失、员工未经培训上岗",
        summary="某机械加工企业冲床防护装置缺失、员工未经培训上岗，已责令整改并开展全员培训。",
    ),
    Text(
        HAZARD,
        ("WAREHOUSE", "FIRE-LABOUR", "COMMERCE"),
        "{unit}仓库里的货堆到顶棚了，灭火器都过期一年多，消火栓被货架挡着，根本打不开。",
        "反映{unit}仓库货物堆垛过高，灭火器过期，室内消火栓被货架遮挡。",
        "仓库消防设施失效、堆垛过高",
        summary="某仓库消防器材过期、消火栓被遮挡，已责令更换器材、清理通道。",
        founded=0.6,
    ),
    Text(
        HAZARD,
        ("SPECIAL-EQUIP", "COMMERCE", "FIRE-HIGHRISE"),
        "{unit}的电梯检验合格证过期大半年了，上个月还困过人，物业说没钱修。",
        "反映{unit}电梯超期未检验，曾发生困人。",
        "电梯超期未检验",
        summary="某场所电梯超期未检，已责令停用并完成定期检验。",
        founded=0.6,
    ),
    Text(
        HAZARD,
        ("ROAD",),
        "{unit}的货车天天超载，司机一开就是十几个小时不休息，GPS都被他们拔了。",
        "反映{unit}货运车辆超载，驾驶员疲劳驾驶，车载卫星定位装置被拆除。",
        "车辆动态监控装置被拆除、驾驶员疲劳驾驶",
        summary="某运输企业车辆动态监控失效、驾驶员疲劳驾驶，已责令整改并对企业约谈。",
        founded=0.5,
    ),
    Text(
        HAZARD,
        ("HAZCHEM-TRADE",),
        "{unit}加油站晚上卸油的时候没人看着，静电接地夹也不夹，我路过好几次都看到了。",
        "反映{unit}夜间卸油作业无人监护，未连接静电接地装置。",
        "卸油作业无人监护、未连接静电接地",
        summary="某加油站卸油作业管理不规范，已责令整改并加强作业监护。",
    ),
    Text(
        MAJOR,
        ("HAZCHEM",),
        "{unit}储罐区的可燃气体报警器坏了好几个月了，一直没人修，罐区旁边还经常有人抽烟。我在厂里上班，不敢实名说。",
        "反映{unit}储罐区可燃气体报警装置长期故障未修复，罐区周边有吸烟现象。",
        "储罐区可燃气体检测报警装置失效",
        major=True,
        summary="某化工企业储罐区可燃气体报警装置失效，经核查属实，已按重大事故隐患挂牌督办并立案处罚。",
    ),
    Text(
        MAJOR,
        ("GAS",),
        "{unit}给没有检验标识的钢瓶充气，过期的瓶子也照样充，还往小饭店送。",
        "反映{unit}为未经检验、超期未检的气瓶充装液化石油气并对外配送。",
        "为超期未检气瓶充装液化石油气",
        major=True,
        summary="某燃气经营单位违规充装超期未检气瓶，经核查属实，已立案处罚并责令停业整改。",
    ),
    Text(
        MAJOR,
        ("INDTRADE",),
        "{unit}抛光车间粉尘特别大，除尘器一直不开，车间里用的都是普通插座和电扇，我们都很担心会爆炸。",
        "反映{unit}抛光车间粉尘积聚，除尘系统停用，作业场所使用非防爆电气设备。",
        "粉尘作业场所除尘系统停用、使用非防爆电气",
        major=True,
        summary="某企业粉尘涉爆作业场所除尘系统停用，经核查属实，已责令停产整改并立案处罚。",
    ),
    Text(
        MAJOR,
        ("CONSTRUCTION",),
        "{unit}深基坑边上堆满了土方和钢筋，也没见有人做监测，坑壁已经开裂了，旁边就是马路。",
        "反映{unit}深基坑周边超载堆放土方和材料，未开展基坑监测，坑壁出现裂缝。",
        "深基坑周边超载堆载、未开展监测",
        major=True,
        summary="某在建项目深基坑超载堆载且未监测，经核查属实，已责令停工整改并立案查处。",
        founded=0.8,
    ),
    Text(
        MAJOR,
        ("FIRE-LABOUR", "INDTRADE-TEXTILE", "INDTRADE-LIGHT"),
        "{unit}厂房和员工宿舍在同一栋楼，宿舍只有一个楼梯能下去，晚上还上锁。我老婆就住那里。",
        "反映{unit}生产厂房与员工宿舍设在同一建筑内，宿舍仅有一部疏散楼梯且夜间上锁。",
        "员工宿舍与生产厂房设在同一建筑内",
        major=True,
        summary="某企业“三合一”场所违规住人，经核查属实，已责令搬离宿舍并立案处罚。",
    ),
    Text(
        MAJOR,
        ("FIREWORKS",),
        "{unit}仓库里的烟花爆竹堆得满满的，远远超过核定的量，库房边上就是住户。",
        "反映{unit}仓库超量储存烟花爆竹，库房与居民住宅距离不足。",
        "烟花爆竹仓库超量储存",
        major=True,
        summary="某烟花爆竹经营单位超量储存，经核查属实，已责令转移超量产品并立案处罚。",
    ),
    Text(
        ILLEGAL,
        (),
        "我们村路边有一个没挂牌子的仓库，里面全是烟花爆竹，晚上经常有面包车来拉货，离小学不到三百米。",
        "反映某村道路旁一处无标识仓库存放烟花爆竹，夜间有车辆装运。",
        unit="无证烟花爆竹储存点",
        summary="群众反映的无证储存烟花爆竹窝点经核查属实，已依法取缔，物品已收缴销毁。",
        founded=0.9,
    ),
    Text(
        ILLEGAL,
        (),
        "镇上那个废品收购站在院子里拆报废车，气割的火花到处飞，旁边还堆着轮胎和废油桶。",
        "反映某废品收购站在露天场地违规拆解报废机动车，动火作业周边堆放可燃物。",
        unit="路口废品收购站（无照）",
        summary="某废品收购站无资质拆解报废车辆，已责令停止违法行为并移送相关部门查处。",
    ),
    Text(
        ILLEGAL,
        ("HAZCHEM-TRADE", "COMMERCE"),
        "{unit}没有危化品经营许可证，店里偷偷卖油漆稀释剂和液化气，我买过。",
        "反映{unit}无危险化学品经营许可证销售稀释剂、液化石油气。",
        "无证经营危险化学品",
        summary="某商户无证经营危险化学品，经核查属实，已责令停止经营并立案处罚。",
        founded=0.6,
    ),
    Text(
        CONCEALED,
        ("INDTRADE",),
        "{unit}上个月有个工人在车间被机器卷伤，送到医院后单位私下赔了钱，叫大家不要往外说，一直没有上报。"
        "我是他工友，留个电话方便核实。",
        "反映{unit}上月发生一起机械伤害事故，一名工人受伤送医，单位私了未按规定报告。",
        "机械设备转动部位防护缺失",
        summary="某企业发生生产安全事故后未按规定报告，经核查属实，已依法立案查处。",
        founded=1.0,
    ),
)
UNFOUNDED_ANSWER = "经现场核查，您反映的问题未发现，举报不属实。感谢您对安全生产工作的关心和支持。"
UNFOUNDED_CONCLUSION = "承办人员到现场核查，未发现举报反映的问题，调阅相关记录和监控亦未见异常。"


# (industry prefixes the unit should be in, place, what the worker said, founded?, hazard title)
INTERNAL_TEXTS: tuple[tuple[tuple[str, ...], str, str, bool, str], ...] = (
    (
        ("INDTRADE",),
        "二号车间",
        "二号车间配电箱门损坏，电线裸露在外，下雨天地面有积水。",
        True,
        "车间配电箱门损坏、电线裸露",
    ),
    (
        ("INDTRADE",),
        "冲压线",
        "冲床光电保护装置被人为屏蔽，操作工图快直接伸手取件。",
        True,
        "冲床光电保护装置被屏蔽",
    ),
    (
        ("HAZCHEM",),
        "储罐区",
        "储罐区可燃气体报警器有一个探头一直报故障，值班人员把它关了。",
        True,
        "罐区可燃气体报警探头故障停用",
    ),
    (("HAZCHEM",), "装卸台", "装卸台静电接地线断了一根。", True, "装卸台静电接地线断裂"),
    (("CONSTRUCTION",), "3号楼", "3号楼五层电梯井口防护门没有装，夜里看不清。", True, "电梯井口未设防护门"),
    (("CONSTRUCTION",), "塔吊", "塔吊司机说限位器不灵，班组长让先用着。", True, "塔吊起升高度限位器失灵"),
    ((), "仓库", "仓库西门常年锁着，钥匙找不到。", True, "仓库安全出口常闭上锁"),
    ((), "食堂", "食堂液化气间门口堆了纸箱。", False, ""),
    ((), "宿舍", "有人在宿舍里给电动车电池充电。", True, "员工宿舍内为电动车电池充电"),
    ((), "厂区道路", "叉车倒车没有声光报警。", False, ""),
)
INTERNAL_UNFOUNDED = "经安全管理人员现场核实，反映情况已于报告前整改完毕，不属实。"
