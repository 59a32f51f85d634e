from django.db import migrations

from actions.risks.defaults import DEFAULT_BANDS, create_default_bands


def add_bands(apps, schema_editor):
    create_default_bands(apps.get_model("actions", "RiskBand"))


def remove_bands(apps, schema_editor):
    names = [band[0] for band in DEFAULT_BANDS]
    apps.get_model("actions", "RiskBand").objects.filter(name__in=names).delete()


class Migration(migrations.Migration):
    dependencies = [("actions", "0017_risk_register")]
    operations = [migrations.RunPython(add_bands, remove_bands)]
