"""The shipped extract: the mapped indicators' rows, every area and year, re-importable."""

import csv
import gzip

import pytest
from django.core.management import CommandError, call_command

from kpis.models import BenchmarkValue
from tests.test_lait_import import (
    BASE_ROWS,
    DATA_HEADER,
    DICTIONARY,
    DICTIONARY_HEADER,
    la_list_rows,
    neighbour_rows,
    write_csv,
    xlsx,
)


def small_lait_folder(folder):
    """The import tests' small data set, as DfE's files in one folder."""
    folder.mkdir()
    (folder / "sn.xlsx").write_bytes(xlsx(neighbour_rows(), sheet="LA SN Groups"))
    (folder / "las.xlsx").write_bytes(xlsx(la_list_rows(), sheet="Sheet1"))
    write_csv(folder / "bds_long.csv.gz", DATA_HEADER, BASE_ROWS, gz=True)
    write_csv(folder / "dictionary.csv", DICTIONARY_HEADER, DICTIONARY)
    return folder


def test_the_extract_keeps_only_the_chosen_indicators_and_imports_as_the_full_files_do(
    tmp_path, db
):
    source = small_lait_folder(tmp_path / "lait")
    out = tmp_path / "extract"
    call_command("extract_lait", str(source), out=out, indicators="LACnum")
    with gzip.open(out / "lait_values.csv.gz", "rt", encoding="utf-8") as data:
        codes = {row["Short Desc"] for row in csv.DictReader(data)}
    assert codes == {"LACnum"}
    with open(out / "lait_dictionary.csv", encoding="utf-8") as dictionary:
        assert [row["Measure_short"] for row in csv.DictReader(dictionary)] == ["LACnum"]

    call_command("import_lait", *[str(p) for p in sorted(out.iterdir())], verbosity=0)
    assert set(BenchmarkValue.objects.values_list("indicator__code", flat=True)) == {"LACnum"}
    first = (out / "lait_values.csv.gz").read_bytes()
    call_command("extract_lait", str(source), out=out, indicators="LACnum")
    assert (out / "lait_values.csv.gz").read_bytes() == first  # same rows, same bytes


def test_without_a_mapping_or_indicators_the_extract_says_what_is_missing(tmp_path, db):
    with pytest.raises(CommandError, match="No indicators to extract"):
        call_command("extract_lait", str(tmp_path))
    with pytest.raises(CommandError, match="is not a folder"):
        call_command("extract_lait", str(tmp_path / "nowhere"))
