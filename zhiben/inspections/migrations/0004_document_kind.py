from pathlib import Path

from django.db import migrations

DATA = Path(__file__).resolve().parent.parent / "data" / "document_templates.json"
# The 笔录 body the previous release shipped (sha256, first 16 hex digits).
OLD_BODIES = frozenset({"ae6d1bbbca0c7600"})
# The lead department's 代字 now goes in front when a record is issued: （屈住建）现检〔2026〕1号.
OLD_PREFIXES = {"屈检录": "现检"}


def to_record_form(apps, schema_editor):
    """The 现场检查笔录 is a 笔录 (fields, signature blanks, 共 页 第 页), not a red-header 公文 (issue 10)."""
    from zhiben.core.documents import refresh_shipped_templates

    model = apps.get_model("core", "DocumentTemplate")
    refresh_shipped_templates(model, DATA, old_bodies=OLD_BODIES, old_prefixes=OLD_PREFIXES)


class Migration(migrations.Migration):
    dependencies = [
        ("inspections", "0003_plans_draw_parameters"),
        ("core", "0005_document_kind"),
    ]

    operations = [migrations.RunPython(to_record_form, migrations.RunPython.noop)]
