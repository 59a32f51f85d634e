"""Write the shipped extract of DfE's LAIT data: the mapped indicators, every area, every year.

    python manage.py extract_lait /path/to/lait --out fixtures/lait [--indicators A,B]

`make lait-extract` runs it against ../shared/data/lait with the catalogue's mapping. The full
data set (641,070 rows) is never committed; this extract lets `make run` show real figures on
a machine without it.
"""

import csv
import gzip
import io
import shutil
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from kpis.lait.reading import FileKind, LaitFileError, identify
from kpis.models import KPI

OUTPUT = {
    FileKind.DATA: "lait_values.csv.gz",
    FileKind.DICTIONARY: "lait_dictionary.csv",
    FileKind.NEIGHBOURS: "statistical_neighbours.xlsx",
    FileKind.LA_LIST: "la_code_list.xlsx",
}


class Command(BaseCommand):
    help = "Write fixtures/lait/: the LAIT rows of the indicators the catalogue maps to."

    def add_arguments(self, parser):
        parser.add_argument("source", type=Path, help="folder with DfE's LAIT files")
        parser.add_argument("--out", type=Path, default=Path("fixtures/lait"))
        parser.add_argument("--indicators", help="comma-separated codes; default: the mapped ones")

    def handle(self, *args, source: Path, out: Path, indicators: str | None, **options):
        if not source.is_dir():
            raise CommandError(f"{source} is not a folder.")
        codes = (
            {code.strip() for code in indicators.split(",") if code.strip()}
            if indicators
            else set(
                KPI.objects.exclude(benchmark_code="").values_list("benchmark_code", flat=True)
            )
        )
        if not codes:
            raise CommandError("No indicators to extract: load the catalogue or pass --indicators.")
        files = {}
        for path in sorted(source.iterdir()):
            if path.is_file():
                try:
                    found = identify(path)
                except LaitFileError:
                    continue  # not one of LAIT's files
                if found.kind == FileKind.DATA and found.format == "parquet":
                    continue  # the CSV holds the same rows and needs no optional library
                files.setdefault(found.kind, path)
        missing = [kind.value for kind in OUTPUT if kind not in files]
        if missing:
            raise CommandError(f"{source} lacks: {', '.join(missing)}.")
        out.mkdir(parents=True, exist_ok=True)
        rows = self._filter_csv(
            files[FileKind.DATA], out / OUTPUT[FileKind.DATA], codes, "Short Desc"
        )
        entries = self._filter_csv(
            files[FileKind.DICTIONARY], out / OUTPUT[FileKind.DICTIONARY], codes, "Measure_short"
        )
        for kind in (FileKind.NEIGHBOURS, FileKind.LA_LIST):
            shutil.copyfile(files[kind], out / OUTPUT[kind])
        self.stdout.write(
            f"Wrote {rows:,} value rows and {entries} dictionary entries for {len(codes)} "
            f"indicators to {out}/."
        )

    def _filter_csv(self, path: Path, target: Path, codes: set[str], column: str) -> int:
        opener = gzip.open if path.suffix == ".gz" else open
        written = 0
        with opener(path, "rt", encoding="utf-8-sig", newline="") as source:
            reader = csv.DictReader(source)
            buffer = io.StringIO()
            writer = csv.DictWriter(buffer, fieldnames=reader.fieldnames, lineterminator="\n")
            writer.writeheader()
            for row in reader:
                if row[column] in codes:
                    writer.writerow(row)
                    written += 1
        data = buffer.getvalue().encode("utf-8")
        if target.suffix == ".gz":
            # mtime=0: the same rows give the same bytes, so the extract diffs cleanly in git.
            with open(target, "wb") as raw, gzip.GzipFile(fileobj=raw, mode="wb", mtime=0) as gz:
                gz.write(data)
        else:
            target.write_bytes(data)
        return written
