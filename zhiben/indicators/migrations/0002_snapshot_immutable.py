"""On PostgreSQL the snapshot table refuses UPDATE and DELETE at the database level too (as the audit table
does, core/migrations/0002_audit_append_only.py)."""

from django.db import migrations

CREATE = """
CREATE OR REPLACE FUNCTION zhiben_indicator_snapshot_immutable() RETURNS trigger AS $$
BEGIN
    RAISE EXCEPTION USING MESSAGE = 'indicators_indicatorsnapshot is immutable: ' || TG_OP || ' refused';
END;
$$ LANGUAGE plpgsql;
DROP TRIGGER IF EXISTS indicators_snapshot_immutable ON indicators_indicatorsnapshot;
CREATE TRIGGER indicators_snapshot_immutable BEFORE UPDATE OR DELETE ON indicators_indicatorsnapshot
    FOR EACH ROW EXECUTE FUNCTION zhiben_indicator_snapshot_immutable();
"""
DROP = """
DROP TRIGGER IF EXISTS indicators_snapshot_immutable ON indicators_indicatorsnapshot;
DROP FUNCTION IF EXISTS zhiben_indicator_snapshot_immutable();
"""


def forwards(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(CREATE)


def backwards(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(DROP)


class Migration(migrations.Migration):
    dependencies = [("indicators", "0001_initial")]

    operations = [migrations.RunPython(forwards, backwards)]
