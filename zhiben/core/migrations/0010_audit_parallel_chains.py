"""The audit log in parallel chains (issue 18: every writer waited on the one head row).

Existing rows become chain 1 with chain_seq = seq, so their MACs (which cover seq and the previous MAC of the
one chain they were written in) stay valid; heads 2..CHAINS start empty. On PostgreSQL `seq` comes from the
sequence core_audit_seq from now on (no lock), set past the highest existing row."""

from django.db import migrations, models

CHAINS = 8


def forwards(apps, schema_editor):
    conn = schema_editor.connection
    with conn.cursor() as cur:
        if conn.vendor == "postgresql":
            cur.execute("ALTER TABLE core_auditentry DISABLE TRIGGER core_auditentry_append_only")
        cur.execute("UPDATE core_auditentry SET chain_seq = seq, chain = 1")
        if conn.vendor == "postgresql":
            cur.execute("ALTER TABLE core_auditentry ENABLE TRIGGER core_auditentry_append_only")
            cur.execute("CREATE SEQUENCE IF NOT EXISTS core_audit_seq AS bigint")
            cur.execute(
                "SELECT setval('core_audit_seq', COALESCE((SELECT MAX(seq) FROM core_auditentry), 0) + 1, false)"
            )
    AuditHead = apps.get_model("core", "AuditHead")
    for chain in range(1, CHAINS + 1):
        AuditHead.objects.get_or_create(id=chain)


def backwards(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute("DROP SEQUENCE IF EXISTS core_audit_seq")


class Migration(migrations.Migration):
    dependencies = [("core", "0009_outbox_lease")]

    operations = [
        migrations.AddField(
            model_name="auditentry",
            name="chain",
            field=models.PositiveSmallIntegerField(default=1, verbose_name="链"),
        ),
        migrations.AddField(
            model_name="auditentry",
            name="chain_seq",
            field=models.BigIntegerField(null=True, verbose_name="链内序号"),
        ),
        migrations.RunPython(forwards, backwards),
    ]
