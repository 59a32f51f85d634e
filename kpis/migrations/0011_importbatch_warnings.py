# The preview's warnings kept with a confirmed import, for its approver (schema only).

from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("kpis", "0010_objectives_move_to_actions"),
    ]

    operations = [
        migrations.AddField(
            model_name="importbatch",
            name="warnings",
            field=models.JSONField(blank=True, default=list),
        ),
    ]
