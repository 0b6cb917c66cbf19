"""The 通报 and report templates of 考核督办 for a database whose templates are already loaded (it has the hazard
bulletins); a new database gets them from load_reference like every template (core.documents reads each app's
data/document_templates.json). Templates the office has since edited are never touched."""

import json
from pathlib import Path

from django.db import migrations

DATA = Path(__file__).resolve().parent.parent / "data" / "document_templates.json"


def add_templates(apps, schema_editor):
    model = apps.get_model("core", "DocumentTemplate")
    if not model.objects.filter(code="bulletin_quarterly").exists():
        return
    for row in json.loads(DATA.read_text(encoding="utf-8"))["templates"]:
        if model.objects.filter(code=row["code"]).exists():
            continue
        model.objects.create(
            code=row["code"],
            name=row["name"],
            issuer=row["issuer"],
            number_prefix=row["number_prefix"],
            kind=row["kind"],
            title=row["title"],
            body="\n".join(row["body"]),
            verified=row["verified"],
        )


class Migration(migrations.Migration):
    dependencies = [
        ("oversight", "0001_initial"),
        ("core", "0007_verbose_names"),
    ]

    operations = [migrations.RunPython(add_templates, migrations.RunPython.noop)]
