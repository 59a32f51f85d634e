"""The paper editor keeps every word: adding a section saves what was typed with it, a refusal
shows the typed text back, and a "- " line is a bullet wherever it stands, in every output."""

import io
import re

import docx
import pytest
from django.test import Client
from hypothesis import example, given
from hypothesis import strategies as st

from actions.models import PaperEvent
from actions.papers import text as paper_text
from tests.paper_downloads import fetch
from tests.paper_factories import draft_paper
from tests.paper_pages import draft_form, paper_page, text, with_sections


@pytest.fixture
def olive(officer):
    client = Client()
    client.force_login(officer)
    return client


def edit(client, paper, data):
    return client.post(f"/papers/{paper.pk}/edit/", data)


def adding(paper, data, heading, after="Background information"):
    """``data`` with "Add the section" pressed for a section headed ``heading``."""
    place = paper.sections.get(heading=after).pk
    return {**data, "new_heading": heading, "new_after": place, "add_section": "yes"}


def test_text_typed_in_a_section_is_saved_when_a_section_is_added(seed_programme, officer, olive):
    paper = draft_paper(seed_programme, officer)
    typed = with_sections(
        paper,
        draft_form(olive, paper),
        {"Report summary": "Typed before adding.", "Legal implications": "None."},
    )
    response = edit(olive, paper, adding(paper, typed, "Placements"))

    assert response.status_code == 302
    assert response.url == f"/papers/{paper.pk}/edit/"
    assert paper.sections.get(heading="Report summary").text == "Typed before adding."
    assert paper.sections.get(heading="Legal implications").text == "None."
    headings = list(paper.sections.order_by("position", "pk").values_list("heading", flat=True))
    assert headings[headings.index("Background information") + 1] == "Placements"
    page = olive.get(response.url)
    assert "The draft has been saved and the section “Placements” added." in text(page)
    assert "Typed before adding." in page.content.decode()


def test_adding_a_section_without_a_heading_keeps_the_typed_text_and_says_what_is_missing(
    seed_programme, officer, olive
):
    paper = draft_paper(seed_programme, officer)
    typed = with_sections(paper, draft_form(olive, paper), {"Report summary": "Not lost."})
    count = paper.sections.count()
    response = edit(olive, paper, adding(paper, typed, ""))

    assert response.status_code == 400
    html = response.content.decode()
    assert 'class="govuk-error-summary"' in html
    assert '<a href="#id_new_heading">Enter the new section&#x27;s heading</a>' in html
    assert "Not lost." in html  # still in its box
    assert paper.sections.count() == count
    assert paper.sections.get(heading="Report summary").text == ""


def test_a_place_that_is_not_a_section_of_the_paper_is_refused_once(seed_programme, officer, olive):
    paper = draft_paper(seed_programme, officer)
    data = {**adding(paper, draft_form(olive, paper), "Placements"), "new_after": "x"}
    response = edit(olive, paper, data)
    assert response.status_code == 400
    assert text(response).count("Choose a section of this paper to add it after") == 2  # summary
    assert "Choose where to add it" not in text(response)


def test_a_heading_typed_for_a_new_section_is_not_dropped_by_save_the_draft(
    seed_programme, officer, olive
):
    paper = draft_paper(seed_programme, officer)
    data = {**adding(paper, draft_form(olive, paper), "Residential care")}
    del data["add_section"]
    assert edit(olive, paper, data).status_code == 302
    assert paper.sections.filter(heading="Residential care", numbered=True).exists()


def test_a_stale_add_section_adds_nothing_and_keeps_the_typed_text(
    seed_programme, officer, other_officer, olive
):
    paper = draft_paper(seed_programme, officer)
    opened = with_sections(paper, draft_form(olive, paper), {"Report summary": "Mine."})
    oscar = Client()
    oscar.force_login(other_officer)
    edit(oscar, paper, with_sections(paper, draft_form(oscar, paper), {"Recommendations": "X"}))
    count = paper.sections.count()

    response = edit(olive, paper, adding(paper, opened, "Placements"))
    assert response.status_code == 409
    assert "Mine." in response.content.decode()
    assert paper.sections.count() == count


def test_the_edit_page_warns_before_leaving_unsaved_changes_with_a_script_of_our_own(
    seed_programme, officer, olive
):
    paper = draft_paper(seed_programme, officer)
    html = olive.get(f"/papers/{paper.pk}/edit/").content.decode()
    assert html.count("<form") == html.count("</form>")
    assert len(re.findall(r"<form method=\"post\"[^>]*data-unsaved-warning", html)) == 1
    assert 'name="add_section"' in html  # "Add the section" is a button of the same form
    assert re.search(r'<script type="module" src="/static/unsaved-changes[^"]*\.mjs">', html)


def test_the_unsaved_changes_script_is_built_and_served_from_our_own_static_files():
    from django.contrib.staticfiles import finders

    found = finders.find("unsaved-changes.mjs")
    assert found, "npm run build copies it to static/build/"
    script = open(found, encoding="utf-8").read()
    assert "beforeunload" in script and "data-unsaved-warning" in script


def test_each_save_or_added_section_records_the_editor_once_a_draft_round(
    seed_programme, officer, other_officer, olive
):
    paper = draft_paper(seed_programme, officer)
    for words in ["One.", "Two."]:
        typed = with_sections(paper, draft_form(olive, paper), {"Recommendations": words})
        edit(olive, paper, typed)
    edit(olive, paper, adding(paper, draft_form(olive, paper), "Placements"))
    edit(olive, paper, draft_form(olive, paper))  # nothing changed
    oscar = Client()
    oscar.force_login(other_officer)
    edit(oscar, paper, with_sections(paper, draft_form(oscar, paper), {"Recommendations": "3."}))

    edits = paper.events.filter(step=PaperEvent.Step.EDITED).order_by("pk")
    assert [event.by for event in edits] == [officer, other_officer]


# Bullets ---------------------------------------------------------------------------------

UNDER_A_SENTENCE = "We will:\n- open two homes\n  - one in Wallasey\n- recruit carers\nBy March."


def test_bullets_typed_directly_under_a_sentence_are_a_list_with_their_sub_points():
    assert paper_text.blocks(UNDER_A_SENTENCE, section_number=3) == [
        {"kind": "paragraph", "number": "3.1", "lines": ["We will:"]},
        {
            "kind": "list",
            "items": [
                {"text": "open two homes", "level": 1},
                {"text": "one in Wallasey", "level": 2},
                {"text": "recruit carers", "level": 1},
            ],
        },
        {"kind": "paragraph", "number": "3.2", "lines": ["By March."]},
    ]


def test_a_sub_point_after_a_blank_line_keeps_its_indent():
    assert paper_text.blocks("- a point\n\n  - under it")[1]["items"] == [
        {"text": "under it", "level": 2}
    ]


def test_a_paragraph_with_a_line_break_stays_one_paragraph():
    assert paper_text.blocks("Olive Lead\nService manager") == [
        {"kind": "paragraph", "number": None, "lines": ["Olive Lead", "Service manager"]}
    ]


def test_bullets_under_a_sentence_are_bullets_on_the_page_and_in_word(
    seed_programme, officer, olive
):
    paper = draft_paper(
        seed_programme, officer, sections={"Background information": UNDER_A_SENTENCE}
    )
    page = paper_page(olive, paper)
    assert "- open two homes" not in page
    assert '<li class="app-paper__item--level-1">open two homes</li>' in page
    assert '<li class="app-paper__item--level-2">one in Wallasey</li>' in page

    document = docx.Document(io.BytesIO(fetch(olive, f"/papers/{paper.pk}/paper.docx").content))
    styles = {p.text: p.style.name for p in document.paragraphs}
    assert styles["open two homes"] == "List Bullet"
    assert styles["one in Wallasey"] == "List Bullet 2"
    assert styles["recruit carers"] == "List Bullet"
    assert not any(p.text.lstrip().startswith("- ") for p in document.paragraphs)


def test_bullets_under_a_sentence_are_bullets_in_the_pdf(seed_programme, officer):
    from actions.papers import pdf
    from actions.papers.content import build
    from actions.papers.queries import paper_for_page

    paper = draft_paper(
        seed_programme, officer, sections={"Background information": UNDER_A_SENTENCE}
    )
    html = pdf.render_html(build(paper_for_page(paper.pk)), draft=True)
    assert '<li class="level-1">open two homes</li>' in html
    assert '<li class="level-2">one in Wallasey</li>' in html
    assert "- open two homes" not in html


MARKERS = {"-", "*", "•"}


def words(value: str) -> list[str]:
    """Every word in order, less bullet markers standing alone."""
    return [word for word in value.split() if word not in MARKERS]


def output_words(blocks: list[dict]) -> list[str]:
    out = []
    for block in blocks:
        if block["kind"] == "list":
            out += [word for item in block["items"] for word in words(item["text"])]
        else:
            out += [word for line in block["lines"] for word in words(line)]
    return out


lines = st.lists(
    st.tuples(
        st.sampled_from(["", " ", "  ", "\t", "    "]),
        st.sampled_from(["", "- ", "* ", "• ", "-", "-- ", "1. "]),
        st.text(alphabet=st.characters(codec="utf-8", exclude_categories=["Cs"]), max_size=30),
    ).map("".join),
    max_size=12,
)


@given(lines, st.sampled_from(["\n", "\r\n", "\r"]), st.none() | st.integers(1, 20))
@example(["We will:", "- open", "  - sub", "After."], "\n", 3)
@example(["- a", "", "  - b", "", "", "c"], "\r\n", None)
def test_no_typed_word_is_ever_lost_or_reordered(typed, newline, number):
    source = newline.join(typed)
    blocks = paper_text.blocks(source, section_number=number)
    assert output_words(blocks) == words(source.replace("\r", "\n"))
    for block in blocks:
        assert block["kind"] in {"paragraph", "list"}
        if block["kind"] == "list":
            assert block["items"] and all(item["level"] in {1, 2} for item in block["items"])
        else:
            assert block["lines"] and all(line.strip() for line in block["lines"])
