# ruff: noqa: F811  (the families' fixtures, imported, are the tests' arguments)
"""Paper templates kept in the app by administrators (issue 24, report families): the list, a
new template, changing one (its family, audience and sections, each of a kind, in an order
the administrator sets), with the GOV.UK error summary and a stale save refused; and the
Nu HTML checker over every new page, the families' papers' pages included."""

import pytest
from django import forms
from django.test import Client

from actions.models import Committee, PaperTemplate, SectionKind, TitleBlock
from tests.html_checker import HtmlDocument, check_html, report
from tests.paper_pages import text
from tests.test_paper_families import (  # noqa: F401  (fixtures)
    approver,
    board_meeting,
    board_template,
    board_update,
    cabinet_template,
    cabinet_update,
    drafter,
    scrutiny_meeting,
    today,
)


@pytest.fixture
def admin_client(administrator):
    client = Client()
    client.force_login(administrator)
    return client


def new_template_data(**extra):
    return {
        "name": "Board update",
        "title_block": TitleBlock.BOARD_UPDATE,
        "audience": Committee.Kind.BOARD,
        "new-order": "10",
        "new-heading": "Overview of progress",
        "new-kind": SectionKind.LABELLED_ROWS,
        "new-numbered": "on",
        "new-row_labels": "Key challenges ahead\nRisks to outcome delivery",
        "new-one_row_per_objective": "on",
        **extra,
    }


def edit_data(client, template) -> dict:
    form = client.get(f"/papers/templates/{template.pk}/").context["form"]
    data = {}
    for name, field in form.fields.items():
        value = form[name].value()
        if isinstance(field, forms.BooleanField):
            if value:
                data[name] = "on"
            continue
        data[name] = "" if value is None else str(value)
    return data


def test_an_administrator_adds_a_board_update_template_with_an_overview_and_a_swot(
    admin_client,
):
    response = admin_client.post("/papers/templates/new/", new_template_data())
    assert response.status_code == 302
    template = PaperTemplate.objects.get(name="Board update")
    assert (template.title_block, template.audience) == ("board_update", "board")
    overview = template.sections.get()
    assert overview.kind == SectionKind.LABELLED_ROWS and overview.numbered
    assert overview.one_row_per_objective
    assert overview.labels() == ["Key challenges ahead", "Risks to outcome delivery"]

    data = edit_data(admin_client, template)
    data.update({"new-order": "20", "new-heading": "SWOT analysis", "new-kind": "swot"})
    assert admin_client.post(f"/papers/templates/{template.pk}/", data).status_code == 302
    assert [(s.heading, s.kind) for s in template.sections.order_by("position")] == [
        ("Overview of progress", "labelled_rows"),
        ("SWOT analysis", "swot"),
    ]
    listed = text(admin_client.get("/papers/templates/"))
    assert "Board update Board update Board 2" in listed


def test_an_administrator_says_in_the_template_whether_the_appendices_follow(admin_client):
    new = admin_client.get("/papers/templates/new/").context["form"]
    assert new["generated_appendices"].value() is True, "on unless the administrator says"
    admin_client.post("/papers/templates/new/", new_template_data(generated_appendices="on"))
    template = PaperTemplate.objects.get(name="Board update")
    assert template.generated_appendices is True

    data = edit_data(admin_client, template)
    del data["generated_appendices"]  # the box unticked
    assert admin_client.post(f"/papers/templates/{template.pk}/", data).status_code == 302
    template.refresh_from_db()
    assert template.generated_appendices is False


def test_a_numbered_section_may_number_only_its_heading(admin_client):
    """A board update prints "1.0 Introduction" over unnumbered paragraphs: the template says
    so per section (tests/test_seed_board_update.py shows a paper printing it so)."""
    admin_client.post(
        "/papers/templates/new/",
        new_template_data(**{"new-kind": SectionKind.TEXT, "new-heading_number_only": "on"}),
    )
    (section,) = PaperTemplate.objects.get(name="Board update").sections.all()
    assert (section.numbered, section.heading_number_only) == (True, True)


def test_an_administrator_reorders_and_removes_sections(admin_client):
    admin_client.post("/papers/templates/new/", new_template_data())
    template = PaperTemplate.objects.get(name="Board update")
    data = edit_data(admin_client, template)
    data.update({"new-order": "5", "new-heading": "Introduction", "new-kind": "text"})
    admin_client.post(f"/papers/templates/{template.pk}/", data)
    assert [s.heading for s in template.sections.order_by("position")] == [
        "Introduction",
        "Overview of progress",
    ]
    overview = template.sections.get(heading="Overview of progress")
    data = edit_data(admin_client, template)
    data[f"{overview.pk}-remove"] = "on"
    assert admin_client.post(f"/papers/templates/{template.pk}/", data).status_code == 302
    assert [s.heading for s in template.sections.all()] == ["Introduction"]


def test_labelled_rows_without_labels_get_the_error_summary_and_nothing_is_saved(admin_client):
    response = admin_client.post(
        "/papers/templates/new/",
        new_template_data(**{"new-row_labels": "", "new-one_row_per_objective": ""}),
    )
    assert response.status_code == 400
    page = response.content.decode()
    assert "govuk-error-summary" in page
    assert "Give the labels of its rows, or choose one row per objective" in text(response)
    assert not PaperTemplate.objects.filter(name="Board update").exists()


def test_a_save_after_someone_elses_is_refused_and_keeps_what_was_typed(admin_client):
    admin_client.post("/papers/templates/new/", new_template_data())
    template = PaperTemplate.objects.get(name="Board update")
    mine = edit_data(admin_client, template)
    theirs = edit_data(admin_client, template)
    theirs["name"] = "Their name"
    assert admin_client.post(f"/papers/templates/{template.pk}/", theirs).status_code == 302
    mine["name"] = "My name"
    response = admin_client.post(f"/papers/templates/{template.pk}/", mine)
    assert response.status_code == 409
    assert "Someone else saved this template after you opened it" in text(response)
    assert 'value="My name"' in response.content.decode()
    assert PaperTemplate.objects.get(pk=template.pk).name == "Their name"


def test_user_text_in_a_template_stays_text(admin_client):
    admin_client.post("/papers/templates/new/", new_template_data(name="<script>alert(1)</script>"))
    page = admin_client.get("/papers/templates/").content.decode()
    assert "<script>alert(1)</script>" not in page
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in page


def test_the_new_pages_pass_the_nu_html_checker(
    admin_client,
    approver,
    board_update,
    cabinet_update,
    board_template,
    board_meeting,
    seed_programme,
    drafter,
):
    from tests.test_paper_families import start_board_update

    draft = start_board_update(drafter, seed_programme, board_template, board_meeting)
    urls = [
        f"/papers/{draft.pk}/edit/",
        f"/papers/{draft.pk}/",
        f"/programmes/{seed_programme.slug}/papers/new/",
        "/papers/",
        "/papers/new/",
        "/papers/templates/",
        "/papers/templates/new/",
        f"/papers/templates/{board_template.pk}/",
        f"/papers/{board_update.pk}/",
        f"/papers/{cabinet_update.pk}/",
    ]
    documents = []
    for url in urls:
        response = admin_client.get(url)
        assert response.status_code == 200, url
        documents.append(HtmlDocument(url=f"http://testserver{url}", html=response.content))
    bad = admin_client.post("/papers/templates/new/", new_template_data(name=""))
    documents.append(
        HtmlDocument(url="http://testserver/papers/templates/new/#error", html=bad.content)
    )
    errors = check_html(documents)
    assert errors == [], report(errors)
