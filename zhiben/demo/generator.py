"""The planned synthetic world as pure data (no database): the same scale, seed and count give the same rows.

Only `random.Random(seed)` is used, sets are never iterated and no value depends on the clock, so the plan is
identical on any machine and database. `seeding.py` writes the plan through the registry services.
"""

from __future__ import annotations

import json
import random
from collections.abc import Iterator
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path

from zhiben.core.codes import make_uscc
from zhiben.registry.choices import EnterpriseStatus, PersonRole, StandardisationGrade

from .names import STREET_WORDS, mobile_phone, person_name, place_word
from .profiles import COMPANY, COOPERATIVE, INSTITUTION, PROFILE_BY_KEY, PROFILES, PROJECT

REGIONS_FILE = Path(__file__).resolve().parent.parent / "registry" / "data" / "regions.json"

SCALES: dict[str, int] = {"district": 2_000, "city": 20_000, "province": 200_000}
SYNTHETIC_SOURCE = "合成演示数据（基准测试用）"
# The synthetic geography has its own fixed seed: runs with different --seed values share the same regions.
REGION_SEED = 20240312
QUYUAN_CODE = "430671"
# 屈原管理区 lies roughly within these bounds (longitude, latitude); demo points are kept inside.
QUYUAN_BOUNDS = (112.85, 113.05, 28.78, 28.98)
# Approximate township centres (longitude, latitude) for the demo map; not surveyed positions.
QUYUAN_CENTRES = {
    "天问街道": (112.955, 28.885),
    "营田镇": (112.905, 28.845),
    "河市镇": (113.000, 28.815),
    "凤凰乡": (112.950, 28.940),
}
# Share of enterprises per township: 营田镇 is the seat of government and the commercial centre.
QUYUAN_WEIGHTS = {"营田镇": 34, "天问街道": 26, "河市镇": 22, "凤凰乡": 18}
# Real Hunan prefecture-level cities (GB/T 2260) that host synthetic benchmark counties at province scale.
CITIES = (
    ("430600", "岳阳市", (113.13, 29.37)),
    ("430100", "长沙市", (112.94, 28.23)),
    ("430200", "株洲市", (113.13, 27.83)),
    ("430300", "湘潭市", (112.94, 27.83)),
    ("430400", "衡阳市", (112.57, 26.89)),
    ("430500", "邵阳市", (111.47, 27.24)),
    ("430700", "常德市", (111.70, 29.03)),
    ("430900", "益阳市", (112.36, 28.55)),
    ("431000", "郴州市", (113.01, 25.77)),
    ("431100", "永州市", (111.61, 26.42)),
)


@dataclass(frozen=True)
class Village:
    code: str
    name: str
    short: str
    centre: tuple[float, float]

    @property
    def is_community(self) -> bool:
        return self.name.endswith(("社区", "居委会"))


@dataclass(frozen=True)
class Township:
    code: str
    name: str
    short: str
    villages: tuple[Village, ...]
    weight: float


@dataclass(frozen=True)
class County:
    code: str
    name: str
    short: str
    city_name: str
    city_short: str
    townships: tuple[Township, ...]
    # 登记管理机关行政区划码 used in USCCs: 屈原's townships are legally 汨罗市 units, so some carry 430681.
    uscc_regions: tuple[str, ...]
    bounds: tuple[float, float, float, float] | None = None


@dataclass(frozen=True)
class PlannedRegion:
    code: str
    name: str
    level: int
    parent: str


@dataclass(frozen=True)
class PlannedPerson:
    name: str
    phone: str
    title: str
    role: str = PersonRole.SAFETY_MANAGER.value


@dataclass(frozen=True)
class PlannedEnterprise:
    uscc: str | None
    name: str
    kind: str
    region_code: str
    township: str
    county: str
    industries: tuple[str, ...]  # primary first
    address: str
    longitude: Decimal
    latitude: Decimal
    is_above_scale: bool
    has_major_hazard_source: bool
    standardisation_grade: str
    employees: int
    principal_name: str
    principal_phone: str
    controller_name: str
    controller_phone: str
    status: str
    people: tuple[PlannedPerson, ...] = ()
    slot: str = ""  # persona slot (qiye1…) for the anchor rows

    @property
    def key(self) -> str:
        """Natural key: the USCC, or region and name for projects and houses that have none."""
        return self.uscc or f"{self.region_code}|{self.name}"


@dataclass(frozen=True)
class Place:
    """Where a row is being generated; name builders take their place words from here."""

    county: County
    township: Township
    village: Village

    @property
    def words(self) -> tuple[str, ...]:
        return (
            self.county.city_short,
            "湖南",
            self.county.short,
            self.county.short,
            self.township.short,
            self.township.short,
            self.village.short,
        )


# Persona anchors: the first rows of 屈原管理区, so the enterprise personas exist at every count.
ANCHORS = (
    ("qiye1", "machine", "营田镇"),
    ("qiye2", "hazchem_prod", "河市镇"),
    ("qiye3", "construction_company", "天问街道"),
)
SAFETY_TITLES = ("专职安全员", "安全主管", "安全环保部经理", "兼职安全员", "安全总监")


# ---- geography -----------------------------------------------------------------------------------------------


def _short(name: str) -> str:
    for suffix in ("街道", "居委会", "社区", "镇", "乡", "村", "区", "县"):
        if name.endswith(suffix) and len(name) > len(suffix):
            return name[: -len(suffix)]
    return name


def _village_centre(code: str, centre: tuple[float, float], spread: float) -> tuple[float, float]:
    # Seeded by the code, so a village sits in the same place whatever the run's seed.
    rng = random.Random(int(code))
    return (centre[0] + rng.uniform(-spread, spread), centre[1] + rng.uniform(-spread, spread))


def quyuan_county() -> County:
    """屈原管理区 with its real townships and villages from registry/data/regions.json."""
    rows = json.loads(REGIONS_FILE.read_text(encoding="utf-8"))
    townships = []
    for t in rows:
        if t.get("parent") != QUYUAN_CODE or t["level"] != 4:
            continue
        centre = QUYUAN_CENTRES.get(t["name"], (112.95, 28.88))
        villages = tuple(
            Village(v["code"], v["name"], _short(v["name"]), _village_centre(v["code"], centre, 0.018))
            for v in rows
            if v.get("parent") == t["code"]
        ) or (Village(t["code"], t["name"], _short(t["name"]), centre),)
        townships.append(
            Township(t["code"], t["name"], _short(t["name"]), villages, QUYUAN_WEIGHTS.get(t["name"], 20))
        )
    return County(
        code=QUYUAN_CODE,
        name="屈原管理区",
        short="屈原",
        city_name="岳阳市",
        city_short="岳阳",
        townships=tuple(townships),
        uscc_regions=(QUYUAN_CODE,) * 4 + ("430681",),
        bounds=QUYUAN_BOUNDS,
    )


def synthetic_geography(scale: str) -> tuple[list[PlannedRegion], list[County]]:
    """Benchmark counties (codes xx90–xx99, unused by GB/T 2260 in Hunan) with townships and villages."""
    if scale == "district":
        return [], []
    rng = random.Random(REGION_SEED)
    cities = CITIES[:1] if scale == "city" else CITIES
    regions: list[PlannedRegion] = []
    counties: list[County] = []
    county_names: set[str] = set()
    for city_code, city_name, (lon, lat) in cities:
        if city_code != "430600":  # 岳阳市 is in the shipped reference data
            regions.append(PlannedRegion(city_code, city_name, 2, "430000"))
        numbers = range(91, 100) if city_code == "430600" else range(90, 100)
        for index, number in enumerate(numbers):
            code = f"{city_code[:4]}{number:02d}"
            word = _unique(rng, county_names)
            name = word + ("区" if index == 0 else "县")
            centre = (lon + rng.uniform(-0.6, 0.6), lat + rng.uniform(-0.5, 0.5))
            regions.append(PlannedRegion(code, name, 3, city_code))
            townships = []
            township_names: set[str] = set()
            for suffix, kind in (("001", "街道"), ("100", "镇"), ("101", "镇"), ("102", "镇"), ("200", "乡")):
                t_code = code + suffix
                t_word = _unique(rng, township_names)
                t_centre = (centre[0] + rng.uniform(-0.12, 0.12), centre[1] + rng.uniform(-0.12, 0.12))
                regions.append(PlannedRegion(t_code, t_word + kind, 4, code))
                villages = []
                village_names: set[str] = set()
                for k in range(rng.randint(5, 8)):
                    v_code = t_code + ("101" if k == 0 else f"2{k:02d}")
                    v_name = _unique(rng, village_names) + ("社区" if k == 0 else "村")
                    regions.append(PlannedRegion(v_code, v_name, 5, t_code))
                    villages.append(
                        Village(v_code, v_name, _short(v_name), _village_centre(v_code, t_centre, 0.04))
                    )
                townships.append(
                    Township(t_code, t_word + kind, t_word, tuple(villages), rng.uniform(10, 30))
                )
            counties.append(
                County(code, name, word, city_name, city_name[:-1], tuple(townships), uscc_regions=(code,))
            )
    return regions, counties


def _unique(rng: random.Random, used: set[str]) -> str:
    for _ in range(500):
        word = place_word(rng)
        if word not in used:
            used.add(word)
            return word
    raise RuntimeError("合成地名已用尽")


# ---- enterprises ---------------------------------------------------------------------------------------------


def _split(total: int, parts: int) -> list[int]:
    base, extra = divmod(total, parts)
    return [base + (1 if i < extra else 0) for i in range(parts)]


@dataclass
class Plan:
    """What one run of seed-demo means: the synthetic regions and, lazily, the enterprise rows."""

    scale: str
    seed: int
    count: int
    regions: list[PlannedRegion]
    counties: list[County]
    shares: list[int] = field(default_factory=list)

    def enterprises(self) -> Iterator[PlannedEnterprise]:
        """Yield the planned rows in order; a generator so 200 000 rows never sit in memory at once."""
        rng = random.Random(self.seed)
        used_names: set[str] = set()  # membership only; never iterated (iteration order would vary)
        used_usccs: set[str] = set()
        cum_weights = []
        total = 0
        for profile in PROFILES:
            total += profile.weight
            cum_weights.append(total)
        for county, share in zip(self.counties, self.shares, strict=True):
            t_weights = [t.weight for t in county.townships]
            for i in range(share):
                anchor = ANCHORS[i] if county.code == QUYUAN_CODE and i < len(ANCHORS) else None
                yield _make_row(rng, county, t_weights, cum_weights, anchor, used_names, used_usccs)


def plan_world(scale: str, seed: int, count: int | None = None) -> Plan:
    """The deterministic plan for `seed-demo --scale scale --seed seed [--enterprises count]`."""
    if scale not in SCALES:
        raise ValueError(f"未知规模：{scale}")
    count = SCALES[scale] if count is None else count
    if count < len(ANCHORS):
        raise ValueError(f"生产经营单位数量至少为 {len(ANCHORS)}（演示企业账号需要）。")
    regions, synthetic = synthetic_geography(scale)
    counties = [quyuan_county(), *synthetic]
    # 屈原管理区 first, with the anchors on top of its even share.
    shares = _split(count - len(ANCHORS), len(counties))
    shares[0] += len(ANCHORS)
    return Plan(scale, seed, count, regions, counties, shares)


def _make_row(
    rng: random.Random,
    county: County,
    t_weights: list[float],
    cum_weights: list[int],
    anchor: tuple[str, str, str] | None,
    used_names: set[str],
    used_usccs: set[str],
) -> PlannedEnterprise:
    # Redraw until the name is new: names are unique across the plan, as registered names are locally.
    for _ in range(200):
        if anchor:
            profile = PROFILE_BY_KEY[anchor[1]]
            township = next(t for t in county.townships if t.name == anchor[2])
        else:
            profile = rng.choices(PROFILES, cum_weights=cum_weights)[0]
            township = rng.choices(county.townships, weights=t_weights)[0]
        village = rng.choice(township.villages)
        made = profile.build(rng, Place(county, township, village))
        if made.name not in used_names and len(made.name) <= 100:
            used_names.add(made.name)
            break
    else:
        raise RuntimeError("无法生成不重复的单位名称")
    uscc = (
        _uscc(rng, made.uscc_prefix, rng.choice(county.uscc_regions), used_usccs)
        if made.uscc_prefix
        else None
    )
    low, high = made.employees or profile.employees
    # Skewed towards the small end: most units are small.
    employees = low + int((high - low) * rng.random() ** 2)
    above_scale = made.kind == COMPANY and rng.random() < profile.above_scale
    if above_scale:
        employees = max(employees, rng.randint(60, 400))
    grade = StandardisationGrade.NONE.value
    if profile.graded and made.kind == COMPANY:
        grades = ("none", "small", "3", "2")
        grade = rng.choices(grades, weights=(10, 20, 50, 20) if above_scale else (35, 35, 27, 3))[0]
    principal, principal_phone = person_name(rng), mobile_phone(rng)
    if made.kind == INSTITUTION:
        controller, controller_phone = "", ""  # 事业单位 have no 实际控制人
    elif made.kind in (COMPANY, COOPERATIVE, PROJECT) and rng.random() < 0.45:
        controller, controller_phone = person_name(rng), mobile_phone(rng)
    else:
        controller, controller_phone = principal, principal_phone
    people: tuple[PlannedPerson, ...] = ()
    if rng.random() < profile.safety_managers:
        n = 2 if employees >= 100 else 1
        people = tuple(
            PlannedPerson(person_name(rng), mobile_phone(rng), rng.choice(SAFETY_TITLES)) for _ in range(n)
        )
    secondary = tuple(code for code, p in profile.secondary if rng.random() < p)
    lon, lat = _point(rng, village.centre, county.bounds)
    status = EnterpriseStatus.OPERATING.value
    if not anchor:
        status = rng.choices(
            (
                EnterpriseStatus.OPERATING.value,
                EnterpriseStatus.SUSPENDED.value,
                EnterpriseStatus.CLOSED.value,
            ),
            weights=(95, 4, 1),
        )[0]
    return PlannedEnterprise(
        uscc=uscc,
        name=made.name,
        kind=made.kind,
        region_code=village.code,
        township=township.name,
        county=county.name,
        industries=(profile.industry, *secondary),
        address=_address(rng, county, township, village, made.kind),
        longitude=lon,
        latitude=lat,
        is_above_scale=above_scale,
        has_major_hazard_source=rng.random() < profile.major_hazard,
        standardisation_grade=grade,
        employees=employees,
        principal_name=principal,
        principal_phone=principal_phone,
        controller_name=controller,
        controller_phone=controller_phone,
        status=status,
        people=people,
        slot=anchor[0] if anchor else "",
    )


def _uscc(rng: random.Random, prefix: str, region: str, used: set[str]) -> str:
    digits = "0123456789"
    alphabet = "0123456789ABCDEFGHJKLMNPQRTUWXY"
    while True:
        if prefix in ("91", "92", "93", "52") and rng.random() < 0.85:
            # Codes issued since 2015 have a 主体标识码 of the form MA4x… (湖南's MA4L/MA4M/… series).
            body = "MA4" + rng.choice("LMNPQRT") + "".join(rng.choice(alphabet) for _ in range(4))
        else:
            body = "".join(rng.choice(digits) for _ in range(8))  # an older 组织机构代码 kept in the USCC
        code = make_uscc(prefix[0], prefix[1], region, body)
        if code not in used:
            used.add(code)
            return code


def _point(
    rng: random.Random, centre: tuple[float, float], bounds: tuple[float, float, float, float] | None
) -> tuple[Decimal, Decimal]:
    lon, lat = centre[0] + rng.gauss(0, 0.005), centre[1] + rng.gauss(0, 0.005)
    if bounds:
        lon = min(max(lon, bounds[0]), bounds[1])
        lat = min(max(lat, bounds[2]), bounds[3])
    return Decimal(f"{lon:.6f}"), Decimal(f"{lat:.6f}")


def _address(rng: random.Random, county: County, township: Township, village: Village, kind: str) -> str:
    head = f"湖南省{county.city_name}{county.name}{township.name}{village.name}"
    if kind == PROJECT:
        a, b = rng.sample(STREET_WORDS, 2)
        return f"{head}{a}路与{b}路交叉口"
    if village.is_community:
        return f"{head}{rng.choice(STREET_WORDS)}路{rng.randint(1, 399)}号"
    return f"{head}{rng.randint(1, 12)}组{rng.randint(1, 60)}号"
