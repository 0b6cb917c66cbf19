"""The mix of units the demo district is made of: each kind's industry, frequency and name builder."""

from __future__ import annotations

import random
from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING

from zhiben.registry.choices import EnterpriseKind

from .names import BRANDS, NUMERALS, STREET_WORDS, person_name

if TYPE_CHECKING:
    from .generator import Place


@dataclass(frozen=True)
class Made:
    name: str
    kind: str
    uscc_prefix: str  # "91", "92", "93", "12", "52"; "" when the unit has no USCC
    employees: tuple[int, int] | None = None


@dataclass(frozen=True)
class Profile:
    """One kind of unit in the mix: its industry, how often it occurs, and how it is named."""

    key: str
    industry: str
    weight: int
    build: Callable[[random.Random, Place], Made]
    employees: tuple[int, int] = (1, 10)
    secondary: tuple[tuple[str, float], ...] = ()
    graded: bool = False  # 安全生产标准化 applies (工贸, 危化, 烟花爆竹…)
    above_scale: float = 0.0
    major_hazard: float = 0.0
    safety_managers: float = 0.0


# ---- name builders -------------------------------------------------------------------------------------------

COMPANY = EnterpriseKind.COMPANY.value
SOLE_TRADER = EnterpriseKind.SOLE_TRADER.value
VENUE = EnterpriseKind.VENUE.value
PROJECT = EnterpriseKind.CONSTRUCTION_PROJECT.value
HOUSE = EnterpriseKind.SELF_BUILT_HOUSE.value
COOPERATIVE = EnterpriseKind.COOPERATIVE.value
INSTITUTION = EnterpriseKind.INSTITUTION.value


def _brand(rng: random.Random, p: Place) -> str:
    roll = rng.random()
    if roll < 0.72:
        return rng.choice(BRANDS)
    if roll < 0.84:
        return person_name(rng)[0] + "记"
    if roll < 0.92:
        return person_name(rng)
    return p.village.short


def _company(rng: random.Random, p: Place, business: tuple[str, ...]) -> str:
    form = "有限责任公司" if rng.random() < 0.2 else "有限公司"
    return f"{rng.choice(p.words)}{rng.choice(BRANDS)}{rng.choice(business)}{form}"


def _shop(rng: random.Random, p: Place, business: tuple[str, ...]) -> str:
    prefix = rng.choice(("", p.township.short, p.county.name + p.township.name))
    return f"{prefix}{_brand(rng, p)}{rng.choice(business)}"


def small_shop(rng: random.Random, p: Place) -> Made:
    business = (
        "超市", "便利店", "副食店", "五金店", "餐馆", "小吃店", "饭店", "理发店", "美容店", "服装店",
        "农资店", "烧烤店", "米粉店", "手机店", "家电店", "建材店", "五金经营部", "副食经营部", "早餐店", "粮油店",
    )  # fmt: skip
    return Made(_shop(rng, p, business), SOLE_TRADER, "92")


def venue(rng: random.Random, p: Place) -> Made:
    return Made(
        _shop(rng, p, ("宾馆", "旅社", "网吧", "KTV", "足浴店", "棋牌室", "茶楼", "酒楼")), VENUE, "92"
    )


def commerce(rng: random.Random, p: Place) -> Made:
    if rng.random() < 0.55:
        return Made(
            _company(rng, p, ("商贸", "贸易", "农资", "粮油贸易", "建材贸易", "日用品")), COMPANY, "91"
        )
    return Made(
        _shop(rng, p, ("商行", "建材经营部", "农资经营部", "农机配件经营部", "批发部")), SOLE_TRADER, "92"
    )


def industrial(*business: str) -> Callable[[random.Random, Place], Made]:
    def build(rng: random.Random, p: Place) -> Made:
        return Made(_company(rng, p, business), COMPANY, "91")

    return build


def gas_station(rng: random.Random, p: Place) -> Made:
    here = rng.choice((p.township.short, p.village.short, p.village.short))
    roll = rng.random()
    if roll < 0.4:
        name = f"中国石化销售股份有限公司湖南{p.county.city_short}{p.county.short}{here}加油站"
    elif roll < 0.65:
        name = f"中国石油天然气股份有限公司湖南{p.county.city_short}销售分公司{p.county.short}{here}加油站"
    else:
        name = f"{p.county.short}{here}{rng.choice(BRANDS)}加油站"
    return Made(name, COMPANY, "91", employees=(6, 18))


def fireworks(rng: random.Random, p: Place) -> Made:
    if rng.random() < 0.3:
        name = f"{rng.choice(p.words)}{rng.choice(BRANDS)}烟花爆竹{rng.choice(('有限公司', '批发部'))}"
        return Made(name, COMPANY, "91", employees=(5, 30))
    return Made(f"{p.county.name}{p.township.name}{_brand(rng, p)}烟花爆竹零售点", SOLE_TRADER, "92")


def construction_project(rng: random.Random, p: Place) -> Made:
    kind = rng.choice(
        (
            f"{p.township.short}安置小区",
            f"{p.village.short}还建房",
            f"{p.township.name}中心小学教学楼",
            f"{p.county.short}{rng.choice(STREET_WORDS)}路提质改造",
            f"{p.township.short}污水处理厂",
            f"{p.township.short}标准化厂房",
            f"{p.township.short}农贸市场",
            f"{p.village.short}农村公路安防",
            f"{rng.choice(BRANDS)}花园",
            f"{p.township.short}卫生院综合楼",
        )
    )
    return Made(f"{kind}{rng.choice(NUMERALS[:4])}期工程", PROJECT, "", employees=(15, 180))


def self_built_house(rng: random.Random, p: Place) -> Made:
    use = rng.choice(("民宿", "餐饮", "出租屋", "超市", "棋牌室", "小作坊"))
    return Made(f"{p.village.name}{person_name(rng)}自建房（{use}）", HOUSE, "", employees=(1, 6))


def gas(rng: random.Random, p: Place) -> Made:
    if rng.random() < 0.5:
        return Made(_company(rng, p, ("燃气", "天然气", "液化气")), COMPANY, "91", employees=(8, 60))
    return Made(_shop(rng, p, ("液化气供应站", "液化气经营部")), SOLE_TRADER, "92")


def road(rng: random.Random, p: Place) -> Made:
    business = ("货运", "物流运输", "汽车运输", "危险货物运输", "客运", "公交客运", "校车服务", "渣土运输")
    return Made(_company(rng, p, business), COMPANY, "91", employees=(5, 120))


def cooperative(*business: str) -> Callable[[random.Random, Place], Made]:
    def build(rng: random.Random, p: Place) -> Made:
        if rng.random() < 0.25:
            return Made(f"{p.county.name}{p.township.name}{person_name(rng)}家庭农场", SOLE_TRADER, "92")
        name = f"{p.county.name}{rng.choice((p.township.short, p.village.short))}{_brand(rng, p)}{rng.choice(business)}专业合作社"
        return Made(name, COOPERATIVE, "93", employees=(5, 40))

    return build


def postal(rng: random.Random, p: Place) -> Made:
    if rng.random() < 0.4:
        return Made(_company(rng, p, ("快递", "速递", "供应链")), COMPANY, "91", employees=(5, 40))
    return Made(_shop(rng, p, ("快递驿站", "快递服务部")), SOLE_TRADER, "92")


def highrise(rng: random.Random, p: Place) -> Made:
    name = f"{rng.choice(p.words)}{rng.choice(BRANDS)}{rng.choice(('购物广场', '商业广场', '城市综合体'))}有限公司"
    return Made(name, COMPANY, "91", employees=(40, 300))


def new_business(rng: random.Random, p: Place) -> Made:
    if rng.random() < 0.3:
        return Made(_company(rng, p, ("储能科技", "新能源")), COMPANY, "91", employees=(5, 40))
    return Made(_shop(rng, p, ("剧本杀馆", "密室逃脱馆", "电竞馆")), VENUE, "92")


def water(rng: random.Random, p: Place) -> Made:
    what = rng.choice(("电排站", "水利管理站", "泵站"))
    return Made(f"{p.county.name}{rng.choice((p.township.short, p.village.short))}{what}", INSTITUTION, "12")


def power(rng: random.Random, p: Place) -> Made:
    return Made(_company(rng, p, ("光伏发电", "电力工程", "水电")), COMPANY, "91", employees=(5, 60))


def tourism(rng: random.Random, p: Place) -> Made:
    roll = rng.random()
    if roll < 0.3:
        return Made(_company(rng, p, ("旅游开发", "文化旅游", "酒店管理")), COMPANY, "91", employees=(10, 80))
    return Made(_shop(rng, p, ("农家乐", "农庄", "生态园", "垂钓园")), SOLE_TRADER, "92")


def sports(rng: random.Random, p: Place) -> Made:
    return Made(_shop(rng, p, ("健身馆", "游泳馆", "羽毛球馆")), VENUE, "92", employees=(3, 20))


def education(rng: random.Random, p: Place) -> Made:
    roll = rng.random()
    if roll < 0.45:
        return Made(f"{p.county.name}{p.village.short}小学", INSTITUTION, "12", employees=(8, 40))
    if roll < 0.6:
        what = rng.choice(("中学", "中心小学", "中心幼儿园", "九年一贯制学校"))
        return Made(f"{p.county.name}{p.township.short}{what}", INSTITUTION, "12", employees=(20, 150))
    return Made(
        f"{p.county.name}{p.township.short}{_brand(rng, p)}幼儿园", INSTITUTION, "52", employees=(6, 30)
    )


def eldercare(rng: random.Random, p: Place) -> Made:
    roll = rng.random()
    if roll < 0.4:
        return Made(f"{p.county.name}{p.township.name}敬老院", INSTITUTION, "12", employees=(5, 25))
    if roll < 0.75:
        return Made(f"{p.county.name}{rng.choice(BRANDS)}养老院", INSTITUTION, "52", employees=(5, 40))
    return Made(_company(rng, p, ("养老服务", "康养")), COMPANY, "91", employees=(10, 60))


def health(rng: random.Random, p: Place) -> Made:
    roll = rng.random()
    if roll < 0.04:
        return Made(
            f"{p.county.name}{rng.choice(('人民医院', '中医医院', '妇幼保健院'))}",
            INSTITUTION,
            "12",
            (120, 500),
        )
    if roll < 0.2:
        return Made(f"{p.county.name}{p.township.name}卫生院", INSTITUTION, "12", employees=(20, 80))
    if roll < 0.55:
        return Made(f"{p.county.name}{p.township.name}{p.village.name}卫生室", INSTITUTION, "52", (1, 4))
    return Made(
        f"{p.county.name}{p.township.short}{person_name(rng)}诊所", SOLE_TRADER, "92", employees=(1, 6)
    )


def ebike(rng: random.Random, p: Place) -> Made:
    return Made(_shop(rng, p, ("电动车行", "电动车维修店", "电动车专卖店")), SOLE_TRADER, "92")


def waterway(rng: random.Random, p: Place) -> Made:
    return Made(_company(rng, p, ("水上客运", "船务", "渡运服务")), COMPANY, "91", employees=(4, 30))


# Weights per ~2 000 units: mostly small premises (九小场所) and shops, then 工贸, a few high-risk units.
PROFILES: tuple[Profile, ...] = (
    Profile("small_shop", "FIRE-SMALL", 560, small_shop, (1, 8)),
    Profile("venue", "FIRE-SMALL", 80, venue, (2, 15)),
    Profile("commerce", "COMMERCE", 200, commerce, (2, 30)),
    Profile(
        "machine",
        "INDTRADE-MACHINE",
        60,
        industrial("机械制造", "农机制造", "机电设备", "汽车配件", "钢结构", "五金制品", "机械"),
        (10, 200),
        secondary=(("SPECIAL-EQUIP", 0.3), ("INDTRADE-DUST", 0.08)),
        graded=True,
        above_scale=0.2,
        safety_managers=0.5,
    ),
    Profile(
        "light",
        "INDTRADE-LIGHT",
        90,
        industrial("米业", "粮油加工", "食品", "农产品加工", "茶业", "饲料", "纸业", "包装"),
        (8, 150),
        secondary=(("INDTRADE-CONFINED", 0.25), ("INDTRADE-DUST", 0.1)),
        graded=True,
        above_scale=0.15,
        safety_managers=0.35,
    ),
    Profile(
        "buildmat",
        "INDTRADE-BUILDMAT",
        45,
        industrial("新型建材", "混凝土", "水泥制品", "机制砖", "石材", "沥青"),
        (10, 120),
        secondary=(("SPECIAL-EQUIP", 0.3),),
        graded=True,
        above_scale=0.2,
        safety_managers=0.4,
    ),
    Profile(
        "textile",
        "INDTRADE-TEXTILE",
        20,
        industrial("纺织", "服饰", "制衣", "织造"),
        (20, 300),
        secondary=(("FIRE-LABOUR", 0.5),),
        graded=True,
        above_scale=0.2,
        safety_managers=0.4,
    ),
    Profile(
        "dust",
        "INDTRADE-DUST",
        12,
        industrial("木业", "家具", "竹木制品", "板材"),
        (10, 100),
        graded=True,
        above_scale=0.1,
        safety_managers=0.6,
    ),
    Profile(
        "confined",
        "INDTRADE-CONFINED",
        15,
        industrial("酒业", "酱业", "水产冷冻", "酿造", "水务"),
        (8, 80),
        graded=True,
        above_scale=0.1,
        safety_managers=0.5,
    ),
    Profile(
        "metal",
        "INDTRADE-METAL",
        4,
        industrial("铸造", "钢铁", "金属制品"),
        (30, 300),
        secondary=(("SPECIAL-EQUIP", 0.6),),
        graded=True,
        above_scale=0.5,
        safety_managers=0.9,
    ),
    Profile(
        "nonferrous",
        "INDTRADE-NONFERROUS",
        4,
        industrial("铝业", "铝型材", "有色金属"),
        (30, 250),
        secondary=(("INDTRADE-DUST", 0.4),),
        graded=True,
        above_scale=0.5,
        safety_managers=0.9,
    ),
    Profile(
        "labour",
        "FIRE-LABOUR",
        20,
        industrial("电子", "鞋业", "玩具", "箱包"),
        (50, 400),
        graded=True,
        above_scale=0.3,
        safety_managers=0.5,
    ),
    Profile(
        "hazchem_prod",
        "HAZCHEM-PROD",
        8,
        industrial("化工", "精细化工", "生物化工", "涂料", "化学"),
        (30, 300),
        graded=True,
        above_scale=0.4,
        major_hazard=0.5,
        safety_managers=1.0,
    ),
    Profile(
        "hazchem_trade",
        "HAZCHEM-TRADE",
        12,
        industrial("化工贸易", "危险化学品经营", "石油化工", "气体"),
        (3, 30),
        graded=True,
        major_hazard=0.15,
        safety_managers=0.8,
    ),
    Profile("gas_station", "HAZCHEM-TRADE", 14, gas_station, graded=True, safety_managers=0.6),
    Profile("fireworks", "FIREWORKS", 10, fireworks, (1, 4), graded=True, safety_managers=0.3),
    Profile(
        "construction_company",
        "CONSTRUCTION",
        25,
        industrial("建筑工程", "建设工程", "建筑劳务", "路桥工程", "市政工程"),
        (20, 300),
        secondary=(("SPECIAL-EQUIP", 0.2),),
        graded=True,
        above_scale=0.25,
        safety_managers=0.9,
    ),
    Profile("construction_project", "CONSTRUCTION", 50, construction_project, safety_managers=0.7),
    Profile("self_built_house", "SELFBUILT", 150, self_built_house),
    Profile("gas", "GAS", 7, gas, (2, 10), graded=True, major_hazard=0.2, safety_managers=0.7),
    Profile(
        "gas_pipeline",
        "GAS-PIPELINE",
        1,
        industrial("燃气管网", "管道燃气"),
        (20, 80),
        graded=True,
        safety_managers=1.0,
    ),
    Profile("road", "ROAD", 40, road, graded=True, above_scale=0.05, safety_managers=0.5),
    Profile("waterway", "WATERWAY", 4, waterway, safety_managers=0.5),
    Profile("fishery", "FISHERY", 15, cooperative("渔业", "水产养殖", "捕捞")),
    Profile("agri", "AGRI-MACHINE", 60, cooperative("农机", "水稻种植", "植保", "农业机械化")),
    Profile("postal", "POSTAL", 10, postal, (2, 12)),
    Profile(
        "warehouse",
        "WAREHOUSE",
        15,
        industrial("仓储", "冷链物流", "物流", "粮食仓储"),
        (5, 60),
        secondary=(("SPECIAL-EQUIP", 0.4),),
        graded=True,
        safety_managers=0.4,
    ),
    Profile("highrise", "FIRE-HIGHRISE", 4, highrise, safety_managers=1.0),
    Profile("new_business", "FIRE-NEW", 5, new_business, (2, 15)),
    Profile(
        "special_equipment",
        "SPECIAL-EQUIP",
        5,
        industrial("起重设备安装", "电梯工程", "锅炉安装"),
        (5, 40),
        graded=True,
        safety_managers=0.6,
    ),
    Profile("water", "WATER", 4, water, (2, 12)),
    Profile("power", "POWER", 4, power, safety_managers=0.5),
    Profile("tourism", "TOURISM", 14, tourism, (3, 20)),
    Profile("sports", "SPORTS", 3, sports),
    Profile("education", "EDUCATION", 40, education, safety_managers=0.5),
    Profile("eldercare", "ELDERCARE", 10, eldercare, safety_managers=0.5),
    Profile("health", "HEALTH", 30, health, safety_managers=0.3),
    Profile("ebike", "EBIKE", 20, ebike, (1, 5)),
)
PROFILE_BY_KEY = {p.key: p for p in PROFILES}
