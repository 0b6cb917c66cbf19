"""The reward rules as data (research/domain.md §6), each with its source and whether it is verified.

Every figure here is marked [M] in the research (secondary sources only), so every row ships verified=False and
reads 待核实 until someone checks the official text and ticks it. Rows are only added when their code is absent:
an office's edit survives a re-run, and reversing removes only rows nobody has edited.
"""

from __future__ import annotations

from decimal import Decimal

from django.db import migrations

NATIONAL = "《安全生产领域举报奖励办法》（安监总财〔2018〕19号）"
HUNAN = "《湖南省安全生产领域有奖举报实施办法》（湘应急发〔2023〕16号）"
HUNAN_HOUSING = "湖南省住房和城乡建设厅2025年1月14日通告（住建领域安全生产有奖举报）"

RULES = [
    {
        "code": "HN-2023-16-FINE",
        "name": "湖南省有奖举报：道路交通、消防除外",
        "authority": "省",
        "basis": "fine",
        "categories": ["major_hazard", "illegal"],
        "excluded_industries": ["ROAD", "FIRE"],
        "priority": 50,
        "source": HUNAN + "：除道路交通、消防外的安全生产领域举报适用；奖励金额省级文本未查到，按国家办法",
    },
    {
        "code": "HN-2023-16-DEATHS",
        "name": "湖南省有奖举报（瞒报谎报）：道路交通、消防除外",
        "authority": "省",
        "basis": "concealed_deaths",
        "categories": ["concealed"],
        "excluded_industries": ["ROAD", "FIRE"],
        "priority": 50,
        "source": HUNAN + "：除道路交通、消防外的安全生产领域举报适用；奖励金额省级文本未查到，按国家办法",
    },
    {
        "code": "CN-2018-FINE",
        "name": "国家：重大事故隐患、非法违法行为按罚款15%",
        "authority": "国家",
        "basis": "fine",
        "categories": ["major_hazard", "illegal"],
        "percent": Decimal("15"),
        "min_amount": Decimal("3000"),
        "max_amount": Decimal("300000"),
        "priority": 100,
        "source": NATIONAL + "：按行政处罚金额的15%计算，最低3000元，最高不超过30万元",
    },
    {
        "code": "CN-2018-DEATHS",
        "name": "国家：瞒报谎报事故按查实死亡人数",
        "authority": "国家",
        "basis": "concealed_deaths",
        "categories": ["concealed"],
        "per_death": {"一般": 30000, "较大": 40000, "重大": 50000, "特别重大": 60000},
        "max_amount": Decimal("300000"),
        "priority": 100,
        "source": NATIONAL + "：每查实瞒报谎报死亡1人，一般事故3万元、较大4万元、重大5万元、特别重大6万元，最高不超过30万元",
    },
    {
        "code": "HN-ZJ-2025-CONCEALED",
        "name": "湖南住建领域：瞒报谎报事故线索定额",
        "authority": "省",
        "basis": "fixed",
        "categories": ["concealed"],
        "fixed_amount": Decimal("1000"),
        "priority": 60,
        "source": HUNAN_HOUSING + "：查实的瞒报谎报事故线索奖励1000元（住建领域；其他情形按省办法）",
    },
    {
        "code": "HN-ZJ-2025-MAJOR",
        "name": "湖南住建领域：重大事故隐患线索定额",
        "authority": "省",
        "basis": "fixed",
        "categories": ["major_hazard"],
        "fixed_amount": Decimal("800"),
        "priority": 60,
        "source": HUNAN_HOUSING + "：查实的重大事故隐患（含城市既有房屋、农村房屋）线索奖励800元（住建领域）",
    },
    {
        "code": "HN-ZJ-2025-ILLEGAL",
        "name": "湖南住建领域：重大非法违法行为线索定额",
        "authority": "省",
        "basis": "fixed",
        "categories": ["illegal"],
        "fixed_amount": Decimal("600"),
        "priority": 60,
        "source": HUNAN_HOUSING + "：查实的重大非法违法行为线索奖励600元（住建领域）",
    },
]


def add_rules(apps, schema_editor):  # type: ignore[no-untyped-def]
    RewardRule = apps.get_model("tips", "RewardRule")
    for row in RULES:
        if not RewardRule.objects.filter(code=row["code"]).exists():
            RewardRule.objects.create(verified=False, active=True, **row)


def remove_rules(apps, schema_editor):  # type: ignore[no-untyped-def]
    RewardRule = apps.get_model("tips", "RewardRule")
    RewardRule.objects.filter(code__in=[r["code"] for r in RULES], version=1).delete()


class Migration(migrations.Migration):
    dependencies = [("tips", "0001_initial")]

    operations = [migrations.RunPython(add_rules, remove_rules)]
