"""Someone who has forgotten their password resets it; the pages, and the lockout page, pass axe."""

import re

import pytest
from django.conf import settings
from playwright.sync_api import expect

from tests.browser.conftest import assert_no_axe_violations, sign_in, submit_sign_in_form

pytestmark = pytest.mark.browser

PASSWORD = "a-long-test-password"
NEW_PASSWORD = "a-brand-new-test-password"
RESET_LINK = re.compile(r"^https?://\S+/password-reset/[^/\s]+/[^/\s]+/$", re.MULTILINE)


def expect_error_summary(page, message):
    """GOV.UK Frontend moves focus to the summary, so a screen reader hears it first."""
    summary = page.locator(".govuk-error-summary")
    expect(summary).to_be_visible()
    expect(summary).to_be_focused()
    expect(summary.get_by_role("link", name=message)).to_be_visible()
    assert page.title().startswith("Error: ")


def test_a_user_resets_a_forgotten_password_and_signs_in_with_it(
    transactional_db, live_server, page, committee_member, mailoutbox
):
    page.goto(f"{live_server.url}/sign-in/")
    page.get_by_role("link", name="Forgotten your password?").click()
    expect(page).to_have_url(f"{live_server.url}/password-reset/")
    expect(page.get_by_role("heading", level=1)).to_have_text("Reset your password")
    assert_no_axe_violations(page)

    page.get_by_role("button", name="Send reset link").click()
    expect_error_summary(page, "This field is required.")
    assert_no_axe_violations(page)

    page.get_by_label("Email address").fill("not-an-email")
    page.get_by_role("button", name="Send reset link").click()
    expect_error_summary(page, "Enter a valid email address.")
    assert_no_axe_violations(page)

    page.get_by_label("Email address").fill("councillor@example.org")
    page.get_by_role("button", name="Send reset link").click()
    expect(page).to_have_url(f"{live_server.url}/password-reset/sent/")
    expect(page.get_by_role("heading", level=1)).to_have_text("Check your email")
    assert_no_axe_violations(page)

    assert len(mailoutbox) == 1
    link = RESET_LINK.search(mailoutbox[0].body).group(0)
    page.goto(link)
    expect(page).to_have_url(re.compile(r"/password-reset/[^/]+/set-password/$"))
    expect(page.get_by_role("heading", level=1)).to_have_text("Choose a new password")
    assert_no_axe_violations(page)

    page.get_by_label("New password", exact=True).fill(NEW_PASSWORD)
    page.get_by_label("Confirm new password").fill(NEW_PASSWORD + "-typo")
    page.get_by_role("button", name="Save new password").click()
    expect_error_summary(page, "The two password fields didn’t match.")
    assert_no_axe_violations(page)

    page.get_by_label("New password", exact=True).fill(NEW_PASSWORD)
    page.get_by_label("Confirm new password").fill(NEW_PASSWORD)
    page.get_by_role("button", name="Save new password").click()
    expect(page).to_have_url(f"{live_server.url}/password-reset/done/")
    expect(page.get_by_role("heading", level=1)).to_have_text("Your password has been changed")
    assert_no_axe_violations(page)

    page.get_by_role("button", name="Sign in").click()
    expect(page).to_have_url(f"{live_server.url}/sign-in/")
    sign_in(page, live_server, "councillor", NEW_PASSWORD)
    expect(page).to_have_url(f"{live_server.url}/")


def test_a_used_or_broken_link_explains_itself(transactional_db, live_server, page):
    page.goto(f"{live_server.url}/password-reset/MQ/not-a-real-token/")
    expect(page.get_by_role("heading", level=1)).to_have_text("This link does not work")
    assert_no_axe_violations(page)

    page.get_by_role("link", name="Ask for a new link").click()
    expect(page).to_have_url(f"{live_server.url}/password-reset/")


def test_too_many_failed_sign_ins_show_the_lockout_page(
    transactional_db, live_server, page, committee_member
):
    for _ in range(settings.AXES_FAILURE_LIMIT):
        submit_sign_in_form(page, live_server, "councillor", "wrong")
    expect(page.get_by_role("heading", level=1)).to_have_text(
        "You have tried to sign in too many times"
    )
    expect(page.get_by_text("Try again in 15 minutes.")).to_be_visible()
    assert_no_axe_violations(page)

    page.get_by_role("link", name="reset your password").click()
    expect(page).to_have_url(f"{live_server.url}/password-reset/")
