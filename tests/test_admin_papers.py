"""Papers are the committee record, so admin shows them read-only and never deletes a published
one; a draft is shown only to those the app lets read it; administrators keep the council's
paper template there (its sections and its appendices' names), and officers with staff status
cannot change it."""

import datetime as dt

import pytest

from actions.models import Meeting, Paper, PaperTemplate
from actions.papers import services
from careprog import roles
from tests.conftest import make_user
from tests.paper_factories import draft_paper, publish


@pytest.fixture
def admin_client(client, administrator):
    client.force_login(administrator)
    return client


@pytest.fixture
def staff_officer_client(client, django_user_model):
    client.force_login(make_user(django_user_model, "staffed", roles.OFFICERS, is_staff=True))
    return client


@pytest.fixture
def staff_committee_member_client(client, django_user_model):
    client.force_login(
        make_user(django_user_model, "staffcllr", roles.COMMITTEE_MEMBERS, is_staff=True)
    )
    return client


@pytest.fixture
def published(seed_programme, officer, head_of_service):
    return publish(
        draft_paper(seed_programme, officer, sections={"Report summary": "As published."}),
        head_of_service,
    )


def paper_post(paper, **changes):
    """What a change form for the paper would post, with ``changes``."""
    data = {
        "programme": paper.programme_id,
        "meeting": paper.meeting_id,
        "period": paper.period.label,
        "figures_as_at": paper.figures_as_at.isoformat(),
        "title": paper.title,
        "report_of": paper.report_of,
        "state": paper.state,
        "snapshot_sha256": paper.snapshot_sha256,
        "sections-TOTAL_FORMS": 0,
        "sections-INITIAL_FORMS": 0,
        "events-TOTAL_FORMS": 0,
        "events-INITIAL_FORMS": 0,
    }
    return {**data, **changes}


def test_a_paper_is_read_only_in_admin_even_for_an_administrator(admin_client, published):
    url = f"/admin/actions/paper/{published.pk}/change/"
    page = admin_client.get(url)
    assert page.status_code == 200
    assert 'name="title"' not in page.content.decode()
    assert "As published." in page.content.decode()  # its sections, shown read-only

    before = Paper.objects.get(pk=published.pk)
    response = admin_client.post(url, paper_post(published, title="Rewritten", state="draft"))
    assert response.status_code == 403
    after = Paper.objects.get(pk=published.pk)
    assert (after.title, after.state, after.version, after.snapshot_sha256) == (
        before.title,
        before.state,
        before.version,
        before.snapshot_sha256,
    )
    assert admin_client.get("/admin/actions/paper/add/").status_code == 403


def test_a_published_paper_cannot_be_deleted_in_admin(admin_client, published):
    url = f"/admin/actions/paper/{published.pk}/delete/"
    assert admin_client.get(url).status_code == 403
    assert admin_client.post(url, {"post": "yes"}).status_code == 403
    admin_client.post(
        "/admin/actions/paper/",
        {"action": "delete_selected", "_selected_action": [published.pk], "post": "yes"},
    )
    assert Paper.objects.filter(pk=published.pk, state=Paper.State.PUBLISHED).exists()


def test_a_paper_whose_quarter_lock_remains_cannot_be_deleted_either(
    admin_client, published, seed_programme, administrator
):
    # A lock row keeps its paper even after the quarter is reopened: the rows are the record.
    services.reopen_quarter(
        programme=seed_programme, period=published.period, user=administrator, reason="Typo"
    )
    assert admin_client.get(f"/admin/actions/paper/{published.pk}/delete/").status_code == 403


def template_post(template, **headings):
    """The template's change form as posted, with some sections' headings replaced."""
    sections = list(template.sections.order_by("position", "pk"))
    data = {
        "name": template.name,
        "title_block": template.title_block,
        "audience": template.audience,
        "is_default": "on" if template.is_default else "",
        "kpis_appendix": template.kpis_appendix,
        "progress_appendix": template.progress_appendix,
        "changes_appendix": template.changes_appendix,
        "sections-TOTAL_FORMS": len(sections),
        "sections-INITIAL_FORMS": len(sections),
        "sections-MIN_NUM_FORMS": 0,
        "sections-MAX_NUM_FORMS": 1000,
    }
    for n, section in enumerate(sections):
        data |= {
            f"sections-{n}-id": section.pk,
            f"sections-{n}-template": template.pk,
            f"sections-{n}-position": section.position,
            f"sections-{n}-heading": headings.get(section.heading, section.heading),
            f"sections-{n}-kind": section.kind,
            f"sections-{n}-numbered": "on" if section.numbered else "",
            f"sections-{n}-row_labels": section.row_labels,
            f"sections-{n}-guidance": section.guidance,
            f"sections-{n}-default_text": section.default_text,
        }
    return data


def test_an_administrator_edits_the_paper_templates_sections(admin_client, db):
    template = PaperTemplate.objects.get(is_default=True)
    response = admin_client.post(
        f"/admin/actions/papertemplate/{template.pk}/change/",
        template_post(template, **{"Relevant risks": "Risks"}),
    )
    assert response.status_code == 302, response.content.decode()[:3000]
    assert template.sections.filter(heading="Risks").exists()
    assert not template.sections.filter(heading="Relevant risks").exists()


def test_an_officer_with_staff_status_cannot_edit_the_paper_template(staff_officer_client, db):
    template = PaperTemplate.objects.get(is_default=True)
    response = staff_officer_client.post(
        f"/admin/actions/papertemplate/{template.pk}/change/",
        template_post(template, **{"Relevant risks": "Risks"}),
    )
    assert response.status_code == 403
    assert template.sections.filter(heading="Relevant risks").exists()


def test_an_officer_with_staff_status_cannot_change_a_paper_in_admin(
    staff_officer_client, seed_programme, officer
):
    paper = draft_paper(seed_programme, officer)
    response = staff_officer_client.post(
        f"/admin/actions/paper/{paper.pk}/change/", paper_post(paper, title="Rewritten")
    )
    assert response.status_code == 403
    assert Paper.objects.get(pk=paper.pk).title == paper.title
    assert (
        staff_officer_client.post(
            f"/admin/actions/paper/{paper.pk}/delete/", {"post": "yes"}
        ).status_code
        == 403
    )
    assert Paper.objects.filter(pk=paper.pk).exists()


def test_a_committee_member_with_staff_status_sees_no_draft_paper_in_admin(
    staff_committee_member_client, published, seed_programme, officer
):
    draft = draft_paper(seed_programme, officer, sections={"Report summary": "Not yet agreed."})
    listing = staff_committee_member_client.get("/admin/actions/paper/")
    assert listing.status_code == 200
    assert f"/admin/actions/paper/{published.pk}/change/" in listing.content.decode()
    assert f"/admin/actions/paper/{draft.pk}/change/" not in listing.content.decode()

    opened = staff_committee_member_client.get(f"/admin/actions/paper/{draft.pk}/change/")
    # Admin's answer to a row it does not have: back to the index, saying it does not exist.
    assert opened.status_code == 302
    followed = staff_committee_member_client.get(opened.url)
    assert "Not yet agreed." not in followed.content.decode()
    # As the app answers: a committee member cannot read the draft there either.
    assert staff_committee_member_client.get(f"/papers/{draft.pk}/").status_code == 404


def test_an_administrator_sees_draft_papers_in_admin(admin_client, seed_programme, officer):
    draft = draft_paper(seed_programme, officer, sections={"Report summary": "Not yet agreed."})
    page = admin_client.get(f"/admin/actions/paper/{draft.pk}/change/")
    assert page.status_code == 200
    assert "Not yet agreed." in page.content.decode()


def test_the_paper_template_names_its_appendices_and_a_new_paper_keeps_them(
    admin_client, seed_programme, officer
):
    template = PaperTemplate.objects.get(is_default=True)
    assert (template.kpis_appendix, template.progress_appendix) == (
        "Appendix 2 Key Performance Data",
        "Appendix 3 Progress to date",
    )
    response = admin_client.post(
        f"/admin/actions/papertemplate/{template.pk}/change/",
        {**template_post(template), "progress_appendix": "Appendix 5 Progress to date"},
    )
    assert response.status_code == 302, response.content.decode()[:3000]
    paper = draft_paper(seed_programme, officer)
    assert paper.progress_appendix == "Appendix 5 Progress to date"
    PaperTemplate.objects.filter(pk=template.pk).update(progress_appendix="Renamed later")
    paper.refresh_from_db()
    assert paper.progress_appendix == "Appendix 5 Progress to date"


def test_admin_keeps_a_published_papers_meeting_on_its_committee_and_date(admin_client, published):
    """The record names the meeting: admin refuses to move it, as the forward plan does."""
    meeting = published.meeting
    url = f"/admin/actions/meeting/{meeting.pk}/change/"
    response = admin_client.post(
        url, {"committee": meeting.committee_id, "date": "2025-04-02", "agenda_item": "9"}
    )
    assert response.status_code == 200  # the form again, with its error
    assert "the meeting keeps its committee and date" in response.content.decode()
    meeting.refresh_from_db()
    assert (meeting.date.isoformat(), meeting.agenda_item) == ("2025-03-05", "")

    # Its agenda item is not the record's: that may change.
    response = admin_client.post(
        url, {"committee": meeting.committee_id, "date": "2025-03-05", "agenda_item": "9"}
    )
    assert response.status_code == 302
    meeting.refresh_from_db()
    assert meeting.agenda_item == "9"


def test_admin_does_not_move_a_meeting_before_its_drafts_figures_date(
    admin_client, seed_programme, officer
):
    paper = draft_paper(seed_programme, officer)
    meeting = paper.meeting
    before = (paper.figures_as_at - dt.timedelta(days=1)).isoformat()
    response = admin_client.post(
        f"/admin/actions/meeting/{meeting.pk}/change/",
        {"committee": meeting.committee_id, "date": before, "agenda_item": ""},
    )
    assert response.status_code == 200
    assert "so the meeting cannot be before then" in response.content.decode()
    assert Meeting.objects.get(pk=meeting.pk).date == meeting.date
