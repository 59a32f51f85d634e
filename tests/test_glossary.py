"""Plain words for members: the papers' abbreviations spelt out where a page first uses them,
marked as <abbr> everywhere, and listed on a glossary page."""

import importlib

import pytest
from django.apps import apps
from django.db import IntegrityError
from django.template import Context, Template

from actions.glossary import PageGlossary
from actions.models import Abbreviation
from tests.kpi_factories import make_kpi


@pytest.fixture(autouse=True)
def seeded_glossary(db):
    """The migration's list: a browser test's flush empties the table the migration filled."""
    importlib.import_module("actions.migrations.0006_abbreviations").seed(apps, None)


def render(text, glossary) -> str:
    template = Template("{% load plain_words %}{{ text|plain_words:glossary }}")
    return template.render(Context({"text": text, "glossary": glossary}))


def test_the_seeded_glossary_spells_out_the_papers_abbreviations(db):
    expansions = dict(Abbreviation.objects.values_list("abbreviation", "expansion"))
    assert expansions["CLA"] == "children looked after"
    assert expansions["KFT"] == "Keeping Families Together"
    assert expansions["SGO"] == "Special Guardianship Order"
    assert expansions["ERT"] == "Emergency Response Team"
    assert all(Abbreviation.objects.values_list("source", flat=True))


def test_the_first_use_on_a_page_is_spelt_out_and_later_ones_are_only_marked(db):
    glossary = PageGlossary()

    first = render("% of CLA placed with foster carers", glossary)
    later = render("CLA with 2+ placement moves", glossary)

    assert first == (
        '% of children looked after (<abbr title="children looked after">CLA</abbr>) '
        "placed with foster carers"
    )
    assert later == '<abbr title="children looked after">CLA</abbr> with 2+ placement moves'


def test_a_text_that_spells_it_out_itself_is_not_spelt_out_twice(db):
    shown = render("Now called Keeping Families Together (KFT)", PageGlossary())

    kft = '<abbr title="Keeping Families Together">KFT</abbr>'
    assert shown == f"Now called Keeping Families Together ({kft})"


def test_words_that_contain_an_abbreviation_are_left_alone(db):
    shown = render("CLASS, OCLA, Cla and SGOs; SGO.", PageGlossary())

    assert shown == (
        'CLASS, OCLA, Cla and <abbr title="Special Guardianship Order">SGO</abbr>s '
        '(Special Guardianship Order); <abbr title="Special Guardianship Order">SGO</abbr>.'
    )


def test_the_text_is_escaped_before_anything_is_marked(db):
    shown = render("<script>alert('CLA')</script> & <b>KFT</b>", PageGlossary())

    assert "<script>" not in shown and "<b>" not in shown
    assert shown.startswith("&lt;script&gt;alert(&#x27;children looked after (<abbr")
    assert "&amp; &lt;b&gt;Keeping Families Together (<abbr" in shown


def test_without_a_page_glossary_the_text_is_only_escaped(db):
    assert render("<i>CLA</i>", "") == "&lt;i&gt;CLA&lt;/i&gt;"


def test_an_abbreviation_is_written_in_capitals(db):
    with pytest.raises(IntegrityError):
        Abbreviation.objects.create(abbreviation="cla", expansion="lower case")


def test_a_kpi_page_spells_out_its_names_abbreviation(member_client):
    kpi = make_kpi("cla-foster", name="% of CLA placed with foster carers")

    html = member_client.get(kpi.get_absolute_url()).content.decode()

    assert '% of children looked after (<abbr title="children looked after">CLA</abbr>) placed' in (
        html
    )


def test_an_update_with_a_script_stays_text_on_the_dashboard_line(member_client):
    make_kpi("odd", name="<script>alert(1)</script> CLA starters")

    html = member_client.get("/kpis/").content.decode()

    assert "<script>alert(1)</script>" not in html
    assert "&lt;script&gt;alert(1)&lt;/script&gt; children looked after (<abbr" in html


def test_the_glossary_page_lists_every_abbreviation(member_client):
    Abbreviation.objects.create(abbreviation="PWP", expansion="a term the team added")

    html = member_client.get("/glossary/").content.decode()

    for abbreviation, expansion in Abbreviation.objects.values_list("abbreviation", "expansion"):
        assert f'<abbr title="{expansion}">{abbreviation}</abbr>' in html.replace("&#x27;", "'")
    assert 'href="/glossary/"' in html  # linked from every page's footer


def test_the_glossary_needs_sign_in(client, db):
    response = client.get("/glossary/")

    assert response.status_code == 302 and "/sign-in/" in response.url


def test_the_reports_table_marks_abbreviations_and_keeps_the_councils_words(
    member_client, seed_programme
):
    """The table is the council's text, read against its papers: each abbreviation is an
    <abbr> carrying its expansion, and no words are added (tests/test_report.py reads the
    table back word for word against Appendix C)."""
    html = member_client.get(f"/programmes/{seed_programme.slug}/report/2024-25-q3/")
    table = html.content.decode().split('class="govuk-table app-report-table', 1)[1]

    kft = '<abbr title="Keeping Families Together">KFT</abbr>'
    assert f"Now called Keeping Families Together ({kft})" in table
    assert f"this is being Managed through the {kft} meeting" in table
