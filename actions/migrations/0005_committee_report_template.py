"""The council's standard covering report as the default paper template: its sections in the
order of the March 2025 committee paper. A council changes them in admin."""

from django.db import migrations

SECTIONS = [
    # heading, numbered, guidance
    (
        "Report summary",
        False,
        "What the report is about, in plain words; say whether it is a key decision.",
    ),
    ("Recommendations", False, "What the committee is asked to do."),
    ("Reasons for recommendations", True, "Why the committee should agree."),
    ("Other options considered", True, "What else was considered, and why not."),
    (
        "Background information",
        True,
        "What led here. Add a numbered section after this one for each topic of the supporting information.",
    ),
    ("Financial implications", True, ""),
    ("Legal implications", True, ""),
    ("Resource implications: staffing, ICT and assets", True, ""),
    ("Relevant risks", True, ""),
    ("Engagement and consultation", True, ""),
    ("Equality implications", True, ""),
    ("Environment and climate implications", True, ""),
    ("Community wealth implications", True, ""),
    ("Report author", False, "Name, role and email, each on its own line."),
    ("Background papers", False, "One per paragraph."),
    (
        "Appendices",
        False,
        "The appendices careprog generates (key performance data, report on progress, changes since the last paper) follow the report; list any others here.",
    ),
    (
        "Terms of reference",
        False,
        "Which part of the committee's terms of reference the report falls under.",
    ),
    (
        "Subject history (last 3 years)",
        False,
        "Earlier meetings that considered the subject, with their dates.",
    ),
]


def create_template(apps, schema_editor):
    PaperTemplate = apps.get_model("actions", "PaperTemplate")
    TemplateSection = apps.get_model("actions", "TemplateSection")
    template, created = PaperTemplate.objects.get_or_create(
        name="Committee report", defaults={"is_default": True}
    )
    if created:
        TemplateSection.objects.bulk_create(
            TemplateSection(
                template=template,
                position=position,
                heading=heading,
                numbered=numbered,
                guidance=guidance,
            )
            for position, (heading, numbered, guidance) in enumerate(SECTIONS, start=1)
        )


def remove_template(apps, schema_editor):
    apps.get_model("actions", "PaperTemplate").objects.filter(name="Committee report").delete()


class Migration(migrations.Migration):
    dependencies = [("actions", "0004_committee_papers")]

    operations = [migrations.RunPython(create_template, remove_template)]
