"""The catalogue no longer holds which objectives a measure evidences: actions' migration 0007
copied the links to Objective.kpis. And its admin writes need a permission of its own."""

from django.db import migrations


class Migration(migrations.Migration):
    dependencies = [
        ("kpis", "0009_import_entries_await_approval"),
        ("actions", "0007_objective_kpis"),
    ]

    operations = [
        migrations.AlterModelOptions(
            name="kpi",
            options={
                "ordering": ["group__position", "position", "code"],
                "permissions": [("manage_catalogue", "Can change the KPI catalogue in admin")],
                "verbose_name": "KPI",
            },
        ),
        migrations.RemoveField(model_name="kpi", name="objectives"),
    ]
