"""Meetings in the app: administrators keep committees and their forward plan of meetings in
careprog, every reader reads it, and the new-paper form offers the meetings still to come, says
who adds one when there is none, and says what would be right when a date is wrong."""

import datetime as dt
import html
import re

import pytest
from django.core.management import call_command
from django.test import Client

from actions.models import Committee, Meeting, Paper
from tests.paper_factories import CYPE, Q3, draft_paper, make_meeting, publish, set_today
from tests.paper_pages import PAPERS, text

NEW_PAPER = f"{PAPERS}new/"
PLAN = "/committees/"
# The day: the seed's paper went to the meeting of 5 March 2025, long past.
TODAY = dt.date(2026, 12, 5)
NEXT_MEETING = dt.date(2027, 3, 3)
Q4 = "2024-25-q4"


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
def seed_paper(seed_programme):
    """The seed's published paper to the committee of 5 March 2025 (2024-25 Q3)."""
    call_command("loaddata", "care_programme_paper_2025_03", verbosity=0)
    return Paper.objects.get(programme=seed_programme, state=Paper.State.PUBLISHED)


def plain(response) -> str:
    """The page's text as read aloud: tags removed without a space, so "(<a>x</a>)" is "(x)"."""
    return " ".join(html.unescape(re.sub(r"<[^>]+>", "", response.content.decode())).split())


def options(response, name) -> list[str]:
    """The labels of a select's options, as a reader sees them."""
    select = re.search(rf'<select[^>]*name="{name}".*?</select>', response.content.decode(), re.S)
    return [text(label) for label in re.findall(r"<option[^>]*>(.*?)</option>", select[0])]


def selected(response, name) -> str:
    select = re.search(rf'<select[^>]*name="{name}".*?</select>', response.content.decode(), re.S)
    found = re.search(r"<option[^>]* selected>(.*?)</option>", select[0])
    return text(found[1]) if found else ""


def start_fields(meeting, **fields):
    return {
        "meeting": meeting.pk,
        "period": Q4,
        "figures_as_at": "2025-04-30",
        "title": "Care Programme",
        "report_of": "Director for Children, Families and Education",
        "start_from": "template",
        **fields,
    }


# The new-paper form --------------------------------------------------------------------------


def test_the_new_paper_form_offers_only_meetings_from_today_on(
    seed_paper, officer, login, administrator
):
    coming = make_meeting(NEXT_MEETING)
    make_meeting(TODAY)  # today counts: the paper is for today's meeting
    olive = login(officer)

    response = olive.get(NEW_PAPER)

    assert response.status_code == 200
    assert options(response, "meeting") == [
        "Choose a meeting",
        f"{CYPE}, 5 December 2026",
        f"{CYPE}, 3 March 2027",
    ]
    past = olive.post(NEW_PAPER, start_fields(seed_paper.meeting))
    assert past.status_code == 400
    assert (
        "Choose one of the meetings listed: a paper is written for a meeting that has not "
        "happened yet" in text(past)
    )
    assert olive.post(NEW_PAPER, start_fields(coming)).status_code == 302


def test_with_no_meeting_to_come_an_officer_is_told_which_administrators_add_meetings(
    seed_paper, officer, administrator, login, django_user_model
):
    """The issue's dead end: only the 5 March 2025 meeting, which has happened."""
    from careprog.roles import PROGRAMME_ADMINISTRATORS
    from tests.conftest import make_user

    make_user(
        django_user_model, "left", PROGRAMME_ADMINISTRATORS, first_name="Lee", is_active=False
    )
    response = login(officer).get(NEW_PAPER)

    assert response.status_code == 200
    page = plain(response)
    assert "There are no meetings from today on" in page
    assert (
        "Programme administrators add meetings to the forward plan: "
        "ask Priya Performance (performance@example.org)." in page
    )
    assert 'href="mailto:performance@example.org"' in response.content.decode()
    assert "Lee" not in page  # no longer here
    assert "/meetings/new/" not in response.content.decode()
    assert "Start the draft" not in page

    posted = login(officer).post(NEW_PAPER, start_fields(seed_paper.meeting))
    assert posted.status_code == 400
    assert "There are no meetings from today on" in text(posted)
    assert 'class="govuk-error-summary"' not in posted.content.decode()  # nothing to correct
    assert Paper.objects.count() == 1


def test_with_no_meeting_to_come_an_administrator_adds_one_and_is_taken_back_to_the_form(
    seed_paper, administrator, login
):
    priya = login(administrator)
    response = priya.get(NEW_PAPER)
    page = response.content.decode()
    add = f"/meetings/new/?next={NEW_PAPER.replace('/', '%2F')}"
    assert f'href="{add}"' in page
    assert "Add the meeting to the forward plan" in text(response)

    form = priya.get(add)
    assert form.status_code == 200
    committee = Committee.objects.get(name=CYPE)
    added = priya.post(
        add,
        {"committee": committee.pk, "date": "2027-03-03", "agenda_item": "7", "next": NEW_PAPER},
    )

    meeting = Meeting.objects.get(date=NEXT_MEETING)
    assert (meeting.committee, meeting.agenda_item) == (committee, "7")
    assert added.status_code == 302
    assert added.url == f"{NEW_PAPER}?meeting={meeting.pk}"
    back = priya.get(added.url)
    assert selected(back, "meeting") == f"{CYPE}, 3 March 2027"
    assert f"The meeting {CYPE}, 3 March 2027 has been added." in text(back)


def test_someone_who_may_add_meetings_can_add_one_when_the_meeting_is_not_listed(
    seed_paper, administrator, officer, login
):
    make_meeting(NEXT_MEETING)
    assert "Meeting not listed? Add a meeting." in plain(login(administrator).get(NEW_PAPER))
    page = plain(login(officer).get(NEW_PAPER))
    assert "Meeting not listed? Programme administrators add meetings" in page


def test_a_quarter_ending_after_the_meeting_says_to_choose_a_later_meeting_or_an_earlier_quarter(
    seed_programme, officer, login, monkeypatch
):
    """The issue's impossible message: 2024-25 Q4 with the meeting of 5 March 2025."""
    set_today(monkeypatch, dt.date(2025, 2, 10))
    meeting = make_meeting(dt.date(2025, 3, 5))

    response = login(officer).post(
        NEW_PAPER, start_fields(meeting, period=Q4, figures_as_at="2025-03-31")
    )

    assert response.status_code == 400
    page = text(response)
    assert (
        "The meeting on 5 March 2025 is before 2024-25 Q4 ends (31 March 2025): "
        "choose a later meeting or an earlier quarter." in page
    )
    assert "to 5 March 2025" not in page  # no range that runs backwards
    assert '<a href="#id_meeting">The meeting on 5 March 2025' in response.content.decode()
    assert not Paper.objects.exists()


@pytest.mark.parametrize("figures_as_at", ["2025-03-30", "2027-03-04"])
def test_a_figures_date_out_of_range_says_the_exact_range_to_enter(
    seed_programme, officer, login, figures_as_at
):
    meeting = make_meeting(NEXT_MEETING)

    response = login(officer).post(NEW_PAPER, start_fields(meeting, figures_as_at=figures_as_at))

    assert response.status_code == 400
    assert (
        "Figures as at must be from 31 March 2025 to 3 March 2027: "
        "from the end of 2024-25 Q4 to the day of the meeting." in text(response)
    )
    assert '<a href="#id_figures_as_at">Figures as at must be' in response.content.decode()
    assert not Paper.objects.exists()


def test_the_form_starts_at_the_latest_ended_quarter_not_yet_published_with_the_last_papers_title(
    seed_paper, officer, login
):
    make_meeting(NEXT_MEETING)

    response = login(officer).get(NEW_PAPER)

    assert selected(response, "period") == "2024-25 Q4"  # Q3 is published
    form = response.context["form"]
    assert form["figures_as_at"].value() == "2026-12-05"  # the latest figures, as written
    assert form["title"].value() == "CARE PROGRAMME"
    assert form["report_of"].value() == "DIRECTOR FOR CHILDREN, FAMILIES AND EDUCATION"
    page = response.content.decode()
    last = f"The last published paper (CARE PROGRAMME, 2024-25 Q3, {CYPE}, 5 March 2025)"
    assert last in text(response)
    assert re.search(rf'value="{seed_paper.pk}" checked>\s*<label[^>]*>{re.escape(last)}', page)
    assert "The council&#x27;s template" in page


def test_with_no_paper_published_the_form_starts_from_the_template_at_the_quarter_just_ended(
    seed_programme, officer, login, monkeypatch
):
    set_today(monkeypatch, dt.date(2025, 2, 10))
    make_meeting(dt.date(2025, 3, 5))

    response = login(officer).get(NEW_PAPER)

    assert selected(response, "period") == "2024-25 Q3"
    assert 'name="start_from"' not in response.content.decode()
    assert "The paper starts with the council's standard sections." in text(response)
    assert response.context["form"]["title"].value() in (None, "")


# Starting from the last published paper ------------------------------------------------------

LEGAL = "The council has a duty under the Children Act 1989 to safeguard children in need."
EQUALITY = "An equality impact assessment was completed in June 2024.\n\n- No adverse impact"


@pytest.fixture
def q3_paper(seed_programme, officer, head_of_service):
    """Last quarter's paper, written, signed off and published."""
    paper = draft_paper(
        seed_programme,
        officer,
        sections={"Legal implications": LEGAL, "Equality implications": EQUALITY},
    )
    publish(paper, head_of_service)
    return Paper.objects.get(pk=paper.pk)


def sections_of(paper):
    return list(
        paper.sections.order_by("position", "pk").values_list(
            "heading", "numbered", "guidance", "text"
        )
    )


def test_a_draft_started_from_the_last_paper_keeps_its_legal_and_equality_text(
    q3_paper, officer, login
):
    published_before = (sections_of(q3_paper), q3_paper.snapshot, q3_paper.snapshot_sha256)
    meeting = make_meeting(NEXT_MEETING)

    response = login(officer).post(NEW_PAPER, start_fields(meeting, start_from=str(q3_paper.pk)))

    assert response.status_code == 302
    draft = Paper.objects.get(state=Paper.State.DRAFT)
    assert sections_of(draft) == sections_of(q3_paper)
    assert draft.sections.get(heading="Legal implications").text == LEGAL
    assert draft.sections.get(heading="Equality implications").text == EQUALITY
    q3_paper.refresh_from_db()
    assert (sections_of(q3_paper), q3_paper.snapshot, q3_paper.snapshot_sha256) == (
        published_before
    )
    edit = text(login(officer).get(f"/papers/{draft.pk}/edit/"))
    assert "The council has a duty under the Children Act 1989" in edit


def test_a_draft_started_from_the_template_has_the_templates_empty_sections(
    q3_paper, officer, login
):
    meeting = make_meeting(NEXT_MEETING)

    login(officer).post(NEW_PAPER, start_fields(meeting, start_from="template"))

    draft = Paper.objects.get(state=Paper.State.DRAFT)
    assert draft.sections.get(heading="Legal implications").text == ""
    assert [s[0] for s in sections_of(draft)] == [s[0] for s in sections_of(q3_paper)]


def test_a_draft_cannot_start_from_a_paper_that_is_not_the_last_published_one(
    q3_paper, seed_programme, officer, login
):
    meeting = make_meeting(NEXT_MEETING)
    unpublished = draft_paper(seed_programme, officer, meeting=meeting, period=Q3)
    count = Paper.objects.count()

    response = login(officer).post(NEW_PAPER, start_fields(meeting, start_from=str(unpublished.pk)))

    assert response.status_code == 400
    assert "Choose what the draft's sections start from" in text(response)
    assert Paper.objects.count() == count


# The forward plan ----------------------------------------------------------------------------


@pytest.fixture
def plan(seed_paper, officer):
    """The seed's committee with the meeting held on 5 March 2025 (its published paper) and
    two to come, the nearer with a draft; and a second committee with no meeting."""
    soon = make_meeting(dt.date(2027, 1, 20), agenda_item="5")
    later = make_meeting(NEXT_MEETING)
    draft = draft_paper(
        seed_paper.programme, officer, period=Q3.next(), meeting=soon, title="Care Programme draft"
    )
    Committee.objects.create(name="Cabinet")
    return {"held": seed_paper.meeting, "soon": soon, "later": later, "draft": draft}


def rows(response) -> list[str]:
    return [
        text(row)
        for row in re.findall(
            r'<tr class="govuk-table__row" id="meeting-\d+">(.*?)</tr>',
            response.content.decode(),
            re.S,
        )
    ]


def test_every_reader_reads_each_committees_meetings_to_come_soonest_first_then_those_held(
    plan, seed_paper, member_client
):
    response = member_client.get(PLAN)

    assert response.status_code == 200
    page = text(response)
    assert page.index("Cabinet") < page.index(CYPE)
    assert "Cabinet No meetings to come." in page
    assert rows(response) == [
        "Wednesday 20 January 2027 5 None",  # its draft is not for a committee member
        "Wednesday 3 March 2027 Not yet known None",
        "Wednesday 5 March 2025 Not yet known CARE PROGRAMME : Care Programme 2024-25, 2024-25 Q3",
    ]
    assert f'href="/papers/{seed_paper.pk}/"' in response.content.decode()
    assert "/meetings/" not in response.content.decode()  # no control to change anything
    assert "/committees/new/" not in response.content.decode()


def test_an_officer_sees_the_drafts_written_for_a_meeting_too(plan, officer, login):
    response = login(officer).get(PLAN)
    assert rows(response)[0] == (
        "Wednesday 20 January 2027 5 Care Programme draft : Care Programme 2024-25, "
        "2024-25 Q4 (draft)"
    )
    assert "/meetings/new/" not in response.content.decode()


def test_the_forward_plan_and_the_new_paper_form_read_in_the_same_queries_at_any_size(
    plan, seed_programme, officer, login, django_assert_num_queries
):
    olive = login(officer)

    def read_both():
        # session, user, the user's and their groups' permissions; committees, meetings, papers
        with django_assert_num_queries(7):
            assert olive.get(PLAN).status_code == 200
        # session, user, permissions (2), programme; meetings to come (whether there are
        # any, then counted and listed by the select), the last published paper, the
        # published quarters, the programme administrators an officer is told to ask; the
        # paper templates (the families), counted and listed by their select
        with django_assert_num_queries(13):
            assert olive.get(NEW_PAPER).status_code == 200

    read_both()
    for day in range(1, 11):
        meeting = make_meeting(dt.date(2027, 5, day), committee=f"Committee {day}")
        draft_paper(seed_programme, officer, period=Q3.next(), meeting=meeting)
    read_both()


def test_an_administrator_adds_a_committee_and_then_its_meeting(plan, administrator, login):
    priya = login(administrator)
    assert "Add a committee" in text(priya.get(PLAN))

    added = priya.post("/committees/new/", {"name": "Corporate Parenting Board"})
    board = Committee.objects.get(name="Corporate Parenting Board")
    assert added.status_code == 302
    assert added.url == f"/committees/#committee-{board.pk}"
    assert board.get_absolute_url() == added.url

    link = f"/meetings/new/?committee={board.pk}"
    assert f'href="{link}"' in priya.get(PLAN).content.decode()
    assert selected(priya.get(link), "committee") == "Corporate Parenting Board"
    meeting = priya.post(link, {"committee": board.pk, "date": "2027-02-11", "agenda_item": ""})
    made = Meeting.objects.get(committee=board)
    assert meeting.url == f"/committees/#meeting-{made.pk}" == made.get_absolute_url()
    page = text(priya.get(PLAN))
    assert "The meeting Corporate Parenting Board, 11 February 2027 has been added." in page
    assert "Corporate Parenting Board" in page


def test_an_administrator_renames_a_committee_and_moves_a_meeting(plan, administrator, login):
    priya = login(administrator)
    committee, later = plan["later"].committee, plan["later"]

    renamed = priya.post(
        f"/committees/{committee.pk}/edit/",
        {"name": "Children's Committee", "version": committee.version},
    )
    assert renamed.status_code == 302
    assert Committee.objects.get(pk=committee.pk).name == "Children's Committee"

    edit = priya.get(f"/meetings/{later.pk}/edit/")
    assert edit.context["form"]["date"].value() == "2027-03-03"
    moved = priya.post(
        f"/meetings/{later.pk}/edit/",
        {
            "committee": committee.pk,
            "date": "2027-03-10",
            "agenda_item": "9",
            "version": later.version,
        },
    )
    assert moved.status_code == 302
    later.refresh_from_db()
    assert (later.date, later.agenda_item) == (dt.date(2027, 3, 10), "9")


def test_a_second_meeting_of_a_committee_on_the_same_day_is_refused_with_a_clear_error(
    plan, administrator, login
):
    priya = login(administrator)
    committee = plan["later"].committee
    same_day = {"committee": committee.pk, "date": "2027-03-03", "agenda_item": ""}
    before = list(Meeting.objects.order_by("pk").values_list("pk", "committee", "date"))

    added = priya.post("/meetings/new/", same_day)
    moved = priya.post(
        f"/meetings/{plan['soon'].pk}/edit/", {**same_day, "version": plan["soon"].version}
    )

    for response in (added, moved):
        assert response.status_code == 400
        assert 'class="govuk-error-summary"' in response.content.decode()
        assert f"{CYPE} already has a meeting on 3 March 2027." in text(response)
        assert re.search(r"<title>\s*Error: ", response.content.decode())
    assert list(Meeting.objects.order_by("pk").values_list("pk", "committee", "date")) == before


def test_a_committee_name_already_taken_is_refused_whatever_its_capitals(
    plan, administrator, login
):
    response = login(administrator).post("/committees/new/", {"name": "cabinet"})
    assert response.status_code == 400
    assert "There is already a committee called “cabinet”." in text(response)
    assert Committee.objects.count() == 2


def test_a_meeting_with_papers_cannot_be_deleted_and_the_page_says_which_papers(
    plan, seed_paper, administrator, login
):
    priya = login(administrator)
    held = plan["held"]

    page = priya.get(f"/meetings/{held.pk}/delete/")
    assert page.status_code == 200
    assert "This meeting cannot be deleted, because papers are written for it:" in text(page)
    assert f'href="/papers/{seed_paper.pk}/"' in page.content.decode()
    assert "CARE PROGRAMME (Care Programme 2024-25, 2024-25 Q3, published)" in text(page)
    assert "Delete the meeting</button>" not in page.content.decode()

    for meeting in (held, plan["soon"]):  # a draft holds its meeting too
        refused = priya.post(f"/meetings/{meeting.pk}/delete/")
        assert refused.status_code == 409
        assert "cannot be deleted: papers are written for it" in text(refused)
        assert Meeting.objects.filter(pk=meeting.pk).exists()


def test_a_meeting_without_papers_is_deleted_after_its_confirmation_page(
    plan, administrator, login
):
    priya = login(administrator)
    later = plan["later"]
    assert (
        "Delete the meeting</button>" in priya.get(f"/meetings/{later.pk}/delete/").content.decode()
    )

    deleted = priya.post(f"/meetings/{later.pk}/delete/")

    assert deleted.status_code == 302 and deleted.url == PLAN
    assert not Meeting.objects.filter(pk=later.pk).exists()
    assert f"The meeting {CYPE}, 3 March 2027 has been deleted." in text(priya.get(PLAN))


def test_the_meeting_of_a_published_paper_keeps_its_committee_and_date(plan, administrator, login):
    held = plan["held"]
    response = login(administrator).post(
        f"/meetings/{held.pk}/edit/",
        {
            "committee": held.committee_id,
            "date": "2025-03-12",
            "agenda_item": "7",
            "version": held.version,
        },
    )
    assert response.status_code == 409
    assert "what was published is the record" in text(response)
    held.refresh_from_db()
    assert (held.date, held.agenda_item) == (dt.date(2025, 3, 5), "")


def test_a_meeting_cannot_move_before_the_day_its_drafts_take_their_figures(
    plan, administrator, login
):
    soon, draft = plan["soon"], plan["draft"]  # figures as at 31 March 2025
    response = login(administrator).post(
        f"/meetings/{soon.pk}/edit/",
        {
            "committee": soon.committee_id,
            "date": "2025-03-30",
            "agenda_item": "5",
            "version": soon.version,
        },
    )
    assert response.status_code == 400
    assert (
        f"“{draft.title}” (Care Programme 2024-25, 2024-25 Q4, draft) takes its figures as at "
        "31 March 2025, so the meeting cannot be before then." in text(response)
    )
    soon.refresh_from_db()
    assert soon.date == dt.date(2027, 1, 20)


def test_after_adding_a_meeting_the_form_never_returns_to_another_site(plan, administrator, login):
    committee = plan["later"].committee
    response = login(administrator).post(
        "/meetings/new/",
        {"committee": committee.pk, "date": "2027-06-01", "next": "//evil.example/papers/"},
    )
    made = Meeting.objects.get(date=dt.date(2027, 6, 1))
    assert response.url == made.get_absolute_url()


def test_committee_names_and_agenda_items_are_shown_as_text(plan, administrator, login):
    priya = login(administrator)
    priya.post("/committees/new/", {"name": "<script>alert(1)</script> Board"})
    committee = Committee.objects.get(name__endswith="Board")
    priya.post(
        "/meetings/new/",
        {"committee": committee.pk, "date": "2027-04-01", "agenda_item": "<b>7</b>"},
    )
    page = priya.get(PLAN).content.decode()
    assert "<script>alert(1)</script>" not in page and "<b>7</b>" not in page
    assert "&lt;script&gt;alert(1)&lt;/script&gt; Board" in page


def test_the_papers_page_links_to_the_committees_and_meetings(seed_paper, member_client):
    page = member_client.get(PAPERS).content.decode()
    assert 'href="/committees/"' in page


def test_a_meeting_changed_by_someone_else_after_the_form_opened_is_not_saved_over(
    plan, administrator, superuser, login
):
    later = plan["later"]
    priya, root = login(administrator), login(superuser)
    opened = priya.get(f"/meetings/{later.pk}/edit/").context["form"]
    mine = {name: opened[name].value() for name in ("committee", "date", "version")}
    root.post(
        f"/meetings/{later.pk}/edit/",
        {**mine, "agenda_item": "12"},
    )

    refused = priya.post(f"/meetings/{later.pk}/edit/", {**mine, "agenda_item": "7"})

    assert refused.status_code == 409
    assert (
        f"Someone changed this meeting after you opened it: it is now {CYPE}, 3 March 2027, "
        "agenda item 12." in text(refused)
    )
    later.refresh_from_db()
    assert later.agenda_item == "12"
    form = refused.context["form"]
    assert form["agenda_item"].value() == "7"  # what was typed is kept
    again = priya.post(
        f"/meetings/{later.pk}/edit/",
        {**mine, "agenda_item": "7", "version": form["version"].value()},
    )
    assert again.status_code == 302
    later.refresh_from_db()
    assert later.agenda_item == "7"


def test_a_committee_renamed_by_someone_else_after_the_form_opened_is_not_renamed_over(
    plan, administrator, superuser, login
):
    committee = plan["later"].committee
    url = f"/committees/{committee.pk}/edit/"
    version = login(administrator).get(url).context["form"]["version"].value()
    login(superuser).post(url, {"name": "Children's Committee", "version": version})

    refused = login(administrator).post(url, {"name": "CYPE Committee", "version": version})

    assert refused.status_code == 409
    assert "it is now called “Children's Committee”" in text(refused)
    assert Committee.objects.get(pk=committee.pk).name == "Children's Committee"


def test_a_change_that_says_no_version_is_refused_as_stale_and_saves_nothing(
    plan, administrator, login
):
    """A form from an old page, or a forged one, cannot skip the check that nobody else
    saved in between."""
    later = plan["later"]
    priya = login(administrator)
    refused = priya.post(
        f"/meetings/{later.pk}/edit/",
        {"committee": later.committee_id, "date": later.date.isoformat(), "agenda_item": "7"},
    )
    assert refused.status_code == 409
    later.refresh_from_db()
    assert later.agenda_item == ""
    committee = later.committee
    refused = priya.post(f"/committees/{committee.pk}/edit/", {"name": "Renamed"})
    assert refused.status_code == 409
    committee.refresh_from_db()
    assert committee.name == CYPE
