import datetime as dt

from django import forms
from django.utils import timezone

from careprog.periods import month_end, months_before
from kpis.approval import previous_figure
from kpis.figure_checks import check_figure, large_move
from kpis.importing.cells import CellProblem, parse_number, parse_period
from kpis.importing.gate import WorkbookRejected, WorkbookTooLarge, upload_limits
from kpis.importing.reader import open_workbook


def default_range() -> tuple[dt.date, dt.date]:
    """The twelve complete months before today."""
    today = timezone.localdate()
    return months_before(today, 12).replace(day=1), months_before(today, 1)


class MonthField(forms.CharField):
    """A month typed as 'Jan 2025', '2025-01' or 'January 2025'; cleans to its last day."""

    def to_python(self, value):
        value = super().to_python(value)
        if not value:
            return None
        try:
            day = parse_period(value)
        except CellProblem:
            raise forms.ValidationError(
                "Enter a month such as Jan 2025", code="invalid_month"
            ) from None
        return month_end(day.year, day.month)


class TemplateForm(forms.Form):
    """Left empty, the template proposes the programmes' periods (kpis.importing.template);
    given both months, each measure's periods between them."""

    first = MonthField(label="First month", help_text="For example, Apr 2024", required=False)
    last = MonthField(label="Last month", help_text="For example, Mar 2025", required=False)

    def clean(self):
        cleaned = super().clean()
        first, last = cleaned.get("first"), cleaned.get("last")
        if bool(first) != bool(last) and not self.errors:
            missing = "last" if first else "first"
            self.add_error(
                missing,
                forms.ValidationError(
                    f"Enter the {missing} month too, or leave both empty for the programmes' "
                    "periods",
                    code="both_or_neither",
                ),
            )
        if first and last:
            if first > last:
                self.add_error(
                    "last",
                    forms.ValidationError(
                        "The last month must be the same as or after the first month", code="order"
                    ),
                )
            elif (last.year - first.year) * 12 + last.month - first.month >= 120:
                self.add_error(
                    "last", forms.ValidationError("Choose at most 120 months", code="too_many")
                )
        return cleaned


class UploadForm(forms.Form):
    file = forms.FileField(
        label="Upload a return",
        help_text="An Excel workbook (.xlsx) in the template's layout or with KPI code, Period "
        "and Value columns.",
        error_messages={
            "required": "Select an Excel file to upload",
            "empty": "The selected file is empty",
        },
    )

    def clean_file(self):
        """Refused before it is stored, at the gate's size limit and its row/cell limit (the
        preview checks both again). Counting streams every sheet once, stopping at the limit
        (under a second for 100,000 rows); any other rejection is the preview's to explain.
        ``rows`` and ``cells`` keep the counts: a large return is read in the background."""
        upload = self.cleaned_data["file"]
        limits = upload_limits()
        if upload.size > limits.max_bytes:
            raise forms.ValidationError(
                f"The file must be smaller than {limits.max_bytes // (1024 * 1024)} MB",
                code="too_large",
            )
        data = upload.read()
        upload.seek(0)
        self.rows = self.cells = 0
        try:
            workbook = open_workbook(data, limits)
            for name in workbook.sheet_names:
                for _, cells in workbook.sheet(name).rows():
                    self.rows += 1
                    self.cells += len(cells)
        except WorkbookTooLarge as too_large:
            raise forms.ValidationError(str(too_large), code="too_many_rows") from None
        except WorkbookRejected:
            pass  # the preview says what is wrong, by the gate's sentence
        return upload


class EntryForm(forms.Form):
    """A period's figure and commentary as its owner enters it. The figure passes the same
    checks as a return's cell (kpis.figure_checks, kpis.importing.cells.parse_number); a large move
    from the previous figure asks for a tick rather than refusing.

    ``seen_version`` records what the form was opened on (kpis.approval.version_of), so a
    save made by someone else in between is detected rather than overwritten."""

    period_end = forms.DateField(widget=forms.HiddenInput)
    value = forms.CharField(
        label="Figure",
        max_length=30,
        error_messages={"required": "Enter the figure"},
    )
    numerator = forms.CharField(label="Numerator", required=False, max_length=30)
    denominator = forms.CharField(label="Denominator", required=False, max_length=30)
    commentary = forms.CharField(
        label="Commentary",
        help_text="What the figure means and what is being done, in words a councillor will "
        "understand.",
        required=False,
        widget=forms.Textarea(attrs={"rows": 5}),
        max_length=2000,
        error_messages={"max_length": "The commentary must be 2,000 characters or fewer"},
    )
    confirmed = forms.BooleanField(label="I have checked this figure", required=False)
    seen_version = forms.CharField(widget=forms.HiddenInput, max_length=100)

    def __init__(self, *args, kpi, today, **kwargs):
        super().__init__(*args, **kwargs)
        self.kpi, self.today = kpi, today
        self.warning = ""
        if kpi.unit == kpi.Unit.PERCENTAGE:
            self.fields["value"].label = "Figure (%)"
        if not self.has_parts:
            del self.fields["numerator"], self.fields["denominator"]

    @property
    def has_parts(self) -> bool:
        """Percentages and rates are a count over a count: their parts are asked for too."""
        return self.kpi.unit in (self.kpi.Unit.PERCENTAGE, self.kpi.Unit.RATE_PER_10000)

    def _number(self, name, unit):
        text = self.cleaned_data.get(name, "")
        if not text:
            return None
        try:
            return parse_number(text, kind="text", percent_format=False, unit=unit)
        except CellProblem as problem:
            message = str(problem)
            raise forms.ValidationError(message[:1].upper() + message[1:], code="number") from None

    def clean_value(self):
        return self._number("value", self.kpi.unit)

    def clean_numerator(self):
        return self._number("numerator", self.kpi.Unit.COUNT)

    def clean_denominator(self):
        return self._number("denominator", self.kpi.Unit.COUNT)

    def clean(self):
        cleaned = super().clean()
        period_end, value = cleaned.get("period_end"), cleaned.get("value")
        if period_end is None or value is None:
            if "period_end" in self.errors:
                self.errors["period_end"] = self.error_class(["Choose a period from the list"])
            return cleaned
        problems = check_figure(
            self.kpi,
            period_end,
            value,
            cleaned.get("numerator"),
            cleaned.get("denominator"),
            today=self.today,
        )
        for name, problem in problems.items():
            self.add_error(
                name, forms.ValidationError(problem[:1].upper() + problem[1:], code=name)
            )
        if not problems:
            self.warning = (
                large_move(self.kpi, period_end, previous_figure(self.kpi, period_end), value) or ""
            )
            if self.warning and not cleaned.get("confirmed"):
                self.add_error(
                    "confirmed",
                    forms.ValidationError(
                        "Tick to confirm you have checked this figure", code="unconfirmed"
                    ),
                )
        return cleaned


def _comment_field(help_text: str) -> forms.CharField:
    return forms.CharField(
        label="What needs changing",
        help_text=help_text,
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        max_length=2000,
        error_messages={"max_length": "The comment must be 2,000 characters or fewer"},
    )


class BaseDecisionForm(forms.Form):
    """Approve, or return with what needs changing: one rule for a figure and for an import's."""

    decision = forms.ChoiceField(choices=[("approve", "Approve"), ("return", "Return")])

    def clean(self):
        cleaned = super().clean()
        if cleaned.get("decision") == "return" and not cleaned.get("comment", "").strip():
            self.add_error(
                "comment",
                forms.ValidationError("Enter what needs changing", code="comment_required"),
            )
        return cleaned


class ImportDecisionForm(BaseDecisionForm):
    """An approver's decision on every figure of an import still awaiting approval."""

    # How many figures the approver saw awaiting: a decision on a set that has changed since
    # (an owner corrected one, a later import took some) is refused, as a stale save is.
    awaiting = forms.IntegerField(widget=forms.HiddenInput, required=False, min_value=0)
    comment = _comment_field("Required to return the figures: each measure's owner reads this.")


class DecisionForm(BaseDecisionForm):
    """An approver's decision on an entry: approve it, or return it with what to change."""

    comment = _comment_field("Required to return the figure: its owner reads this.")
    seen_version = forms.CharField(widget=forms.HiddenInput, max_length=100)
