"""A council's progress report in Word becomes a programme's tree, row for row: Appendix C as
a .docx (merged cells, a bold heading above each objective) reads back as the seed holds it."""

import io
import zipfile

import pytest

from actions.table_import.tree import TableRejected
from actions.table_import.word import LEGACY_DOC, NOT_WORD, TOO_MANY_ROWS, read_word
from tests.libreoffice import convert
from tests.table_files import appendix_c_docx
from tests.test_seed_fixture import SOURCE, fixture_rows, flatten, parse_appendix_c


@pytest.fixture(scope="module")
def appendix_c():
    return parse_appendix_c(SOURCE.read_text(encoding="utf-8"))


def test_appendix_c_with_merged_cells_reads_back_as_all_43_actions_in_order(appendix_c):
    parsed = read_word(appendix_c_docx(appendix_c))
    assert parsed.problems == []
    assert parsed.counts() == {"objectives": 4, "requirements": 9, "mechanisms": 16, "actions": 43}
    assert parsed.rows() == flatten(appendix_c)


def test_every_row_filled_in_reads_the_same_as_merged_cells(appendix_c):
    parsed = read_word(appendix_c_docx(appendix_c, merge=False))
    assert parsed.rows() == flatten(appendix_c)


@pytest.mark.django_db
def test_the_word_table_reads_as_the_seed_programme_holds_it(seed_programme, appendix_c):
    assert read_word(appendix_c_docx(appendix_c)).rows() == fixture_rows(seed_programme)


def test_a_table_without_a_mechanisms_column_is_named_and_not_read(appendix_c):
    header = ("Objective", "Requirements", "Action", "Updates", "Notes")
    with pytest.raises(TableRejected, match="Table 1, row 1: the header row has no 'Mechanisms'"):
        read_word(appendix_c_docx(appendix_c[:1], header=header))


def test_a_table_continued_after_a_page_break_with_empty_rows_stays_one_objective(appendix_c):
    import io

    from docx import Document

    document = Document(io.BytesIO(appendix_c_docx(appendix_c[:1])))
    table = document.tables[0]
    table.add_row()  # an empty continuation row, as Word leaves at a page break
    second = document.add_table(rows=2, cols=5)  # the table continues, its header repeated
    for column, text in enumerate(("Objective", "Requirements", "Mechanisms", "Action", "Updates")):
        second.cell(0, column).text = text
    second.cell(1, 1).text = "A further requirement for children in care"
    second.cell(1, 2).text = "A further mechanism"
    second.cell(1, 3).text = "A further action"
    out = io.BytesIO()
    document.save(out)
    parsed = read_word(out.getvalue())
    assert parsed.problems == []
    assert [o.title for o in parsed.objectives] == [appendix_c[0][0]]
    assert parsed.rows() == [
        *flatten(appendix_c[:1]),
        (
            *appendix_c[0][:2],
            "A further requirement for children in care",
            "A further mechanism",
            "A further action",
            "",
        ),
    ]


def test_a_legacy_doc_and_a_text_file_are_refused_with_a_sentence():
    with pytest.raises(TableRejected, match=LEGACY_DOC.split(":")[0]):
        read_word(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\0" * 600)
    with pytest.raises(TableRejected, match="not a Word document"):
        read_word(b"Objective,Requirements\n")
    assert NOT_WORD


def test_appendix_c_saved_again_by_libreoffice_writer_reads_the_same(appendix_c, tmp_path):
    source = tmp_path / "appendix_c.docx"
    source.write_bytes(appendix_c_docx(appendix_c))
    (saved,) = convert(source, "docx:MS Word 2007 XML").glob("*.docx")
    parsed = read_word(saved.read_bytes())
    assert parsed.problems == []
    assert parsed.rows() == flatten(appendix_c)


def _with_document_xml(data: bytes, change) -> bytes:
    source = zipfile.ZipFile(io.BytesIO(data))
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as target:
        for info in source.infolist():
            content = source.read(info)
            if info.filename == "word/document.xml":
                content = change(content)
            target.writestr(info, content)
    return out.getvalue()


def test_a_document_with_entity_declarations_is_refused_before_it_is_parsed(appendix_c):
    data = _with_document_xml(
        appendix_c_docx(appendix_c[:1]),
        lambda xml: xml.replace(
            b"?>", b'?><!DOCTYPE w [<!ENTITY a "aaaaaaaaaa"><!ENTITY b "&a;&a;&a;&a;">]>', 1
        ),
    )
    with pytest.raises(TableRejected, match="XML features that are not allowed"):
        read_word(data)


def test_a_zip_bomb_is_refused_before_it_is_unpacked(appendix_c):
    data = _with_document_xml(appendix_c_docx(appendix_c[:1]), lambda xml: xml + b" " * 50_000_000)
    with pytest.raises(TableRejected) as refused:
        read_word(data)
    assert str(refused.value) == (
        "This document is compressed far more than a real document would be "
        "(a possible 'zip bomb'), so it was not opened."
    )


def test_a_10000_row_table_is_refused_with_a_sentence():
    from docx import Document

    document = Document()
    document.add_paragraph().add_run("An objective").bold = True
    table = document.add_table(rows=10_001, cols=3)
    for column, text in enumerate(("Requirements", "Mechanisms", "Action")):
        table.cell(0, column).text = text
    out = io.BytesIO()
    document.save(out)
    with pytest.raises(TableRejected) as refused:
        read_word(out.getvalue())
    assert str(refused.value) == TOO_MANY_ROWS
