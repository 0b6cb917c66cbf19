from django.db import migrations


def load(apps, schema_editor):  # type: ignore[no-untyped-def]
    from zhiben.monitoring.reference import data

    SensorType = apps.get_model("monitoring", "SensorType")
    shipped = data()
    for t in shipped["types"]:
        SensorType.objects.update_or_create(
            code=t["code"],
            defaults={
                "name": t["name"],
                "unit": t["unit"],
                "physical_min": t["min"],
                "physical_max": t["max"],
                "yellow": t["yellow"],
                "orange": t["orange"],
                "red": t["red"],
                "direction": t["direction"],
                "hysteresis": t["hysteresis"],
                "delay_seconds": t["delay"],
                "normal_low": t["normal"][0],
                "normal_high": t["normal"][1],
                "source": t.get("source", shipped["source"]),
                "verified": bool(t.get("verified", shipped["verified"])),
            },
        )


class Migration(migrations.Migration):
    dependencies = [("monitoring", "0001_initial")]
    operations = [migrations.RunPython(load, migrations.RunPython.noop)]
