"""One whole quarter on the demo data (`setup_demo`, as `make run` loads it), by every role who
takes part, with no dead end and nobody signing off their own work:

an administrator adds the next meeting in the app; an officer starts the 2024-25 Q4 draft from
the last published paper, types in two sections and adds a third without losing a word, and
submits; the other head of service sees it on their home page and in their email; the head of
service who edited it is refused; the other approves, and publishing confirms and lists what
is incomplete; afterwards the officers' home and the reminders name no locked quarter.

axe on every page; the Nu checker reads every page the browser received (conftest.py).
"""

import datetime as dt
import io
import re

import pytest
from django.core import mail
from django.core.management import call_command
from playwright.sync_api import expect

from actions.models import Paper
from careprog.management.commands.setup_demo import DEMO_PASSWORD
from tests.browser.conftest import assert_no_axe_violations, sign_in

pytestmark = pytest.mark.browser

PROGRAMME = "/programmes/care-programme-2024-25"
COMMITTEE = "Children, Young People and Education Committee"
SUMMARY = "This report updates the committee on the Care Programme at the end of 2024-25."
RECOMMENDATION = "The committee is asked to note the progress made in 2024-25 Q4.\n\n- and the year"
PLACEMENTS = "Three more children were placed with in-house foster carers."
HEADS_WORDS = "The head of service's correction: the Q4 figures are provisional."


@pytest.fixture
def demo(transactional_db, settings):
    settings.DEBUG = True  # setup_demo refuses to run otherwise
    call_command("setup_demo", stdout=io.StringIO())


def person(browser, live_server, username):
    """A browser of that person's own, signed in. bypass_csp so axe can be injected."""
    page = browser.new_context(bypass_csp=True).new_page()
    sign_in(page, live_server, username, DEMO_PASSWORD)
    assert_no_axe_violations(page)
    return page


def land(page, name, *, role="button"):
    """Clicks, waits for the page it leads to, checks it with axe; returns the response."""
    with page.expect_navigation() as navigation:
        page.get_by_role(role, name=name, exact=True).click()
    assert_no_axe_violations(page)
    return navigation.value


def section(page, heading):
    """A section's text box is labelled by its heading."""
    return page.get_by_role("textbox", name=heading, exact=True)


def test_a_whole_quarter_from_the_next_meeting_to_the_published_paper(demo, live_server, browser):
    url = live_server.url
    meeting_day = dt.date.today() + dt.timedelta(days=91)
    meeting = f"{COMMITTEE}, {meeting_day:%-d %B %Y}"

    # The administrator adds the next meeting to the forward plan, in the app.
    ada = person(browser, live_server, "admin")
    ada.goto(f"{url}/committees/")
    assert_no_axe_violations(ada)
    land(ada, "Add a meeting", role="link")
    ada.get_by_label("Committee", exact=True).select_option(label=COMMITTEE)
    ada.get_by_label("Date", exact=True).fill(meeting_day.isoformat())
    ada.get_by_label("Agenda item (optional)", exact=True).fill("7")
    land(ada, "Add the meeting")
    expect(ada.locator("main")).to_contain_text(f"{meeting_day:%-d %B %Y}")

    # The officer starts the Q4 draft from the last published paper: the sections that stay
    # true from one quarter to the next come with their text.
    olive = person(browser, live_server, "officer")
    land(olive, "committee papers for Care Programme 2024-25", role="link")
    land(olive, "Start a paper", role="link")
    expect(olive.get_by_label("Meeting", exact=True)).to_contain_text(meeting)
    expect(olive.get_by_label("Meeting", exact=True)).not_to_contain_text("5 March 2025")
    olive.get_by_label("Meeting", exact=True).select_option(label=meeting)
    expect(olive.get_by_label("Quarter", exact=True)).to_have_value("2024-25-q4")
    expect(olive.get_by_label(re.compile("^The last published paper"))).to_be_checked()
    assert land(olive, "Start the draft").status == 200
    expect(olive.get_by_role("heading", level=1)).to_have_text("Edit the draft")
    edit_url = olive.url
    expect(section(olive, "LEGAL IMPLICATIONS")).to_have_value(
        re.compile("^The Council has a duty to provide care")
    )

    # Two sections typed, then a third added: "Add the section" keeps every word typed.
    section(olive, "REPORT SUMMARY").fill(SUMMARY)
    section(olive, "RECOMMENDATION/S").fill(RECOMMENDATION)
    olive.get_by_label("Heading of the new numbered section", exact=True).fill("Placements")
    olive.get_by_label("Add it after", exact=True).select_option(label="BACKGROUND INFORMATION")
    land(olive, "Add the section")
    expect(olive.get_by_role("alert").first).to_contain_text(
        "The draft has been saved and the section “Placements” added"
    )
    expect(section(olive, "REPORT SUMMARY")).to_have_value(SUMMARY)
    expect(section(olive, "RECOMMENDATION/S")).to_have_value(RECOMMENDATION)
    section(olive, "Placements").fill(PLACEMENTS)
    land(olive, "Save the draft")
    paper_url = olive.url
    article = olive.locator("#paper-content")
    expect(article).to_contain_text(SUMMARY)
    expect(article.locator("li", has_text="and the year")).to_be_visible()  # a "- " line
    expect(article.get_by_role("heading", name=re.compile(r"^\d\.0 Placements$"))).to_be_visible()
    expect(article).to_contain_text(PLACEMENTS)

    # A head of service edits the draft before it goes: from then on, not theirs to approve.
    hana = person(browser, live_server, "head")
    hana.goto(edit_url)
    assert_no_axe_violations(hana)
    section(hana, "Placements").fill(f"{PLACEMENTS}\n\n{HEADS_WORDS}")
    land(hana, "Save the draft")

    olive.goto(paper_url)
    assert_no_axe_violations(olive)
    expect(olive.locator("#paper-content")).to_contain_text(HEADS_WORDS)
    mail.outbox.clear()
    land(olive, "Submit for approval")
    expect(olive.get_by_role("heading", level=1)).to_contain_text("Submitted for approval")

    # The other head of service is told, by email and on their home page; Hana is not.
    awaiting_approval = "CARE PROGRAMME: 2024-25 Q4 paper awaits your approval"
    told = {email.to[0] for email in mail.outbox if email.subject == awaiting_approval}
    assert "head2@example.org" in told and "head@example.org" not in told, [
        (e.subject, e.to) for e in mail.outbox
    ]
    hari = person(browser, live_server, "head2")
    awaiting = hari.locator("#papers-awaiting + ul")
    expect(awaiting).to_contain_text("2024-25 Q4 submitted for your approval")
    hana.goto(f"{url}/")
    assert_no_axe_violations(hana)
    expect(hana.locator("#papers-awaiting")).to_have_count(0)

    # Hana is refused: no button to approve, and the server refuses a forged approval.
    hana.goto(paper_url)
    assert_no_axe_violations(hana)
    expect(hana.locator(".app-own-paper")).to_have_text(
        "You edited this paper, so someone else must approve it."
    )
    expect(hana.get_by_role("button", name="Approve")).to_have_count(0)
    token = hana.locator("input[name=csrfmiddlewaretoken]").first.get_attribute("value")
    forged = hana.request.post(
        f"{paper_url}approve/", form={"comment": "", "csrfmiddlewaretoken": token}
    )
    assert forged.status == 403
    assert "You edited this paper" in forged.text()
    paper = Paper.objects.get(state=Paper.State.SUBMITTED)

    # The other approves, and publishing confirms first, listing what is incomplete.
    land(hari, "CARE PROGRAMME: 2024-25 Q4", role="link")
    expect(hari).to_have_url(paper_url)
    land(hari, "Approve")
    expect(hari.get_by_role("heading", level=1)).to_contain_text("Approved")
    land(hari, "Publish", role="link")
    expect(hari.get_by_role("heading", level=1)).to_have_text("Publish CARE PROGRAMME: 2024-25 Q4")
    gaps = hari.locator(".app-publishing-gaps")
    expect(gaps).to_contain_text(re.compile(r"\d+ actions have no update for 2024-25 Q4"))
    expect(gaps.locator(".app-empty-sections")).to_have_count(0)
    mail.outbox.clear()
    land(hari, "Publish it as it is")
    expect(hari.get_by_role("heading", level=1)).to_contain_text("Published")
    paper.refresh_from_db()
    assert paper.is_published
    published_to = {email.to[0] for email in mail.outbox}
    assert {"officer@example.org", "councillor@example.org"} <= published_to, published_to

    # Afterwards nobody is chased about a locked quarter: the year's reporting is complete.
    olive.goto(f"{url}/")
    assert_no_axe_violations(olive)
    updates = olive.locator("#your-updates").locator("..")
    expect(updates).to_contain_text("Reporting for Care Programme 2024-25 is complete")
    expect(olive.locator("main")).not_to_contain_text("need an update for 2024-25 Q4")
    expect(olive.get_by_role("link", name=re.compile("^Update your actions"))).to_have_count(0)
    out = io.StringIO()
    call_command("send_update_reminders", "--dry-run", stdout=out)
    said = out.getvalue()
    assert "Care Programme 2024-25: its reporting is complete" in said, said
    assert "covering 0 actions" in said, said  # the officers' measures still fall due
