"""A paper template names its generated appendices as the paper's text does ("Appendix 2 Key
Performance Data", "Appendix 3 Progress to date"), and a paper keeps the names it started
with. Schema only: the committee report template and every paper take the seed's names as the
fields' defaults; a published paper shows the names its snapshot holds."""

from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("actions", "0008_paper_signoff"),
    ]

    operations = [
        migrations.AddField(
            model_name="paper",
            name="changes_appendix",
            field=models.CharField(
                default="Appendix 4 Changes since the last paper",
                help_text="As the paper's text names it, e.g. Appendix 4 Changes since the last paper",
                max_length=200,
                verbose_name="Changes since the last paper appendix",
            ),
        ),
        migrations.AddField(
            model_name="paper",
            name="kpis_appendix",
            field=models.CharField(
                default="Appendix 2 Key Performance Data",
                help_text="As the paper's text names it, e.g. Appendix 2 Key Performance Data",
                max_length=200,
                verbose_name="Key performance data appendix",
            ),
        ),
        migrations.AddField(
            model_name="paper",
            name="progress_appendix",
            field=models.CharField(
                default="Appendix 3 Progress to date",
                help_text="As the paper's text names it, e.g. Appendix 3 Progress to date",
                max_length=200,
                verbose_name="Report on progress appendix",
            ),
        ),
        migrations.AddField(
            model_name="papertemplate",
            name="changes_appendix",
            field=models.CharField(
                default="Appendix 4 Changes since the last paper",
                help_text="As the paper's text names it, e.g. Appendix 4 Changes since the last paper",
                max_length=200,
                verbose_name="Changes since the last paper appendix",
            ),
        ),
        migrations.AddField(
            model_name="papertemplate",
            name="kpis_appendix",
            field=models.CharField(
                default="Appendix 2 Key Performance Data",
                help_text="As the paper's text names it, e.g. Appendix 2 Key Performance Data",
                max_length=200,
                verbose_name="Key performance data appendix",
            ),
        ),
        migrations.AddField(
            model_name="papertemplate",
            name="progress_appendix",
            field=models.CharField(
                default="Appendix 3 Progress to date",
                help_text="As the paper's text names it, e.g. Appendix 3 Progress to date",
                max_length=200,
                verbose_name="Report on progress appendix",
            ),
        ),
    ]
