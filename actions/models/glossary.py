"""The abbreviations the programme's papers use, kept so that pages can spell them out."""

from django.db import models
from django.db.models import Q
from django.urls import reverse


class Abbreviation(models.Model):
    """An abbreviation the programme's papers use, and what it stands for in plain words.

    Pages mark each one as ``<abbr>`` and spell it out where a page first uses it
    (actions/glossary.py), and /glossary/ lists them all. The performance team keeps the list
    in admin; migration 0006 seeded it from the council's own documents.
    """

    abbreviation = models.CharField(
        max_length=12, unique=True, help_text='As the papers write it, e.g. "CLA"'
    )
    expansion = models.CharField(
        max_length=200,
        help_text='In words, as written in the middle of a sentence, e.g. "children looked after"',
    )
    source = models.CharField(
        max_length=300, blank=True, help_text="Where the expansion is written out"
    )

    class Meta:
        ordering = ["abbreviation"]
        constraints = [
            # Capitals and digits only: the pages match it as a whole word, case for case.
            models.CheckConstraint(
                condition=Q(abbreviation__regex=r"^[A-Z][A-Z0-9]+$"),
                name="actions_abbreviation_capitals",
                violation_error_message="Write the abbreviation in capitals, as the papers do.",
            ),
        ]

    def __str__(self):
        return f"{self.abbreviation}: {self.expansion}"

    def get_absolute_url(self):
        return f"{reverse('actions:glossary')}#{self.abbreviation}"
