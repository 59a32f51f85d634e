# The preview's warnings kept with a confirmed import, for its approver (schema only).

from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("kpis", "0011_dfe_figure_kept_beside_local"),
    ]

    operations = [
        migrations.AddField(
            model_name="importbatch",
            name="warnings",
            field=models.JSONField(blank=True, default=list),
        ),
    ]
