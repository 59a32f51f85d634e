from pathlib import Path

from django.core.management.base import BaseCommand, CommandError
from django.db import transaction

from kpis.lait import loading, reading, sync


class Command(BaseCommand):
    help = (
        "Load DfE LAIT data: any of the data file (CSV, .csv.gz or .parquet if pyarrow is "
        "installed), the data dictionary CSV, the statistical neighbours workbook and the LA "
        "code list, recognised by content. One transaction; a second run of the same files "
        "changes nothing. Rows that cannot be used are reported by reason, not fatal, unless "
        "a data file has no row that can: then nothing is imported and the exit status is 1. "
        "Without the LA code list, areas are taken from the data's rows. Then, in the same "
        "transaction, the home council's DfE figures are synced into its KPIs "
        "(as `sync_lait` does)."
    )

    def add_arguments(self, parser):
        parser.add_argument("paths", nargs="+", type=Path, metavar="PATH")
        parser.add_argument(
            "--indicators",
            metavar="CODE,CODE",
            help="load only these indicators (LAIT Short Desc codes); areas and neighbours "
            "still load",
        )
        parser.add_argument("--dry-run", action="store_true", help="report, then roll back")

    def handle(self, *args, paths: list[Path], indicators: str | None, dry_run: bool, **options):
        only = None
        if indicators is not None:
            only = {code.strip() for code in indicators.split(",") if code.strip()}
            if not only:
                raise CommandError("--indicators names no code.")
        synced = None
        try:
            files = [reading.identify(path) for path in paths]
            with transaction.atomic():
                report = loading.load(files=files, only=only, dry_run=dry_run)
                refusal = report.refusal()
                if refusal:
                    transaction.set_rollback(True)
                elif not dry_run:
                    try:
                        synced = sync.sync()
                    except sync.NoHomeArea as error:
                        synced = error
        except reading.LaitFileError as error:
            raise CommandError(f"{error} Nothing was imported.") from None
        self._report(report)
        if refusal:
            raise CommandError(f"{refusal} Nothing was imported.")
        if isinstance(synced, sync.Report):
            for line in sync.describe(synced):
                self.stdout.write(line)
        elif synced is not None:
            self.stderr.write(f"{synced} DfE figures were not synced into the KPIs.")

    def _report(self, report: loading.Report):
        out = self.stdout
        for step in report.steps:
            counts = step.counts
            name = step.file.path.name
            if isinstance(step, loading.ValuesStep):
                out.write(
                    f"Values ({name}): read {step.rows_read} rows; created {counts.created}, "
                    f"updated {counts.updated}, unchanged {counts.unchanged}, "
                    f"deleted {counts.deleted}; published {step.published}, "
                    f"suppressed {step.suppressed}"
                )
                self._values_detail(step)
            else:
                title = {
                    reading.FileKind.LA_LIST: "Areas",
                    reading.FileKind.NEIGHBOURS: "Statistical neighbours",
                    reading.FileKind.DICTIONARY: "Indicators",
                }[step.file.kind]
                deleted = f", deleted {counts.deleted}" if counts.deleted else ""
                out.write(
                    f"{title} ({name}): created {counts.created}, updated {counts.updated}, "
                    f"unchanged {counts.unchanged}{deleted}"
                )
                for reason, count in sorted(step.problems.items()):
                    self.stderr.write(f"  left out: {reason}: {count}")
            for note in step.notes:
                out.write(f"  note: {note}")
        if report.unknown_requested:
            self.stderr.write(
                "  --indicators names codes that are not in the dictionary: "
                + ", ".join(report.unknown_requested)
            )
        if report.dry_run:
            out.write(
                self.style.WARNING(
                    "Dry run: everything was rolled back; DfE figures were not synced."
                )
            )

    def _values_detail(self, step: loading.ValuesStep):
        out = self.stdout
        if step.rows_not_requested:
            out.write(f"  not requested (--indicators): {step.rows_not_requested} rows")
        if step.superseded_in_file:
            out.write(f"  replaced by a later revision in the file: {step.superseded_in_file}")
        if step.repeated_in_file:
            out.write(f"  given twice in the file (the later row kept): {step.repeated_in_file}")
        if step.kept_later_revision:
            out.write(
                f"  kept stored figures of a later revision than the file's: "
                f"{step.kept_later_revision}"
            )
        skipped = sum(step.problems.values())
        if skipped:
            self.stderr.write(f"  skipped {skipped} rows:")
        for reason, count in step.problems.most_common():
            examples = step.examples[reason]
            shown = "; ".join(
                f"{example} x {n}" for example, n in examples.most_common(loading.EXAMPLES)
            )
            more = len(examples) - loading.EXAMPLES
            tail = f"; and {more} more" if more > 0 else ""
            self.stderr.write(f"    {reason}: {count} ({shown}{tail})")
