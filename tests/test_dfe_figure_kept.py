"""DfE's published figure is never silently replaced (issue 21, point 1).

What a new user met: cla-health-checks at 31 March 2025 was DfE's 90.0% (rank 98 of 151, band
C); a return of 91 was previewed as "Changed 90 → 91", approved, and the KPI page then showed
91.0% "Local return" beside DfE's rank computed from 90; DfE's figure was gone.

Here the same case on test_lait_sync's small LAIT data set (Wirral's H for 2025 is 60.0%, rank
8 of 19, band C), through the real LAIT sync, the import's pages and the entry form: a local
figure for a period DfE publishes is kept beside DfE's, never over it; pages, ratings, ranks
and papers read DfE's and show the council's own where it differs; before DfE publishes, the
local figure is marked provisional, and when DfE's arrives the page says so.
"""

import datetime as dt
import html
import io
import re
from decimal import Decimal

import pytest
from django.conf import settings
from django.core.management import call_command
from django.db import IntegrityError, transaction
from django.test import Client
from docx import Document
from openpyxl import load_workbook

from actions.models import Paper
from kpis import approval
from kpis.importing.apply import undo_import
from kpis.models import ImportBatch, KPIEntry, KPIValue, Origin
from kpis.models.figures import DfEFigureReplaced
from tests import test_lait_sync as lait
from tests.import_files import long_return
from tests.kpi_factories import make_kpi, make_target, make_value
from tests.paper_downloads import fetch
from tests.paper_factories import draft_paper, publish
from tests.test_kpi_import import upload
from tests.test_lait_sync import MARCH_2025, import_lait

PROVISIONAL = "Provisional: the council's own figure; DfE has not published this period yet."


def signed_in(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def text(response) -> str:
    """The page as a reader reads it: tags dropped, entities decoded, spaces squeezed."""
    return re.sub(r"\s+", " ", html.unescape(re.sub(r"<[^>]+>", " ", response.content.decode())))


@pytest.fixture
def health(db, officer):
    """The measure DfE publishes as "H": a percentage to one place, higher is better, with an
    agreed 2024-25 target of 62% (amber within 2)."""
    kpi = make_kpi(
        "high",
        name="Health checks of children looked after",
        frequency="annual",
        benchmark_code="H",
        benchmark_relation="same",
        owned_by=officer,
    )
    make_target(kpi, 2024, "62", amber_tolerance=Decimal(2), agreed_by="CYPE Committee")
    return kpi


@pytest.fixture
def lait_files(tmp_path):
    """test_lait_sync's LAIT files: Wirral's H for 2025 is 60, ranked 8 of 19, band C."""
    (tmp_path / "sn.xlsx").write_bytes(lait.xlsx(lait.neighbour_sheet(), sheet="LA SN Groups"))
    (tmp_path / "las.xlsx").write_bytes(lait.xlsx(lait.la_list(), sheet="Sheet1"))
    return [
        lait.write_csv(tmp_path / "bds_long.csv", lait.DATA_HEADER, lait.data_rows()),
        lait.write_csv(tmp_path / "dictionary.csv", lait.DICTIONARY_HEADER, lait.DICTIONARY),
        tmp_path / "sn.xlsx",
        tmp_path / "las.xlsx",
    ]


def return_of(client, value):
    """The administrator uploads a return giving 2024-25's figure: the preview page."""
    return upload(client, long_return([["high", "2024-25", value, ""]]), name="health.xlsx")


def confirm_and_approve(administrator, head_of_service, preview) -> ImportBatch:
    batch = preview.context["batch"]
    signed_in(administrator).post(f"/kpis/import/{batch.pk}/preview/")
    approved = signed_in(head_of_service).post(
        f"/kpis/entries/import/{batch.pk}/", {"decision": "approve"}
    )
    assert approved.status_code == 302
    return batch


def the_figure(kpi) -> KPIValue:
    return KPIValue.objects.get(kpi=kpi, period_end=MARCH_2025)


# --- DfE first, then the council's return: the case the user met -----------------------------


def test_a_return_for_a_period_dfe_publishes_is_previewed_as_kept_beside_dfes_figure(
    health, lait_files, administrator
):
    import_lait(*lait_files)
    preview = return_of(signed_in(administrator), 61)

    page = text(preview)
    assert (
        "Returns!C2 Health checks of children looked after (high, percentage) 31 Mar 2025 "
        "DfE publishes 60.0% for this period 61.0%" in page
    )
    assert "1 kept beside DfE's published figure" in page
    assert "0 changed" in page
    assert preview.context["preview"].changed == []


def test_an_approved_return_is_kept_beside_dfes_figure_which_pages_ratings_and_ranks_still_use(
    health, lait_files, administrator, head_of_service, committee_member
):
    import_lait(*lait_files)
    batch = confirm_and_approve(
        administrator, head_of_service, return_of(signed_in(administrator), 61)
    )

    figure = the_figure(health)
    assert (figure.value, figure.origin) == (Decimal(60), Origin.DFE)
    assert figure.source == "DfE LAIT: H (2025)"
    assert (figure.local_value, figure.local_source) == (Decimal(61), batch.figure_source)

    member = signed_in(committee_member)
    page = text(member.get("/kpis/high/"))
    assert "Latest 60.0% 31 March 2025" in page
    assert "Council's own figure: 61.0%." in page
    assert "Ranked 8 of 19, band C" in page  # DfE's rank, of DfE's figure
    # Rated from DfE's 60 against the target of 62: amber (within 2), never green from 61.
    rating = member.get("/kpis/high/").context["reading"].rating
    assert rating.rag.key == "amber"
    assert rating.explanation.startswith("Amber: 2.0 percentage points worse than the target")
    dashboard = text(member.get("/kpis/"))
    assert "60.0%" in dashboard and "Council's own figure: 61.0%" in dashboard

    # A later sync keeps both; undoing the import takes back the council's own only.
    import_lait(*lait_files)
    assert (the_figure(health).value, the_figure(health).local_value) == (60, 61)
    undo_import(batch=batch, user=administrator)
    figure = the_figure(health)
    assert (figure.value, figure.origin, figure.local_value) == (Decimal(60), Origin.DFE, None)
    assert "Council's own figure" not in text(member.get("/kpis/high/"))


def test_a_return_that_agrees_with_dfe_is_unchanged_and_shows_nothing_more(
    health, lait_files, administrator
):
    import_lait(*lait_files)
    preview = return_of(signed_in(administrator), 60)
    assert len(preview.context["preview"].unchanged) == 1
    assert "DfE publishes" not in text(preview)


def test_the_owners_entry_form_says_what_dfe_publishes_and_the_figure_is_kept_beside_it(
    health, lait_files, officer, head_of_service
):
    import_lait(*lait_files)
    owner = signed_in(officer)
    form = owner.get("/kpis/high/enter/?period=2025-03-31")
    assert "DfE publishes 60.0% for this period." in text(form)
    assert form.context["form"].initial["value"] == ""  # not DfE's figure as the owner's own

    data = {
        "period_end": "2025-03-31",
        "value": "91",
        "commentary": "Our case system counts checks done in April",
        "seen_version": form.context["form"].initial["seen_version"],
    }
    assert owner.post("/kpis/high/enter/?period=2025-03-31", data).status_code == 302
    entry = KPIEntry.objects.get(kpi=health)
    seen = approval.version_of(entry, None)
    decided = signed_in(head_of_service).post(
        f"/kpis/entries/{entry.pk}/", {"decision": "approve", "comment": "", "seen_version": seen}
    )
    assert decided.status_code == 302

    figure = the_figure(health)
    assert (figure.value, figure.origin, figure.local_value) == (60, Origin.DFE, 91)
    assert figure.local_source == "Entered by Olive Lead, approved by Hannah Head"
    page = text(owner.get("/kpis/high/"))
    assert "Council's own figure: 91.0%." in page
    assert "Our case system counts checks done in April" in page
    # Opened again, the form holds the council's own figure, still beside DfE's.
    again = owner.get("/kpis/high/enter/?period=2025-03-31")
    assert again.context["form"].initial["value"] == "91"


# --- The council's return first, then DfE publishes ------------------------------------------


def test_before_dfe_publishes_the_councils_figure_is_provisional_and_dfes_replaces_it_saying_so(
    health, lait_files, administrator, head_of_service, committee_member
):
    preview = return_of(signed_in(administrator), 61)
    assert len(preview.context["preview"].new) == 1
    confirm_and_approve(administrator, head_of_service, preview)

    member = signed_in(committee_member)
    page = text(member.get("/kpis/high/"))
    assert "Latest 61.0% 31 March 2025" in page and PROVISIONAL in page
    assert "Provisional" in text(member.get("/kpis/"))

    import_lait(*lait_files)

    figure = the_figure(health)
    assert (figure.value, figure.origin, figure.local_value) == (60, Origin.DFE, 61)
    published = figure.dfe_published_on
    page = text(member.get("/kpis/high/"))
    assert "Latest 60.0% 31 March 2025" in page
    assert (
        f"DfE published 60.0% on {published.day} {published:%B %Y}; the council's own figure "
        "was 61.0%." in page
    )
    assert PROVISIONAL not in page
    assert member.get("/kpis/high/").context["reading"].rank.rank == 8


def test_undoing_an_import_after_dfe_published_takes_back_only_the_councils_own_figure(
    health, lait_files, administrator, head_of_service
):
    first = confirm_and_approve(
        administrator, head_of_service, return_of(signed_in(administrator), 58)
    )
    second = confirm_and_approve(
        administrator, head_of_service, return_of(signed_in(administrator), 61)
    )
    import_lait(*lait_files)
    assert (the_figure(health).value, the_figure(health).local_value) == (60, 61)

    undo_import(batch=second, user=administrator)  # it had changed the council's 58 to 61
    figure = the_figure(health)
    assert (figure.value, figure.origin, figure.local_value) == (60, Origin.DFE, 58)
    undo_import(batch=first, user=administrator)  # it had brought the council's 58
    figure = the_figure(health)
    assert (figure.value, figure.origin, figure.local_value) == (60, Origin.DFE, None)


def test_a_measure_dfe_does_not_publish_is_never_called_provisional(db, committee_member):
    local = make_kpi("local", frequency="annual")
    make_value(local, MARCH_2025, "61")
    assert "Provisional" not in text(signed_in(committee_member).get("/kpis/local/"))


def test_a_monthly_count_dfe_never_publishes_is_the_councils_own_not_provisional(
    health, committee_member
):
    """DfE publishes the year at 31 March; January's count is the council's alone."""
    monthly = make_kpi("monthly", frequency="monthly", benchmark_code="H",
                       benchmark_relation="same")  # fmt: skip
    make_value(monthly, dt.date(2025, 1, 31), "699")
    assert "Provisional" not in text(signed_in(committee_member).get("/kpis/monthly/"))


# --- The rule is the model's, not a page's ---------------------------------------------------


def test_dfes_figure_cannot_be_saved_over_and_the_councils_own_only_sits_beside_dfes(health):
    dfe = make_value(health, MARCH_2025, "60", origin=Origin.DFE, source="DfE LAIT: H (2025)")
    dfe = KPIValue.objects.get(pk=dfe.pk)
    dfe.value, dfe.origin = Decimal(91), Origin.RETURN
    with pytest.raises(DfEFigureReplaced):
        dfe.save()
    assert KPIValue.objects.get(pk=dfe.pk).value == 60

    with pytest.raises(IntegrityError), transaction.atomic():
        make_value(health, dt.date(2024, 3, 31), "61", local_value=Decimal(62))


# --- Papers -----------------------------------------------------------------------------------


@pytest.fixture
def paper_measures(seed_programme):
    objective = seed_programme.objectives.first()
    beside = make_kpi("dfe-beside", name="Checks DfE publishes", frequency="annual",
                      benchmark_code="H", benchmark_relation="same")  # fmt: skip
    make_value(beside, dt.date(2024, 3, 31), "60", origin=Origin.DFE,
               source="DfE LAIT: H (2024)", local_value=Decimal(61))  # fmt: skip
    early = make_kpi("dfe-early", name="Checks DfE has not published", frequency="annual",
                     benchmark_code="L", benchmark_relation="same")  # fmt: skip
    make_value(early, dt.date(2024, 3, 31), "55")
    objective.kpis.add(beside, early)
    return beside, early


def paper_row(markup: str, code: str) -> str:
    appendix = markup[markup.index('id="key-performance-data"') :]
    at = appendix.index(f'data-kpi="{code}"')
    return re.sub(r"\s+", " ", html.unescape(re.sub(r"<[^>]+>", " ", appendix[at:][:3000])))


def test_a_papers_key_performance_data_uses_dfes_figure_with_the_councils_own_beside_it(
    seed_programme, paper_measures, officer, head_of_service, committee_member
):
    paper = draft_paper(seed_programme, officer)
    markup = signed_in(officer).get(f"/papers/{paper.pk}/").content.decode()
    beside = paper_row(markup, "dfe-beside")
    assert "60.0%" in beside and "Council's own figure: 61.0%." in beside
    assert PROVISIONAL in paper_row(markup, "dfe-early")

    # The same in Word and in Excel, where the figure's cell stays a number.
    olive = signed_in(officer)
    document = Document(io.BytesIO(fetch(olive, f"/papers/{paper.pk}/paper.docx").content))
    words = " ".join(c.text for t in document.tables for r in t.rows for c in r.cells)
    assert "Council's own figure: 61.0%." in words
    workbook = load_workbook(io.BytesIO(fetch(olive, f"/papers/{paper.pk}/appendix.xlsx").content))
    cells = [c.value for sheet in workbook for row in sheet.iter_rows() for c in row]
    assert any("Council's own figure: 61.0%." in str(value) for value in cells)
    numbers = [value for value in cells if isinstance(value, int | float | Decimal)]
    assert any(abs(float(value) - 0.6) < 1e-9 for value in numbers)  # DfE's 60.0%, a number

    # A paper published before the council's own figure was kept reads as it was published.
    publish(paper, head_of_service)
    snapshot = Paper.objects.get(pk=paper.pk).snapshot
    for kpi in snapshot["kpis"]:
        kpi.pop("standing", None)
    Paper.objects.filter(pk=paper.pk).update(snapshot=snapshot)
    member = signed_in(committee_member)
    page = member.get(f"/papers/{paper.pk}/")
    assert page.status_code == 200
    assert "60.0%" in paper_row(page.content.decode(), "dfe-beside")
    assert "Council's own figure" not in page.content.decode()
    assert fetch(member, f"/papers/{paper.pk}/paper.pdf").status_code == 200


# --- The case as the user met it, on the shipped catalogue and DfE extract -------------------


def test_on_the_shipped_data_a_return_of_91_leaves_dfes_90_and_its_rank_and_shows_91_beside(
    db, administrator, head_of_service, committee_member
):
    call_command("loaddata", "care_programme_2024_25", "cla_strategy_2022_25", verbosity=0)
    extract = sorted((settings.BASE_DIR / "fixtures" / "lait").glob("*"))
    call_command("import_lait", *map(str, extract), verbosity=0)
    member = signed_in(committee_member)
    before = text(member.get("/kpis/cla-health-checks/"))
    assert "Latest 90.0% 31 March 2025" in before and "Ranked 98 of 151, band C" in before

    preview = upload(
        signed_in(administrator),
        long_return([["cla-health-checks", dt.date(2025, 3, 31), 91, ""]]),
        name="health.xlsx",
    )
    assert "DfE publishes 90.0% for this period" in text(preview)
    assert "Changed (1)" not in text(preview)
    confirm_and_approve(administrator, head_of_service, preview)

    after = text(member.get("/kpis/cla-health-checks/"))
    assert "Latest 90.0% 31 March 2025" in after
    assert "Council's own figure: 91.0%." in after
    assert "Ranked 98 of 151, band C" in after
    assert "DfE published statistics: DfE LAIT: LACHealth%" in after
