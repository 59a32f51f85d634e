"""The paper template's form (papers/paper_templates.py): one form for the family and all
its sections, as the draft's is one form for the paper."""

from django import forms
from django.core.exceptions import ValidationError

from actions.models import Committee, SectionKind, TemplateSection, TitleBlock
from actions.papers.forms import SECTION_MAX


class PaperTemplateForm(forms.Form):
    """A template (a report family): its name, title block and audience, then each of its
    sections in order (order number, heading, kind, numbering, guidance, default text, the
    labels of labelled rows and "one row per objective", or removal), and one new section.
    ``version`` is the template's when the form opened (none for a new one). One form, as the
    draft's is, so every error is in one summary and nothing typed is lost."""

    NEW = "new"
    SECTION_FIELDS = ("order", *TemplateSection.AUTHORED_FIELDS, "remove")

    version = forms.IntegerField(widget=forms.HiddenInput, required=False, min_value=0)
    name = forms.CharField(
        label="Name",
        max_length=200,
        help_text="For example, Board update",
        error_messages={"required": "Enter the template's name"},
    )
    title_block = forms.ChoiceField(
        label="Title block",
        choices=TitleBlock.choices,
        error_messages={"invalid_choice": "Choose one of the title blocks listed"},
    )
    audience = forms.ChoiceField(
        label="Goes to",
        choices=Committee.Kind.choices,
        help_text="The kind of meeting its papers are written for",
        error_messages={"invalid_choice": "Choose one of the kinds of meeting listed"},
    )

    generated_appendices = forms.BooleanField(
        label="Generated appendices after the sections",
        required=False,
        help_text=(
            "The key performance data, the report on progress and the changes since the last"
            " paper, generated from the paper's programme. A portfolio's paper has none."
        ),
    )

    def __init__(self, *args, sections=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.sections = list(sections)
        for index, section in enumerate(self.sections, 1):
            self._section_fields(str(section.pk), section, order=index * 10)
        self._section_fields(self.NEW, None, order=(len(self.sections) + 1) * 10)

    def _section_fields(self, key, section, *, order):
        new = section is None
        what = "the new section" if new else f"section “{section.heading}”"
        self.fields[f"{key}-order"] = forms.IntegerField(
            label="Order",
            initial=order,
            min_value=0,
            required=not new,
            help_text="Sections are printed from the lowest number up",
            error_messages={
                "required": f"Enter the order of {what}",
                "invalid": f"Enter the order of {what} as a whole number",
                "min_value": f"Enter the order of {what} as 0 or more",
            },
        )
        self.fields[f"{key}-heading"] = forms.CharField(
            label="Heading of a new section (optional)" if new else "Heading",
            max_length=200,
            required=not new,
            initial=None if new else section.heading,
            error_messages={"required": f"Enter the heading of {what}"},
        )
        self.fields[f"{key}-kind"] = forms.ChoiceField(
            label="Kind",
            choices=SectionKind.choices,
            required=not new,
            initial=SectionKind.TEXT if new else section.kind,
            error_messages={"invalid_choice": f"Choose the kind of {what}"},
        )
        self.fields[f"{key}-numbered"] = forms.BooleanField(
            label="Numbered (1.0, with points 1.1, 1.2 …)",
            required=False,
            initial=False if new else section.numbered,
        )
        self.fields[f"{key}-heading_number_only"] = forms.BooleanField(
            label="Only the heading numbered (1.0), not its paragraphs",
            required=False,
            initial=False if new else section.heading_number_only,
        )
        for name, label, value in (
            ("guidance", "Guidance for the author (optional)", "guidance"),
            ("default_text", "Text it starts with (optional)", "default_text"),
            ("row_labels", "Labels of its rows, one a line (labelled rows)", "row_labels"),
        ):
            self.fields[f"{key}-{name}"] = forms.CharField(
                label=label,
                required=False,
                max_length=SECTION_MAX,
                initial="" if new else getattr(section, value),
                widget=forms.Textarea(attrs={"rows": 3}),
                error_messages={"max_length": f"Keep each box of {what} to 20,000 characters"},
            )
        self.fields[f"{key}-one_row_per_objective"] = forms.BooleanField(
            label="First, one row for each of the programme's objectives (labelled rows)",
            required=False,
            initial=False if new else section.one_row_per_objective,
        )
        if not new:
            self.fields[f"{key}-remove"] = forms.BooleanField(
                label="Remove this section", required=False
            )

    def clean(self):
        data = super().clean()
        for key in [str(s.pk) for s in self.sections] + [self.NEW]:
            if key == self.NEW and not data.get(f"{key}-heading", "").strip():
                continue
            kind = data.get(f"{key}-kind")
            labels = data.get(f"{key}-row_labels", "").strip()
            per_objective = data.get(f"{key}-one_row_per_objective")
            if kind == SectionKind.LABELLED_ROWS and not (labels or per_objective):
                self.add_error(
                    f"{key}-row_labels",
                    ValidationError(
                        "Give the labels of its rows, or choose one row per objective",
                        code="no_rows",
                    ),
                )
        return data

    def section_fields(self):
        """(section or None for the new one, its bound fields by name), in the form's order."""
        keys = [(s, str(s.pk)) for s in self.sections] + [(None, self.NEW)]
        return [
            (
                section,
                {
                    name: self[f"{key}-{name}"]
                    for name in self.SECTION_FIELDS
                    if f"{key}-{name}" in self.fields
                },
            )
            for section, key in keys
        ]

    def section_values(self) -> list[dict]:
        """Each section's values (``pk`` None for the new one, left out when no heading)."""
        data, values = self.cleaned_data, []
        for section, key in [(s, str(s.pk)) for s in self.sections] + [(None, self.NEW)]:
            heading = data.get(f"{key}-heading", "").strip()
            if section is None and not heading:
                continue
            values.append(
                {
                    "pk": section.pk if section else None,
                    "order": data.get(f"{key}-order") or 0,
                    "heading": heading,
                    "kind": data[f"{key}-kind"] or SectionKind.TEXT,
                    "numbered": data[f"{key}-numbered"],
                    "heading_number_only": data[f"{key}-heading_number_only"],
                    "guidance": data[f"{key}-guidance"],
                    "default_text": data[f"{key}-default_text"],
                    "row_labels": data[f"{key}-row_labels"],
                    "one_row_per_objective": data[f"{key}-one_row_per_objective"],
                    "remove": data.get(f"{key}-remove", False),
                }
            )
        return values
