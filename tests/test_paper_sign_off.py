"""Sign-off that tells and protects: no one approves, returns or publishes a paper they
drafted, edited or submitted; publishing confirms and lists what is missing; each person's
home lists the papers awaiting their decision; each step emails whoever it concerns."""

import datetime as dt
from decimal import Decimal

import pytest
from django.test import Client
from django.utils import timezone

from actions.models import Paper, PaperEvent, Update
from careprog import roles
from kpis.models import KPIEntry
from tests.conftest import make_user
from tests.kpi_factories import make_kpi
from tests.paper_factories import Q3, draft_paper
from tests.paper_pages import draft_form, step, text, with_sections

pytestmark = pytest.mark.django_db


def signed_in(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


@pytest.fixture
def another_head(django_user_model):
    return make_user(
        django_user_model, "harry", roles.HEADS_OF_SERVICE, first_name="Harry", last_name="Hale"
    )


def edited_by(client, paper, texts):
    response = client.post(
        f"/papers/{paper.pk}/edit/", with_sections(paper, draft_form(client, paper), texts)
    )
    assert response.status_code == 302
    return response


# No one decides on what they wrote -------------------------------------------------------


def test_a_head_who_edited_an_officers_draft_cannot_approve_or_publish_it_another_head_does(
    seed_programme, officer, head_of_service, another_head
):
    olive, hannah, harry = signed_in(officer), signed_in(head_of_service), signed_in(another_head)
    paper = draft_paper(seed_programme, officer)
    edited_by(hannah, paper, {"Report summary": "Hannah's words."})
    assert step(olive, paper, "submit").status_code == 302

    page = hannah.get(f"/papers/{paper.pk}/").content.decode()
    assert f"/papers/{paper.pk}/approve/" not in page and f"/papers/{paper.pk}/return/" not in page
    assert "You edited this paper, so someone else must approve it." in text(page)
    for name in ("approve", "return"):
        refused = step(hannah, paper, name, "Fine by me")
        assert refused.status_code == 403
        assert f"You edited this paper, so someone else must {name} it." in text(refused)
    assert Paper.objects.get(pk=paper.pk).state == Paper.State.SUBMITTED

    assert step(harry, paper, "approve").status_code == 302
    page = hannah.get(f"/papers/{paper.pk}/").content.decode()
    assert f"/papers/{paper.pk}/publish/" not in page
    assert "You edited this paper, so someone else must publish it." in text(page)
    for response in (hannah.get(f"/papers/{paper.pk}/publish/"), step(hannah, paper, "publish")):
        assert response.status_code == 403
        assert "You edited this paper, so someone else must publish it." in text(response)
    assert Paper.objects.get(pk=paper.pk).state == Paper.State.APPROVED

    assert step(harry, paper, "publish").status_code == 302
    assert Paper.objects.get(pk=paper.pk).state == Paper.State.PUBLISHED


def test_a_head_who_added_a_section_cannot_approve_it(seed_programme, officer, head_of_service):
    hannah = signed_in(head_of_service)
    paper = draft_paper(seed_programme, officer)
    background = paper.sections.get(heading="Background information")
    hannah.post(
        f"/papers/{paper.pk}/edit/",
        {
            **draft_form(hannah, paper),
            "new_heading": "Placements",
            "new_after": background.pk,
            "add_section": "yes",
        },
    )
    step(signed_in(officer), paper, "submit")
    assert step(hannah, paper, "approve").status_code == 403


def test_whoever_submitted_a_paper_cannot_approve_it(seed_programme, officer, head_of_service):
    hannah = signed_in(head_of_service)
    paper = draft_paper(seed_programme, officer)
    assert step(hannah, paper, "submit").status_code == 302
    refused = step(hannah, paper, "approve")
    assert refused.status_code == 403
    assert "You submitted this paper, so someone else must approve it." in text(refused)


def test_the_paper_names_everyone_who_wrote_it_and_when_they_edited(
    seed_programme, officer, head_of_service, another_head
):
    paper = draft_paper(seed_programme, officer)
    edited_by(signed_in(head_of_service), paper, {"Report summary": "Edited."})
    step(signed_in(officer), paper, "submit")
    page = text(signed_in(another_head).get(f"/papers/{paper.pk}/"))
    assert (
        "Drafted, edited or submitted by Olive Lead and Hannah Head, so someone else approves "
        "and publishes it."
    ) in page
    assert "Edited by Hannah Head" in page


def test_a_head_who_only_returned_a_paper_may_still_approve_it(
    seed_programme, officer, head_of_service
):
    olive, hannah = signed_in(officer), signed_in(head_of_service)
    paper = draft_paper(seed_programme, officer)
    step(olive, paper, "submit")
    assert step(hannah, paper, "return", "Add the figures").status_code == 302
    edited_by(olive, paper, {"Report summary": "Figures added."})
    step(olive, paper, "submit")
    assert step(hannah, paper, "approve").status_code == 302


# Publishing confirms ---------------------------------------------------------------------


@pytest.fixture
def approved(seed_programme, officer, head_of_service, another_head):
    paper = draft_paper(
        seed_programme,
        officer,
        sections={
            "Report summary": "Summary.",
            "Recommendations": "Note it.",
            "Reasons for recommendations": "Reasons.",
        },
    )
    step(signed_in(officer), paper, "submit")
    step(signed_in(another_head), paper, "approve")
    return Paper.objects.get(pk=paper.pk)


def test_publishing_shows_what_is_incomplete_first_and_a_post_from_it_publishes_anyway(
    seed_programme, officer, head_of_service, approved
):
    kpi = make_kpi("cla-rate", name="Children looked after rate")
    kpi.objectives.add(seed_programme.objectives.first())
    KPIEntry.objects.create(
        kpi=kpi,
        period_end=dt.date(2024, 12, 31),
        value=Decimal(70),
        entered_by=officer,
        entered_at=timezone.now(),
    )
    without = list(seed_programme_actions(seed_programme).exclude(updates__period=Q3))
    empty = approved.sections.filter(text="").count()
    hannah = signed_in(head_of_service)

    page = hannah.get(f"/papers/{approved.pk}/")
    assert f'href="/papers/{approved.pk}/publish/"' in page.content.decode()
    confirm = hannah.get(f"/papers/{approved.pk}/publish/")
    assert confirm.status_code == 200
    words = text(confirm)
    assert f"{len(without)} actions have no update for 2024-25 Q3" in words
    assert "1 figure for the programme's measures awaits approval" in words
    assert f"{empty} sections are empty and left out of the paper: Other options" in words
    listed = confirm.content.decode().split('class="govuk-list govuk-list--bullet app-actions')[1]
    assert listed.count("<li>") == len(without)
    assert Paper.objects.get(pk=approved.pk).state == Paper.State.APPROVED  # a GET changes nothing

    published = hannah.post(f"/papers/{approved.pk}/publish/", {"comment": "As it is"})
    assert published.status_code == 302
    paper = Paper.objects.get(pk=approved.pk)
    assert paper.state == Paper.State.PUBLISHED
    assert paper.events.get(step=PaperEvent.Step.PUBLISHED).comment == "As it is"


def seed_programme_actions(programme):
    from actions.models import Action

    return Action.objects.filter(mechanism__requirement__objective__programme=programme)


def test_a_complete_paper_is_published_with_nothing_listed(
    seed_programme, officer, head_of_service, approved
):
    for action in seed_programme_actions(seed_programme).exclude(updates__period=Q3):
        Update.objects.create(action=action, period=Q3, status="on_track", text="Done.")
    approved.sections.filter(text="").update(text="Written.")
    confirm = signed_in(head_of_service).get(f"/papers/{approved.pk}/publish/")
    assert "Every action has an update for 2024-25 Q3" in text(confirm)
    assert "What the paper is missing" not in text(confirm)


@pytest.mark.parametrize("state", ["draft", "submitted", "published"])
def test_only_an_approved_paper_has_a_publishing_page(
    seed_programme, officer, head_of_service, another_head, state
):
    paper = draft_paper(seed_programme, officer)
    if state != "draft":
        step(signed_in(officer), paper, "submit")
    if state == "published":
        step(signed_in(another_head), paper, "approve")
        step(signed_in(another_head), paper, "publish")
    response = signed_in(head_of_service).get(f"/papers/{paper.pk}/publish/")
    assert response.status_code == 409
    assert "Only an approved paper can be published." in text(response)
