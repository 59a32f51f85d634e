"""manage.py import_programme imports a Word progress table as a programme with the same checks
as the service; it fails (exit status 1, a CommandError) whenever nothing was imported."""

import pytest
from django.core.management import CommandError, call_command

from actions.models import Action, Programme, Update
from tests.table_files import appendix_c_docx, appendix_c_xlsx
from tests.test_seed_fixture import SOURCE, parse_appendix_c

ARGS = ("--name", "Care Programme", "--slug", "care", "--first-period", "2024-25-q1")


@pytest.fixture(scope="module")
def appendix_c_path(tmp_path_factory):
    path = tmp_path_factory.mktemp("tables") / "appendix_c.docx"
    path.write_bytes(appendix_c_docx(parse_appendix_c(SOURCE.read_text(encoding="utf-8"))))
    return path


@pytest.mark.django_db
def test_it_imports_the_table_with_its_q3_updates(appendix_c_path, administrator, capsys):
    call_command(
        "import_programme",
        str(appendix_c_path),
        *ARGS,
        "--last-period",
        "2024-25-q4",
        "--updates-period",
        "2024-25-q3",
        "--user",
        administrator.username,
    )
    out = capsys.readouterr().out
    assert "4 objectives, 9 requirements, 16 mechanisms, 43 actions" in out
    assert "Imported appendix_c.docx as Care Programme (care)" in out
    assert Action.objects.count() == 43
    assert Update.objects.filter(author=administrator).count() == 39


@pytest.mark.django_db
def test_a_dry_run_checks_everything_and_saves_nothing(appendix_c_path, capsys):
    call_command(
        "import_programme", str(appendix_c_path), *ARGS, "--last-period", "2024-25-q4", "--dry-run"
    )
    assert "would be imported" in capsys.readouterr().out
    assert not Programme.objects.exists()


@pytest.mark.django_db
def test_refusals_say_why_and_import_nothing(appendix_c_path, tmp_path):
    with pytest.raises(CommandError, match="is not a financial quarter"):
        call_command("import_programme", str(appendix_c_path), *ARGS, "--last-period", "Q4")
    with pytest.raises(CommandError, match="after the last"):
        call_command("import_programme", str(appendix_c_path), *ARGS, "--last-period", "2023-24-q4")
    legacy = tmp_path / "old.doc"
    legacy.write_bytes(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\0" * 600)
    with pytest.raises(CommandError, match="legacy .doc document.*Nothing was imported"):
        call_command("import_programme", str(legacy), *ARGS, "--last-period", "2024-25-q4")
    with pytest.raises(CommandError, match="Cannot read"):
        missing = tmp_path / "missing.docx"
        call_command("import_programme", str(missing), *ARGS, "--last-period", "2024-25-q4")
    with pytest.raises(CommandError, match="no user called 'nobody'"):
        call_command(
            "import_programme",
            str(appendix_c_path),
            *ARGS,
            "--last-period",
            "2024-25-q4",
            "--user",
            "nobody",
        )
    assert not Programme.objects.exists()


@pytest.mark.django_db
def test_an_excel_table_imports_the_same(tmp_path, capsys):
    path = tmp_path / "plan.xlsx"
    path.write_bytes(appendix_c_xlsx(parse_appendix_c(SOURCE.read_text(encoding="utf-8"))))
    call_command("import_programme", str(path), *ARGS, "--last-period", "2024-25-q4")
    assert "4 objectives, 9 requirements, 16 mechanisms, 43 actions" in capsys.readouterr().out
    assert Action.objects.count() == 43
    legacy = tmp_path / "plan.xls"
    legacy.write_bytes(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\0" * 600)
    with pytest.raises(CommandError, match="legacy .xls workbook"):
        call_command("import_programme", str(legacy), *ARGS, "--last-period", "2024-25-q4")
