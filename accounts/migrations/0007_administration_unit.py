"""The administration unit (信息中心) whose members hold the three administrator roles of 三员分立.
Frozen data (no live code imported); accounts/reference.py carries the same row."""

from django.db import migrations

UNITS = [
    ("info-center", "信息中心", "administration", "中共嘉兴市委全面深化改革委员会办公室信息中心"),
]


def load(apps, schema_editor):
    Unit = apps.get_model("accounts", "Unit")
    for order, (code, name, kind, full_name) in enumerate(UNITS):
        Unit.objects.update_or_create(
            code=code, defaults={"name": name, "kind": kind, "full_name": full_name, "sort_order": order}
        )


class Migration(migrations.Migration):
    dependencies = [("accounts", "0006_admin_roles_password_age_history")]
    operations = [migrations.RunPython(load, migrations.RunPython.noop)]
