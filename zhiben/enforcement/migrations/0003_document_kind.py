from pathlib import Path

from django.db import migrations

DATA = Path(__file__).resolve().parent.parent / "data" / "document_templates.json"
# The 指令书 and 决定书 bodies the previous release shipped (sha256, first 16 hex digits).
OLD_BODIES = frozenset({"e63d712d120435c5", "439cae7f494a853c"})
# 文号 prefixes as shipped before the 执法文书 form: the 代字 now stands in brackets (（屈应急）罚〔2026〕1号);
# the generic templates take the case department's 代字 when issued.
OLD_PREFIXES = {
    "屈安执责改": "责改",
    "屈安执罚": "罚",
    **{
        f"{code}{kind}": f"（{code}）{kind}"
        for code in ("屈应急", "屈住建", "屈交运", "屈消", "屈市监", "屈公", "屈农", "屈水")
        for kind in ("责改", "罚")
    },
}


def to_enforcement_form(apps, schema_editor):
    """责令限期整改指令书 and 行政处罚决定书 are 执法文书, not red-header 公文 (issue 10)."""
    from zhiben.core.documents import refresh_shipped_templates

    model = apps.get_model("core", "DocumentTemplate")
    refresh_shipped_templates(model, DATA, old_bodies=OLD_BODIES, old_prefixes=OLD_PREFIXES)


class Migration(migrations.Migration):
    dependencies = [
        ("enforcement", "0002_case_steps_and_operation_history"),
        ("core", "0005_document_kind"),
    ]

    operations = [migrations.RunPython(to_enforcement_form, migrations.RunPython.noop)]
