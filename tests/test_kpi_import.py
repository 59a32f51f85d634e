"""Administrators import KPI returns: a preview first, every problem by cell, all or nothing."""

import datetime as dt
import html
import io
import re
import time
from decimal import Decimal

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import CommandError, call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext
from openpyxl import load_workbook

from kpis.importing import preview as previewing
from kpis.models import KPI, ImportBatch, KPIGroup, KPIValue, Origin
from tests.import_files import (
    BILLION_LAUGHS,
    EXTERNAL_ENTITY,
    long_return,
    with_sheet_xml,
    xlsx,
    zip_of,
)
from tests.kpi_factories import approve_imports

JAN, FEB, MAR = dt.date(2025, 1, 31), dt.date(2025, 2, 28), dt.date(2025, 3, 31)


@pytest.fixture
def kpis(db):
    group = KPIGroup.objects.create(name="Vision", position=1)
    make = lambda code, unit, frequency="monthly": KPI.objects.create(  # noqa: E731
        code=code, name=code, group=group, unit=unit, polarity="higher", frequency=frequency
    )
    return {
        "foster": make("cla-foster", "percentage"),
        "starters": make("cla-starters", "count"),
        "a10": make("a10", "days", "annual"),
        "quarterly": make("pathway-plans", "percentage", "quarterly"),
    }


@pytest.fixture
def administrator_client(client, administrator):
    client.force_login(administrator)
    return client


def upload(client, data, name="return.xlsx"):
    return client.post("/kpis/import/", {"file": SimpleUploadedFile(name, data)}, follow=True)


def text(response):
    """The page as a reader sees it: entities such as &#x27; decoded."""
    return html.unescape(response.content.decode())


def confirm(client, response, *, approve=True):
    """Confirm the previewed return; unless told not to, a head of service then approves its
    figures (tests/test_import_approval.py covers the figures awaiting approval)."""
    batch = response.context["batch"]
    confirmed = client.post(f"/kpis/import/{batch.pk}/preview/", follow=True)
    if approve and confirmed.status_code == 200:
        approve_imports()
    return confirmed


GOOD = long_return(
    [
        ["cla-foster", "Jan 2025", 70, ""],
        ["cla-foster", "2025-02-28", "71%", "checked"],
        ["cla-starters", dt.datetime(2025, 1, 31), 12, ""],
        ["a10", "2024-25", 480, ""],
        ["pathway-plans", "2024-25 Q3", 0.8, ""],
    ],
    number_formats={"C6": "0%"},
)


def test_the_preview_lists_new_changed_and_unchanged_values_and_saves_nothing(
    administrator_client, kpis
):
    KPIValue.objects.create(kpi=kpis["foster"], period_end=JAN, value=Decimal(68))
    KPIValue.objects.create(kpi=kpis["starters"], period_end=JAN, value=Decimal(12))
    response = upload(administrator_client, GOOD)
    preview = response.context["preview"]
    assert [(c.row.kpi.code, c.existing.value, c.row.value) for c in preview.changed] == [
        ("cla-foster", Decimal("68.0000"), Decimal("70.0000"))
    ]
    assert {c.row.kpi.code for c in preview.new} == {"cla-foster", "a10", "pathway-plans"}
    assert [c.row.kpi.code for c in preview.unchanged] == ["cla-starters"]
    assert preview.can_confirm
    html = text(response)
    assert "1</span> changed" in html and "3</span> new" in html
    assert KPIValue.objects.count() == 2  # nothing saved yet


def test_percentages_typed_as_63_63_percent_or_a_percent_formatted_0_63_all_mean_63(
    administrator_client, kpis
):
    data = long_return(
        [
            ["cla-foster", "Jan 2025", 63, ""],
            ["cla-foster", "Feb 2025", "63%", ""],
            ["cla-foster", "Mar 2025", 0.63, ""],
        ],
        number_formats={"C4": "0.0%"},
    )
    confirm(administrator_client, upload(administrator_client, data))
    assert set(KPIValue.objects.values_list("value", flat=True)) == {Decimal(63)}


def test_confirming_saves_every_value_in_one_import_and_records_the_batch(
    administrator_client, kpis, administrator
):
    response = confirm(administrator_client, upload(administrator_client, GOOD))
    assert "has been imported" in text(response)
    batch = ImportBatch.objects.get()
    assert (batch.status, batch.created_count, batch.applied_by) == ("applied", 5, administrator)
    assert len(batch.sha256) == 64
    assert KPIValue.objects.filter(origin=Origin.RETURN).count() == 5
    assert KPIValue.objects.get(kpi=kpis["quarterly"]).value == 80
    assert KPIValue.objects.get(kpi=kpis["a10"]).period_end == MAR


@pytest.mark.parametrize(
    ("value", "status"), [(12, 200), ("n/a", 409)], ids=["imported", "refused"]
)
def test_confirming_reads_the_file_once_whether_it_is_imported_or_refused(
    administrator_client, kpis, monkeypatch, value, status
):
    response = upload(administrator_client, long_return([["cla-starters", "Jan 2025", value, ""]]))
    reads = []
    read_return = previewing.read_return
    monkeypatch.setattr(
        previewing,
        "read_return",
        lambda workbook, **given: reads.append(workbook) or read_return(workbook, **given),
    )
    confirmed = confirm(administrator_client, response)
    assert confirmed.status_code == status
    assert len(reads) == 1
    if status == 409:  # the page that says why shows the preview the confirmation made
        assert "Returns!C2: 'n/a' is not a number" in text(confirmed)


def test_a_real_figure_is_compared_with_the_stored_real_one_never_with_demo_data(
    kpis, django_assert_num_queries
):
    illustrative = {"origin": Origin.ILLUSTRATIVE, "source": "Demo"}
    KPIValue.objects.create(kpi=kpis["foster"], period_end=JAN, value=70, **illustrative)
    KPIValue.objects.create(kpi=kpis["starters"], period_end=JAN, value=12, **illustrative)
    KPIValue.objects.create(kpi=kpis["starters"], period_end=JAN, value=11)
    KPIValue.objects.create(
        kpi=kpis["starters"], period_end=dt.date(2024, 12, 31), value=1, **illustrative
    )
    data = long_return([["cla-foster", "Jan 2025", 70, ""], ["cla-starters", "Jan 2025", 12, ""]])
    with django_assert_num_queries(2):  # the catalogue, the stored figures
        preview = previewing.preview_return(data)
    assert [c.row.kpi.code for c in preview.new] == ["cla-foster"]
    assert [(c.row.kpi.code, c.existing.value) for c in preview.changed] == [
        ("cla-starters", Decimal(11))
    ]
    assert not preview.warnings  # 1 in December was demo data: no large move from it


def test_reimporting_the_same_file_changes_nothing(administrator_client, kpis):
    confirm(administrator_client, upload(administrator_client, GOOD))
    before = list(KPIValue.objects.order_by("pk").values_list("pk", "value", "source"))
    response = upload(administrator_client, GOOD)
    preview = response.context["preview"]
    assert (len(preview.new), len(preview.changed), len(preview.unchanged)) == (0, 0, 5)
    confirm(administrator_client, response)
    assert list(KPIValue.objects.order_by("pk").values_list("pk", "value", "source")) == before


def test_the_wide_layout_of_the_template_is_read_too(administrator_client, kpis):
    data = xlsx(
        [
            ["KPI code", "KPI name", "Unit", "Jan 2025", "Feb 2025", dt.datetime(2025, 3, 31)],
            ["cla-foster", "Foster", "Percentage", 70, None, "72%"],
            ["cla-starters", "Starters", "Count", None, 11, None],
        ]
    )
    response = upload(administrator_client, data)
    preview = response.context["preview"]
    assert preview.parsed.layouts == {"Returns": "wide"}
    assert sorted((c.row.kpi.code, c.row.period_end, c.row.value) for c in preview.new) == [
        ("cla-foster", JAN, Decimal(70)),
        ("cla-foster", MAR, Decimal(72)),
        ("cla-starters", FEB, Decimal(11)),
    ]


def test_headers_are_forgiven_case_spacing_and_order(administrator_client, kpis):
    data = xlsx([["  value ", "kpi   CODE", "PERIOD"], [70, "CLA-FOSTER", "Jan 2025"]])
    preview = upload(administrator_client, data).context["preview"]
    assert preview.can_confirm and preview.new[0].row.kpi == kpis["foster"]


def test_the_downloaded_template_is_generated_from_the_catalogue_and_protected(
    administrator_client, kpis
):
    response = administrator_client.get(
        "/kpis/import/template.xlsx", {"first": "Oct 2024", "last": "Mar 2025"}
    )
    assert response["Content-Type"].startswith("application/vnd.openxmlformats")
    workbook = load_workbook(io.BytesIO(response.content))
    assert workbook.sheetnames == ["Instructions", "Returns"]
    sheet = workbook["Returns"]
    header = [cell.value for cell in sheet[1]]
    assert header == [
        "KPI code",
        "KPI name",
        "Unit",
        "Frequency",
        "Oct 2024",
        "Nov 2024",
        "Dec 2024",
        "Jan 2025",
        "Feb 2025",
        "Mar 2025",
    ]
    assert [row[0].value for row in sheet.iter_rows(min_row=2)] == [
        k.code for k in KPI.objects.order_by("position", "code")
    ]
    assert sheet.protection.sheet is True
    assert sheet["A1"].protection.locked and sheet["D2"].protection.locked
    foster = 2 + [row[0].value for row in sheet.iter_rows(min_row=2)].index("cla-foster")
    assert not sheet.cell(row=foster, column=5).protection.locked
    assert sheet.data_validations.dataValidation[0].type == "decimal"


def test_a_filled_in_template_imports(administrator_client, kpis):
    response = administrator_client.get(
        "/kpis/import/template.xlsx", {"first": "Jan 2025", "last": "Mar 2025"}
    )
    workbook = load_workbook(io.BytesIO(response.content))
    sheet = workbook["Returns"]
    codes = [row[0].value for row in sheet.iter_rows(min_row=2)]
    sheet.cell(row=2 + codes.index("cla-foster"), column=5, value=70)
    sheet.cell(row=2 + codes.index("a10"), column=7, value=480)
    buffer = io.BytesIO()
    workbook.save(buffer)
    preview = upload(administrator_client, buffer.getvalue()).context["preview"]
    assert preview.can_confirm and len(preview.new) == 2


def test_a_template_filled_in_by_xlsxwriter_imports_in_both_layouts(administrator_client, kpis):
    import xlsxwriter

    for layout in ("long", "wide"):
        buffer = io.BytesIO()
        book = xlsxwriter.Workbook(buffer, {"in_memory": True})
        sheet = book.add_worksheet("Returns")
        percent = book.add_format({"num_format": "0%"})
        if layout == "long":
            sheet.write_row(0, 0, ["KPI code", "Period", "Value"])
            sheet.write_row(1, 0, ["cla-foster", "Jan 2025"])
            sheet.write_number(1, 2, 0.7, percent)
            sheet.write_row(2, 0, ["cla-starters", "2025-02-28", 9])
        else:
            sheet.write_row(0, 0, ["KPI code", "Jan 2025", "Feb 2025"])
            sheet.write(1, 0, "cla-foster")
            sheet.write_number(1, 1, 0.7, percent)
            sheet.write_row(2, 0, ["cla-starters", None, 9])
        book.close()
        preview = upload(administrator_client, buffer.getvalue()).context["preview"]
        assert preview.can_confirm, preview.problems
        assert sorted((c.row.kpi.code, c.row.value) for c in preview.new) == [
            ("cla-foster", Decimal(70)),
            ("cla-starters", Decimal(9)),
        ], layout


def test_large_moves_from_the_previous_period_are_warned_about(administrator_client, kpis):
    KPIValue.objects.create(kpi=kpis["starters"], period_end=dt.date(2024, 12, 31), value=10)
    preview = upload(
        administrator_client, long_return([["cla-starters", "Jan 2025", 30, ""]])
    ).context["preview"]
    assert preview.can_confirm
    assert any("more than 25% away from the previous figure, 10" in w for w in preview.warnings)


def test_undoing_an_import_restores_the_previous_values(administrator_client, kpis):
    KPIValue.objects.create(kpi=kpis["foster"], period_end=JAN, value=Decimal(68), source="Old")
    confirm(administrator_client, upload(administrator_client, GOOD))
    batch = ImportBatch.objects.get()
    response = administrator_client.post(f"/kpis/import/{batch.pk}/", follow=True)
    assert "has been undone" in text(response)
    assert list(KPIValue.objects.values_list("value", "source")) == [(Decimal(68), "Old")]
    batch.refresh_from_db()
    assert batch.status == "undone" and batch.values.count() == 5  # the record is kept


def test_undoing_restores_every_field_the_import_replaced(administrator_client, kpis):
    KPIValue.objects.create(
        kpi=kpis["foster"], period_end=JAN, value=Decimal(68), numerator=Decimal(17),
        denominator=Decimal(25), note="From the paper", source="Paper", origin=Origin.PUBLISHED,
    )  # fmt: skip
    data = xlsx(
        [["KPI code", "Period", "Value", "Numerator", "Denominator", "Note"],
         ["cla-foster", "Jan 2025", 70, 21, 30, "Corrected"]]
    )  # fmt: skip
    confirm(administrator_client, upload(administrator_client, data))
    assert KPIValue.objects.get().numerator == 21
    administrator_client.post(f"/kpis/import/{ImportBatch.objects.get().pk}/")
    restored = KPIValue.objects.values_list(
        "value", "numerator", "denominator", "note", "source", "origin"
    ).get()
    assert restored == (68, 17, 25, "From the paper", "Paper", Origin.PUBLISHED)


def test_an_undo_refuses_if_a_value_changed_since_and_changes_nothing(administrator_client, kpis):
    KPIValue.objects.create(kpi=kpis["foster"], period_end=JAN, value=Decimal(68))
    confirm(administrator_client, upload(administrator_client, GOOD))
    KPIValue.objects.filter(kpi=kpis["a10"]).update(value=500)  # an edit after the import
    KPIValue.objects.filter(kpi=kpis["starters"]).delete()
    before = sorted(KPIValue.objects.values_list("kpi__code", "period_end", "value"))
    batch = ImportBatch.objects.get()
    response = administrator_client.post(f"/kpis/import/{batch.pk}/")
    assert response.status_code == 409
    assert (
        "2 values were changed after this import, e.g. a10 for 31 March 2025, "
        "cla-starters for 31 January 2025: undo the later imports first."
    ) in text(response)
    assert sorted(KPIValue.objects.values_list("kpi__code", "period_end", "value")) == before
    batch.refresh_from_db()
    assert batch.status == "applied"


def page_text(page):
    """What a screen reader says: the hidden "changed to" read, the arrow not."""
    return " ".join(re.sub(r'<span aria-hidden="true">.*?</span>|<[^>]+>', " ", page).split())


def _import_of(client, count):
    """An applied import of `count` new monthly values and one changed one."""
    rows = [["cla-starters", f"{dt.date(2025, 1, 1) - dt.timedelta(days=31 * n):%b %Y}", n, ""]
            for n in range(count)]  # fmt: skip
    confirm(client, upload(client, long_return([*rows, ["cla-foster", "Jan 2025", 71, ""]])))
    return ImportBatch.objects.get(status="applied")


def test_an_undo_takes_the_same_statements_whatever_the_import_size(
    administrator_client, kpis, administrator
):
    """In bulk, never a value at a time: 50,000 values undo in a fraction of the time they
    took to import (benchmarks/undo_import.py)."""
    from kpis.importing.apply import undo_import

    KPIValue.objects.create(kpi=kpis["foster"], period_end=JAN, value=Decimal(68))
    statements = []
    for count in (3, 60):
        batch = _import_of(administrator_client, count)
        assert KPIValue.objects.count() == count + 1
        with CaptureQueriesContext(connection) as queries:
            undo_import(batch=batch, user=administrator)
        statements.append(len(queries))
        assert list(KPIValue.objects.values_list("value", flat=True)) == [68]
    # SQLite: savepoint, lock, check, 9 statements (2 withdraw the figures still awaiting
    # approval, 2 clear the council's own figure where DfE's has taken its period since),
    # save, release. PostgreSQL writes the values put back through a temporary table: 3 more
    # (and a COPY, not counted here).
    assert statements[0] == statements[1] == (14 if connection.vendor == "sqlite" else 17)


def test_an_undo_that_fails_half_way_changes_nothing(
    administrator_client, kpis, administrator, monkeypatch
):
    from kpis.importing import apply

    KPIValue.objects.create(kpi=kpis["foster"], period_end=JAN, value=Decimal(68))
    batch = _import_of(administrator_client, 3)
    before = sorted(KPIValue.objects.values_list("kpi__code", "period_end", "value"))
    history = KPIValue.history.count()
    record = apply.insert_history

    def fail_on_restore(values, kind, **kwargs):
        if kind == "~":  # after the new values were deleted
            raise RuntimeError("the database went away")
        return record(values, kind, **kwargs)

    monkeypatch.setattr(apply, "insert_history", fail_on_restore)
    with pytest.raises(RuntimeError):
        apply.undo_import(batch=batch, user=administrator)
    assert sorted(KPIValue.objects.values_list("kpi__code", "period_end", "value")) == before
    assert KPIValue.history.count() == history
    batch.refresh_from_db()
    assert batch.status == "applied"


def test_a_kpi_page_shows_the_import_and_its_undo_in_changes(administrator_client, kpis):
    KPIValue.objects.create(kpi=kpis["foster"], period_end=FEB, value=Decimal(60))
    data = long_return([["cla-foster", "Jan 2025", 70, ""], ["cla-foster", "Feb 2025", 65, ""]])
    confirm(administrator_client, upload(administrator_client, data))
    page = text(administrator_client.get("/kpis/cla-foster/"))
    assert (
        "Value for 31 January 2025 added" in page and "Value for 28 February 2025 changed" in page
    )
    assert "60% → 65%" in page.replace(
        '<span aria-hidden="true">→</span><span class="govuk-visually-hidden"> changed to</span>',
        "→",
    )
    administrator_client.post(f"/kpis/import/{ImportBatch.objects.get().pk}/")
    page = text(administrator_client.get("/kpis/cla-foster/"))
    assert "Value for 31 January 2025 deleted" in page
    assert page.count("Value for 28 February 2025 changed") == 2
    assert "Value: 65% changed to 60%" in page_text(page)
    assert "Priya Performance" in page


def test_the_import_history_lists_who_when_file_hash_and_counts(administrator_client, kpis):
    confirm(administrator_client, upload(administrator_client, GOOD, name="january.xlsx"))
    html = administrator_client.get("/kpis/import/history/").content.decode()
    batch = ImportBatch.objects.get()
    assert "january.xlsx" in html and batch.sha256[:12] in html and ">5</td>" in html
    detail = administrator_client.get(f"/kpis/import/{batch.pk}/").content.decode()
    assert batch.sha256 in detail and "cla-foster" in detail


# Every broken input: one clear message, nothing saved, quickly.
def _big_zeros():
    return zip_of({"xl/workbook.xml": "<workbook/>", "xl/worksheets/sheet1.xml": b"0" * 60_000_000})


BROKEN_FILES = {
    "empty file": (lambda: b"", "empty"),
    "random bytes": (lambda: bytes(range(256)) * 40, "not an Excel workbook"),
    "CSV renamed": (
        lambda: b"KPI code,Period,Value\ncla-foster,Jan 2025,70\n",
        "not an Excel workbook",
    ),
    "zip with no workbook": (lambda: zip_of({"hello.txt": "hi"}), "not an Excel workbook"),
    "legacy xls": (lambda: bytes.fromhex("D0CF11E0A1B11AE1") + b"\0" * 2000, ".xls"),
    "password-protected": (
        lambda: (
            bytes.fromhex("D0CF11E0A1B11AE1")
            + b"\0" * 100
            + "EncryptionInfo".encode("utf-16-le")
            + b"\0" * 100
        ),
        "password",
    ),
    "decompression bomb": (_big_zeros, None),
    "billion laughs": (lambda: with_sheet_xml(long_return([]), BILLION_LAUGHS), None),
    "external entity": (lambda: with_sheet_xml(long_return([]), EXTERNAL_ENTITY), None),
}


@pytest.mark.parametrize("name", BROKEN_FILES)
def test_a_hostile_or_broken_file_gets_one_clear_message_and_changes_nothing(
    administrator_client, kpis, name
):
    make, expected = BROKEN_FILES[name]
    KPIValue.objects.create(kpi=kpis["foster"], period_end=JAN, value=Decimal(68))
    started = time.perf_counter()
    response = upload(administrator_client, make())
    elapsed = time.perf_counter() - started
    html = text(response)
    assert "There is a problem" in html or "cannot be imported" in html, name
    if expected:
        assert expected in html, name
    assert "Traceback" not in html
    assert list(KPIValue.objects.values_list("value", flat=True)) == [Decimal(68)]
    assert elapsed < 5, f"{name} took {elapsed:.1f} s"
    if "batch" in response.context:
        bad = confirm(administrator_client, response)
        assert bad.status_code == 409 and KPIValue.objects.count() == 1


def test_a_file_over_the_size_limit_is_refused_before_reading(administrator_client, kpis, settings):
    settings.KPI_IMPORT_MAX_BYTES = 1000
    response = upload(administrator_client, GOOD)
    assert "The file must be smaller than" in text(response)
    assert not ImportBatch.objects.exists()


BROKEN_CELLS = [
    (
        "unknown code",
        [["no-such-kpi", "Jan 2025", 1, ""]],
        "Returns!A2: 'no-such-kpi' is not a KPI code",
    ),
    (
        "text for a number",
        [["cla-starters", "Jan 2025", "n/a", ""]],
        "Returns!C2: 'n/a' is not a number",
    ),
    ("empty value", [["cla-starters", "Jan 2025", None, "x"]], "Returns!C2: is empty"),
    ("negative count", [["cla-starters", "Jan 2025", -3, ""]], "Returns!C2: -3 is negative"),
    (
        "percentage over 100",
        [["cla-foster", "Jan 2025", 140, ""]],
        "Returns!C2: 140% is outside 0 to 100",
    ),
    (
        "future period",
        [["cla-starters", "Jan 2099", 1, ""]],
        "Returns!B2: 31 January 2099 is in the future",
    ),
    ("wrong frequency", [["a10", "Jan 2025", 400, ""]], "does not fit a10, which is annual"),
    ("not a period", [["cla-starters", "soon", 1, ""]], "Returns!B2: 'soon' is not a period"),
    (
        "duplicate",
        [["cla-starters", "Jan 2025", 1, ""], ["cla-starters", "2025-01-31", 2, ""]],
        "Returns!C3: cla-starters for 31 January 2025 is already given at Returns!C2",
    ),
]


@pytest.mark.parametrize(
    ("name", "rows", "message"), BROKEN_CELLS, ids=[c[0] for c in BROKEN_CELLS]
)
def test_every_bad_cell_is_reported_by_sheet_and_cell_and_nothing_can_be_confirmed(
    administrator_client, kpis, name, rows, message
):
    good_row = ["cla-foster", "Feb 2025", 70, ""]
    response = upload(administrator_client, long_return([*rows, good_row]))
    assert message in text(response)
    preview = response.context["preview"]
    assert not preview.can_confirm
    assert "Import " not in text(response).split("</h1>")[1].split("<h2")[0]
    refused = confirm(administrator_client, response)
    assert refused.status_code == 409
    assert not KPIValue.objects.exists()


def test_missing_headers_are_named(administrator_client, kpis):
    html = upload(
        administrator_client, xlsx([["Code", "When", "Amount"], ["cla-foster", "Jan 2025", 1]])
    ).content.decode()
    assert "missing headers" in html


def test_merged_cells_in_the_data_are_refused(administrator_client, kpis):
    data = long_return(
        [["cla-foster", "Jan 2025", 70, ""], ["cla-foster", "Feb 2025", 71, ""]], merge="D2:D3"
    )
    assert "Returns!D2:D3: cells are merged" in text(upload(administrator_client, data))


def test_a_formula_without_a_saved_result_is_refused(administrator_client, kpis):
    data = long_return([["cla-starters", "Jan 2025", "=1+1", ""]])
    assert "formula with no saved result" in text(upload(administrator_client, data))


def test_the_command_line_prints_the_same_report_and_exits_0_only_on_success(
    tmp_path, kpis, capsys
):
    path = tmp_path / "january.xlsx"
    path.write_bytes(GOOD)
    call_command("import_kpis", str(path), "--dry-run")
    assert "5 new, 0 changed" in capsys.readouterr().out
    assert not KPIValue.objects.exists()
    call_command("import_kpis", str(path))
    out = capsys.readouterr().out
    assert "5 figures await approval at /kpis/entries/" in out
    assert not KPIValue.objects.exists()
    approve_imports()
    assert KPIValue.objects.count() == 5

    bad = tmp_path / "bad.xlsx"
    bad.write_bytes(long_return([["cla-starters", "Jan 2025", "n/a", ""]]))
    with pytest.raises(CommandError, match="Nothing was imported"):
        call_command("import_kpis", str(bad))
    assert "Returns!C2: 'n/a' is not a number" in capsys.readouterr().err
    with pytest.raises(CommandError, match="Cannot read"):
        call_command("import_kpis", str(tmp_path / "missing.xlsx"))


@pytest.fixture
def imported_batch(administrator_client, kpis):
    confirm(administrator_client, upload(administrator_client, GOOD))
    pending = upload(administrator_client, long_return([["cla-starters", "Feb 2025", 5, ""]]))
    return ImportBatch.objects.get(status="applied"), pending.context["batch"]


@pytest.mark.parametrize("role", ["anonymous", "outsider", "committee", "officer"])
def test_only_administrators_reach_any_import_url_and_nothing_changes(
    client, imported_batch, role, outsider, committee_member, officer
):
    applied, pending = imported_batch
    client.logout()  # the fixture imported as the administrator, on this same client
    user = {
        "anonymous": None,
        "outsider": outsider,
        "committee": committee_member,
        "officer": officer,
    }[role]
    if user:
        client.force_login(user)
    urls = [
        "/kpis/import/",
        "/kpis/import/template.xlsx",
        "/kpis/import/history/",
        f"/kpis/import/{applied.pk}/",
        f"/kpis/import/{pending.pk}/preview/",
    ]
    before = (
        list(KPIValue.objects.order_by("pk").values_list("pk", "value")),
        list(ImportBatch.objects.order_by("pk").values_list("pk", "status")),
    )
    for url in urls:
        for method in ("get", "post"):
            data = {"file": SimpleUploadedFile("r.xlsx", GOOD)} if method == "post" else None
            response = getattr(client, method)(url, data)
            if role == "anonymous":
                assert response.status_code == 302 and "/sign-in/" in response.url, url
            else:
                assert response.status_code in (403, 405), (role, method, url)
    after = (
        list(KPIValue.objects.order_by("pk").values_list("pk", "value")),
        list(ImportBatch.objects.order_by("pk").values_list("pk", "status")),
    )
    assert after == before


def test_a_return_without_a_note_column_keeps_the_stored_note(administrator_client, kpis):
    KPIValue.objects.create(
        kpi=kpis["foster"], period_end=JAN, value=Decimal(63), note="From the committee paper"
    )
    wide = xlsx([["KPI code", "Jan 2025"], ["cla-foster", 63]])
    preview = upload(administrator_client, wide).context["preview"]
    assert len(preview.unchanged) == 1 and not preview.changed
    changed = xlsx([["KPI code", "Jan 2025"], ["cla-foster", 64]])
    confirm(administrator_client, upload(administrator_client, changed))
    stored = KPIValue.objects.get(kpi=kpis["foster"], period_end=JAN)
    assert (stored.value, stored.note) == (Decimal(64), "From the committee paper")


def test_an_empty_upload_is_named_as_such(administrator_client, kpis):
    assert "The selected file is empty" in text(upload(administrator_client, b""))
