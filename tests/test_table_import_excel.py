"""A progress table in Excel becomes a programme's tree: Appendix C as one sheet, merged or filled
in, with heading rows or a Theme column, reads back row for row; bad sheets are told why."""

import io

import pytest
from openpyxl import load_workbook

from actions.table_import.excel import MAX_ROWS, TOO_MANY_ROWS, read_excel
from actions.table_import.tree import TableRejected
from tests.libreoffice import convert
from tests.table_files import appendix_c_xlsx
from tests.test_seed_fixture import SOURCE, flatten, parse_appendix_c


@pytest.fixture(scope="module")
def appendix_c():
    return parse_appendix_c(SOURCE.read_text(encoding="utf-8"))


@pytest.mark.parametrize("merge", [True, False], ids=["merged", "filled-in"])
@pytest.mark.parametrize("theme_column", [False, True], ids=["heading-rows", "theme-column"])
def test_appendix_c_as_a_sheet_reads_back_as_all_43_actions_in_order(
    appendix_c, merge, theme_column
):
    parsed = read_excel(appendix_c_xlsx(appendix_c, merge=merge, theme_column=theme_column))
    assert parsed.problems == []
    assert parsed.counts() == {"objectives": 4, "requirements": 9, "mechanisms": 16, "actions": 43}
    assert parsed.rows() == flatten(appendix_c)


def test_columns_in_another_order_and_case_read_the_same(appendix_c):
    data = appendix_c_xlsx(appendix_c, theme_column=True, merge=False)
    book = load_workbook(io.BytesIO(data))
    sheet = book.active
    for row in sheet.iter_rows():
        values = [cell.value for cell in row]
        # Action, Latest update, Mechanisms, Requirements, Objective, THEME
        for cell, value in zip(row, [values[i] for i in (4, 5, 3, 2, 1, 0)], strict=True):
            cell.value = value
    sheet["B1"], sheet["F1"] = "Latest update", "THEME"
    out = io.BytesIO()
    book.save(out)
    assert read_excel(out.getvalue()).rows() == flatten(appendix_c)


def test_appendix_c_saved_again_by_libreoffice_calc_reads_the_same(appendix_c, tmp_path):
    source = tmp_path / "appendix_c.xlsx"
    source.write_bytes(appendix_c_xlsx(appendix_c))
    (saved,) = convert(source, "xlsx:Calc MS Excel 2007 XML").glob("*.xlsx")
    parsed = read_excel(saved.read_bytes())
    assert parsed.problems == []
    assert parsed.rows() == flatten(appendix_c)


def test_a_missing_column_is_named_by_its_cell(appendix_c):
    header = ("Objective", "Requirements", "Action", "Updates", "Notes")
    with pytest.raises(TableRejected, match=r"Sheet 'Progress', cell A1: .*no 'Mechanisms' column"):
        read_excel(appendix_c_xlsx(appendix_c, header=header, merge=False))


def test_a_cell_merged_across_two_objectives_is_a_problem_named_by_its_cells(appendix_c):
    book = load_workbook(io.BytesIO(appendix_c_xlsx(appendix_c, theme_column=True)))
    sheet = book.active
    first_of_second = 2 + len(flatten(appendix_c[:1]))
    sheet.merge_cells(f"B{first_of_second - 1}:B{first_of_second + 1}")
    out = io.BytesIO()
    book.save(out)
    parsed = read_excel(out.getvalue())
    assert [str(p) for p in parsed.problems] == [
        f"Sheet 'Progress', cells B{first_of_second - 1}:B{first_of_second + 1}: this merged "
        f"cell runs on into the next objective (row {first_of_second}): unmerge it where that "
        "objective starts"
    ]


def test_an_empty_action_row_adds_nothing(appendix_c):
    book = load_workbook(io.BytesIO(appendix_c_xlsx(appendix_c, merge=False, theme_column=True)))
    book.active.insert_rows(5)
    for column, value in enumerate(next(book.active.iter_rows(min_row=4, max_row=4)), start=1):
        if column <= 4:
            book.active.cell(5, column).value = value.value
    out = io.BytesIO()
    book.save(out)
    assert read_excel(out.getvalue()).rows() == flatten(appendix_c)


def test_a_10000_row_sheet_is_refused_with_a_sentence(appendix_c):
    with pytest.raises(TableRejected) as refused:
        read_excel(appendix_c_xlsx(appendix_c, rows=10_000))
    assert str(refused.value) == TOO_MANY_ROWS
    assert f"{MAX_ROWS:,} rows" in TOO_MANY_ROWS


def test_a_legacy_xls_is_refused_with_a_sentence():
    with pytest.raises(TableRejected, match="legacy .xls workbook: save it as .xlsx"):
        read_excel(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\0" * 600)
