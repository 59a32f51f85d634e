"""The bands DOMAIN.md's risk policy names (1–4 low, 5–12 medium, 15–25 high): a council
changes them in admin. 13 and 14 are no product of two scores from 1 to 5, so no risk falls
between Medium and High."""

from django.db import migrations

BANDS = [
    ("Low", 1, 4, "green", 1),
    ("Medium", 5, 12, "yellow", 2),
    ("High", 15, 25, "red", 3),
]


def add_bands(apps, schema_editor):
    RiskBand = apps.get_model("actions", "RiskBand")
    for name, lowest, highest, colour, position in BANDS:
        RiskBand.objects.get_or_create(
            name=name,
            defaults={"lowest": lowest, "highest": highest, "colour": colour, "position": position},
        )


def remove_bands(apps, schema_editor):
    apps.get_model("actions", "RiskBand").objects.filter(name__in=[b[0] for b in BANDS]).delete()


class Migration(migrations.Migration):
    dependencies = [("actions", "0014_risk_register")]
    operations = [migrations.RunPython(add_bands, remove_bands)]
