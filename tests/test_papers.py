"""Committee papers are drafted, signed off and published through the app: an officer drafts,
a head of service returns or approves and publishes, never their own paper, and every step
is on the paper's timeline with who, when and what they said."""

import datetime as dt
import re

import pytest
from django.test import Client
from django.utils import dateformat, timezone

from actions.models import Paper, PaperEvent, PaperSection
from tests.paper_factories import Q3, draft_paper, make_meeting, publish, set_today
from tests.paper_pages import PAPERS, draft_form, paper_page, step, text, with_sections

MEETING = dt.date(2025, 3, 5)
# When the March 2025 paper was written: Q3 had ended and the meeting was still to come.
TODAY = dt.date(2025, 2, 10)


@pytest.fixture(autouse=True)
def today(monkeypatch):
    set_today(monkeypatch, TODAY)
    return TODAY


@pytest.fixture
def login(db):
    def as_user(user):
        client = Client()
        client.force_login(user)
        return client

    return as_user


@pytest.fixture
def meeting(db):
    return make_meeting(MEETING, agenda_item="7")


def start_fields(meeting, **fields):
    return {
        "meeting": meeting.pk,
        "period": Q3.slug,
        "figures_as_at": "2025-01-31",
        "title": "Care Programme",
        "report_of": "Director for Children, Families and Education",
        **fields,
    }


def timeline(client, paper) -> list[str]:
    """The sign-off timeline's entries as a reader sees them."""
    page = client.get(f"/papers/{paper.pk}/").content.decode()
    items = page.split('<li class="app-timeline__item">')[1:]
    return [text(item.split("</li>")[0]) for item in items]


def when(event) -> str:
    return dateformat.format(timezone.localtime(event.at), "j F Y, H:i")


def test_an_officer_drafts_a_head_of_service_returns_it_then_approves_and_publishes_it(
    seed_programme, officer, head_of_service, login, meeting
):
    olive, hannah = login(officer), login(head_of_service)

    started = olive.post(f"{PAPERS}new/", start_fields(meeting))
    paper = Paper.objects.get()
    assert started.status_code == 302
    assert started.url == f"/papers/{paper.pk}/edit/"
    assert (paper.state, paper.author, paper.figures_as_at) == (
        Paper.State.DRAFT,
        officer,
        dt.date(2025, 1, 31),
    )

    saved = olive.post(
        f"/papers/{paper.pk}/edit/",
        with_sections(
            paper,
            draft_form(olive, paper),
            {
                "Report summary": "The programme is on course.",
                "Background information": "The programme began in 2024.",
            },
        ),
    )
    assert saved.status_code == 302
    assert step(olive, paper, "submit").status_code == 302
    paper.refresh_from_db()
    assert paper.state == Paper.State.SUBMITTED

    assert step(hannah, paper, "return", "Add the residential figures").status_code == 302
    paper.refresh_from_db()
    assert paper.state == Paper.State.DRAFT

    olive.post(
        f"/papers/{paper.pk}/edit/",
        with_sections(
            paper,
            draft_form(olive, paper),
            {"Background information": "83 children live in residential provision."},
        ),
    )
    assert step(olive, paper, "submit", "Figures added").status_code == 302
    assert step(hannah, paper, "approve", "Content agreed").status_code == 302
    assert step(hannah, paper, "publish").status_code == 302

    paper.refresh_from_db()
    assert paper.state == Paper.State.PUBLISHED
    assert "83 children live in residential provision." in paper_page(olive, paper)
    events = list(paper.events.order_by("at", "pk"))
    assert [event.step for event in events] == [
        "drafted",
        "edited",
        "submitted",
        "returned",
        "edited",
        "submitted",
        "approved",
        "published",
    ]
    assert timeline(olive, paper) == [
        f"Drafted by Olive Lead, {when(events[0])}",
        f"Edited by Olive Lead, {when(events[1])}",
        f"Submitted for approval by Olive Lead, {when(events[2])}",
        f"Returned with comments by Hannah Head, {when(events[3])} Add the residential figures",
        f"Edited by Olive Lead, {when(events[4])}",
        f"Submitted for approval by Olive Lead, {when(events[5])} Figures added",
        f"Approved by Hannah Head, {when(events[6])} Content agreed",
        f"Published by Hannah Head, {when(events[7])}",
    ]


@pytest.mark.parametrize(
    "figures_as_at",
    ["2024-12-30", "2025-03-06"],
    ids=["the-day-before-the-quarter-ends", "the-day-after-the-meeting"],
)
def test_a_figures_date_outside_the_quarter_end_and_the_meeting_is_refused_in_an_error_summary(
    seed_programme, officer, login, meeting, figures_as_at
):
    response = login(officer).post(
        f"{PAPERS}new/", start_fields(meeting, figures_as_at=figures_as_at)
    )
    assert response.status_code == 400
    page = text(response)
    assert "There is a problem" in page
    assert (
        "Figures as at must be from 31 December 2024 to 5 March 2025: "
        "from the end of 2024-25 Q3 to the day of the meeting." in page
    )
    assert not Paper.objects.exists()


@pytest.mark.parametrize("figures_as_at", ["2024-12-31", "2025-03-05"])
def test_the_quarter_end_and_the_meeting_day_are_both_allowed_as_the_figures_date(
    seed_programme, officer, login, meeting, figures_as_at
):
    response = login(officer).post(
        f"{PAPERS}new/", start_fields(meeting, figures_as_at=figures_as_at)
    )
    assert response.status_code == 302
    assert Paper.objects.get().figures_as_at == dt.date.fromisoformat(figures_as_at)


def test_a_paper_started_with_nothing_filled_in_names_every_missing_field(
    seed_programme, officer, login, meeting
):
    empty = dict.fromkeys(start_fields(meeting), "")
    response = login(officer).post(f"{PAPERS}new/", empty)
    assert response.status_code == 400
    page = text(response)
    assert re.search(r"<title>\s*Error: Start a paper", response.content.decode())
    for message in [
        "Choose the meeting the paper is for",
        "Choose the quarter",
        "Enter the figures as at",
        "Enter the report title",
        "Enter whose report it is",
    ]:
        assert message in page
    assert 'class="govuk-error-summary"' in response.content.decode()
    assert not Paper.objects.exists()


def test_a_section_added_after_background_information_is_numbered_4_with_points_4_1_and_4_2(
    seed_programme, officer, login
):
    olive = login(officer)
    paper = draft_paper(seed_programme, officer)
    background = paper.sections.get(heading="Background information")
    added = olive.post(
        f"/papers/{paper.pk}/edit/",
        {
            **draft_form(olive, paper),
            "new_heading": "Residential care",
            "new_after": background.pk,
            "add_section": "yes",
        },
    )
    assert added.status_code == 302
    headings = list(paper.sections.order_by("position", "pk").values_list("heading", flat=True))
    assert headings[headings.index("Background information") + 1] == "Residential care"

    olive.post(
        f"/papers/{paper.pk}/edit/",
        with_sections(
            paper,
            draft_form(olive, paper),
            {
                "Reasons for recommendations": "To keep the committee informed.",
                "Other options considered": "None.",
                "Background information": "The programme began in 2024.",
                "Residential care": "83 children live in residential provision.\n\n"
                "Juno is at 63% occupancy.",
            },
        ),
    )
    page = text(paper_page(olive, paper))
    assert "3.0 Background information 3.1 The programme began in 2024." in page
    assert (
        "4.0 Residential care 4.1 83 children live in residential provision. "
        "4.2 Juno is at 63% occupancy."
    ) in page


def test_returning_a_paper_without_a_comment_is_refused_and_changes_nothing(
    seed_programme, officer, head_of_service, login
):
    paper = draft_paper(seed_programme, officer)
    step(login(officer), paper, "submit")
    response = step(login(head_of_service), paper, "return", "   ")
    assert response.status_code == 400
    assert "Enter what needs changing before the paper can be approved" in text(response)
    paper.refresh_from_db()
    assert paper.state == Paper.State.SUBMITTED
    assert not paper.events.filter(step=PaperEvent.Step.RETURNED).exists()


@pytest.mark.parametrize(
    ("name", "message"),
    [
        ("approve", "You drafted this paper, so someone else must approve it."),
        ("return", "You drafted this paper, so someone else must return it."),
    ],
)
def test_an_administrator_who_drafted_a_paper_cannot_approve_or_return_it(
    seed_programme, administrator, login, name, message
):
    priya = login(administrator)
    paper = draft_paper(seed_programme, administrator)
    step(priya, paper, "submit")
    page = priya.get(f"/papers/{paper.pk}/").content.decode()
    assert "You drafted this paper, so someone else must approve it." in page
    assert f"/papers/{paper.pk}/{name}/" not in page

    response = step(priya, paper, name, "Looks fine to me")
    assert response.status_code == 403
    assert message in text(response)
    paper.refresh_from_db()
    assert paper.state == Paper.State.SUBMITTED


def test_a_head_of_service_cannot_approve_a_paper_they_drafted(
    seed_programme, head_of_service, login
):
    hannah = login(head_of_service)
    paper = draft_paper(seed_programme, head_of_service)
    step(hannah, paper, "submit")
    response = step(hannah, paper, "approve")
    assert response.status_code == 403
    assert "You drafted this paper, so someone else must approve it." in text(response)


def test_an_officer_cannot_approve_return_or_publish(seed_programme, officer, other_officer, login):
    paper = draft_paper(seed_programme, other_officer)
    step(login(other_officer), paper, "submit")
    oscar = login(officer)
    for name in ("approve", "return", "publish"):
        assert step(oscar, paper, name, "A comment").status_code == 403
    paper.refresh_from_db()
    assert paper.state == Paper.State.SUBMITTED


def test_a_committee_member_cannot_find_a_draft_but_reads_a_published_paper(
    seed_programme, officer, head_of_service, committee_member, login
):
    casey = login(committee_member)
    paper = draft_paper(seed_programme, officer, sections={"Report summary": "Draft words."})
    assert casey.get(f"/papers/{paper.pk}/").status_code == 404
    assert casey.get(f"/papers/{paper.pk}/changes/").status_code == 404
    assert "Draft words." not in casey.get(PAPERS).content.decode()

    publish(paper, head_of_service)
    assert "Draft words." in paper_page(casey, paper)
    assert casey.get(f"/papers/{paper.pk}/changes/").status_code == 200
    assert f"/papers/{paper.pk}/" in casey.get(PAPERS).content.decode()


def test_a_save_from_a_stale_form_gets_409_saves_nothing_and_keeps_the_typed_text(
    seed_programme, officer, other_officer, login
):
    olive, oscar = login(officer), login(other_officer)
    paper = draft_paper(seed_programme, officer)
    olives_form = draft_form(olive, paper)
    oscars_form = draft_form(oscar, paper)

    first = olive.post(
        f"/papers/{paper.pk}/edit/",
        with_sections(paper, olives_form, {"Report summary": "Olive's summary."}),
    )
    assert first.status_code == 302
    second = oscar.post(
        f"/papers/{paper.pk}/edit/",
        with_sections(paper, oscars_form, {"Report summary": "Oscar's summary."}),
    )
    assert second.status_code == 409
    assert "Someone else saved this paper after you opened it" in text(second)
    assert "Oscar&#x27;s summary." in second.content.decode()  # still in the box, not lost
    assert paper.sections.get(heading="Report summary").text == "Olive's summary."

    # Saving again from the conflict page carries the current version, and replaces Olive's.
    again = second.context["form"].data.copy()
    again["version"] = str(Paper.objects.get(pk=paper.pk).version)
    assert oscar.post(f"/papers/{paper.pk}/edit/", again).status_code == 302
    assert paper.sections.get(heading="Report summary").text == "Oscar's summary."


def test_section_text_is_shown_as_text_never_as_html_or_a_formula(seed_programme, officer, login):
    paper = draft_paper(
        seed_programme,
        officer,
        sections={"Report summary": "<script>alert(1)</script>\n\n=1+1\n\n- <b>bold</b>"},
    )
    content = paper_page(login(officer), paper)
    assert "<script>alert(1)</script>" not in content
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in content
    assert "<b>bold</b>" not in content
    assert "&lt;b&gt;bold&lt;/b&gt;" in content
    assert '<p class="govuk-body app-paper__paragraph">=1+1</p>' in content


def test_a_new_section_needs_a_heading_and_a_place(seed_programme, officer, login):
    paper = draft_paper(seed_programme, officer)
    count = paper.sections.count()
    olive = login(officer)
    data = {**draft_form(olive, paper), "new_heading": "", "new_after": "", "add_section": "yes"}
    response = olive.post(f"/papers/{paper.pk}/edit/", data)
    assert response.status_code == 400
    assert "Enter the new section's heading" in text(response)
    assert "Choose where to add it" in text(response)
    assert PaperSection.objects.filter(paper=paper).count() == count


def test_a_draft_saved_with_a_figures_date_after_the_meeting_is_refused_and_saves_nothing(
    seed_programme, officer, login
):
    olive = login(officer)
    paper = draft_paper(seed_programme, officer)
    data = with_sections(paper, draft_form(olive, paper), {"Report summary": "Unsaved."})
    response = olive.post(f"/papers/{paper.pk}/edit/", {**data, "figures_as_at": "2025-03-06"})
    assert response.status_code == 400
    assert 'class="govuk-error-summary"' in response.content.decode()
    assert "Figures as at must be from 31 December 2024 to 5 March 2025" in text(response)
    assert paper.sections.get(heading="Report summary").text == ""


def test_a_submitted_paper_cannot_be_edited_until_it_is_returned(seed_programme, officer, login):
    olive = login(officer)
    paper = draft_paper(seed_programme, officer)
    data = with_sections(paper, draft_form(olive, paper), {"Report summary": "Too late."})
    step(olive, paper, "submit")
    response = olive.post(f"/papers/{paper.pk}/edit/", data)
    assert response.status_code == 409
    assert "only a draft can be edited" in text(response)
    assert paper.sections.get(heading="Report summary").text == ""


def test_a_sign_off_comment_is_shown_as_text_on_the_timeline(
    seed_programme, officer, head_of_service, login
):
    paper = draft_paper(seed_programme, officer)
    step(login(officer), paper, "submit")
    step(login(head_of_service), paper, "return", "<script>alert(1)</script>")
    page = login(officer).get(f"/papers/{paper.pk}/").content.decode()
    assert "<script>alert(1)</script>" not in page
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in page
