"""The link between objectives and the measures evidencing them moves from the catalogue
(KPI.objectives) to the programme (Objective.kpis): kpis is the lower layer and knows no
programme. The links are copied here; kpis' migration 0010 then drops the old table."""

from django.db import migrations, models


def copy_links(apps, schema_editor):
    old = apps.get_model("kpis", "KPI").objectives.through
    new = apps.get_model("actions", "Objective").kpis.through
    new.objects.bulk_create(
        new(objective_id=objective_id, kpi_id=kpi_id)
        for objective_id, kpi_id in old.objects.order_by("pk").values_list("objective_id", "kpi_id")
    )


def copy_links_back(apps, schema_editor):
    old = apps.get_model("kpis", "KPI").objectives.through
    new = apps.get_model("actions", "Objective").kpis.through
    old.objects.bulk_create(
        old(objective_id=objective_id, kpi_id=kpi_id)
        for objective_id, kpi_id in new.objects.order_by("pk").values_list("objective_id", "kpi_id")
    )


class Migration(migrations.Migration):
    dependencies = [
        ("actions", "0006_abbreviations"),
        ("kpis", "0009_import_entries_await_approval"),
    ]

    operations = [
        migrations.AddField(
            model_name="objective",
            name="kpis",
            field=models.ManyToManyField(
                blank=True,
                help_text="The measures from the KPI catalogue that evidence this objective",
                related_name="objectives",
                to="kpis.kpi",
                verbose_name="measures",
            ),
        ),
        migrations.RunPython(copy_links, copy_links_back),
    ]
