"""The shipped 2026 schemes and 约谈 rules (data/schemes.json), as data the office may edit."""

from typing import Any

from django.db import migrations


def load(apps: Any, schema_editor: Any) -> None:
    from zhiben.assessment.reference import load_into

    load_into(apps.get_model("assessment", "Scheme"), apps.get_model("assessment", "InterviewRule"))


class Migration(migrations.Migration):
    dependencies = [("assessment", "0001_initial")]

    operations = [migrations.RunPython(load, migrations.RunPython.noop)]
