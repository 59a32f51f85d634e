"""The council's standard covering report, as the default paper template: its sections in the
order of the March 2025 committee paper. Created by a migration and again after every migrate
or flush (actions/apps.py) when there is no template at all, so a council's own templates,
renamed or changed in admin, are never touched. Takes the models, so a migration can call it.
Imports no model."""

DEFAULT_TEMPLATE = "Committee report"

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
        "What led here. Add a numbered section after this one for each topic of the "
        "supporting information.",
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
        "The appendices careprog generates (key performance data, report on progress, "
        "changes since the last paper) follow the report; list any others here.",
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


def create_default_template(PaperTemplate, TemplateSection) -> None:  # noqa: N803
    if PaperTemplate.objects.exists():
        return
    template = PaperTemplate.objects.create(name=DEFAULT_TEMPLATE, is_default=True)
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
