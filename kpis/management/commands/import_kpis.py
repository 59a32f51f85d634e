from pathlib import Path

from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError

from kpis.importing.apply import ImportRefused, apply_return, store_upload
from kpis.importing.preview import preview_return


class Command(BaseCommand):
    help = (
        "Import a KPI return (.xlsx) with the same checks as the web import. Exit status 0 only "
        "when the file was imported (or, with --dry-run, would be)."
    )

    def add_arguments(self, parser):
        parser.add_argument("path", type=Path)
        parser.add_argument("--dry-run", action="store_true", help="check and report, save nothing")
        parser.add_argument("--user", help="username to record as the importer")

    def handle(self, *args, path: Path, dry_run: bool, user: str | None, **options):
        try:
            data = path.read_bytes()
        except OSError as error:
            raise CommandError(f"Cannot read {path}: {error.strerror}.") from None
        importer = None
        if user:
            importer = get_user_model().objects.filter(username=user).first()
            if importer is None:
                raise CommandError(f"There is no user called {user!r}.")

        preview = preview_return(data)
        self._report(path, preview)
        if not preview.can_confirm:
            raise CommandError(f"Nothing was imported from {path.name}.")
        if dry_run:
            self.stdout.write(
                self.style.SUCCESS("Dry run: the file would be imported. Nothing saved.")
            )
            return
        batch = store_upload(data=data, file_name=path.name, user=importer)
        try:
            batch = apply_return(batch=batch, user=importer, preview=preview)
        except ImportRefused as refusal:
            batch.delete()
            raise CommandError("; ".join(refusal.problems)) from None
        awaiting = batch.created_count + batch.updated_count
        self.stdout.write(
            self.style.SUCCESS(
                f"Imported {path.name} as import {batch.pk}: {awaiting} figures await approval "
                "at /kpis/entries/ (a head of service or another administrator approves them)."
            )
        )

    def _report(self, path, preview):
        out = self.stdout
        out.write(f"{path.name}:")
        for sheet, layout in preview.parsed.layouts.items():
            out.write(f"  sheet {sheet}: {layout} layout")
        if not preview.rejected:
            out.write(
                f"  {len(preview.new)} new, {len(preview.changed)} changed, "
                f"{len(preview.unchanged)} unchanged, {len(preview.warnings)} warnings, "
                f"{len(preview.problems)} problems"
            )
        for change in preview.changed[:50]:
            row = change.row
            out.write(
                f"  changed {row.sheet}!{row.ref} {row.kpi.code} {row.period_end}: "
                f"{change.existing.value.normalize():f} -> {row.value.normalize():f}"
            )
        for notice in preview.notices:
            out.write(f"  note: {notice}")
        for warning in preview.warnings:
            out.write(f"  warning: {warning}")
        for problem in preview.problems:
            self.stderr.write(f"  {problem}")
