"""An existing risk register imported from Excel: columns matched by their headings' words,
a preview of every risk, every bad cell named by sheet and cell, and nothing saved unless all
of it is valid. The same gate as every import refuses files that are not workbooks."""

import datetime as dt
import html
import io
import re

import openpyxl
import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from actions.models import Risk, RiskStatus
from actions.risks.importing import read_register
from tests.factories import make_programme
from tests.libreoffice import convert
from tests.risk_factories import make_risk

HEADINGS = [
    "Ref",
    "Risk title",
    "Cause",
    "Effect",
    "Risk owner",
    "Inherent L",
    "Inherent I",
    "Residual likelihood (1-5)",
    "Residual impact (1-5)",
    "Target score",
    "Existing controls",
    "Next review date",
    "Status",
]


def row(ref="R1", owner="olive@example.org", **changes):
    values = {
        "ref": ref,
        "title": "Too few foster carers",
        "cause": "Slow recruitment",
        "effect": "Children placed far from home",
        "owner": owner,
        "il": 4,
        "ii": 5,
        "rl": 3,
        "ri": 4,
        "target": 6,
        "controls": "Campaign",
        "review": dt.datetime(2027, 3, 31),
        "status": "Open",
    } | changes
    return list(values.values())


def workbook(rows, headings=HEADINGS, title="Register", above=()) -> bytes:
    book = openpyxl.Workbook()
    sheet = book.active
    sheet.title = title
    for line in above:
        sheet.append(line)
    sheet.append(headings)
    for values in rows:
        sheet.append(values)
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


@pytest.fixture
def programme(db):
    return make_programme("Staying Safe Plan", slug="staying-safe")


URL = "/programmes/staying-safe/risks/import/"


def upload(client, data, name="register.xlsx"):
    return client.post(URL, {"file": SimpleUploadedFile(name, data)})


def text(response) -> str:
    return " ".join(html.unescape(re.sub(r"<[^>]+>", " ", response.content.decode())).split())


def signed(response) -> str:
    return re.search(r'name="register" value="([^"]+)"', response.content.decode()).group(1)


def test_a_register_is_previewed_then_added_all_at_once(
    client, programme, officer, other_officer, administrator
):
    client.force_login(administrator)
    data = workbook([row("R1"), row("R2", owner="Oscar Other", status="Escalated", il=5)])

    preview = upload(client, data, "Staying safe risks.xlsx")

    assert preview.status_code == 200
    assert "2 risks in the file" in text(preview)
    assert not Risk.objects.exists()  # a preview saves nothing
    done = client.post(URL, {"register": signed(preview)})
    assert done.url == "/programmes/staying-safe/risks/"
    r1, r2 = Risk.objects.order_by("reference")
    assert (r1.owner, r1.inherent_score, r1.residual_score, r1.target_score) == (officer, 20, 12, 6)
    assert (r1.consequence, r1.controls, r1.review_date) == (
        "Children placed far from home",
        "Campaign",
        dt.date(2027, 3, 31),
    )
    assert (r2.owner, r2.status, r2.inherent_score) == (other_officer, RiskStatus.ESCALATED, 25)


def test_every_bad_cell_is_named_by_sheet_and_cell_and_nothing_is_saved(
    client, programme, officer, administrator, committee_member
):
    make_risk(programme, owner=officer, reference="R9")
    client.force_login(administrator)
    data = workbook(
        [
            row("R1", il=7),
            row("R1", owner="Nobody Known"),
            row("R9", target=13, review="soon"),
            row("R3", owner="councillor@example.org", status="Dormant"),
        ],
        above=[["Staying Safe risk register, January 2014"], []],
    )

    preview = upload(client, data)

    page = text(preview)
    assert preview.status_code == 400
    assert "There is a problem" in page
    for problem in [
        "Sheet 'Register', cell F4: “7” is not a score from 1 to 5",
        "Sheet 'Register', cell A5: R1 is also on row 4",
        "Sheet 'Register', cell E5: “Nobody Known” matches nobody who may own a risk",
        "Sheet 'Register', cell A6: the register already has a risk R9",
        "Sheet 'Register', cell J6: “13” is not a score likelihood × impact can make",
        "Sheet 'Register', cell L6: “soon” is not a date",
        "Sheet 'Register', cell E7: “councillor@example.org” matches nobody",  # may not own
        "Sheet 'Register', cell M7: “Dormant” is not a status",
    ]:
        assert problem in page, problem
    assert 'name="register"' not in preview.content.decode()
    assert list(Risk.objects.values_list("reference", flat=True)) == ["R9"]


def test_a_missing_column_is_named(client, programme, officer, administrator):
    client.force_login(administrator)
    headings = [h for h in HEADINGS if h != "Risk owner"]
    response = upload(client, workbook([row()[:4] + row()[5:]], headings=headings))
    assert response.status_code == 400
    assert "the heading row has no Owner column" in text(response)


@pytest.mark.parametrize(
    "data, name, sentence",
    [
        (b"Ref,Risk\nR1,x\n", "register.csv", "not an Excel workbook"),
        (b"PK\x03\x04broken", "register.xlsx", ""),
    ],
)
def test_a_file_that_is_not_a_workbook_is_refused_by_the_gate(
    client, programme, administrator, data, name, sentence
):
    client.force_login(administrator)
    response = upload(client, data, name)
    assert response.status_code == 400
    assert "There is a problem" in text(response)
    assert sentence in text(response)
    assert not Risk.objects.exists()


def test_a_tampered_or_other_programme_s_preview_is_refused(
    client, programme, officer, administrator
):
    client.force_login(administrator)
    preview = upload(client, workbook([row()]))
    token = signed(preview)
    assert client.post(URL, {"register": token[:-2] + "xx"}).status_code == 400
    make_programme("Other", slug="other")
    other = client.post("/programmes/other/risks/import/", {"register": token})
    assert other.status_code == 400
    assert not Risk.objects.exists()


def test_a_register_changed_since_the_preview_is_refused_whole(
    client, programme, officer, administrator
):
    client.force_login(administrator)
    preview = upload(client, workbook([row("R1"), row("R2")]))
    make_risk(programme, owner=officer, reference="R2")  # added meanwhile
    response = client.post(URL, {"register": signed(preview)})
    assert response.status_code == 400
    assert "already has a risk R2" in text(response)
    assert list(Risk.objects.values_list("reference", flat=True)) == ["R2"]


def test_a_register_saved_by_libreoffice_calc_reads_the_same(programme, officer, tmp_path):
    source = tmp_path / "register.xlsx"
    source.write_bytes(workbook([row("R1"), row("R2", review="31/03/2027")]))
    (saved,) = convert(source, "xlsx:Calc MS Excel 2007 XML").glob("*.xlsx")
    rows = read_register(saved.read_bytes())
    assert [r.texts["review_date"] for r in rows] == ["2027-03-31", "31/03/2027"]
    assert [r.texts["residual_impact"] for r in rows] == ["4", "4"]
    assert rows[0].texts["consequence"] == "Children placed far from home"
