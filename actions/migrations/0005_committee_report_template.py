"""The council's standard covering report as the default paper template (see
actions/papers/defaults.py)."""

from django.db import migrations

from actions.papers.defaults import DEFAULT_TEMPLATE, create_default_template


def create_template(apps, schema_editor):
    create_default_template(
        apps.get_model("actions", "PaperTemplate"), apps.get_model("actions", "TemplateSection")
    )


def remove_template(apps, schema_editor):
    apps.get_model("actions", "PaperTemplate").objects.filter(name=DEFAULT_TEMPLATE).delete()


class Migration(migrations.Migration):
    dependencies = [("actions", "0004_committee_papers")]

    operations = [migrations.RunPython(create_template, remove_template)]
