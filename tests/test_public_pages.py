"""The pages a public body must publish: an accessibility statement (regulation 7 of the
Public Sector Bodies (Websites and Mobile Applications) (No. 2) Accessibility Regulations 2018)
and a privacy notice. Both open without sign-in, are linked from every page's footer, say what
the council entered in admin, else its settings, else careprog's own words, and show what
the council wrote as text."""

import datetime
import re

import pytest
from django.template.loader import render_to_string

from careprog import public_texts
from careprog.council_text import as_html
from careprog.models import PublicInformation
from tests.test_action_status import admin_form_data

PAGES = ["/accessibility/", "/privacy/"]
FOOTER_LINKS = [
    '<a class="govuk-footer__link" href="/accessibility/">Accessibility statement</a>',
    '<a class="govuk-footer__link" href="/privacy/">Privacy</a>',
]
ADMIN_PAGE = "/admin/careprog/publicinformation/"


def _main(html):
    return html.split('id="main-content"', 1)[1].split("</main>", 1)[0]


def _text(html):
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", html)).replace("&#x27;", "'")


def _page_text(client, url):
    response = client.get(url)
    assert response.status_code == 200
    return _text(_main(response.content.decode()))


@pytest.fixture
def council_entries(db):
    return PublicInformation.objects.create(
        council_name="Wirral Council",
        contact_email="access@wirral.example.org",
        contact_phone="0151 606 2000",
        dpo_email="dpo@wirral.example.org",
        known_issues="- The forward plan's calendar cannot be read aloud.",
        statement_reviewed=datetime.date(2027, 3, 1),
        privacy_notice="## Who we are\n\nWirral Council's own notice.",
    )


@pytest.mark.parametrize("url", PAGES)
def test_both_pages_open_without_sign_in(client, db, url):
    response = client.get(url)
    assert response.status_code == 200
    assert "<h1" in response.content.decode()


@pytest.mark.parametrize("url", PAGES)
def test_both_pages_are_read_only(client, committee_member, url):
    assert client.post(url).status_code == 405
    client.force_login(committee_member)
    assert client.post(url).status_code == 405


def test_the_statement_follows_the_model_statements_sections(client, db):
    html = _main(client.get("/accessibility/").content.decode())
    headings = re.findall(r"<h[23][^>]*>([^<]+)</h[23]>", html)
    assert headings == [
        "How accessible this service is",
        "What to do if you cannot use parts of this service",
        "Reporting accessibility problems with this service",
        "Enforcement procedure",
        "Technical information about this service’s accessibility",
        "Compliance status",
        "Non-accessible content",
        "How we tested this service",
        "Preparation of this accessibility statement",
    ]


def test_the_statement_says_how_careprog_is_tested(client, db):
    text = _page_text(client, "/accessibility/")
    for said in [
        "axe-core",
        "Nu HTML Checker",
        "with the keyboard alone",
        "“Skip to main content”",
        "375 pixels wide",
        "without JavaScript",
    ]:
        assert said in text, said


def test_the_statement_names_the_regulators_a_complaint_goes_to(client, db):
    text = _page_text(client, "/accessibility/")
    assert "Equality and Human Rights Commission (EHRC)" in text
    assert "Equality Advisory and Support Service (EASS)" in text
    assert "Equality Commission for Northern Ireland (ECNI)" in text


def test_with_nothing_set_the_statement_is_still_complete(client, db, settings):
    settings.COUNCIL_NAME = ""
    settings.COUNCIL_CONTACT_EMAIL = ""
    settings.COUNCIL_CONTACT_PHONE = ""
    text = _page_text(client, "/accessibility/")
    assert "This service is run by the council." in text
    assert "The council is committed to making this service accessible" in text
    assert "Tell the performance team, who gave you your sign-in" in text
    assert "Django's own pages, for programme administrators" in text  # careprog's known issues
    assert "This statement was prepared on 5 December 2026." in text
    assert "It was last reviewed on 5 December 2026." in text


def test_the_councils_settings_fill_the_statement_when_admin_has_no_entry(client, db, settings):
    settings.COUNCIL_NAME = "Wirral Council"
    settings.COUNCIL_CONTACT_EMAIL = "accessibility@wirral.example.org"
    settings.COUNCIL_CONTACT_PHONE = "0151 606 2000"
    html = client.get("/accessibility/").content.decode()
    text = _text(_main(html))
    assert "This service is run by Wirral Council." in text
    assert (
        '<a class="govuk-link" href="mailto:accessibility@wirral.example.org">'
        "accessibility@wirral.example.org</a>"
    ) in html
    assert "call 0151 606 2000" in text
    assert "performance team" not in text


def test_the_councils_entries_in_admin_win_over_its_settings(client, council_entries, settings):
    settings.COUNCIL_NAME = "Settings Council"
    settings.COUNCIL_CONTACT_EMAIL = "settings@example.org"
    text = _page_text(client, "/accessibility/")
    assert "This service is run by Wirral Council." in text
    assert "access@wirral.example.org" in text and "settings@example.org" not in text
    assert "The forward plan's calendar cannot be read aloud." in text
    assert "Django's own pages" not in text  # the council's list replaces careprog's
    assert "It was last reviewed on 1 March 2027." in text
    assert "This statement was prepared on 5 December 2026." in text


def test_the_default_privacy_notice_names_the_council_and_its_data_protection_officer(
    client, db, settings
):
    settings.COUNCIL_NAME = "Wirral Council"
    settings.COUNCIL_DPO_EMAIL = "dpo@wirral.example.org"
    text = _page_text(client, "/privacy/")
    assert "Wirral Council is the data controller" in text
    assert "email the council's data protection officer: dpo@wirral.example.org" in text
    for said in ["public task", "How long we keep it", "Your rights", "Information Commissioner"]:
        assert said in text, said


def test_with_no_dpo_set_the_privacy_notice_says_where_to_find_them(client, db, settings):
    settings.COUNCIL_DPO_EMAIL = ""
    text = _page_text(client, "/privacy/")
    assert "The council is the data controller" in text
    assert "contact the council's data protection officer: the council's website says how" in text


def test_the_councils_own_privacy_notice_replaces_careprogs(client, council_entries):
    html = _main(client.get("/privacy/").content.decode())
    assert '<h2 class="govuk-heading-m">Who we are</h2>' in html
    assert "Wirral Council&#x27;s own notice." in html
    assert "public task" not in html
    assert f"Last updated {council_entries.updated_at:%-d %B %Y}." in _text(html)


def test_what_the_council_writes_is_shown_as_text_never_as_html(client, db):
    PublicInformation.objects.create(
        council_name="<b>Bold</b> Council",
        known_issues='<script>alert("x")</script>\n- <img src=x onerror=alert(1)>',
        privacy_notice="## <i>Heading</i>\n\nA & B <a href='https://evil.example'>link</a>",
    )
    statement = client.get("/accessibility/").content.decode()
    assert "<script>alert" not in statement and "<img src=x" not in statement
    assert "&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt;" in statement
    assert "&lt;b&gt;Bold&lt;/b&gt; Council" in statement
    notice = client.get("/privacy/").content.decode()
    assert "<i>Heading</i>" not in notice and "href='https://evil.example'" not in notice
    assert '<h2 class="govuk-heading-m">&lt;i&gt;Heading&lt;/i&gt;</h2>' in notice
    assert "A &amp; B &lt;a href=&#x27;https://evil.example&#x27;&gt;link&lt;/a&gt;" in notice


@pytest.mark.parametrize(
    ("written", "shown"),
    [
        ("One line.", '<p class="govuk-body">One line.</p>'),
        ("First line\nsecond line", '<p class="govuk-body">First line<br>second line</p>'),
        ("One.\n\nTwo.", '<p class="govuk-body">One.</p>\n<p class="govuk-body">Two.</p>'),
        ("## Heading", '<h2 class="govuk-heading-m">Heading</h2>'),
        (
            "- a\n- b\n\n- c",
            '<ul class="govuk-list govuk-list--bullet"><li>a</li><li>b</li><li>c</li></ul>',
        ),
        (
            "Before\n- a\nAfter",
            '<p class="govuk-body">Before</p>\n'
            '<ul class="govuk-list govuk-list--bullet"><li>a</li></ul>\n'
            '<p class="govuk-body">After</p>',
        ),
        ("A\r\n\r\nB", '<p class="govuk-body">A</p>\n<p class="govuk-body">B</p>'),
        ("", ""),
        ("<p>", '<p class="govuk-body">&lt;p&gt;</p>'),
    ],
)
def test_a_councils_text_keeps_its_paragraphs_headings_and_lists(written, shown):
    assert as_html(written) == shown


def test_careprogs_own_texts_read_as_the_council_will_write_theirs():
    """Both shipped texts use only the three marks: no stray HTML, no unfilled placeholder."""
    notice = public_texts.privacy_notice(
        council="the council", service="Care programmes", dpo_email=""
    )
    for text in [public_texts.KNOWN_ISSUES, notice]:
        assert "<" not in text and "{" not in text
        assert as_html(text).count("<ul") >= 1


# Every page's footer links to both, signed in or not.


@pytest.mark.parametrize("url", ["/sign-in/", "/password-reset/", "/help/", *PAGES])
def test_the_footer_links_to_both_on_the_pages_open_without_sign_in(client, db, url):
    html = client.get(url).content.decode()
    for link in FOOTER_LINKS:
        assert link in html, (url, link)


@pytest.mark.parametrize(
    ("person", "url"),
    [
        ("committee_member", "/"),
        ("officer", "/actions/mine/"),
        ("administrator", "/kpis/import/"),
        ("outsider", "/"),
    ],
)
def test_the_footer_links_to_both_on_the_pages_each_role_reads(
    client, seed_programme, request, person, url
):
    client.force_login(request.getfixturevalue(person))
    html = client.get(url).content.decode()
    for link in FOOTER_LINKS:
        assert link in html, (person, link)


@pytest.mark.parametrize(
    ("template", "context"), [("500.html", {}), ("413.html", {"limit_mb": 11})]
)
def test_the_pages_rendered_without_the_base_template_link_to_both_too(template, context):
    html = render_to_string(template, context)
    for link in FOOTER_LINKS:
        assert link in html


def test_the_help_links_to_the_statement_and_the_notice(client, db):
    html = _main(client.get("/help/").content.decode())
    assert '<a class="govuk-link" href="/accessibility/">accessibility statement</a>' in html
    assert '<a class="govuk-link" href="/privacy/">privacy notice</a>' in html


# What each page costs: one query for the council's row, however much it holds.


@pytest.mark.parametrize("url", PAGES)
def test_each_page_reads_one_query_whether_or_not_the_council_has_entered_anything(
    client, db, django_assert_num_queries, url
):
    with django_assert_num_queries(1):
        client.get(url)
    PublicInformation.objects.create(
        council_name="Wirral Council",
        known_issues="- an issue\n" * 200,
        privacy_notice="A paragraph.\n\n" * 200,
    )
    with django_assert_num_queries(1):
        client.get(url)


# Administrators keep the council's entries in Django admin.


def test_an_administrator_starts_the_councils_entries_from_the_texts_shown_now(
    client, administrator, settings
):
    settings.COUNCIL_NAME = "Wirral Council"
    client.force_login(administrator)
    response = client.get(ADMIN_PAGE)
    assert response.status_code == 302 and response.url == f"{ADMIN_PAGE}add/"
    form = client.get(response.url).context["adminform"].form
    assert form["known_issues"].value() == public_texts.KNOWN_ISSUES
    assert "Wirral Council is the data controller" in form["privacy_notice"].value()


def test_an_administrator_changes_the_contact_and_the_statement_shows_it(client, administrator):
    client.force_login(administrator)
    data = admin_form_data(client.get(f"{ADMIN_PAGE}add/"))
    data.update(council_name="Wirral Council", contact_email="access@wirral.example.org")
    response = client.post(f"{ADMIN_PAGE}add/", data)
    assert response.status_code == 302
    assert client.get(ADMIN_PAGE).url == f"{ADMIN_PAGE}1/change/"  # one row: its page

    data = admin_form_data(client.get(f"{ADMIN_PAGE}1/change/"))
    data["contact_email"] = "accessibility@wirral.example.org"
    assert client.post(f"{ADMIN_PAGE}1/change/", data).status_code == 302
    client.logout()
    text = _page_text(client, "/accessibility/")
    assert "accessibility@wirral.example.org" in text
    assert PublicInformation.objects.count() == 1


def test_there_is_one_row_never_a_second_and_it_is_never_deleted(
    client, superuser, council_entries
):
    client.force_login(superuser)
    assert client.get(f"{ADMIN_PAGE}add/").status_code == 403
    assert client.post(f"{ADMIN_PAGE}1/delete/", {"post": "yes"}).status_code == 403
    again = PublicInformation(council_name="Another")
    again.save()  # takes the one row's key: a replacement, not a second row
    assert list(PublicInformation.objects.values_list("council_name", flat=True)) == ["Another"]


def test_an_administrator_cannot_save_an_address_nobody_can_write_to(client, administrator):
    client.force_login(administrator)
    data = admin_form_data(client.get(f"{ADMIN_PAGE}add/"))
    data["contact_email"] = "not an address"
    response = client.post(f"{ADMIN_PAGE}add/", data)
    assert response.status_code == 200
    assert "Enter a valid email address." in response.content.decode()
    assert not PublicInformation.objects.exists()


@pytest.mark.parametrize("person", ["committee_member", "officer", "head_of_service"])
def test_other_roles_with_staff_status_cannot_change_the_councils_entries(
    client, request, council_entries, person
):
    user = request.getfixturevalue(person)
    user.is_staff = True
    user.save()
    client.force_login(user)
    assert client.get(f"{ADMIN_PAGE}1/change/").status_code == 403
    assert client.post(f"{ADMIN_PAGE}1/change/", {"council_name": "Forged"}).status_code == 403
    council_entries.refresh_from_db()
    assert council_entries.council_name == "Wirral Council"


def test_a_save_opened_before_another_administrators_is_refused_and_overwrites_nothing(
    client, administrator, council_entries
):
    client.force_login(administrator)
    data = admin_form_data(client.get(f"{ADMIN_PAGE}1/change/"))
    PublicInformation.objects.get().save()  # another administrator saves meanwhile
    council_entries.refresh_from_db()
    data["contact_phone"] = "0151 000 0000"

    refused = client.post(f"{ADMIN_PAGE}1/change/", data)
    assert refused.status_code == 409
    assert "Someone else saved the accessibility statement" in refused.content.decode()
    assert PublicInformation.objects.get().contact_phone == "0151 606 2000"

    again = admin_form_data(refused)  # the refused form, carrying what is stored now
    assert client.post(f"{ADMIN_PAGE}1/change/", again).status_code == 302
    assert PublicInformation.objects.get().contact_phone == "0151 000 0000"


def test_a_second_first_entry_does_not_replace_the_one_saved_meanwhile(client, administrator):
    client.force_login(administrator)
    data = admin_form_data(client.get(f"{ADMIN_PAGE}add/"))
    PublicInformation.objects.create(council_name="Saved first")
    data["council_name"] = "Saved second"
    response = client.post(f"{ADMIN_PAGE}add/", data)
    assert response.status_code in {403, 409}  # refused either way: admin now offers no add
    assert PublicInformation.objects.get().council_name == "Saved first"
