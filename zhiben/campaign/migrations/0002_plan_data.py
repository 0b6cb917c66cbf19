"""The plan shipped as data (campaign/data/plan.json): goals, the 22 measures, their tasks, the rules.

Departments and townships are linked when they exist; on a fresh database the registry's reference data comes
later, and `campaign.reference.load_campaign_plan` (a reference loader) links them then."""

from django.db import migrations


def load(apps, schema_editor):  # type: ignore[no-untyped-def]
    from zhiben.campaign.reference import load_plan

    load_plan(apps)


class Migration(migrations.Migration):
    dependencies = [("campaign", "0001_initial")]

    operations = [migrations.RunPython(load, migrations.RunPython.noop)]
