"""A progress table becomes a programme, all or nothing: Appendix C imported from Word gives the
Q3 report the seed programme gives, action for action, update for update."""

import pytest

from actions.models import Action, Objective, Programme, Update
from actions.queries import report_tables
from actions.table_import.create import ImportRefused, create_programme
from actions.table_import.reading import read_table
from actions.table_import.tree import ParsedProgramme, Problem
from actions.table_import.word import read_word
from careprog.periods import ReportingPeriod
from tests.table_files import appendix_c_docx, appendix_c_xlsx
from tests.test_seed_fixture import SOURCE, parse_appendix_c

Q1, Q3, Q4 = ReportingPeriod(2024, 1), ReportingPeriod(2024, 3), ReportingPeriod(2024, 4)


@pytest.fixture(scope="module")
def appendix_c_file():
    return appendix_c_docx(parse_appendix_c(SOURCE.read_text(encoding="utf-8")))


def _import(data, slug="imported", **kwargs):
    return create_programme(
        parsed=read_word(data),
        name="Imported Care Programme",
        slug=slug,
        first_period=Q1,
        last_period=Q4,
        **kwargs,
    )


def report(programme):
    """What the Q3 report shows, row by row: each cell's text where the cell starts."""
    rows, objective, requirement, mechanism = [], None, None, None
    for table in report_tables(programme, Q3):
        for row in table.rows:
            objective = row.objective or objective
            requirement = row.requirement or requirement
            mechanism = row.mechanism or mechanism
            rows.append(
                (
                    objective.title,
                    objective.statement,
                    requirement.text,
                    mechanism.text,
                    row.action.title,
                    row.update.text if row.update else None,
                )
            )
    return rows


@pytest.mark.django_db
def test_appendix_c_from_word_gives_the_seed_programmes_q3_report(seed_programme, appendix_c_file):
    imported = _import(appendix_c_file, updates_period=Q3, source="Appendix C")
    rows = report(imported)
    assert len(rows) == 43
    assert rows == report(seed_programme)


@pytest.mark.django_db
@pytest.mark.parametrize("theme_column", [False, True], ids=["heading-rows", "theme-column"])
def test_appendix_c_from_excel_gives_the_seed_programmes_q3_report(seed_programme, theme_column):
    appendix_c = parse_appendix_c(SOURCE.read_text(encoding="utf-8"))
    imported = create_programme(
        parsed=read_table(appendix_c_xlsx(appendix_c, theme_column=theme_column), "plan.xlsx"),
        name="Imported Care Programme",
        slug="imported",
        first_period=Q1,
        last_period=Q4,
        updates_period=Q3,
    )
    assert report(imported) == report(seed_programme)


@pytest.mark.django_db
def test_without_an_updates_quarter_the_structure_comes_without_updates(appendix_c_file):
    imported = _import(appendix_c_file)
    actions = Action.objects.filter(mechanism__requirement__objective__programme=imported)
    assert actions.count() == 43
    assert not Update.objects.filter(action__in=actions).exists()


@pytest.mark.django_db
def test_a_short_name_in_use_creates_nothing(appendix_c_file):
    _import(appendix_c_file)
    with pytest.raises(ImportRefused, match="'imported' already exists"):
        _import(appendix_c_file)
    assert Programme.objects.count() == 1
    assert Objective.objects.count() == 4


@pytest.mark.django_db
def test_a_table_with_problems_creates_nothing(appendix_c_file):
    parsed = read_word(appendix_c_file)
    parsed.problems.append(Problem("Table 2, row 3", "this row has no requirement above it"))
    with pytest.raises(ImportRefused, match="1 problem to correct first"):
        create_programme(parsed=parsed, name="X", slug="x", first_period=Q1, last_period=Q4)
    assert not Programme.objects.exists()


@pytest.mark.django_db
def test_an_updates_quarter_outside_the_programme_creates_nothing(appendix_c_file):
    with pytest.raises(ImportRefused, match="2025-26 Q1"):
        _import(appendix_c_file, updates_period=ReportingPeriod(2025, 1))
    assert not Programme.objects.exists()
    with pytest.raises(ImportRefused, match="holds no actions"):
        create_programme(
            parsed=ParsedProgramme(), name="X", slug="x", first_period=Q1, last_period=Q4
        )
