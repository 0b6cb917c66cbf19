"""The 7个100% (屈安发〔2024〕1号 一) and the other 100 % goals, as indicators with their denominators as data.

Only 规上工贸企业标准化 has its records today (the registry's `is_above_scale` and `standardisation_grade`);
the others are declared with their definitions and say 未接入 until their module or small register exists:
the campaign app connects them with `registry.connect(id, records_fn, source="campaign")` (the ids are the
`PLACEHOLDERS` below). Which industries count as 工贸 is data (`DENOMINATOR_SETS`), unverified: 待核实.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from django.db.models import QuerySet
from django.utils.translation import gettext_lazy as _

from zhiben.registry.choices import EnterpriseStatus, StandardisationGrade
from zhiben.registry.models import Enterprise, Industry
from zhiben.registry.scoping import with_descendants

from ..registry import (
    DEPARTMENT,
    DISTRICT,
    HIGHER,
    INDUSTRY,
    RATIO,
    TOWNSHIP,
    DenominatorSet,
    Indicator,
    Parts,
    Scope,
    Window,
    placeholder,
    register,
)
from .inspections import REASON, enterprises_in

GROUP = str(_("7个100%"))
SEED = "屈安发〔2024〕1号 一（7个100%）"

DENOMINATOR_SETS: dict[str, DenominatorSet] = {
    "above_scale_industry_trade": DenominatorSet(
        label=str(_("规上工贸企业")),
        industry_codes=("INDTRADE",),  # 工贸 and its sub-industries (registry/data/industries.json)
        source=str(
            _(
                "工贸行业范围取行业领域“工贸”及其下级（冶金、有色、建材、机械、轻工、纺织、涉爆粉尘、有限空间）；"
                "规上以生产经营单位台账的“规上企业”标记为准。"
            )
        ),
        verified=False,
    ),
}


def _industry_ids(codes: tuple[str, ...]) -> set[int]:
    return with_descendants(set(Industry.objects.filter(code__in=codes).values_list("pk", flat=True)))


def above_scale_standardisation(scope: Scope, w: Window) -> Parts:
    spec = DENOMINATOR_SETS["above_scale_industry_trade"]
    in_set = Enterprise.objects.unrestricted(REASON).filter(
        industries__in=sorted(_industry_ids(spec.industry_codes))
    )
    due: QuerySet[Any] = enterprises_in(scope).filter(
        pk__in=in_set.values("pk"), is_above_scale=True, status=EnterpriseStatus.OPERATING
    )
    return Parts(numerator=due.exclude(standardisation_grade=StandardisationGrade.NONE), denominator=due)


register(
    Indicator(
        id="campaign.above_scale_standardisation",
        name=str(_("规上工贸企业标准化")),
        definition=str(
            _(
                "在营的规上工贸企业中已评定安全生产标准化等级（小微、三级及以上）的 ÷ 在营的规上工贸企业。"
                "工贸行业范围和“规上”标记是台账数据，待核实。"
            )
        ),
        numerator_label=str(_("已达标的规上工贸企业")),
        denominator_label=str(_("规上工贸企业")),
        unit="%",
        kind=RATIO,
        direction=HIGHER,
        source="registry",
        target=Decimal(100),
        scopes=frozenset({DISTRICT, TOWNSHIP, DEPARTMENT, INDUSTRY}),
        records=above_scale_standardisation,
        seed_ref=SEED + "、三(五)13",
        group=GROUP,
        note=DENOMINATOR_SETS["above_scale_industry_trade"].source,
        verified=False,
        record_label=str(_("生产经营单位")),
    )
)

# The seed's other 100 % goals: declared, 未接入 until their module or register exists.
_UNIT_SCOPES = frozenset({DISTRICT, TOWNSHIP, DEPARTMENT, INDUSTRY})
PLACEHOLDERS: tuple[dict[str, Any], ...] = (
    {
        "id": "prevention.one_meeting_three_cards",
        "name": _("重点行业领域企业“一会三卡”覆盖率"),
        "definition": _("落实“一会三卡”制度的重点行业领域企业 ÷ 重点行业领域企业（高危企业）。"),
        "source": "prevention",
        "numerator_label": _("已落实“一会三卡”的企业"),
        "denominator_label": _("重点行业领域企业"),
        "seed_ref": SEED + "、三(五)12",
        "note": _("双重预防模块未建设。"),
    },
    {
        "id": "monitoring.risk_monitoring_coverage",
        "name": _("重点行业领域企业安全风险监测预警覆盖率"),
        "definition": _(
            "已接入安全风险监测预警系统的重点行业领域企业 ÷ 重点行业领域企业（危化品、涉爆粉尘等）。"
        ),
        "source": "monitoring",
        "numerator_label": _("已接入监测预警的企业"),
        "denominator_label": _("重点行业领域企业"),
        "seed_ref": SEED + "、三(六)14（2025年底前全覆盖）",
        "note": _("监测预警模块未建设。"),
    },
    {
        "id": "campaign.smart_supervision",
        "name": _("智慧监管"),
        "definition": _("已建成并投入使用的智慧监管事项 ÷ 应建智慧监管事项（台账）。"),
        "source": "campaign",
        "numerator_label": _("已建成事项"),
        "denominator_label": _("应建事项"),
        "seed_ref": SEED + "、三(六)14",
        "note": _("待治本攻坚台账（智慧监管事项）接入。"),
        "scopes": frozenset({DISTRICT, TOWNSHIP, DEPARTMENT}),
    },
    {
        "id": "campaign.digital_fire_access",
        "name": _("重点场所“数字消防”接入率"),
        "definition": _("已接入“数字消防”的重点场所 ÷ 重点场所（台账）。"),
        "source": "campaign",
        "numerator_label": _("已接入的重点场所"),
        "denominator_label": _("重点场所"),
        "seed_ref": SEED,
        "note": _("待重点场所台账接入。"),
        "scopes": frozenset({DISTRICT, TOWNSHIP, DEPARTMENT}),
    },
    {
        "id": "campaign.team_staffing",
        "name": _("专业监管队伍配备率"),
        "definition": _("按要求配齐专业监管人员的乡镇（街道）和部门 ÷ 应配备的乡镇（街道）和部门（台账）。"),
        "source": "campaign",
        "numerator_label": _("已配齐的单位"),
        "denominator_label": _("应配备的单位"),
        "seed_ref": SEED + "、三(四)10–11",
        "note": _("待队伍配备台账接入。"),
        "scopes": frozenset({DISTRICT, TOWNSHIP, DEPARTMENT}),
    },
    {
        "id": "campaign.register.fire_water",
        "name": _("城镇建成区消防供水建设完成率"),
        "definition": _(
            "已完成的消防供水建设项目 ÷ 登记的消防供水建设项目（攻坚登记·消防供水，计划、实施中、已完成）。"
        ),
        "source": "campaign",
        "numerator_label": _("已完成的项目"),
        "denominator_label": _("登记的项目"),
        "seed_ref": "屈安发〔2024〕1号 三(六)16（2025年底前城镇建成区消防供水全覆盖）",
        "note": _("待攻坚登记接入。"),
        "scopes": frozenset({DISTRICT, TOWNSHIP, DEPARTMENT}),
    },
    {
        "id": "campaign.register.self_built",
        "name": _("存在安全隐患自建房整治完成率"),
        "definition": _("已完成整治的自建房项目 ÷ 登记的存在安全隐患自建房整治项目（攻坚登记·自建房整治）。"),
        "source": "campaign",
        "numerator_label": _("已完成整治"),
        "denominator_label": _("登记的整治项目"),
        "seed_ref": "屈安发〔2024〕1号 三(六)16（2025年底前存在安全隐患自建房整治全覆盖）",
        "note": _("待攻坚登记接入。"),
        "scopes": frozenset({DISTRICT, TOWNSHIP, DEPARTMENT}),
    },
    {
        "id": "campaign.grassroots_capacity",
        "name": _("基层应急管理能力建设达标率"),
        "definition": _("应急站和消防所一体化等建设达标的乡镇（街道）÷ 乡镇（街道）总数（台账）。"),
        "source": "campaign",
        "numerator_label": _("达标的乡镇（街道）"),
        "denominator_label": _("乡镇（街道）"),
        "seed_ref": SEED + "、三(四)10",
        "note": _("待基层能力建设台账接入。"),
        "scopes": frozenset({DISTRICT, TOWNSHIP}),
    },
)

for spec in PLACEHOLDERS:
    placeholder(
        spec["id"],
        str(spec["name"]),
        str(spec["definition"]),
        source=spec["source"],
        numerator_label=str(spec["numerator_label"]),
        denominator_label=str(spec["denominator_label"]),
        seed_ref=spec["seed_ref"],
        group=GROUP,
        note=str(spec["note"]),
        scopes=spec.get("scopes", _UNIT_SCOPES),
    )
