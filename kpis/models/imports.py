"""Import batches: an uploaded return, what it changed, and what undoing it restores."""

from django.conf import settings
from django.db import models
from django.urls import reverse

from kpis.models.catalogue import KPI


class ImportBatch(models.Model):
    """One uploaded return: the file (kept, with its SHA-256), who sent it, and what it did.

    Values are written in bulk, which django-simple-history does not record: the batch and
    its ImportedValue rows are the audit record of an import, and what undoing restores.
    """

    class Status(models.TextChoices):
        PENDING = "pending", "Checked, not yet imported"
        APPLIED = "applied", "Imported"
        UNDONE = "undone", "Undone"

    class Step(models.TextChoices):
        """What a background job does to a large return (kpis.importing.background)."""

        CHECK = "check", "Checking the return"
        CONFIRM = "confirm", "Importing the return"
        APPROVE = "approve", "Approving the figures"

    file_name = models.CharField(max_length=255)
    sha256 = models.CharField(max_length=64)
    size = models.PositiveIntegerField()
    content = models.BinaryField()
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.PENDING)
    uploaded_by = models.ForeignKey(
        "auth.User", null=True, on_delete=models.SET_NULL, related_name="+"
    )
    uploaded_at = models.DateTimeField(auto_now_add=True)
    applied_by = models.ForeignKey(
        "auth.User", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    applied_at = models.DateTimeField(null=True, blank=True)
    undone_by = models.ForeignKey(
        "auth.User", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    undone_at = models.DateTimeField(null=True, blank=True)
    created_count = models.PositiveIntegerField(default=0)
    updated_count = models.PositiveIntegerField(default=0)
    unchanged_count = models.PositiveIntegerField(default=0)
    # What the preview warned of when the return was confirmed (large moves, bare fractions),
    # for the approver, who decides on the figures without seeing the preview.
    warnings = models.JSONField(default=list, blank=True)
    # The upload's non-empty rows and filled cells over every sheet, counted as it was
    # uploaded: past KPI_IMPORT_QUEUE_ROWS its steps run in the background (``in_background``).
    row_count = models.PositiveIntegerField(default=0)
    cell_count = models.PositiveIntegerField(default=0)
    # The background job working on the return now, or last (careprog.jobs), its step, and
    # how far it says it has got: what the page of the person waiting reads.
    job_id = models.CharField(max_length=36, blank=True)
    job_step = models.CharField(max_length=10, choices=Step.choices, blank=True)
    progress = models.CharField(max_length=200, blank=True)
    # The background check's preview, as its page shows it (kpis.importing.stored_preview).
    checked = models.JSONField(null=True, blank=True)

    class Meta:
        ordering = ["-uploaded_at", "-pk"]
        verbose_name_plural = "import batches"

    def __str__(self):
        return f"{self.file_name} ({self.uploaded_at:%d %b %Y %H:%M})"

    def get_absolute_url(self):
        if self.status == self.Status.PENDING:
            return reverse("kpis:import_preview", kwargs={"pk": self.pk})
        return reverse("kpis:import_batch", kwargs={"pk": self.pk})

    # Filled cells that weigh as much as a row: a return's cell limit is six a row
    # (kpis.importing.gate.MAX_CELLS), and a wide row holds a figure a cell.
    CELLS_PER_ROW = 6

    @property
    def in_background(self) -> bool:
        """Whether reading, confirming and approving this return run as background jobs: one
        rule for the three steps, by the rows uploaded, their cells (a wide return's few rows
        may hold many figures) or (a command line's import, which counts neither) the
        figures it brought."""
        limit = settings.KPI_IMPORT_QUEUE_ROWS
        rows = max(self.row_count, self.created_count + self.updated_count)
        return rows > limit or self.cell_count > limit * self.CELLS_PER_ROW

    def supplied_by(self, user) -> str:
        """How ``user`` supplied this return's figures ("uploaded", "confirmed" or "uploaded
        and confirmed"), or "" if they did not. Whoever supplied a figure does not approve it
        (kpis.permissions.can_decide_import), and uploading and confirming may be two people."""
        if user is None or user.pk is None:
            return ""
        steps = [
            step
            for step, by in (("uploaded", self.uploaded_by_id), ("confirmed", self.applied_by_id))
            if by == user.pk
        ]
        return " and ".join(steps)

    @property
    def figure_source(self) -> str:
        """What a figure this import brought says of its source, approved or not."""
        return f"Import {self.pk}: {self.file_name}"[:300]


class ImportedValue(models.Model):
    """A value an import created or changed, with what was there before."""

    class Outcome(models.TextChoices):
        CREATED = "created", "New"
        UPDATED = "updated", "Changed"

    batch = models.ForeignKey(ImportBatch, on_delete=models.CASCADE, related_name="values")
    kpi = models.ForeignKey(KPI, on_delete=models.CASCADE, related_name="+")
    period_end = models.DateField()
    outcome = models.CharField(max_length=10, choices=Outcome.choices)
    old_value = models.DecimalField(max_digits=18, decimal_places=4, null=True)
    old_numerator = models.DecimalField(max_digits=18, decimal_places=4, null=True)
    old_denominator = models.DecimalField(max_digits=18, decimal_places=4, null=True)
    old_note = models.TextField(blank=True)
    old_source = models.CharField(max_length=300, blank=True)
    old_origin = models.CharField(max_length=15, blank=True)
    new_value = models.DecimalField(max_digits=18, decimal_places=4)
    new_numerator = models.DecimalField(max_digits=18, decimal_places=4, null=True)
    new_denominator = models.DecimalField(max_digits=18, decimal_places=4, null=True)
    new_note = models.TextField(blank=True)

    class Meta:
        ordering = ["batch", "kpi", "period_end"]
        constraints = [
            models.UniqueConstraint(
                fields=["batch", "kpi", "period_end"], name="kpis_imported_value_once_per_batch"
            )
        ]

    def __str__(self):
        return f"{self.kpi_id} {self.period_end}: {self.old_value} → {self.new_value}"

    def get_absolute_url(self):
        return self.batch.get_absolute_url()
