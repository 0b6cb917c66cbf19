
from django.db import migrations, models

# The departments the platform ships (registry/data/departments.json), as they were when the fields came:
# documents name the issuing body in full and carry its 代字 in the 文号. 代字 are local practice, 待核实.
DOCUMENT_CODES = {
    "emergency": "屈应急",
    "housing": "屈住建",
    "transport": "屈交运",
    "fire": "屈消",
    "market": "屈市监",
    "public_security": "屈公",
    "agriculture": "屈农",
    "water": "屈水",
    "education": "屈教",
    "health": "屈卫健",
    "civil_affairs": "屈民政",
    "culture": "屈文旅",
    "industry_it": "屈工信",
    "commerce": "屈商务",
    "development": "屈发改",
    "natural_resources": "屈自然",
    "finance": "屈财",
}


def fill_names(apps, schema_editor):
    """区住房和城乡建设局 → 屈原管理区住房和城乡建设局; rows already given a full name are kept."""
    Department = apps.get_model("registry", "Department")
    for department in Department.objects.filter(full_name=""):
        if department.name.startswith("区"):
            department.full_name = "屈原管理区" + department.name[1:]
        department.document_code = department.document_code or DOCUMENT_CODES.get(department.code, "")
        department.save(update_fields=["full_name", "document_code"])


class Migration(migrations.Migration):

    dependencies = [
        ('registry', '0001_initial'),
    ]

    operations = [
        migrations.AddField(
            model_name='department',
            name='document_code',
            field=models.CharField(blank=True, help_text='文号中的机关代字，如 屈住建', max_length=10, verbose_name='机关代字'),
        ),
        migrations.AddField(
            model_name='department',
            name='full_name',
            field=models.CharField(blank=True, help_text='执法文书和公文上的机关全称，如 屈原管理区住房和城乡建设局', max_length=100, verbose_name='全称'),
        ),
        migrations.RunPython(fill_names, migrations.RunPython.noop),
    ]
