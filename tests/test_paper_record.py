"""A published paper is the committee record: whatever changes afterwards (updates, imported
KPI returns, DfE's LAIT data, the catalogue), its rendered content and its SHA-256 stay as
published, while a draft on the same quarter, built from live data, moves with the data."""

import datetime as dt
import io
import re
from decimal import Decimal
from pathlib import Path

import pytest
from django.core.management import call_command
from django.test import Client

from actions.models import UNTITLED_ACTION, Action, Mechanism, Objective, Paper
from actions.papers import content as paper_content
from kpis.importing.apply import apply_return, store_upload
from kpis.models import KPI, ComparatorValue, KPIValue
from tests.conftest import RISK_MATRIX, SAFELY_WITH_FAMILIES, seed_action
from tests.import_files import long_return
from tests.kpi_factories import approve_imports, make_target
from tests.paper_factories import Q3, draft_paper, make_meeting, publish
from tests.paper_pages import article, paper_page
from tests.test_action_updates import open_form, post_update

EXTRACT = sorted((Path(__file__).parent.parent / "fixtures" / "lait").glob("*"))
Q3_END = dt.date(2024, 12, 31)
SECTIONS = {
    "Report summary": "The programme is on course.",
    "Background information": "The programme began in 2024.",
}


class Record:
    """A published Q3 paper, a draft on the same quarter and figures' date, and what each
    page showed the moment the paper was published."""

    def __init__(self, programme, author, approver, reader: Client):
        meeting = make_meeting(dt.date(2025, 3, 5), agenda_item="7")
        self.paper = draft_paper(
            programme, author, meeting=meeting, figures_as_at=Q3_END, sections=SECTIONS
        )
        publish(self.paper, approver)
        self.draft = draft_paper(
            programme, author, meeting=meeting, figures_as_at=Q3_END, sections=SECTIONS
        )
        self.reader = reader
        self.published_html = paper_page(reader, self.paper)
        self.draft_html = paper_page(reader, self.draft)
        self.sha256 = Paper.objects.get(pk=self.paper.pk).snapshot_sha256

    def assert_unchanged(self):
        """The paper shows the same HTML, and its stored and recomputed digests agree."""
        paper = Paper.objects.get(pk=self.paper.pk)
        assert paper.state == Paper.State.PUBLISHED
        assert paper.snapshot_sha256 == self.sha256
        assert paper_content.sha256(paper.snapshot) == self.sha256
        assert paper_page(self.reader, paper) == self.published_html

    def assert_draft_moved(self):
        assert paper_page(self.reader, self.draft) != self.draft_html


@pytest.fixture
def record(seed_programme, officer_actions, officer, head_of_service, committee_member):
    reader = Client()
    reader.force_login(head_of_service)
    return Record(seed_programme, officer, head_of_service, reader)


def test_publishing_stores_the_digest_of_exactly_what_the_paper_shows(record):
    paper = Paper.objects.get(pk=record.paper.pk)
    assert paper.snapshot_sha256 == paper_content.sha256(paper.snapshot)
    assert f'data-sha256="{paper.snapshot_sha256}"' in record.published_html
    assert "The programme began in 2024." in record.published_html


# --- (a) Updates --------------------------------------------------------------------------


def test_an_administrators_correction_of_a_q3_update_leaves_the_published_paper_as_it_was(
    record, administrator
):
    priya = Client()
    priya.force_login(administrator)
    action = seed_action(RISK_MATRIX)
    response = post_update(
        priya, action, open_form(priya, action, Q3), text="Corrected after committee"
    )
    assert response.status_code == 302
    assert action.updates.get(period=Q3).text == "Corrected after committee"
    record.assert_unchanged()
    record.assert_draft_moved()


def test_an_officers_q3_update_once_the_quarter_is_reopened_leaves_the_published_paper_as_it_was(
    record, officer, administrator, seed_programme
):
    priya, olive = Client(), Client()
    priya.force_login(administrator)
    olive.force_login(officer)
    reopened = priya.post(
        f"/programmes/{seed_programme.slug}/report/{Q3.slug}/reopen/",
        {"reason": "The Risk Matrix update was the wrong action's"},
    )
    assert reopened.status_code == 302
    action = seed_action(RISK_MATRIX)
    response = post_update(
        olive,
        action,
        open_form(olive, action, Q3),
        status="at_risk",
        text="Rewritten by its lead",
        reason="Staff absence",
        next_step="Agency cover",
    )
    assert response.status_code == 302
    record.assert_unchanged()
    record.assert_draft_moved()


# --- (b) KPI returns ----------------------------------------------------------------------


def test_importing_a_kpi_return_that_changes_a_programme_measure_leaves_the_paper_as_it_was(
    record, administrator
):
    data = long_return(
        [
            ["cp-juno-occupancy", "2024-12-31", 70, "Recounted"],  # was 63
            ["cp-children-in-care", "2024-11-30", 702, ""],  # new, before the figures' date
        ]
    )
    batch = store_upload(data=data, file_name="return.xlsx", user=administrator)
    batch = apply_return(batch=batch, user=administrator)
    assert (batch.created_count, batch.updated_count) == (1, 1)
    approve_imports()
    assert KPIValue.objects.get(kpi__code="cp-juno-occupancy", period_end=Q3_END).value == 70
    record.assert_unchanged()
    record.assert_draft_moved()


# --- (c) DfE's LAIT data ------------------------------------------------------------------


def test_reloading_dfes_lait_data_leaves_the_published_paper_as_it_was(record):
    call_command("import_lait", *map(str, EXTRACT), stdout=io.StringIO(), stderr=io.StringIO())
    # DfE's 31 March 2024 figure is now the latest on or before the figures' date.
    children_in_care = KPI.objects.get(code="cp-children-in-care")
    assert children_in_care.values.filter(period_end=dt.date(2024, 3, 31)).exists()
    assert ComparatorValue.objects.filter(kpi=children_in_care).exists()
    record.assert_unchanged()
    record.assert_draft_moved()


# --- (d) The catalogue ---------------------------------------------------------------------


def rename_kpi():
    kpi = KPI.objects.get(code="cp-juno-occupancy")
    kpi.name = "Juno: places occupied"
    kpi.save()


def change_unit_and_decimal_places():
    kpi = KPI.objects.get(code="cp-juno-occupancy")
    kpi.unit, kpi.decimal_places = KPI.Unit.COUNT, 2
    kpi.save()


def add_a_target():
    make_target(KPI.objects.get(code="cp-juno-occupancy"), 2024, Decimal(90))


def relink_objectives():
    kpi = KPI.objects.get(code="cp-juno-occupancy")
    kpi.objectives.clear()
    other = KPI.objects.get(code="cp-pwp-discharges")
    other.objectives.set(Objective.objects.exclude(title=SAFELY_WITH_FAMILIES))


def rename_objective():
    objective = Objective.objects.get(title=SAFELY_WITH_FAMILIES)
    objective.title, objective.statement = "Renamed objective", "A new statement"
    objective.save()


def rename_mechanism():
    mechanism = seed_action(RISK_MATRIX).mechanism
    mechanism.text = "A renamed mechanism"
    mechanism.save()


def rename_action():
    action = seed_action(RISK_MATRIX)
    action.title = "A renamed action"
    action.save()


@pytest.mark.parametrize(
    "edit",
    [
        rename_kpi,
        change_unit_and_decimal_places,
        add_a_target,
        relink_objectives,
        rename_objective,
        rename_mechanism,
        rename_action,
    ],
    ids=lambda edit: edit.__name__,
)
def test_editing_the_catalogue_leaves_the_published_paper_as_it_was(record, edit):
    edit()
    record.assert_unchanged()
    record.assert_draft_moved()


def test_deleting_an_action_leaves_the_published_paper_as_it_was(record):
    Action.objects.get(pk=seed_action(RISK_MATRIX).pk).delete()
    Mechanism.objects.filter(actions__isnull=True).delete()
    record.assert_unchanged()
    record.assert_draft_moved()


# --- Only what was there -------------------------------------------------------------------

NO_UPDATE_IN_Q3 = "Agree and launch the Foster Carer Charter"


def test_the_record_leaves_a_missing_update_blank_and_an_unrated_status_unsaid(record):
    """The seed gives 39 of 43 actions an update, rates 11 complete and none of the rest:
    the paper shows the 11, no "Not assessed", and an empty cell where there is no update."""
    page = record.published_html
    assert "Not assessed" not in page and "No update provided" not in page
    assert page.count('app-report-table__update"') == 43
    assert page.count(">Complete</strong>") == 11
    charter = seed_action(NO_UPDATE_IN_Q3)
    cell = re.search(rf'data-action-id="{charter.pk}">(.*?)</td>', page, re.DOTALL).group(1)
    assert cell.strip() == ""


def test_an_action_with_no_text_is_named_one_way_in_the_paper(record):
    """The seed's action under "Managed reunification for older young people" has no text."""
    assert record.published_html.count(f">{UNTITLED_ACTION}</td>") == 1
    assert "Action with no title" not in record.published_html


def test_the_draft_tells_its_readers_which_actions_have_no_update_outside_the_paper(
    record, client, officer
):
    client.force_login(officer)
    page = client.get(f"/papers/{record.draft.pk}/").content.decode()
    notice = page.index("4 actions have no update for 2024-25 Q3")
    assert notice < page.index('<article class="app-paper"')
    listed = page[notice : page.index('<article class="app-paper"')]
    assert f'href="/actions/{seed_action(NO_UPDATE_IN_Q3).pk}/"' in listed
    assert "No update provided" not in article(client.get(f"/papers/{record.draft.pk}/"))
    # The published paper, the record, carries no such notice.
    assert "have no update for" not in client.get(f"/papers/{record.paper.pk}/").content.decode()
