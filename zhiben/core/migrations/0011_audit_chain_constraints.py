"""The parallel chains' numbering, required and unique (a migration of its own: PostgreSQL refuses to alter a
table with the previous migration's row updates still pending in the same transaction)."""

from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [("core", "0010_audit_parallel_chains")]

    operations = [
        migrations.AlterField(
            model_name="auditentry",
            name="chain_seq",
            field=models.BigIntegerField(verbose_name="链内序号"),
        ),
        migrations.AddConstraint(
            model_name="auditentry",
            constraint=models.UniqueConstraint(fields=("chain", "chain_seq"), name="audit_chain_seq_unique"),
        ),
        migrations.AlterField(
            model_name="audithead",
            name="id",
            field=models.PositiveSmallIntegerField(default=1, primary_key=True, serialize=False, verbose_name="链"),
        ),
    ]
