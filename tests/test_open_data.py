"""Open data at /open/: off until an administrator publishes a programme, then its published
papers and approved figures for anyone without signing in, small counts shown as "c"."""

import csv
import datetime as dt
import io
import json
from decimal import Decimal

import pytest
from django.test import Client
from django.utils import timezone

from actions.models import Objective, Paper, Programme
from actions.open_data.suppression import SUPPRESSED, shown_figure
from actions.papers import files
from careprog.models import PublicInformation
from careprog.periods import ReportingPeriod
from kpis.models import KPI, ComparatorValue, KPIEntry, Origin
from tests.kpi_factories import make_kpi, make_target, make_value
from tests.paper_factories import draft_paper, make_meeting, publish, set_today
from tests.test_action_status import admin_form_data

SEED = "care-programme-2024-25"
OPEN = f"/open/{SEED}/"
OGL = "https://www.nationalarchives.gov.uk/doc/open-government-licence/version/3/"
QUARTER_ENDS = [dt.date(2024, 6, 30), dt.date(2024, 9, 30), dt.date(2024, 12, 31)]


@pytest.fixture
def quick_pdfs(monkeypatch):
    """Who gets which file is this module's question; the printing is test_paper_pdf's."""
    from actions.papers import pdf

    monkeypatch.setattr(pdf, "render", lambda content, **options: b"%PDF-1.7 open data")


@pytest.fixture
def anyone():
    return Client()


def published(programme: Programme) -> Programme:
    """``programme`` published as open data, with none of the measures the seed chose, so a
    test states every figure it reads."""
    Objective.kpis.through.objects.filter(objective__programme=programme).delete()
    programme.open_data_from = timezone.now()
    programme.save()
    return programme


def first_objective(programme) -> Objective:
    return programme.objectives.order_by("position").first()


def choose(programme, *kpis):
    first_objective(programme).kpis.add(*kpis)


def measures(programme, count: int, *, values: int) -> list[KPI]:
    """``count`` measures chosen by the programme, each with ``values`` quarterly figures,
    a target and three comparators per period."""
    made = []
    for number in range(count):
        kpi = make_kpi(f"open-{number}", unit="percentage", frequency="quarterly")
        make_target(kpi, 2024, "60")
        for end in QUARTER_ENDS[:values]:
            make_value(kpi, end, "62.5", numerator="25", denominator="40")
            for kind in ComparatorValue.Comparator:
                ComparatorValue.objects.create(kpi=kpi, comparator=kind, period_end=end, value=58)
        made.append(kpi)
    choose(programme, *made)
    return made


def published_papers(programme, officer, head_of_service, count: int) -> list[Paper]:
    """``count`` published papers, one a quarter, each to a meeting after its quarter."""
    papers = []
    for quarter in range(1, count + 1):
        period = ReportingPeriod(2024, quarter)
        meeting = make_meeting(date=period.end + dt.timedelta(days=40))
        paper = draft_paper(programme, officer, period=period, meeting=meeting)
        papers.append(publish(paper, head_of_service))
    return papers


def csv_rows(response) -> list[list[str]]:
    text = response.content.decode("utf-8-sig")
    return list(csv.reader(io.StringIO(text)))


def csv_figures(response) -> list[dict]:
    rows = csv_rows(response)
    return [dict(zip(rows[1], row, strict=True)) for row in rows[2:]]


def table_of(page: str, code: str) -> str:
    """The page's table of the measure ``code``."""
    return page.split(f'id="measure-{code}"')[1].split("</table>")[0]


def json_body(response) -> dict:
    return json.loads(response.content)


# Off by default --------------------------------------------------------------------------------


def test_open_data_is_off_until_an_administrator_publishes_a_programme(anyone, seed_programme):
    assert seed_programme.open_data_from is None
    for url in [OPEN, f"{OPEN}figures.csv", f"{OPEN}figures.json", "/open/no-such-programme/"]:
        assert anyone.get(url).status_code == 404, url
    listing = anyone.get("/open/")
    assert listing.status_code == 200
    assert "No data is published here yet" in listing.content.decode()


def test_an_administrator_publishes_the_programme_on_its_form_and_anyone_reads_it(
    client, anyone, seed_programme, administrator
):
    client.force_login(administrator)
    form = client.get(f"/programmes/{SEED}/edit/").content.decode()
    assert 'name="open_data"' in form
    response = client.post(f"/programmes/{SEED}/edit/", form_data(seed_programme, open_data="on"))
    assert response.status_code == 302
    seed_programme.refresh_from_db()
    assert seed_programme.open_data_from is not None
    assert seed_programme.history.first().open_data_from == seed_programme.open_data_from
    page = anyone.get(OPEN)
    assert page.status_code == 200
    assert seed_programme.name in page.content.decode()
    assert f'href="{OPEN}"' in anyone.get("/open/").content.decode()

    # Saving the form without the box ticked takes it down again.
    response = client.post(f"/programmes/{SEED}/edit/", form_data(seed_programme))
    assert response.status_code == 302
    assert anyone.get(OPEN).status_code == 404


def test_the_programme_form_keeps_its_version_check_for_publishing(
    client, seed_programme, administrator
):
    client.force_login(administrator)
    stale = form_data(seed_programme, open_data="on", version=seed_programme.version - 1)
    response = client.post(f"/programmes/{SEED}/edit/", stale)
    assert response.status_code == 409
    seed_programme.refresh_from_db()
    assert seed_programme.open_data_from is None


def test_an_officer_cannot_publish_a_programme_by_forging_the_forms_post(
    client, seed_programme, officer
):
    client.force_login(officer)
    response = client.post(f"/programmes/{SEED}/edit/", form_data(seed_programme, open_data="on"))
    assert response.status_code == 403
    seed_programme.refresh_from_db()
    assert seed_programme.open_data_from is None


def form_data(programme, **changes):
    return {
        "name": programme.name,
        "slug": programme.slug,
        "first_period": programme.first_period.label,
        "last_period": programme.last_period.label,
        "description": programme.description,
        "committee": programme.committee_id or "",
        "version": programme.version,
        **changes,
    }


# Suppression -----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "unit, value, numerator, denominator, shown",
    [
        ("count", "3", None, None, ("c", None, None)),
        ("count", "1", None, None, ("c", None, None)),
        ("count", "4", None, None, ("c", None, None)),
        ("count", "5", None, None, ("5", None, None)),
        ("count", "0", None, None, ("0", None, None)),
        ("percentage", "7.5", "3", "40", ("c", "c", "c")),  # the numerator would be derivable
        ("percentage", "75", "3", "4", ("c", "c", "c")),
        ("percentage", "25", "10", "40", ("25", "10", "40")),
        ("percentage", "0", "0", "40", ("0", "0", "40")),
        ("percentage", "3", None, None, ("3", None, None)),  # a percentage is not a count
        ("rate_10000", "2", "3", "15000", ("c", "c", "c")),
        ("days", "3", None, None, ("3", None, None)),
    ],
)
def test_counts_below_the_threshold_and_what_would_reveal_them_are_c(
    unit, value, numerator, denominator, shown
):
    def number(text):
        return None if text is None else Decimal(text)

    figure = shown_figure(
        unit=unit,
        value=Decimal(value),
        numerator=number(numerator),
        denominator=number(denominator),
        threshold=5,
    )
    parts = (figure.value, figure.numerator, figure.denominator)
    assert tuple(None if part is None else str(part) for part in parts) == shown


def test_a_count_of_3_is_c_and_a_count_of_5_is_shown_on_the_page_the_csv_and_the_json(
    anyone, seed_programme
):
    published(seed_programme)
    small = make_kpi("children-small", unit="count", frequency="quarterly", name="Small count")
    make_value(small, QUARTER_ENDS[0], "3")
    make_value(small, QUARTER_ENDS[1], "5")
    share = make_kpi("share", unit="percentage", frequency="quarterly", name="A share")
    make_value(share, QUARTER_ENDS[0], "7.5", numerator="3", denominator="40")
    choose(seed_programme, small, share)

    page = anyone.get(OPEN).content.decode()
    small_table = table_of(page, "children-small")
    assert ">c</td>" in small_table
    assert ">5</td>" in small_table
    assert ">3</td>" not in small_table
    share_table = table_of(page, "share")
    assert share_table.count(">c</td>") == 3 and "7.5%" not in share_table

    expected = [
        ("children-small", "2024-06-30", "c", "", ""),
        ("children-small", "2024-09-30", "5", "", ""),
        ("share", "2024-06-30", "c", "c", "c"),
    ]
    for rows in (
        csv_figures(anyone.get(f"{OPEN}figures.csv")),
        json_body(anyone.get(f"{OPEN}figures.json"))["figures"],
    ):
        got = [
            (r["kpi_code"], r["period_end"], r["value"], r["numerator"], r["denominator"])
            for r in rows
        ]
        assert sorted(got) == sorted(expected)


def test_the_councils_threshold_decides_what_is_suppressed(anyone, seed_programme):
    published(seed_programme)
    PublicInformation.objects.create(open_data_threshold=10)
    kpi = make_kpi("looked-after", unit="count", frequency="quarterly")
    make_value(kpi, QUARTER_ENDS[0], "9")
    make_value(kpi, QUARTER_ENDS[1], "10")
    choose(seed_programme, kpi)
    rows = json_body(anyone.get(f"{OPEN}figures.json"))["figures"]
    assert [r["value"] for r in rows] == [SUPPRESSED, "10"]
    assert "Counts from 1 to 9" in anyone.get(OPEN).content.decode()


# What is published, and what never is ---------------------------------------------------------


def test_only_approved_real_figures_of_the_programmes_live_measures_are_published(
    anyone, seed_programme, officer
):
    published(seed_programme)
    chosen = make_kpi("chosen", unit="count", frequency="quarterly")
    make_value(chosen, QUARTER_ENDS[0], "40")
    make_value(chosen, QUARTER_ENDS[1], "41", origin=Origin.ILLUSTRATIVE)
    KPIEntry.objects.create(
        kpi=chosen,
        period_end=QUARTER_ENDS[2],
        value=42,
        entered_by=officer,
        entered_at=timezone.now(),
    )  # awaiting approval
    other = make_kpi("not-chosen", unit="count", frequency="quarterly")
    make_value(other, QUARTER_ENDS[0], "50")
    retired = make_kpi("retired-objectives", unit="count", frequency="quarterly")
    make_value(retired, QUARTER_ENDS[0], "60")
    choose(seed_programme, chosen)
    gone = seed_programme.objectives.order_by("position").last()
    gone.kpis.add(retired)
    Objective.objects.filter(pk=gone.pk).update(retired_at=timezone.now())

    rows = json_body(anyone.get(f"{OPEN}figures.json"))["figures"]
    assert [(r["kpi_code"], r["period_end"], r["value"]) for r in rows] == [
        ("chosen", "2024-06-30", "40")
    ]
    page = anyone.get(OPEN).content.decode()
    assert "not-chosen" not in page and "Measure not-chosen" not in page


def test_each_figure_carries_its_target_and_dfe_comparators(anyone, seed_programme):
    published(seed_programme)
    (kpi,) = measures(seed_programme, 1, values=1)
    (row,) = json_body(anyone.get(f"{OPEN}figures.json"))["figures"]
    assert row == {
        "programme": SEED,
        "kpi_code": kpi.code,
        "kpi_name": kpi.name,
        "unit": "Percentage",
        "polarity": "Higher is better",
        "period_end": "2024-06-30",
        "period": "30 June 2024",  # a snapshot, named by its date
        "value": "62.5",
        "numerator": "25",
        "denominator": "40",
        "target": "60.0",
        "statistical_neighbours": "58.0",
        "region": "58.0",
        "england": "58.0",
        "origin": "Local return",
    }
    page = anyone.get(OPEN).content.decode()
    assert "62.5%" in page and "60.0%" in page and "58.0%" in page


def test_the_csv_says_what_the_json_says_with_the_licence_line_first(anyone, seed_programme):
    published(seed_programme)
    measures(seed_programme, 3, values=3)
    small = make_kpi("small", unit="count", frequency="quarterly")
    make_value(small, QUARTER_ENDS[0], "2")
    choose(seed_programme, small)
    csv_response = anyone.get(f"{OPEN}figures.csv")
    json_response = anyone.get(f"{OPEN}figures.json")
    assert csv_response["Content-Type"].startswith("text/csv")
    assert csv_response["Access-Control-Allow-Origin"] == "*"
    assert json_response["Access-Control-Allow-Origin"] == "*"
    comment = csv_response.content.decode("utf-8-sig").splitlines()[0]
    assert comment.startswith("# Contains public sector information from ")  # not quoted
    assert "Open Government Licence v3.0" in comment and OGL in comment
    body = json_body(json_response)
    assert body["licence"]["name"] == "Open Government Licence v3.0"
    assert body["licence"]["url"] == OGL
    assert csv_figures(csv_response) == body["figures"]
    assert len(body["figures"]) == 10


def test_the_page_says_the_licence_and_escapes_what_people_typed(anyone, seed_programme):
    seed_programme.name = "Care <script>alert(1)</script> Programme"
    published(seed_programme)
    kpi = make_kpi("typed", unit="count", frequency="quarterly", name="<b>Bold</b> measure")
    make_value(kpi, QUARTER_ENDS[0], "40")
    choose(seed_programme, kpi)
    page = anyone.get(OPEN).content.decode()
    assert "<script>alert(1)</script>" not in page
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in page
    assert "&lt;b&gt;Bold&lt;/b&gt; measure" in page
    assert "Open Government Licence v3.0" in page and OGL in page


def test_published_papers_are_listed_with_their_files_and_a_drafts_files_are_404(
    anyone, client, seed_programme, officer, head_of_service, monkeypatch, quick_pdfs
):
    set_today(monkeypatch, dt.date(2025, 2, 10))
    published(seed_programme)
    paper = publish(draft_paper(seed_programme, officer, title="Published paper"), head_of_service)
    draft = draft_paper(
        seed_programme,
        officer,
        title="Draft paper",
        period=ReportingPeriod(2024, 2),
        meeting=make_meeting(date=dt.date(2024, 11, 20)),
    )
    page = anyone.get(OPEN).content.decode()
    assert "Published paper" in page and "Draft paper" not in page
    pdf = f"{OPEN}papers/{paper.pk}/paper.pdf"
    assert f'href="{pdf}"' in page
    response = anyone.get(pdf)
    assert response.status_code == 200
    assert response.content == files.paper_file(paper, files.Kind.PDF)
    assert anyone.get(f"{OPEN}papers/{paper.pk}/paper.docx").status_code == 200
    assert anyone.get(f"{OPEN}papers/{paper.pk}/appendices.xlsx").status_code == 200
    for name in ["paper.pdf", "paper.docx", "appendices.xlsx"]:
        assert anyone.get(f"{OPEN}papers/{draft.pk}/{name}").status_code == 404
    assert anyone.get(f"{OPEN}papers/{paper.pk}/secret.txt").status_code == 404
    (listed,) = json_body(anyone.get(f"{OPEN}figures.json"))["papers"]
    assert listed["title"] == "Published paper"
    assert listed["pdf"] == f"http://testserver{pdf}"

    # Taken down: the paper's files go with the pages.
    seed_programme.open_data_from = None
    seed_programme.save()
    assert anyone.get(pdf).status_code == 404


def test_a_published_paper_of_a_programme_not_published_is_404(
    anyone, seed_programme, officer, head_of_service, monkeypatch, quick_pdfs
):
    set_today(monkeypatch, dt.date(2025, 2, 10))
    paper = publish(draft_paper(seed_programme, officer), head_of_service)
    assert anyone.get(f"{OPEN}papers/{paper.pk}/paper.pdf").status_code == 404


def test_every_open_address_answers_anyone_without_signing_in_and_only_to_get(
    anyone, seed_programme
):
    published(seed_programme)
    for url in ["/open/", OPEN, f"{OPEN}figures.csv", f"{OPEN}figures.json"]:
        assert anyone.get(url).status_code == 200, url
        assert anyone.head(url).status_code == 200, url
        assert anyone.post(url).status_code == 405, url


# What a read costs ---------------------------------------------------------------------------


@pytest.mark.parametrize("size", [(1, 1, 1), (6, 3, 3)], ids=["few", "many"])
def test_each_open_page_costs_the_same_queries_whatever_the_data(
    anyone,
    seed_programme,
    officer,
    head_of_service,
    monkeypatch,
    quick_pdfs,
    django_assert_num_queries,
    size,
):
    kpis, values, papers = size
    set_today(monkeypatch, dt.date(2025, 6, 10))
    published(seed_programme)
    measures(seed_programme, kpis, values=values)
    published_papers(seed_programme, officer, head_of_service, papers)
    for url, queries in [
        ("/open/", 2),
        (OPEN, 6),
        (f"{OPEN}figures.csv", 5),
        (f"{OPEN}figures.json", 6),
    ]:
        with django_assert_num_queries(queries):
            assert anyone.get(url).status_code == 200, url


def test_an_administrator_sets_the_threshold_and_licence_in_admin_and_open_data_says_them(
    client, anyone, seed_programme, administrator
):
    published(seed_programme)
    client.force_login(administrator)
    page = "/admin/careprog/publicinformation/add/"
    data = admin_form_data(client.get(page))
    assert str(data["open_data_threshold"]) == "5"
    assert data["open_data_licence"] == "Open Government Licence v3.0"
    data.update(
        council_name="Wirral Council",
        open_data_threshold="3",
        open_data_licence="Creative Commons Attribution 4.0",
        open_data_licence_url="https://creativecommons.org/licenses/by/4.0/",
    )
    assert client.post(page, data).status_code == 302
    licence = json_body(anyone.get(f"{OPEN}figures.json"))["licence"]
    assert licence == {
        "name": "Creative Commons Attribution 4.0",
        "url": "https://creativecommons.org/licenses/by/4.0/",
        "attribution": "Contains public sector information from Wirral Council licensed "
        "under the Creative Commons Attribution 4.0.",
    }
    assert "Counts from 1 to 2" in anyone.get(OPEN).content.decode()
