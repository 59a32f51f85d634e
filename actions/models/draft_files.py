"""A draft paper's file (PDF, Word or Excel) as one person asked for it: built by a background
job (actions/papers/draft_files.py), never inside a request, since a PDF takes about a second
of CPU and a few at once held every web worker."""

from django.conf import settings
from django.db import models
from django.urls import reverse
from django.utils import timezone

from actions.models.papers import Paper, PaperFile


class DraftFile(models.Model):
    """The latest build of one paper's file for one person: one row per paper, kind and person,
    so asking again while a build waits finds it, and a new build replaces the last one (whose
    stored bytes are removed with it). ``job_id`` is the job that builds it; ``file`` is empty
    until that job has stored the bytes."""

    paper = models.ForeignKey(Paper, on_delete=models.CASCADE, related_name="draft_files")
    kind = models.CharField(max_length=4, choices=PaperFile.Kind.choices)
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+"
    )
    job_id = models.CharField(max_length=36)
    requested_at = models.DateTimeField(default=timezone.now)
    file = models.FileField(upload_to="paper-drafts", max_length=255, blank=True)
    name = models.CharField(max_length=255, blank=True)  # the download's name, set when built
    size = models.PositiveIntegerField(default=0)
    built_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["paper", "kind", "requested_by"]
        constraints = [
            models.UniqueConstraint(
                fields=["paper", "kind", "requested_by"],
                name="actions_draftfile_one_per_person_and_kind",
            )
        ]

    def __str__(self):
        return f"{self.paper}: {self.get_kind_display()} for {self.requested_by}"

    def get_absolute_url(self):
        return reverse("actions:draft_file", kwargs={"pk": self.paper_id, "kind": self.kind})
