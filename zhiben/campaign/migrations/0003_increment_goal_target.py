"""The goal 有效遏制重大事故隐患增量 is measured by 新增重大隐患同比 (this year's new major hazards ÷ last year's same
period, in %): its target is "not above last year" (≤ 100 %), not 0 %, and that reading is 待核实. Databases
loaded with the first plan data get the corrected row; a row someone has edited since is left alone."""

from decimal import Decimal

from django.db import migrations


def correct(apps, schema_editor):  # type: ignore[no-untyped-def]
    Goal = apps.get_model("campaign", "Goal")
    Goal._base_manager.filter(code="G-2025-INCREMENT", target_value=Decimal(0)).update(
        target_value=Decimal(100),
        verified=False,
        source="屈安发〔2024〕1号 一、总体要求（“有效遏制增量”按本年新增重大隐患不高于上年同期即同比≤100%理解，待核实）",
    )


class Migration(migrations.Migration):
    dependencies = [("campaign", "0002_plan_data")]

    operations = [migrations.RunPython(correct, migrations.RunPython.noop)]
