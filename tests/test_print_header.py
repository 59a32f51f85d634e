"""The running header printed at the top of each sheet of the report and the dashboard.

Its words (programme, period) come from the database into a nonced <style>, so they must
neither break out of the CSS string nor out of the element, and the policy must allow it.
"""

import re

import pytest
from django.template import Context, Template

from actions.models import Programme
from careprog.templatetags.careprog_tags import css_string

Q3_REPORT = "/programmes/care-programme-2024-25/report/2024-25-q3/"


@pytest.mark.parametrize(
    ("text", "css"),
    [
        ("Care Programme 2024-25", '"Care Programme 2024-25"'),
        ("KPI dashboard — latest figures", '"KPI dashboard — latest figures"'),
        ('Say "hello"', '"Say \\22 hello\\22 "'),
        ("back\\slash", '"back\\5c slash"'),
        ("two\nlines", '"two\\a lines"'),
        ("</style><script>", '"\\3c /style\\3e \\3c script\\3e "'),
        ("Tom & Jerry's", '"Tom \\26  Jerry\'s"'),
    ],
)
def test_header_text_becomes_a_css_string_that_cannot_end_early(text, css):
    assert css_string(text) == css


def test_header_text_is_not_html_escaped_inside_the_style_element():
    """CSS does not decode "&amp;": HTML escaping would print it as five characters."""
    rendered = Template("{% load careprog_tags %}{{ text|css_string }}").render(
        Context({"text": "A & B"})
    )
    assert rendered == '"A \\26  B"'


def test_the_report_sends_its_header_in_a_style_the_policy_allows(member_client, seed_programme):
    response = member_client.get(Q3_REPORT)

    nonce = re.search(r"style-src[^;]*'nonce-([^']+)'", response["Content-Security-Policy"])
    assert nonce, response["Content-Security-Policy"]
    html = response.content.decode()
    assert f'<style nonce="{nonce[1]}">' in html
    assert (
        '@top-left { content: "Care Programme 2024-25 — Report on progress, 2024-25 Q3"; }' in html
    )


def test_a_programme_name_with_quotes_and_markup_stays_inside_the_header(
    member_client, seed_programme
):
    Programme.objects.filter(pk=seed_programme.pk).update(name='Care "2024"</style>\\')

    html = member_client.get(Q3_REPORT).content.decode()

    assert "</style>\\" not in html
    assert 'content: "Care \\22 2024\\22 \\3c /style\\3e \\5c  — Report on progress' in html


def test_the_dashboard_sends_its_header_in_a_style_the_policy_allows(member_client, db):
    response = member_client.get("/kpis/")

    nonce = re.search(r"style-src[^;]*'nonce-([^']+)'", response["Content-Security-Policy"])
    assert nonce, response["Content-Security-Policy"]
    assert '@top-left { content: "KPI dashboard — latest figures"; }' in response.content.decode()


def test_pages_without_a_printed_header_allow_no_inline_style(member_client, seed_programme):
    """A nonce would switch off the 'unsafe-inline' that the chart pages need for plotly."""
    policy = member_client.get("/programmes/")["Content-Security-Policy"]
    assert "'nonce-" not in re.search(r"style-src[^;]*", policy)[0]
